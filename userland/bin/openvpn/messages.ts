// The two control messages that travel inside the encrypted data channel (ping.c, occ.c), and the
// OCC options string a peer sends in its OCC_REPLY (options_string() in 2.6).
//
// After decryption a payload is a keepalive PING if it is exactly the 16 magic bytes, an OCC message
// if it starts with the 16 OCC magic bytes, and tunnel data (an IP packet or Ethernet frame)
// otherwise. OpenVPN tests in that order and never passes a ping or OCC message to the tun device.

import type { AuthSpec, CipherSpec } from './algorithms.js';
import type { KeyDirection } from './static-key.js';

export const PING_MAGIC: Uint8Array = Uint8Array.of(
  0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb, 0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48,
);

export const OCC_MAGIC: Uint8Array = Uint8Array.of(
  0x28, 0x7f, 0x34, 0x6b, 0xd4, 0xef, 0x7a, 0x81, 0x2d, 0x56, 0xb8, 0xd3, 0xaf, 0xc5, 0x45, 0x9c,
);

export const OCC_REQUEST = 0;
export const OCC_REPLY = 1;
export const OCC_MTU_LOAD_REQUEST = 2;
export const OCC_MTU_LOAD = 3;
export const OCC_MTU_REQUEST = 4;
export const OCC_MTU_REPLY = 5;
export const OCC_EXIT = 6;

/** Static mode sends OCC_REQUEST every 10 s (first 10 s after start) until a reply, at most 12 times. */
export const OCC_INTERVAL_SECONDS = 10;
export const OCC_N_TRIES = 12;

export type OccMessage =
  | { readonly opcode: typeof OCC_REQUEST; readonly name: 'OCC_REQUEST' }
  | {
      readonly opcode: typeof OCC_REPLY;
      readonly name: 'OCC_REPLY';
      /**
       * The options string. OpenVPN forces a NUL into the last byte before reading it, so it ends at
       * the first NUL or, if there is none, one byte before the end.
       */
      readonly options: string;
      /** Whether the sender NUL-terminated it (a real OpenVPN always does). */
      readonly terminated: boolean;
    }
  | {
      readonly opcode: typeof OCC_MTU_LOAD_REQUEST;
      readonly name: 'OCC_MTU_LOAD_REQUEST';
      /** Size the peer asks us to send back; undefined if the u16 is missing. */
      readonly size: number | undefined;
    }
  | { readonly opcode: typeof OCC_MTU_LOAD; readonly name: 'OCC_MTU_LOAD'; readonly fillLength: number }
  | { readonly opcode: typeof OCC_MTU_REQUEST; readonly name: 'OCC_MTU_REQUEST' }
  | {
      readonly opcode: typeof OCC_MTU_REPLY;
      readonly name: 'OCC_MTU_REPLY';
      /** Largest packet the peer received from us / sent to us; undefined when truncated. */
      readonly maxRecv: number | undefined;
      readonly maxSend: number | undefined;
    }
  | { readonly opcode: typeof OCC_EXIT; readonly name: 'OCC_EXIT' }
  /** An opcode OpenVPN ignores, or none at all (opcode null): the message is dropped. */
  | { readonly opcode: number | null; readonly name: 'OCC_UNKNOWN' };

export type ClassifiedPayload =
  | { readonly kind: 'ping' }
  | { readonly kind: 'occ'; readonly message: OccMessage }
  | { readonly kind: 'data'; readonly payload: Uint8Array };

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

export function isPing(payload: Uint8Array): boolean {
  return payload.length === PING_MAGIC.length && startsWith(payload, PING_MAGIC);
}

export function isOcc(payload: Uint8Array): boolean {
  return startsWith(payload, OCC_MAGIC);
}

/** Sort a decrypted payload into ping, OCC (decoded) or tunnel data. Never throws. */
export function classifyPayload(payload: Uint8Array): ClassifiedPayload {
  if (isPing(payload)) return { kind: 'ping' };
  if (isOcc(payload)) return { kind: 'occ', message: decodeOcc(payload.subarray(OCC_MAGIC.length)) };
  return { kind: 'data', payload };
}

function decodeOcc(body: Uint8Array): OccMessage {
  if (body.length === 0) return { opcode: null, name: 'OCC_UNKNOWN' };
  const rest = body.subarray(1);
  const u16 = (at: number): number | undefined =>
    rest.length >= at + 2 ? ((rest[at] as number) << 8) | (rest[at + 1] as number) : undefined;
  const opcode = body[0] as number;
  switch (opcode) {
    case OCC_REQUEST:
      return { opcode, name: 'OCC_REQUEST' };
    case OCC_REPLY: {
      const nul = rest.indexOf(0);
      const end = nul >= 0 ? nul : Math.max(0, rest.length - 1);
      return { opcode, name: 'OCC_REPLY', options: latin1(rest.subarray(0, end)), terminated: nul >= 0 };
    }
    case OCC_MTU_LOAD_REQUEST:
      return { opcode, name: 'OCC_MTU_LOAD_REQUEST', size: u16(0) };
    case OCC_MTU_LOAD:
      return { opcode, name: 'OCC_MTU_LOAD', fillLength: rest.length };
    case OCC_MTU_REQUEST:
      return { opcode, name: 'OCC_MTU_REQUEST' };
    case OCC_MTU_REPLY: {
      const maxRecv = u16(0);
      // buf_read_u16 fails on a short buffer, so the second field is read after the first.
      return { opcode, name: 'OCC_MTU_REPLY', maxRecv, maxSend: maxRecv === undefined ? undefined : u16(2) };
    }
    case OCC_EXIT:
      return { opcode, name: 'OCC_EXIT' };
    default:
      return { opcode, name: 'OCC_UNKNOWN' };
  }
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function occ(opcode: number, ...fields: Uint8Array[]): Uint8Array {
  const length = OCC_MAGIC.length + 1 + fields.reduce((n, f) => n + f.length, 0);
  const out = new Uint8Array(length);
  out.set(OCC_MAGIC, 0);
  out[OCC_MAGIC.length] = opcode;
  let off = OCC_MAGIC.length + 1;
  for (const f of fields) {
    out.set(f, off);
    off += f.length;
  }
  return out;
}

function u16be(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${value} is not a u16`);
  return Uint8Array.of(value >> 8, value & 0xff);
}

export function buildPing(): Uint8Array {
  return PING_MAGIC.slice();
}
export function buildOccRequest(): Uint8Array {
  return occ(OCC_REQUEST);
}
/** OCC_REPLY carrying `options` and its terminating NUL. The string must be ASCII. */
export function buildOccReply(options: string): Uint8Array {
  const bytes = new Uint8Array(options.length + 1);
  for (let i = 0; i < options.length; i++) {
    const c = options.charCodeAt(i);
    if (c === 0 || c > 0x7f) throw new RangeError('OCC options string must be ASCII without NUL');
    bytes[i] = c;
  }
  return occ(OCC_REPLY, bytes);
}
export function buildOccMtuLoadRequest(size: number): Uint8Array {
  return occ(OCC_MTU_LOAD_REQUEST, u16be(size));
}
/** OCC_MTU_LOAD with `fill` as its padding (OpenVPN fills it with random bytes). */
export function buildOccMtuLoad(fill: Uint8Array): Uint8Array {
  return occ(OCC_MTU_LOAD, fill);
}
export function buildOccMtuRequest(): Uint8Array {
  return occ(OCC_MTU_REQUEST);
}
export function buildOccMtuReply(maxRecv: number, maxSend: number): Uint8Array {
  return occ(OCC_MTU_REPLY, u16be(maxRecv), u16be(maxSend));
}
export function buildOccExit(): Uint8Array {
  return occ(OCC_EXIT);
}

export interface OccOptions {
  readonly devType: 'tun' | 'tap' | 'null';
  readonly cipher: CipherSpec;
  readonly auth: AuthSpec;
  readonly keyDirection: KeyDirection;
  /** --tun-mtu, default 1500. */
  readonly tunMtu?: number;
  /** 'udp' (default), or TCP's two roles, which only change `proto` and add the 2-byte length to link-mtu. */
  readonly proto?: 'udp' | 'tcp-client' | 'tcp-server';
  /**
   * --ifconfig L R. For tun (net30/p2p) the second value is the peer address; for tap or
   * `--topology subnet` it is the netmask.
   */
  readonly ifconfig?: { readonly local: string; readonly remote: string };
  readonly topology?: 'net30' | 'p2p' | 'subnet';
  /** --ifconfig-ipv6 given: adds `tun-ipv6`. */
  readonly ifconfigIpv6?: boolean;
  /**
   * false (default): the string we send in OCC_REPLY. true: the string we expect from the peer
   * (keydir, ifconfig order and TCP role mirrored), which OpenVPN compares against the reply.
   */
  readonly remote?: boolean;
}

/** The Ethernet overhead OpenVPN adds to a tap device's MTU for link-mtu (TAP_MTU_EXTRA_DEFAULT). */
export const TAP_MTU_EXTRA = 32;

/**
 * The link-mtu announced in OCC (calc_options_string_link_mtu): tun-mtu, plus 32 for tap, plus the
 * 8-byte packet id, IV, one cipher block, the HMAC, and 2 for TCP's length prefix.
 * AES-*-CBC + SHA256 with tun-mtu 1500 gives 1572; with SHA1 1560; with SHA512 1604. Checked against
 * 2.6.14's "Local Options String" for null, tun, tap, tcp-server and tun-mtu 1400.
 */
export function occLinkMtu(opts: Pick<OccOptions, 'devType' | 'cipher' | 'auth' | 'tunMtu' | 'proto'>): number {
  const tunMtu = opts.tunMtu ?? 1500;
  const extraTun = opts.devType === 'tap' ? TAP_MTU_EXTRA : 0;
  const tcp = opts.proto === 'tcp-client' || opts.proto === 'tcp-server' ? 2 : 0;
  return tunMtu + extraTun + 8 + opts.cipher.ivLength + opts.cipher.blockSize + opts.auth.length + tcp;
}

/**
 * options_string() for static-key point-to-point mode, e.g.
 * `V4,dev-type tun,link-mtu 1572,tun-mtu 1500,proto UDPv4,ifconfig 10.8.0.2 10.8.0.1,keydir 0,cipher AES-256-CBC,auth SHA256,keysize 256,secret`.
 */
export function occOptionsString(opts: OccOptions): string {
  const remote = opts.remote ?? false;
  const parts = [
    'V4',
    `dev-type ${opts.devType}`,
    `link-mtu ${occLinkMtu(opts)}`,
    `tun-mtu ${opts.tunMtu ?? 1500}`,
    `proto ${protoString(opts.proto ?? 'udp', remote)}`,
  ];
  if (opts.ifconfigIpv6) parts.push('tun-ipv6');
  const ifc = opts.ifconfig;
  if (ifc && opts.devType !== 'null') {
    if (opts.devType === 'tap' || opts.topology === 'subnet') {
      parts.push(`ifconfig ${networkOf(ifc.local, ifc.remote)} ${ifc.remote}`);
    } else {
      // ifconfig_options_string() prints "r l": the peer's address first in our own string.
      parts.push(remote ? `ifconfig ${ifc.local} ${ifc.remote}` : `ifconfig ${ifc.remote} ${ifc.local}`);
    }
  }
  if (opts.keyDirection !== undefined) {
    parts.push(`keydir ${remote ? 1 - opts.keyDirection : opts.keyDirection}`);
  }
  parts.push(`cipher ${opts.cipher.name}`, `auth ${opts.auth.name}`, `keysize ${opts.cipher.keyLength * 8}`, 'secret');
  return parts.join(',');
}

function protoString(proto: 'udp' | 'tcp-client' | 'tcp-server', remote: boolean): string {
  if (proto === 'udp') return 'UDPv4';
  const server = (proto === 'tcp-server') !== remote;
  return server ? 'TCPv4_SERVER' : 'TCPv4_CLIENT';
}

function networkOf(address: string, netmask: string): string {
  const a = address.split('.').map(Number);
  const m = netmask.split('.').map(Number);
  if (a.length !== 4 || m.length !== 4) return address;
  return a.map((octet, i) => (octet & (m[i] as number)) >>> 0).join('.');
}

/**
 * The lines OpenVPN logs on receiving an OCC_REPLY (process_received_occ_msg), or [] when it
 * matches. `expected` is our occOptionsString({ ..., remote: true }), `received` the peer's string.
 * Items are compared both ways; keydir, proto, cipher, key-method, tls-auth and tun-ipv6 are never
 * reported. Checked against 2.6.14, which logs these only at high verbosity (seen at verb 7, not 4).
 */
export function occReplyWarnings(expected: string, received: string): string[] {
  const out: string[] = [];
  if (received.slice(0, 2) !== expected.slice(0, 2)) {
    out.push('NOTE: Options consistency check may be skewed by version differences');
  } else if (received === expected) {
    return out;
  }
  const skip = (item: string): boolean =>
    item.startsWith('key-method ') ||
    item.startsWith('keydir ') ||
    item.startsWith('proto ') ||
    item === 'tls-auth' ||
    item.startsWith('tun-ipv6') ||
    item.startsWith('cipher ');
  const split = (s: string): string[] => `version ${s}`.split(',').filter((x) => x.length > 0);
  const prefix = (item: string): string => item.split(' ')[0] as string;
  const scan = (a: string[], b: string[], aName: string, bName: string, reportInconsistent: boolean): void => {
    for (const p1 of a) {
      if (skip(p1) || b.includes(p1)) continue;
      const same = b.find((p2) => prefix(p2) === prefix(p1));
      if (same !== undefined) {
        if (reportInconsistent) {
          out.push(`WARNING: '${prefix(p1)}' is used inconsistently, ${aName}='${p1}', ${bName}='${same}'`);
        }
        continue;
      }
      out.push(`WARNING: '${prefix(p1)}' is present in ${aName} config but missing in ${bName} config, ${aName}='${p1}'`);
    }
  };
  const l = split(expected);
  const r = split(received);
  scan(l, r, 'local', 'remote', true);
  scan(r, l, 'remote', 'local', false);
  return out;
}
