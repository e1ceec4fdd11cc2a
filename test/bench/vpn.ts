// Benchmarks 2 and 3: the VPN of the default world in virtual time, and the throughput of the
// encrypted tunnel beside the raw speed of the same cipher and HMAC in node:crypto.

import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Session } from '../../bin/session.js';
import { tcpSink, tcpSource } from '../helpers/tcp-programs.js';
import { cpuSeconds, pacedThroughput, shell, type Throughput, tunnelWorld } from './tunnel.js';

const CLIENT = 'openvpn --remote 64.233.160.1 --dev tun --ifconfig 10.8.0.2 10.8.0.1 --route 10.10.0.0 255.255.255.0 --secret /etc/openvpn/static.key 1 --cipher AES-256-CBC --auth SHA256 --verb 0';

/** Virtual seconds a command took on haiku, per wall second and per CPU second of this process. */
interface VirtualSpeed {
  virtualPerWall: number;
  virtualPerCpu: number;
  output: string;
}

/** Runs `command` on haiku of a fresh default world with its VPN client up and warm, timed. */
async function inDefaultWorld(command: string): Promise<VirtualSpeed> {
  const s = await Session.create({ clock: 'virtual' });
  const vpn = await shell(s.host, `${CLIENT} &`);
  await s.run(() => !vpn.proc.alive);
  // Let the tunnel come up before timing anything.
  const warm = await shell(s.host, 'sleep 3; ping -c 1 -q 10.10.0.10 > /dev/null');
  await s.run(() => !warm.proc.alive);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const v0 = s.world.sched.now();
  const p = await shell(s.host, command);
  await s.run(() => !p.proc.alive);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(c0);
  const virt = (s.world.sched.now() - v0) / 1e9;
  s.close();
  return { virtualPerWall: virt / wall, virtualPerCpu: virt / cpu, output: p.output() };
}

/**
 * `ping -c N -i 1 10.10.0.10` through the tunnel: virtual seconds per wall second, and per second
 * of this process's CPU time (on shared cores the wall figure moves with everyone else's load).
 */
export async function vpnPing(count: number): Promise<{ virtualPerWall: number; virtualPerCpu: number; received: number }> {
  const r = await inDefaultWorld(`ping -c ${count} -i 1 -q 10.10.0.10`);
  const m = /(\d+) packets received/.exec(r.output);
  return { virtualPerWall: r.virtualPerWall, virtualPerCpu: r.virtualPerCpu, received: Number(m?.[1] ?? 0) };
}

/**
 * The same world left alone for N virtual seconds (`sleep N`): what time costs when nothing is
 * sent but what the daemons send themselves (the static-key server's --ping 10).
 */
export async function vpnIdle(seconds: number): Promise<number> {
  return (await inDefaultWorld(`sleep ${seconds}`)).virtualPerCpu;
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

/** The static-key tunnel (encrypted with CBC and HMAC, or --cipher none --auth none). */
function staticKeyTunnel(encrypted: boolean) {
  const crypto = (dir: number) => (encrypted ? `--cipher AES-256-CBC --auth SHA256 --secret /etc/openvpn/static.key ${dir}` : '--cipher none --auth none');
  return {
    world: PAIR,
    up: [
      ['a', `openvpn --remote 192.168.7.2 --ifconfig 10.8.0.1 10.8.0.2 --dev tun --verb 0 ${crypto(0)} &`],
      ['b', `openvpn --remote 192.168.7.1 --ifconfig 10.8.0.2 10.8.0.1 --dev tun --verb 0 ${crypto(1)} &`],
    ] as const,
    warm: 'sleep 2; ping -c 1 -q 10.8.0.2 > /dev/null',
    peer: '10.8.0.2',
  };
}

/** Paced payload through the static-key tunnel between two hosts on one wire (tunnel.ts). */
export function tunnelThroughput(datagrams: number, size: number, encrypted = true): Promise<Throughput> {
  return pacedThroughput(staticKeyTunnel(encrypted), datagrams, size);
}

/**
 * TCP bulk through the static-key tunnel (AES-256-CBC + HMAC-SHA256), the workload of the real
 * OpenVPN reference (iperf3 TCP between two namespaces): `tcpsource 10.8.0.2 9000 BYTES` on a,
 * `tcpsink 9000` on b checking every byte, both TCP stacks and both openvpn processes between them.
 * MB/s (10^6 bytes) of wall time and per CPU-second, from the connection's start to the sink's end.
 */
export async function tcpOverVpn(bytes: number): Promise<Throughput> {
  const { w, a, b } = await tunnelWorld(staticKeyTunnel(true));
  w.addProgram(tcpSource);
  w.addProgram(tcpSink);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const sink = await shell(b, 'tcpsink 9000');
  // A tenth of a virtual second for the sink to listen: no wall time, and no refused connection.
  const source = await shell(a, `sleep 0.1; tcpsource 10.8.0.2 9000 ${bytes}`);
  await w.run({ until: () => !source.proc.alive && !sink.proc.alive });
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cpu0);
  if (sink.output() !== `received ${bytes} bytes intact\n`) throw new Error(`TCP over the VPN: ${sink.output().trim() || 'nothing received'}`);
  return { mbPerS: bytes / 1e6 / wall, mbPerCpuS: bytes / 1e6 / cpu, delivered: bytes };
}

/**
 * iperf3 over the OpenVPN tunnel between two hosts: `iperf3 -c 10.8.0.2 -n BYTES` against
 * `iperf3 -s -1`, wall-clock MB/s (10^6 bytes) of what the receiver counted (TCP, encrypted, both stacks).
 */
export async function iperfOverVpn(bytes: number): Promise<{ mbPerS: number; received: number }> {
  const { w, a, b } = await tunnelWorld(staticKeyTunnel(true));
  const server = await shell(b, 'iperf3 -s -1 -J');
  const t0 = performance.now();
  const client = await shell(a, `sleep 0.1; iperf3 -c 10.8.0.2 -n ${bytes}`);
  await w.run({ until: () => !client.proc.alive && !server.proc.alive });
  const wall = (performance.now() - t0) / 1000;
  const report = JSON.parse(server.output()) as { end?: { sum_received?: { bytes?: number } } };
  const received = report.end?.sum_received?.bytes ?? 0;
  if (!/iperf Done\./.test(client.output()) || received === 0) throw new Error(`iperf over the VPN: ${client.output()}${server.output()}`);
  return { mbPerS: received / 1e6 / wall, received };
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
export function tlsTunnelThroughput(datagrams: number, size: number, cipher: 'AES-256-GCM' | 'CHACHA20-POLY1305'): Promise<Throughput> {
  const up = [
    ['b', `openvpn --server 10.8.0.0 255.255.255.0 --topology subnet --dh none --data-ciphers ${cipher} ${TLS_COMMON} &`],
    ['a', `openvpn --client --remote 192.168.7.2 --nobind --remote-cert-tls server ${TLS_COMMON} &`],
  ] as const;
  return pacedThroughput({ world: TLS_PAIR, up, warm: 'sleep 3; ping -c 1 -q 10.8.0.1 > /dev/null', peer: '10.8.0.1' }, datagrams, size);
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
