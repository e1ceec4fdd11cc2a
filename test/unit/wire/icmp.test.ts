import { describe, expect, it } from 'vitest';
import {
  ICMP_DEST_UNREACH,
  ICMP_EXC_TTL,
  ICMP_FRAG_NEEDED,
  ICMP_PORT_UNREACH,
  ICMP_TIME_EXCEEDED,
  IcmpPacket,
  IcmpRepr,
  Ipv4Packet,
  Ipv4Repr,
  WireError,
  buildIcmpPacket,
  icmpQuote,
  internetChecksum,
} from '../../../kernel/abi/wire/index.js';
import { hex, referenceChecksum, toHex } from './hex.js';

// Fragmentation needed, next-hop MTU 1500, quoting a 1528-byte DF datagram 10.0.0.1 -> 10.8.0.1
// (UDP 40000 -> 1194). Checksums computed outside this code base.
const QUOTED_UDP = '450005f81234400040110eb80a0000010a080001 9c4004aa05e4beef';
const FRAG_NEEDED = `03049161 000005dc ${QUOTED_UDP}`;

// TTL exceeded in transit, quoting an echo request 192.168.1.10 -> 8.8.8.8 that arrived with TTL 1.
const QUOTED_ECHO = '45000054010140000101a6e6c0a8010a08080808 08001234002a0007';
const TTL_EXCEEDED = `0b00da9a 00000000 ${QUOTED_ECHO}`;

function parse(bytes: Uint8Array, options?: { checksum?: boolean }): IcmpRepr | WireError {
  const packet = IcmpPacket.checked(bytes);
  return packet instanceof WireError ? packet : IcmpRepr.parse(packet, options);
}

function reasonOf(x: unknown): string {
  expect(x).toBeInstanceOf(WireError);
  return (x as WireError).reason;
}

describe('ICMP destination unreachable', () => {
  it('parses fragmentation needed with the next-hop MTU', () => {
    const bytes = hex(FRAG_NEEDED);
    const p = IcmpPacket.checked(bytes) as IcmpPacket;
    expect([p.type, p.code, p.checksum, p.nextHopMtu]).toEqual([ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 0x9161, 1500]);
    expect(p.verifyChecksum()).toBe(true);
    expect(p.checksum).toBe(referenceChecksum(bytes.subarray(0, 2), bytes.subarray(4)));
    const repr = parse(bytes);
    expect(repr).toEqual({ kind: 'dst-unreachable', code: 4, nextHopMtu: 1500, original: hex(QUOTED_UDP) });
    // The quoted header is itself a readable IPv4 header, even though the datagram is not all there.
    const quoted = new Ipv4Packet((repr as { original: Uint8Array }).original);
    expect([quoted.totalLen, quoted.dontFragment, quoted.verifyChecksum()]).toEqual([1528, true, true]);
  });

  it('builds the same bytes', () => {
    const repr: IcmpRepr = { kind: 'dst-unreachable', code: ICMP_FRAG_NEEDED, nextHopMtu: 1500, original: hex(QUOTED_UDP) };
    expect(toHex(buildIcmpPacket(repr))).toBe(toHex(hex(FRAG_NEEDED)));
  });

  it('has no next-hop MTU for other codes, and writes the unused word as zero', () => {
    const repr: IcmpRepr = { kind: 'dst-unreachable', code: ICMP_PORT_UNREACH, original: hex(QUOTED_UDP) };
    const bytes = new Uint8Array(IcmpRepr.bufferLen(repr)).fill(0xaa);
    IcmpRepr.emit(repr, new IcmpPacket(bytes));
    expect(toHex(bytes.subarray(4, 8))).toBe('00000000');
    const back = parse(bytes);
    expect(back).toEqual(repr);
    expect('nextHopMtu' in (back as object)).toBe(false);
  });
});

describe('ICMP time exceeded', () => {
  it('parses and builds', () => {
    const bytes = hex(TTL_EXCEEDED);
    const repr: IcmpRepr = { kind: 'time-exceeded', code: ICMP_EXC_TTL, original: hex(QUOTED_ECHO) };
    expect(parse(bytes)).toEqual(repr);
    expect(toHex(buildIcmpPacket(repr))).toBe(toHex(bytes));
    expect((IcmpPacket.checked(bytes) as IcmpPacket).type).toBe(ICMP_TIME_EXCEEDED);
  });
});

describe('ICMP echo and others', () => {
  it('round-trips an echo reply', () => {
    const repr: IcmpRepr = { kind: 'echo-reply', ident: 0xbeef, seq: 65535, data: hex('0001020304') };
    const bytes = buildIcmpPacket(repr);
    expect(toHex(bytes.subarray(0, 2))).toBe('0000');
    expect(internetChecksum(bytes)).toBe(0);
    expect(parse(bytes)).toEqual(repr);
  });

  it('keeps unknown types and odd echo codes as "other"', () => {
    const router = hex('0900 0000 01000708 c0a80101 00000100');
    router.set([0, 0], 2);
    new IcmpPacket(router).fillChecksum();
    expect(parse(router)).toEqual({ kind: 'other', type: 9, code: 0, rest: router.subarray(4) });
    const echo = buildIcmpPacket({ kind: 'echo-request', ident: 1, seq: 2, data: new Uint8Array(0) });
    echo[1] = 1;
    new IcmpPacket(echo).fillChecksum();
    const other = parse(echo);
    expect(other).toMatchObject({ kind: 'other', type: 8, code: 1 });
    expect(toHex(buildIcmpPacket(other as IcmpRepr))).toBe(toHex(echo));
  });

  it('pads a short "other" to a valid message', () => {
    const bytes = buildIcmpPacket({ kind: 'other', type: 42, code: 7, rest: hex('ab') });
    expect(toHex(bytes.subarray(4))).toBe('ab000000');
    expect(parse(bytes)).toEqual({ kind: 'other', type: 42, code: 7, rest: hex('ab000000') });
  });

  it('sums only the message when the buffer is longer', () => {
    const repr: IcmpRepr = { kind: 'echo-request', ident: 7, seq: 9, data: hex('ff') };
    const big = new Uint8Array(64).fill(0x55);
    IcmpRepr.emit(repr, new IcmpPacket(big));
    expect(toHex(big.subarray(0, 9))).toBe(toHex(buildIcmpPacket(repr)));
  });
});

describe('ICMP rejections', () => {
  it('rejects a header truncated at every length', () => {
    const bytes = hex(FRAG_NEEDED);
    for (let n = 0; n < 8; n++) expect(reasonOf(parse(bytes.subarray(0, n)))).toMatch(/header truncated/);
  });

  it('rejects a bad checksum unless told not to check', () => {
    const bytes = hex(TTL_EXCEEDED);
    bytes[bytes.length - 1] ^= 0x10;
    expect(reasonOf(parse(bytes))).toMatch(/bad checksum/);
    expect(parse(bytes, { checksum: false })).toMatchObject({ kind: 'time-exceeded' });
    // A truncated message no longer sums to zero either.
    expect(reasonOf(parse(hex(TTL_EXCEEDED).subarray(0, 30)))).toMatch(/bad checksum/);
  });
});

describe('icmpQuote', () => {
  it('takes the IP header and 8 payload bytes', () => {
    const datagram = new Uint8Array(100);
    Ipv4Repr.emit(
      { src: 1, dst: 2, protocol: 17, ttl: 1, ident: 0, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0, payloadLen: 80 },
      new Ipv4Packet(datagram),
    );
    expect(icmpQuote(datagram).length).toBe(28);
    datagram[0] = 0x46;
    expect(icmpQuote(datagram).length).toBe(32);
    expect(icmpQuote(datagram.subarray(0, 25)).length).toBe(25);
    expect(icmpQuote(new Uint8Array(0)).length).toBe(0);
  });
});
