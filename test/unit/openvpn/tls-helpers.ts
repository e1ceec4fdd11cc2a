// Shared by the TLS-mode vector tests: the captures of real OpenVPN 2.6.14 sessions (server on
// 127.0.0.1:1194), their decoded listings, the NSS key logs and a TLS 1.3 exporter computed from
// them, so that every control packet can be unwrapped and every data packet decrypted here.

import { createHash, createHmac } from 'node:crypto';
import { isKeyFileError, parseStaticKey } from '../../../userland/bin/openvpn/static-key.js';
import { isPcapError, readPcap } from '../../../userland/lib/pcap.js';
import { hex, udpFromEthernet, vector } from './helpers.js';

export const SERVER_PORT = 1194;

export interface Datagram {
  readonly frame: number;
  readonly tsSec: number;
  /** c2s: client to server. */
  readonly dir: 'c2s' | 's2c';
  readonly payload: Uint8Array;
}

export function tlsVector(name: string): Uint8Array {
  return vector(`tls/${name}`);
}

export function tlsText(name: string): string {
  return new TextDecoder().decode(tlsVector(name));
}

export function capture(name: string): Datagram[] {
  const file = readPcap(tlsVector(name));
  if (isPcapError(file)) throw new Error(file.message);
  return file.packets.map((p, i) => {
    const udp = udpFromEthernet(p.data);
    if (!udp) throw new Error(`frame ${i + 1} is not UDP`);
    return { frame: i + 1, tsSec: p.tsSec, dir: udp.dstPort === SERVER_PORT ? 'c2s' : 's2c', payload: udp.payload };
  });
}

export function staticKey(name: string): Uint8Array {
  const k = parseStaticKey(tlsVector(name), name);
  if (isKeyFileError(k)) throw new Error(k.message);
  return k;
}

/** One line of a *.decoded.txt listing. */
export interface Decoded {
  readonly frame: number;
  readonly dir: string;
  readonly length: number;
  readonly op: string;
  readonly keyId: number;
  readonly fields: ReadonlyMap<string, string>;
}

export function decoded(name: string): Decoded[] {
  return tlsText(name)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^\s*(\d+)\s+[\d.]+\s+(c2s|s2c)\s+(\d+)\s+(\S+)\s+k(\d)\s*(.*)$/.exec(l);
      if (!m) throw new Error(`bad line: ${l}`);
      const fields = new Map<string, string>();
      for (const f of m[6]!.matchAll(/(\w[\w-]*)=(\[[^\]]*\]|\S+)/g)) fields.set(f[1]!, f[2]!);
      return { frame: Number(m[1]), dir: m[2]!, length: Number(m[3]), op: m[4]!, keyId: Number(m[5]), fields };
    });
}

/** EXPORTER_SECRET by client random (hex). */
export function exporterSecrets(name: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const line of tlsText(name).split('\n')) {
    const [label, random, secret] = line.split(' ');
    if (label === 'EXPORTER_SECRET') out.set(random!, hex(secret!));
  }
  return out;
}

function hkdfExpandLabel(hash: string, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const full = new TextEncoder().encode(`tls13 ${label}`);
  const info = new Uint8Array(2 + 1 + full.length + 1 + context.length);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = full.length;
  info.set(full, 3);
  info[3 + full.length] = context.length;
  info.set(context, 4 + full.length);
  const out: number[] = [];
  let t = new Uint8Array(0);
  for (let i = 1; out.length < length; i++) {
    t = new Uint8Array(createHmac(hash, secret).update(t).update(info).update(Uint8Array.of(i)).digest());
    out.push(...t);
  }
  return Uint8Array.from(out.slice(0, length));
}

/** RFC 8446 §7.5 TLS-Exporter with no context (as OpenVPN calls it), SHA-384 for TLS_AES_256_GCM_SHA384. */
export function tls13Exporter(exporterSecret: Uint8Array, label: string, length: number, hash = 'sha384'): Uint8Array {
  const empty = new Uint8Array(createHash(hash).digest());
  const derived = hkdfExpandLabel(hash, exporterSecret, label, empty, empty.length);
  return hkdfExpandLabel(hash, derived, 'exporter', empty, length);
}

/** What a client with --remote-cert-tls server logs for the vectors' server certificate (2.6's lines). */
export const SERVER_VERIFY_LINES: readonly string[] = [
  'VERIFY OK: depth=1, CN=Test OpenVPN CA',
  'VERIFY KU OK',
  'Validating certificate extended key usage',
  '++ Certificate has EKU (str) TLS Web Server Authentication, expects TLS Web Server Authentication',
  'VERIFY EKU OK',
  'VERIFY OK: depth=0, CN=server',
];
