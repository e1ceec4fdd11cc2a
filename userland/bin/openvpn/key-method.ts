// Key method 2 (ssl.c key_method_2_write / _read): the first TLS application data of each side,
//
//   u32 0 | u8 2 | [client only: pre_master 48] | random1 32 | random2 32
//   | u16 len + options string with NUL | u16 len + username | u16 len + password | u16 len + peer info
//
// and how the 256 bytes of data-channel keys come from a session: TLS keying-material export
// (EXPORTER-OpenVPN-datakeys, when both sides announce IV_PROTO bit 8) or, for older peers, the
// TLS 1.0 PRF over both sides' randoms and session ids (generate_key_expansion_openvpn_prf).

import { createHmac } from 'node:crypto';
import { VERSION } from './options.js';

export const KEY_METHOD_2 = 2;
export const EKM_LABEL = 'EXPORTER-OpenVPN-datakeys';
export const DYN_TLS_CRYPT_LABEL = 'EXPORTER-OpenVPN-dynamic-tls-crypt';
export const KEY_EXPANSION_LENGTH = 256;

// IV_PROTO bits (ssl.h).
export const IV_PROTO_DATA_V2 = 1 << 1;
export const IV_PROTO_REQUEST_PUSH = 1 << 2;
export const IV_PROTO_TLS_KEY_EXPORT = 1 << 3;
export const IV_PROTO_CC_EXIT_NOTIFY = 1 << 7;
export const IV_PROTO_DYN_TLS_CRYPT = 1 << 9;
/** What tunlab's openvpn implements, and so announces. */
export const IV_PROTO_OURS = IV_PROTO_DATA_V2 | IV_PROTO_REQUEST_PUSH | IV_PROTO_TLS_KEY_EXPORT | IV_PROTO_CC_EXIT_NOTIFY | IV_PROTO_DYN_TLS_CRYPT;

export interface KeySource {
  /** Only the client sends one. */
  readonly preMaster: Uint8Array | null;
  readonly random1: Uint8Array;
  readonly random2: Uint8Array;
}

export interface KeyMethodMessage extends KeySource {
  readonly options: string;
  readonly username: string | null;
  readonly password: string | null;
  /** The peer-info lines (client only; a server sends none). */
  readonly peerInfo: string | null;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function writeString(parts: number[], s: string | null): void {
  if (s === null) {
    parts.push(0, 0);
    return;
  }
  const b = enc.encode(s);
  const len = b.length + 1;
  parts.push(len >> 8, len & 0xff, ...b, 0);
}

export function writeKeyMethod2(m: KeyMethodMessage): Uint8Array {
  const parts: number[] = [0, 0, 0, 0, KEY_METHOD_2];
  if (m.preMaster) parts.push(...m.preMaster);
  parts.push(...m.random1, ...m.random2);
  writeString(parts, m.options);
  writeString(parts, m.username);
  writeString(parts, m.password);
  writeString(parts, m.peerInfo);
  return Uint8Array.from(parts);
}

export type KeyMethodRead = { ok: true; message: KeyMethodMessage } | { ok: false; line: string };

/** key_method_2_read(): `fromClient` says whether a pre_master comes first. */
export function readKeyMethod2(buf: Uint8Array, fromClient: boolean): KeyMethodRead {
  if (buf.length < 5) return { ok: false, line: `TLS ERROR: Plaintext buffer too short (${buf.length} bytes).` };
  if ((buf[4]! & 0x0f) !== KEY_METHOD_2) return { ok: false, line: `TLS ERROR: Unknown key_method/flags=${buf[4]} received from remote host` };
  let off = 5;
  const take = (n: number): Uint8Array | null => {
    if (off + n > buf.length) return null;
    const b = buf.slice(off, off + n);
    off += n;
    return b;
  };
  const preMaster = fromClient ? take(48) : null;
  const random1 = take(32);
  const random2 = take(32);
  if ((fromClient && !preMaster) || !random1 || !random2) {
    return { ok: false, line: 'TLS Error: Error reading remote data channel key source entropy from plaintext buffer' };
  }
  const readString = (): string | null | undefined => {
    const lb = take(2);
    if (!lb) return undefined;
    const len = (lb[0]! << 8) | lb[1]!;
    if (len === 0) return null;
    const b = take(len);
    if (!b) return undefined;
    const nul = b.indexOf(0);
    return dec.decode(nul >= 0 ? b.subarray(0, nul) : b);
  };
  const options = readString();
  if (options === undefined || options === null) return { ok: false, line: 'TLS Error: Failed to read required OCC options string' };
  const username = readString() ?? null;
  const password = readString() ?? null;
  const peerInfo = readString() ?? null;
  return { ok: true, message: { preMaster, random1, random2, options, username, password, peerInfo } };
}

/** push_peer_info() of a 2.6 client, trimmed to what tunlab implements. */
export function peerInfo(dataCiphers: string, tunMtu: number): string {
  return [
    `IV_VER=${VERSION}`,
    'IV_PLAT=haiku',
    `IV_MTU=${tunMtu + 100}`,
    'IV_NCP=2',
    `IV_CIPHERS=${dataCiphers}`,
    `IV_PROTO=${IV_PROTO_OURS}`,
  ].map((l) => `${l}\n`).join('');
}

/** The lines of a peer-info block, as a Map (names are user input: no prototype lookups). */
export function parsePeerInfo(info: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (info ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/** options_string() of TLS mode, with the BF-CBC/SHA1 defaults 2.6 still reports (only warned about). */
export function tlsOptionsString(o: { devType: string; tunMtu: number; keyDirection?: 0 | 1; tlsAuth: boolean; server: boolean }): string {
  const linkMtu = o.tunMtu + 41 + (o.devType === 'tap' ? 32 : 0);
  const parts = ['V4', `dev-type ${o.devType}`, `link-mtu ${linkMtu}`, `tun-mtu ${o.tunMtu}`, 'proto UDPv4'];
  if (o.keyDirection !== undefined) parts.push(`keydir ${o.keyDirection}`);
  parts.push('auth SHA1', 'keysize 128');
  if (o.tlsAuth) parts.push('tls-auth');
  parts.push(`key-method ${KEY_METHOD_2}`, o.server ? 'tls-server' : 'tls-client');
  return parts.join(',');
}

/** TLS 1.0's P_hash, and its PRF: MD5 over the first half of the secret XOR SHA-1 over the second. */
function pHash(hash: 'md5' | 'sha1', secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let a: Uint8Array = seed;
  for (let off = 0; off < length; ) {
    a = new Uint8Array(createHmac(hash, secret).update(a).digest());
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    out.set(block.subarray(0, Math.min(block.length, length - off)), off);
    off += block.length;
  }
  return out;
}

export function tls1Prf(secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const half = Math.ceil(secret.length / 2);
  const s1 = secret.subarray(0, half);
  const s2 = secret.subarray(secret.length - half);
  const full = Uint8Array.from([...enc.encode(label), ...seed]);
  const md5 = pHash('md5', s1, full, length);
  const sha = pHash('sha1', s2, full, length);
  return md5.map((b, i) => b ^ sha[i]!);
}

/** generate_key_expansion_openvpn_prf(): the data keys of a peer without TLS-EKM. */
export function prfKeyExpansion(client: KeySource, server: KeySource, clientSid: Uint8Array, serverSid: Uint8Array): Uint8Array {
  const master = tls1Prf(client.preMaster!, 'OpenVPN master secret', Uint8Array.from([...client.random1, ...server.random1]), 48);
  const seed = Uint8Array.from([...client.random2, ...server.random2, ...clientSid, ...serverSid]);
  return tls1Prf(master, 'OpenVPN key expansion', seed, KEY_EXPANSION_LENGTH);
}
