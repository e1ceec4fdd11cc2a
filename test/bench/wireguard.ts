// The WireGuard figures of `npm run bench`: payload through a WireGuard tunnel between two hosts
// on one wire (wg-quick on each, tunlab's daemon sealing every packet with ChaCha20-Poly1305), as
// the OpenVPN tunnel is measured in vpn.ts, and node:crypto's ChaCha20-Poly1305 alone.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { buildWorld } from '../../kernel/world/build.js';
import { parseWorldFile } from '../../kernel/world/world-file.js';
import { userlandPrograms } from '../../userland/bin/registry.js';
import { blast, cpuSeconds, shell, type Throughput } from './vpn.js';

const KEYS = path.join(PACKAGE_ROOT, 'fixtures', 'worlds', 'keys');
const key = (name: string) => fs.readFileSync(path.join(KEYS, name), 'utf8').trim();

function conf(me: string, privateKey: string, peerPub: string, peerAddr: string, peerIp: string): string {
  return `[Interface]\nAddress = ${me}/24\nListenPort = 51820\nPrivateKey = ${privateKey}\n\n[Peer]\nPublicKey = ${peerPub}\nEndpoint = ${peerAddr}:51820\nAllowedIPs = ${peerIp}/32\n`;
}

const PAIR = {
  segments: { wire: { delay: '0.1ms' } },
  hosts: {
    a: {
      nics: [{ segment: 'wire', address: '192.168.7.1/24' }],
      files: { '/etc/wireguard/wg0.conf': { text: conf('10.7.0.1', key('wg-vpn.key'), key('wg-haiku.pub'), '192.168.7.2', '10.7.0.2'), mode: '0600' } },
    },
    b: {
      nics: [{ segment: 'wire', address: '192.168.7.2/24' }],
      files: { '/etc/wireguard/wg0.conf': { text: conf('10.7.0.2', key('wg-haiku.key'), key('wg-vpn.pub'), '192.168.7.1', '10.7.0.1'), mode: '0600' } },
    },
  },
};

/** MB/s of payload from a to b through the WireGuard tunnel (paced sender, as tunnelThroughput). */
export async function wireguardThroughput(datagrams: number, size: number): Promise<Throughput> {
  const w = buildWorld(parseWorldFile(JSON.stringify(PAIR)), { programs: userlandPrograms, seed: 1 }, path.join(PACKAGE_ROOT, 'fixtures', 'worlds')).world;
  w.addProgram(blast);
  const a = w.mustHost('a');
  const b = w.mustHost('b');
  const ua = await shell(a, 'wg-quick up wg0 2>/dev/null');
  const ub = await shell(b, 'wg-quick up wg0 2>/dev/null');
  await w.run({ until: () => !ua.proc.alive && !ub.proc.alive });
  const rx = await shell(b, 'udpserver -p 9000 -q --no-echo --rcvbuf 4194304');
  const warm = await shell(a, 'ping -c 1 -q 10.7.0.2 > /dev/null');
  await w.run({ until: () => !warm.proc.alive });
  const receiver = () => (b.sockets.udp.ports.get(9000)?.[0] as { received?: number } | undefined)?.received ?? 0;
  const before = receiver();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const tx = await shell(a, `blast 10.7.0.2 9000 ${datagrams} ${size} 100000`);
  await w.run({ until: () => !tx.proc.alive });
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cpu0);
  const delivered = receiver() - before;
  void rx;
  return { mbPerS: (delivered * size) / 1e6 / wall, mbPerCpuS: (delivered * size) / 1e6 / cpu, delivered };
}

/** The same work without the emulation: seal, then open, each payload with ChaCha20-Poly1305. */
export function rawChacha(datagrams: number, size: number): number {
  const k = randomBytes(32);
  const payload = randomBytes(size);
  const nonce = Buffer.alloc(12);
  const t0 = performance.now();
  for (let i = 0; i < datagrams; i++) {
    nonce.writeBigUInt64LE(BigInt(i), 4);
    const c = createCipheriv('chacha20-poly1305', k, nonce, { authTagLength: 16 });
    const ct = Buffer.concat([c.update(payload), c.final()]);
    const tag = c.getAuthTag();
    const d = createDecipheriv('chacha20-poly1305', k, nonce, { authTagLength: 16 });
    d.setAuthTag(tag);
    Buffer.concat([d.update(ct), d.final()]);
  }
  return (datagrams * size) / 1e6 / ((performance.now() - t0) / 1000);
}
