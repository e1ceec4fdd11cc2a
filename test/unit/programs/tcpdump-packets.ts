// Packets for the tcpdump tests, built with the kernel's own wire builders (through kernel/abi, as
// a program would) or byte by byte where a test needs something the builders refuse to make.

import { expect, it } from 'vitest';
import {
  buildArpPacket,
  buildEthernetFrame,
  buildIcmpPacket,
  buildIpv4Packet,
  buildUdpPacket,
  type Ipv4HeaderFields,
  parseIpv4,
  parseMac,
} from '../../../kernel/abi/wire/index.js';
import { type LineOptions, packetLine } from '../../../userland/lib/dissect/index.js';

export const ip = (s: string) => parseIpv4(s)!;
export const mac = (s: string) => parseMac(s)!;

export const MAC_A = mac('52:54:00:12:34:56');
export const MAC_B = mac('52:54:00:00:01:01');
export const BROADCAST = 0xffff_ffff_ffff;

export interface HeaderExtra {
  ttl?: number;
  ident?: number;
  tos?: number;
  df?: boolean;
  mf?: boolean;
  offset?: number;
}

export function header(src: string, dst: string, protocol: number, x: HeaderExtra = {}): Ipv4HeaderFields {
  return {
    src: ip(src),
    dst: ip(dst),
    protocol,
    ttl: x.ttl ?? 64,
    ident: x.ident ?? 1234,
    tos: x.tos ?? 0,
    dontFragment: x.df ?? false,
    moreFragments: x.mf ?? false,
    fragmentOffset: x.offset ?? 0,
  };
}

/** n bytes counting up from 0x20 (printable, so -X shows them). */
export const counting = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i + 0x20) & 0xff);

export function ether(payload: Uint8Array, ethertype = 0x0800, dst = MAC_B, src = MAC_A): Uint8Array {
  return buildEthernetFrame({ dst, src, ethertype }, payload);
}

export function echo(kind: 'echo-request' | 'echo-reply', src = '192.168.1.10', dst = '192.168.1.1', x: HeaderExtra = {}): Uint8Array {
  return buildIpv4Packet(header(src, dst, 1, x), buildIcmpPacket({ kind, ident: 1234, seq: 0, data: counting(56) }));
}

export function udp(src: string, sport: number, dst: string, dport: number, size: number, x: HeaderExtra = {}): Uint8Array {
  return buildIpv4Packet(header(src, dst, 17, x), buildUdpPacket({ srcPort: sport, dstPort: dport, payload: counting(size) }, ip(src), ip(dst)));
}

/** Fill in an Internet checksum over b[off, off+len) at b[off+at]. */
export function fixChecksum(b: Uint8Array, off: number, len: number, at: number): Uint8Array {
  b[off + at] = 0;
  b[off + at + 1] = 0;
  let s = 0;
  for (let i = off; i < off + len; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  const c = ~s & 0xffff;
  b[off + at] = c >> 8;
  b[off + at + 1] = c & 0xff;
  return b;
}

/** An ICMP message of any type from 10.0.0.1 to 192.168.1.10: 4 type-specific bytes, then `body`. */
export function icmp(type: number, code: number, body: Uint8Array, rest: ArrayLike<number> = [0, 0, 0, 0]): Uint8Array {
  const m = new Uint8Array(8 + body.length);
  m[0] = type;
  m[1] = code;
  m.set(rest, 4);
  m.set(body, 8);
  fixChecksum(m, 0, m.length, 2);
  return buildIpv4Packet(header('10.0.0.1', '192.168.1.10', 1), m);
}

/** What an ICMP error quotes: the IP header and 8 bytes. */
export const quote = (datagram: Uint8Array) => datagram.subarray(0, 28);

export function arp(op: 1 | 2, targetMac = 0): Uint8Array {
  const packet = buildArpPacket({ operation: op, senderMac: MAC_A, senderIp: ip('192.168.1.10'), targetMac, targetIp: ip('192.168.1.1') });
  return ether(packet, 0x0806, op === 1 ? BROADCAST : MAC_B);
}

export function ipv6(nextHeader: number, payload: Uint8Array, src: number[], dst: number[]): Uint8Array {
  const b = new Uint8Array(40 + payload.length);
  b[0] = 0x60;
  b[4] = payload.length >> 8;
  b[5] = payload.length & 0xff;
  b[6] = nextHeader;
  b[7] = 64;
  b.set(src, 8);
  b.set(dst, 24);
  b.set(payload, 40);
  return b;
}

export const FE80_1 = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
export const FF02_1 = [0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
export const FE80_EUI = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x50, 0x54, 0, 0xff, 0xfe, 0x12, 0x34, 0x56];

/** [name, link, tcpdump flags, bytes, (snapshot length,) the line real tcpdump 4.99.3 prints with -n -t]. */
export type Case = [string, 'ether' | 'raw', string[], Uint8Array, ...([string] | [number, string])];

/** What tcpdump's flags mean to the dissector. */
export function optionsOf(link: 'ether' | 'raw', flags: string[]): LineOptions {
  const opts: LineOptions = {
    link,
    linkHeader: flags.includes('-e'),
    quiet: flags.includes('-q'),
    verbose: flags.filter((f) => /^-v+$/.test(f)).reduce((n, f) => n + f.length - 1, 0),
  };
  for (const f of flags) {
    if (/^-x+$/.test(f)) opts.hex = f.length - 1;
    if (/^-X+$/.test(f)) opts.hexAscii = f.length - 1;
  }
  return opts;
}

/** Check each case's whole output (the trailing newline included), as `tcpdump -n -t` prints it. */
export function checkCases(cases: Case[]): void {
  for (const [name, link, flags, data, a, b] of cases) {
    it(`${name}${flags.length ? ` (${flags.join(' ')})` : ''}`, () => {
      const snap = typeof a === 'number' ? a : undefined;
      const expected = typeof a === 'string' ? a : b!;
      const captured = snap === undefined ? data : data.subarray(0, snap);
      expect(packetLine('', captured, optionsOf(link, flags), data.length)).toBe(`${expected}\n`);
    });
  }
}

/** A TCP segment from 1.2.3.4:12345 to 5.6.7.8:5555 (or back with `reverse`), checksum left zero. */
export function tcp(o: { seq: number; ack?: number; flags: number; options?: number[]; payload?: number; reverse?: boolean }): Uint8Array {
  const opts = o.options ?? [];
  const t = new Uint8Array(20 + opts.length + (o.payload ?? 0));
  const [sp, dp] = o.reverse ? [5555, 12345] : [12345, 5555];
  t[0] = sp >> 8;
  t[1] = sp & 0xff;
  t[2] = dp >> 8;
  t[3] = dp & 0xff;
  new DataView(t.buffer).setUint32(4, o.seq);
  new DataView(t.buffer).setUint32(8, o.ack ?? 0);
  t[12] = ((20 + opts.length) / 4) << 4;
  t[13] = o.flags;
  t[14] = 1;
  t.set(opts, 20);
  return buildIpv4Packet(o.reverse ? header('5.6.7.8', '1.2.3.4', 6) : header('1.2.3.4', '5.6.7.8', 6), t);
}
