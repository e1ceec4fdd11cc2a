// The WireGuard figures of `npm run bench`: payload through a WireGuard tunnel between two hosts
// on one wire (wg-quick on each, tunlab's daemon sealing every packet with ChaCha20-Poly1305),
// measured as the OpenVPN tunnels are (tunnel.ts), and node:crypto's ChaCha20-Poly1305 alone.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { pacedThroughput, type Throughput } from './tunnel.js';

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

/** Paced payload from a to b through the WireGuard tunnel (tunnel.ts). */
export function wireguardThroughput(datagrams: number, size: number): Promise<Throughput> {
  const up = [
    ['a', 'wg-quick up wg0 2>/dev/null'],
    ['b', 'wg-quick up wg0 2>/dev/null'],
  ] as const;
  return pacedThroughput({ world: PAIR, up, warm: 'ping -c 1 -q 10.7.0.2 > /dev/null', peer: '10.7.0.2' }, datagrams, size);
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
