// Packet generators for the input properties: valid IPv4/ICMP/UDP packets built with the abi's
// builders, then mutated (truncated, bad checksums, lying lengths, odd IHL and version, odd flags),
// datagrams cut into fragments that overlap, repeat or never complete, oversized datagrams up to
// 65535 bytes, and random bytes. Where each must end up is oracle.ts's business.

import fc from 'fast-check';
import { buildIcmpPacket, buildIpv4Packet, buildUdpPacket, IPPROTO_ICMP, IPPROTO_UDP, Ipv4Packet, parseIpv4 } from '../../kernel/abi/wire/index.js';

const ip = (s: string) => parseIpv4(s)!;

/** Where the packets go: a TUN 10.8.0.2 <-> 10.8.0.1, or a TAP 10.9.0.1/24 with its peer 10.9.0.2. */
export interface Net {
  local: number;
  peer: number;
  /** Directed broadcast of the TAP's subnet (none on a point-to-point TUN). */
  broadcast: number | null;
}
export const TUN_NET: Net = { local: ip('10.8.0.2'), peer: ip('10.8.0.1'), broadcast: null };
export const TAP_NET: Net = { local: ip('10.9.0.1'), peer: ip('10.9.0.2'), broadcast: ip('10.9.0.255') };
/** The port a socket listens on during every case. */
export const BOUND_PORT = 7000;

// ------------------------------------------------------------------ valid packets

/** Destinations: mostly this host; for a router (`routed`), as often the peer or anywhere. */
const address = (net: Net, role: 'src' | 'dst', routed = false) =>
  role === 'dst'
    ? fc.oneof(
        { weight: 8, arbitrary: fc.constant(net.local) },
        { weight: routed ? 6 : 1, arbitrary: fc.constant(net.peer) },
        { weight: 1, arbitrary: fc.constant(ip('127.0.0.1')) },
        { weight: 1, arbitrary: fc.constant(0xffff_ffff) },
        { weight: 1, arbitrary: fc.constant(net.broadcast ?? ip('224.0.0.1')) },
        { weight: 1, arbitrary: fc.constant(ip('224.0.0.251')) },
        { weight: routed ? 4 : 1, arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }) },
      )
    : fc.oneof({ weight: 6, arbitrary: fc.constant(net.peer) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }) });

/** Payload sizes: mostly small, sometimes as large as a datagram can be. */
const size = (max: number) =>
  fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 120 }) }, { weight: 2, arbitrary: fc.integer({ min: 121, max: 3000 }) }, { weight: 1, arbitrary: fc.integer({ min: max - 16, max }) });

const body = (max: number) => size(max).map((n) => new Uint8Array(n).map((_, i) => (i * 7 + n) & 0xff));

export interface Built {
  bytes: Uint8Array;
  what: string;
}

function datagram(src: number, dst: number, protocol: number, payload: Uint8Array, ident: number, ttl = 64): Uint8Array {
  return buildIpv4Packet({ src, dst, protocol, ttl, ident, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0 }, payload);
}

/** A valid IPv4 datagram: ICMP (echo, reply, errors, other types), UDP, or another protocol. */
export function validDatagram(net: Net, routed = false): fc.Arbitrary<Built> {
  const common = fc.record({ src: address(net, 'src'), dst: address(net, 'dst', routed), ident: fc.integer({ min: 0, max: 0xffff }) });
  const icmp = fc
    .tuple(common, fc.constantFrom(0, 8, 3, 11, 13, 42), fc.integer({ min: 0, max: 3 }), body(65507))
    .map(([c, type, code, data]) => {
      const msg =
        type === 8 || type === 0
          ? buildIcmpPacket({ kind: type === 8 ? 'echo-request' : 'echo-reply', ident: c.ident, seq: code, data })
          : type === 3 || type === 11
            ? buildIcmpPacket(type === 3 ? { kind: 'dst-unreachable', code, original: data.subarray(0, 28) } : { kind: 'time-exceeded', code, original: data.subarray(0, 28) })
            : buildIcmpPacket({ kind: 'other', type, code, rest: data.subarray(0, 60) });
      return { bytes: datagram(c.src, c.dst, IPPROTO_ICMP, msg, c.ident), what: `icmp type ${type}` };
    });
  const udp = fc
    .tuple(common, fc.oneof({ weight: 3, arbitrary: fc.constant(BOUND_PORT) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 65535 }) }), body(65507))
    .map(([c, port, payload]) => ({
      bytes: datagram(c.src, c.dst, IPPROTO_UDP, buildUdpPacket({ srcPort: 40000, dstPort: port, payload }, c.src, c.dst), c.ident),
      what: `udp to ${port}`,
    }));
  const other = fc
    .tuple(common, fc.constantFrom(0, 2, 6, 41, 47, 50, 132, 255), body(65515))
    .map(([c, proto, payload]) => ({ bytes: datagram(c.src, c.dst, proto, payload, c.ident), what: `proto ${proto}` }));
  return fc.oneof({ weight: 3, arbitrary: icmp }, { weight: 3, arbitrary: udp }, { weight: 1, arbitrary: other });
}

// ------------------------------------------------------------------ mutations

type Mutation = (p: Uint8Array) => Uint8Array;

function refix(p: Uint8Array): void {
  if (p.length >= 20) {
    const v = new Ipv4Packet(p);
    if (v.headerLen >= 20 && v.headerLen <= p.length) v.fillChecksum();
  }
}

function l4Offset(p: Uint8Array): number {
  return p.length >= 20 ? Math.max(20, (p[0]! & 0x0f) * 4) : 20;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // truncated anywhere, headers included
  fc.integer({ min: 0, max: 80 }).map((n) => (p: Uint8Array) => p.slice(0, Math.min(n, p.length))),
  fc.nat().map((n) => (p: Uint8Array) => p.slice(0, p.length === 0 ? 0 : n % p.length)),
  // trailing bytes beyond the total length (as Ethernet padding)
  fc.integer({ min: 1, max: 64 }).map((n) => (p: Uint8Array) => {
    const q = new Uint8Array(p.length + n);
    q.set(p);
    return q;
  }),
  // a lying total length, with or without a good header checksum
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.boolean()).map(([len, fix]) => (p: Uint8Array) => {
    if (p.length >= 4) ((p[2] = len >> 8), (p[3] = len & 0xff));
    if (fix) refix(p);
    return p;
  }),
  // IHL < 5, or beyond the buffer
  fc.tuple(fc.integer({ min: 0, max: 15 }), fc.boolean()).map(([ihl, fix]) => (p: Uint8Array) => {
    if (p.length > 0) p[0] = (p[0]! & 0xf0) | ihl;
    if (fix) refix(p);
    return p;
  }),
  // another version nibble (the TUN refuses all but 4 and 6 without PI; IP refuses all but 4)
  fc.tuple(fc.integer({ min: 0, max: 15 }), fc.boolean()).map(([ver, fix]) => (p: Uint8Array) => {
    if (p.length > 0) p[0] = (ver << 4) | (p[0]! & 0x0f);
    if (fix) refix(p);
    return p;
  }),
  // a bad IP header checksum
  fc.integer({ min: 1, max: 0xffff }).map((x) => (p: Uint8Array) => {
    if (p.length >= 12) ((p[10] ^= x >> 8), (p[11] ^= x & 0xff));
    return p;
  }),
  // a bad ICMP or UDP checksum (the IP header stays good)
  fc.integer({ min: 1, max: 0xffff }).map((x) => (p: Uint8Array) => {
    const o = l4Offset(p) + (p[9] === IPPROTO_UDP ? 6 : 2);
    if (o + 1 < p.length) ((p[o] ^= x >> 8), (p[o + 1] ^= x & 0xff));
    return p;
  }),
  // a lying UDP length, the checksum turned off (0) so that the length is what gets judged
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.boolean()).map(([len, noSum]) => (p: Uint8Array) => {
    const o = l4Offset(p);
    if (o + 8 <= p.length) {
      p[o + 4] = len >> 8;
      p[o + 5] = len & 0xff;
      if (noSum) p[o + 6] = p[o + 7] = 0;
    }
    return p;
  }),
  // fragment flags and offset: a lone fragment that never completes
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.boolean()).map(([word, fix]) => (p: Uint8Array) => {
    if (p.length >= 8) ((p[6] = word >> 8), (p[7] = word & 0xff));
    if (fix) refix(p);
    return p;
  }),
  // any byte flipped, the header checksum sometimes made good again
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean()).map(([at, x, fix]) => (p: Uint8Array) => {
    if (p.length > 0) p[at % p.length] ^= x;
    if (fix) refix(p);
    return p;
  }),
  // TTL 0 or 1 (delivered locally all the same)
  fc.integer({ min: 0, max: 1 }).map((ttl) => (p: Uint8Array) => {
    if (p.length >= 20) ((p[8] = ttl), refix(p));
    return p;
  }),
);

/** A valid datagram with zero to three mutations. */
export function mutatedDatagram(net: Net, routed = false): fc.Arbitrary<Built> {
  return fc.tuple(validDatagram(net, routed), fc.array(mutation, { maxLength: 3 })).map(([b, ms]) => {
    let bytes: Uint8Array = b.bytes.slice();
    for (const m of ms) bytes = m(bytes);
    return { bytes, what: `${b.what}${ms.length ? ` +${ms.length} mutation(s)` : ''}` };
  });
}

/** Random bytes, IP-looking or not. */
export const randomBytes: fc.Arbitrary<Built> = fc
  .oneof(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ minLength: 20, maxLength: 80 }).map((b) => ((b[0] = 0x45), b)))
  .map((bytes) => ({ bytes, what: 'random bytes' }));

// ------------------------------------------------------------------ fragments

/**
 * One datagram (possibly with IP options) cut at multiples of 8 into fragments, then spoiled: some
 * lost (never completes), some repeated or shifted (overlap), an MF fragment of odd length, the
 * order shuffled, the offsets pushed to the 65535 limit. Every fragment has a good header checksum.
 */
export function fragmentedDatagram(net: Net): fc.Arbitrary<Built[]> {
  return fc
    .record({
      proto: fc.constantFrom(IPPROTO_UDP, IPPROTO_ICMP),
      len: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 400 }) }, { weight: 1, arbitrary: fc.integer({ min: 65400, max: 65515 }) }),
      optionWords: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 }) }),
      ident: fc.integer({ min: 0, max: 3 }),
      cuts: fc.array(fc.integer({ min: 0, max: 8200 }), { maxLength: 5 }),
      drop: fc.array(fc.nat(), { maxLength: 2 }),
      repeat: fc.array(fc.nat(), { maxLength: 2 }),
      shift: fc.option(fc.tuple(fc.nat(), fc.integer({ min: -3, max: 3 }))),
      oddMf: fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 7 }))),
      order: fc.array(fc.nat(), { maxLength: 8 }),
    })
    .map((o) => {
      const payload = new Uint8Array(o.len).map((_, i) => i & 0xff);
      const l4 = o.proto === IPPROTO_UDP
        ? buildUdpPacket({ srcPort: 40001, dstPort: BOUND_PORT, payload: payload.subarray(0, Math.max(0, o.len - 8)) }, net.peer, net.local)
        : buildIcmpPacket({ kind: 'echo-request', ident: 9, seq: 1, data: payload.subarray(0, Math.max(0, o.len - 8)) });
      const optLen = o.optionWords * 4;
      const edges = [...new Set([0, ...o.cuts.map((c) => Math.min(c * 8, l4.length)), l4.length])].sort((a, b) => a - b);
      let pieces = edges.slice(0, -1).map((start, i) => ({ start, end: edges[i + 1]!, mf: i + 2 < edges.length }));
      if (pieces.length === 0) pieces = [{ start: 0, end: 0, mf: false }];
      if (o.shift && pieces.length) {
        const p = pieces[o.shift[0] % pieces.length]!;
        p.start = Math.max(0, p.start + o.shift[1] * 8);
      }
      if (o.oddMf && pieces.length) {
        const p = pieces[o.oddMf[0] % pieces.length]!;
        if (p.mf) p.end = Math.max(p.start, p.end - o.oddMf[1]);
      }
      for (const r of o.repeat) if (pieces.length) pieces.push({ ...pieces[r % pieces.length]! });
      for (const d of o.drop) if (pieces.length > 1) pieces.splice(d % pieces.length, 1);
      for (let i = 0; i < o.order.length && pieces.length > 1; i++) {
        const j = o.order[i]! % pieces.length;
        [pieces[0], pieces[j]] = [pieces[j]!, pieces[0]!];
      }
      return pieces.map((p) => {
        const data = l4.subarray(Math.min(p.start, l4.length), Math.min(p.end, l4.length));
        const bytes = new Uint8Array(20 + optLen + data.length);
        bytes.set(datagram(net.peer, net.local, o.proto, new Uint8Array(0), o.ident).subarray(0, 20));
        bytes.fill(1, 20, 20 + optLen); // NOP options
        bytes.set(data, 20 + optLen);
        const v = new Ipv4Packet(bytes);
        v.ihl = 5 + o.optionWords;
        v.totalLen = bytes.length;
        v.fragmentOffset = p.start;
        v.moreFragments = p.mf;
        v.fillChecksum();
        return { bytes, what: `fragment ${p.start}..${p.start + data.length}${p.mf ? ' MF' : ''} of ${l4.length} (ident ${o.ident})` };
      });
    });
}

/** What a case writes: a mix of everything above, in one batch. */
export function ipBatch(net: Net, routed = false): fc.Arbitrary<Built[]> {
  return fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: mutatedDatagram(net, routed).map((b) => [b]) },
        { weight: 2, arbitrary: validDatagram(net, routed).map((b) => [b]) },
        { weight: 2, arbitrary: fragmentedDatagram(net) },
        { weight: 1, arbitrary: randomBytes.map((b) => [b]) },
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((groups) => groups.flat());
}
