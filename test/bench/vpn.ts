// Benchmarks 2 and 3: the VPN of the default world in virtual time, and the throughput of the
// encrypted tunnel beside the raw speed of the same cipher and HMAC in node:crypto.

import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Session } from '../../bin/session.js';
import { O_RDWR } from '../../kernel/abi/fcntl.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Process } from '../../kernel/proc/process.js';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../kernel/abi/socket.js';
import { buildWorld } from '../../kernel/world/build.js';
import { parseWorldFile } from '../../kernel/world/world-file.js';
import { userlandPrograms } from '../../userland/bin/registry.js';

export async function shell(k: Kernel, command: string): Promise<{ proc: Process; output: () => string }> {
  const term = k.ttys.create(false);
  let out = '';
  term.onOutput = (d) => (out += new TextDecoder().decode(d));
  const f = await k.openKernel(`/dev/${term.path}`, O_RDWR);
  const proc = await k.spawn(null, '/bin/sh', ['sh', '-c', command], { files: [f, f, f] });
  return { proc, output: () => out };
}

const CLIENT = 'openvpn --remote 64.233.160.1 --dev tun --ifconfig 10.8.0.2 10.8.0.1 --route 10.10.0.0 255.255.255.0 --secret /etc/openvpn/static.key 1 --cipher AES-256-CBC --auth SHA256 --verb 0';

/** `ping -c N -i 1 10.10.0.10` through the tunnel: virtual seconds per wall second. */
export async function vpnPing(count: number): Promise<{ virtualPerWall: number; received: number }> {
  const s = await Session.create({ clock: 'virtual' });
  const vpn = await shell(s.host, `${CLIENT} &`);
  await s.run(() => !vpn.proc.alive);
  // Let the tunnel come up before timing anything.
  const warm = await shell(s.host, 'sleep 3; ping -c 1 -q 10.10.0.10 > /dev/null');
  await s.run(() => !warm.proc.alive);
  const t0 = performance.now();
  const v0 = s.world.sched.now();
  const ping = await shell(s.host, `ping -c ${count} -i 1 -q 10.10.0.10`);
  await s.run(() => !ping.proc.alive);
  const wall = (performance.now() - t0) / 1000;
  const virt = (s.world.sched.now() - v0) / 1e9;
  const m = /(\d+) packets received/.exec(ping.output());
  s.close();
  return { virtualPerWall: virt / wall, received: Number(m?.[1] ?? 0) };
}

/**
 * MB/s of payload delivered, in wall time and per second of this process's CPU time: on shared
 * cores the second moves far less with the load of others.
 */
export interface Throughput {
  mbPerS: number;
  mbPerCpuS: number;
  delivered: number;
}

/** CPU seconds (user + system) this process spent since `from`. */
export function cpuSeconds(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

const PAIR = {
  segments: { wire: { delay: '0.1ms' } },
  hosts: {
    a: {
      nics: [{ segment: 'wire', address: '192.168.7.1/24' }],
      files: { '/etc/openvpn/static.key': { from: 'keys/static.key' } },
    },
    b: {
      nics: [{ segment: 'wire', address: '192.168.7.2/24' }],
      files: { '/etc/openvpn/static.key': { from: 'keys/static.key' } },
    },
  },
};

/** A sender that paces itself in virtual time, so nothing is lost for want of buffer space. */
export const blast = defineProgram({
  name: 'blast',
  summary: 'send N datagrams of S bytes, one every P nanoseconds',
  async main(argv, sys) {
    const [dst, port, n, size, pace] = [argv[1]!, Number(argv[2]), Number(argv[3]), Number(argv[4]), Number(argv[5])];
    const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    const to = sockaddrIn(dst, port);
    const data = new Uint8Array(size).fill(0x78);
    for (let i = 0; i < n; i++) {
      await sys.sendto(fd, data, 0, to);
      await sys.nanosleep(pace);
    }
  },
});

/**
 * Payload through the tunnel between two hosts on one wire: a sender on a, a receiving socket on
 * b, the two openvpn processes encrypting and authenticating everything between them. The sender
 * paces itself (100 µs of virtual time apart): links have no bandwidth limit, so a burst would
 * only measure how much the socket buffers drop; paced, every datagram crosses the whole path,
 * and the wall time is what the emulation costs per datagram.
 */
export async function tunnelThroughput(datagrams: number, size: number, encrypted = true): Promise<Throughput> {
  const built = buildWorld(parseWorldFile(JSON.stringify(PAIR)), { programs: userlandPrograms, seed: 1 }, path.join(PACKAGE_ROOT, 'fixtures', 'worlds'));
  const w = built.world;
  w.addProgram(blast);
  const a = w.mustHost('a');
  const b = w.mustHost('b');
  const crypto = (dir: number) => (encrypted ? `--cipher AES-256-CBC --auth SHA256 --secret /etc/openvpn/static.key ${dir}` : '--cipher none --auth none');
  const va = await shell(a, `openvpn --remote 192.168.7.2 --ifconfig 10.8.0.1 10.8.0.2 --dev tun --verb 0 ${crypto(0)} &`);
  const vb = await shell(b, `openvpn --remote 192.168.7.1 --ifconfig 10.8.0.2 10.8.0.1 --dev tun --verb 0 ${crypto(1)} &`);
  const rx = await shell(b, 'udpserver -p 9000 -q --no-echo --rcvbuf 4194304');
  await w.run({ until: () => !va.proc.alive && !vb.proc.alive });
  const warm = await shell(a, 'sleep 2; ping -c 1 -q 10.8.0.2 > /dev/null');
  await w.run({ until: () => !warm.proc.alive });
  const receiver = () => (b.sockets.udp.ports.get(9000)?.[0] as { received?: number } | undefined)?.received ?? 0;
  const before = receiver();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const tx = await shell(a, `blast 10.8.0.2 9000 ${datagrams} ${size} 100000`);
  await w.run({ until: () => !tx.proc.alive });
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cpu0);
  // The receiving socket counted what came out of the tunnel.
  const delivered = receiver() - before;
  void rx;
  return { mbPerS: (delivered * size) / 1e6 / wall, mbPerCpuS: (delivered * size) / 1e6 / cpu, delivered };
}

/**
 * iperf3 over the OpenVPN tunnel between two hosts: `iperf3 -c 10.8.0.2 -n BYTES` against
 * `iperf3 -s -1`, wall-clock MB/s of what the receiver counted (TCP, encrypted, both stacks).
 */
export async function iperfOverVpn(bytes: number): Promise<{ mbPerS: number; received: number }> {
  const built = buildWorld(parseWorldFile(JSON.stringify(PAIR)), { programs: userlandPrograms, seed: 1 }, path.join(PACKAGE_ROOT, 'fixtures', 'worlds'));
  const w = built.world;
  const a = w.mustHost('a');
  const b = w.mustHost('b');
  const crypto = (dir: number) => `--cipher AES-256-CBC --auth SHA256 --secret /etc/openvpn/static.key ${dir}`;
  const va = await shell(a, `openvpn --remote 192.168.7.2 --ifconfig 10.8.0.1 10.8.0.2 --dev tun --verb 0 ${crypto(0)} &`);
  const vb = await shell(b, `openvpn --remote 192.168.7.1 --ifconfig 10.8.0.2 10.8.0.1 --dev tun --verb 0 ${crypto(1)} &`);
  await w.run({ until: () => !va.proc.alive && !vb.proc.alive });
  const warm = await shell(a, 'sleep 2; ping -c 1 -q 10.8.0.2 > /dev/null');
  await w.run({ until: () => !warm.proc.alive });
  const server = await shell(b, 'iperf3 -s -1 -J');
  const t0 = performance.now();
  const client = await shell(a, `sleep 0.1; iperf3 -c 10.8.0.2 -n ${bytes}`);
  await w.run({ until: () => !client.proc.alive && !server.proc.alive });
  const wall = (performance.now() - t0) / 1000;
  const report = JSON.parse(server.output()) as { end?: { sum_received?: { bytes?: number } } };
  const received = report.end?.sum_received?.bytes ?? 0;
  if (!/iperf Done\./.test(client.output()) || received === 0) throw new Error(`iperf over the VPN: ${client.output()}${server.output()}`);
  return { mbPerS: received / 2 ** 20 / wall, received };
}

const TLS_FILES = (who: 'vpn' | 'haiku') => ({
  '/etc/openvpn/ca.crt': { from: 'pki/ca.crt' },
  '/etc/openvpn/me.crt': { from: `pki/${who}.crt` },
  '/etc/openvpn/me.key': { from: `pki/${who}.key` },
  '/etc/openvpn/tc.key': { from: 'pki/tc.key' },
});

const TLS_PAIR = {
  ...PAIR,
  hosts: {
    a: { nics: PAIR.hosts.a.nics, files: TLS_FILES('haiku') },
    b: { nics: PAIR.hosts.b.nics, files: TLS_FILES('vpn') },
  },
};

const TLS_COMMON = '--dev tun --ca /etc/openvpn/ca.crt --cert /etc/openvpn/me.crt --key /etc/openvpn/me.key --tls-crypt /etc/openvpn/tc.key --verb 0';

/**
 * The same paced throughput through a TLS-mode tunnel: a --server on b, a --client on a, the data
 * channel on the AEAD cipher the server's --data-ciphers puts first (P_DATA_V2, tls-crypt control).
 */
export async function tlsTunnelThroughput(datagrams: number, size: number, cipher: 'AES-256-GCM' | 'CHACHA20-POLY1305'): Promise<Throughput> {
  const built = buildWorld(parseWorldFile(JSON.stringify(TLS_PAIR)), { programs: userlandPrograms, seed: 1 }, path.join(PACKAGE_ROOT, 'fixtures', 'worlds'));
  const w = built.world;
  w.addProgram(blast);
  const a = w.mustHost('a');
  const b = w.mustHost('b');
  const vb = await shell(b, `openvpn --server 10.8.0.0 255.255.255.0 --topology subnet --dh none --data-ciphers ${cipher} ${TLS_COMMON} &`);
  const va = await shell(a, `openvpn --client --remote 192.168.7.2 --nobind --remote-cert-tls server ${TLS_COMMON} &`);
  const rx = await shell(b, 'udpserver -p 9000 -q --no-echo --rcvbuf 4194304');
  await w.run({ until: () => !va.proc.alive && !vb.proc.alive });
  const warm = await shell(a, 'sleep 3; ping -c 1 -q 10.8.0.1 > /dev/null');
  await w.run({ until: () => !warm.proc.alive });
  const receiver = () => (b.sockets.udp.ports.get(9000)?.[0] as { received?: number } | undefined)?.received ?? 0;
  const before = receiver();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const tx = await shell(a, `blast 10.8.0.1 9000 ${datagrams} ${size} 100000`);
  await w.run({ until: () => !tx.proc.alive });
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cpu0);
  const delivered = receiver() - before;
  void rx;
  return { mbPerS: (delivered * size) / 1e6 / wall, mbPerCpuS: (delivered * size) / 1e6 / cpu, delivered };
}

/** The same work without the emulation: encrypt + HMAC, then verify + decrypt, in node:crypto. */
export function rawCrypto(datagrams: number, size: number): number {
  const key = randomBytes(32);
  const hmacKey = randomBytes(32);
  const payload = randomBytes(size + 8);
  const t0 = performance.now();
  for (let i = 0; i < datagrams; i++) {
    const iv = randomBytes(16);
    const c = createCipheriv('aes-256-cbc', key, iv);
    const ct = Buffer.concat([c.update(payload), c.final()]);
    const mac = createHmac('sha256', hmacKey).update(iv).update(ct).digest();
    const check = createHmac('sha256', hmacKey).update(iv).update(ct).digest();
    if (!timingSafeEqual(mac, check)) throw new Error('hmac');
    const d = createDecipheriv('aes-256-cbc', key, iv);
    Buffer.concat([d.update(ct), d.final()]);
  }
  const wall = (performance.now() - t0) / 1000;
  return (datagrams * size) / 1e6 / wall;
}
