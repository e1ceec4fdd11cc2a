import { describe, expect, it } from 'vitest';
import {
  IPPROTO_UDP,
  UdpPacket,
  UdpRepr,
  WireError,
  buildUdpPacket,
  checksumAccumulate,
  checksumFinish,
  parseIpv4,
  pseudoHeaderSum,
} from '../../../kernel/abi/wire/index.js';
import { hex, pseudoHeader, referenceChecksum, toHex } from './hex.js';

const SRC = parseIpv4('192.168.0.1')!;
const DST = parseIpv4('192.168.0.199')!;
// 192.168.0.1:12345 -> 192.168.0.199:53, "hello" (an odd length, so the padding rule is exercised).
const DATAGRAM = '3039 0035 000d 097b 68656c6c6f';
const repr: UdpRepr = { srcPort: 12345, dstPort: 53, payload: new TextEncoder().encode('hello') };

function parse(bytes: Uint8Array, src = SRC, dst = DST, options?: { checksum?: boolean }): UdpRepr | WireError {
  const packet = UdpPacket.checked(bytes);
  return packet instanceof WireError ? packet : UdpRepr.parse(packet, src, dst, options);
}

function reasonOf(x: unknown): string {
  expect(x).toBeInstanceOf(WireError);
  return (x as WireError).reason;
}

describe('UDP', () => {
  it('has the checksum a slow reference computes', () => {
    const bytes = hex(DATAGRAM);
    const zeroed = bytes.slice();
    zeroed[6] = zeroed[7] = 0;
    expect(referenceChecksum(pseudoHeader(SRC, DST, IPPROTO_UDP, 13), zeroed)).toBe(0x097b);
    expect(checksumFinish(checksumAccumulate(bytes, pseudoHeaderSum(SRC, DST, IPPROTO_UDP, 13)))).toBe(0);
  });

  it('parses and builds', () => {
    const bytes = hex(DATAGRAM);
    const p = UdpPacket.checked(bytes) as UdpPacket;
    expect([p.srcPort, p.dstPort, p.length, p.checksum]).toEqual([12345, 53, 13, 0x097b]);
    expect(p.verifyChecksum(SRC, DST)).toBe(true);
    expect(parse(bytes)).toEqual(repr);
    expect(toHex(buildUdpPacket(repr, SRC, DST))).toBe(toHex(bytes));
    expect(UdpRepr.bufferLen(repr)).toBe(13);
  });

  it('binds the checksum to the addresses', () => {
    expect(reasonOf(parse(hex(DATAGRAM), SRC, DST + 1))).toMatch(/bad checksum/);
    expect(reasonOf(parse(hex(DATAGRAM), DST, SRC + 1))).toMatch(/bad checksum/);
  });

  it('accepts a zero checksum as "none"', () => {
    const bytes = hex(DATAGRAM);
    bytes[6] = bytes[7] = 0;
    bytes[8] ^= 0xff;
    expect(parse(bytes)).toMatchObject({ srcPort: 12345, dstPort: 53 });
  });

  it('sends a computed zero as 0xffff', () => {
    // Find a source port that makes the checksum compute to zero, by construction: the checksum
    // with srcPort 0 is c, and adding c to the sum (as the port) complements it to 0xffff -> 0.
    const probe = buildUdpPacket({ srcPort: 0, dstPort: 9, payload: hex('0102') }, SRC, DST);
    const c = new UdpPacket(probe).checksum;
    const bytes = buildUdpPacket({ srcPort: c, dstPort: 9, payload: hex('0102') }, SRC, DST);
    const p = new UdpPacket(bytes);
    expect(p.checksum).toBe(0xffff);
    expect(p.verifyChecksum(SRC, DST)).toBe(true);
    expect(parse(bytes)).toMatchObject({ srcPort: c });
  });

  it('bounds the payload by the length field', () => {
    const bytes = new Uint8Array(20).fill(0x77);
    bytes.set(hex(DATAGRAM));
    expect(parse(bytes)).toEqual(repr);
  });

  it('rejects a header truncated at every length', () => {
    const bytes = hex(DATAGRAM);
    for (let n = 0; n < 8; n++) expect(reasonOf(parse(bytes.subarray(0, n)))).toMatch(/header truncated/);
  });

  it('rejects a length field that lies', () => {
    const bytes = hex(DATAGRAM);
    for (let n = 8; n < 13; n++) expect(reasonOf(parse(bytes.subarray(0, n)))).toMatch(/length field exceeds buffer \(13 > \d+ bytes\)/);
    for (const lie of [0, 7]) {
      const b = hex(DATAGRAM);
      new UdpPacket(b).length = lie;
      expect(reasonOf(parse(b))).toMatch(/length field < 8/);
    }
    const b = hex(DATAGRAM);
    new UdpPacket(b).length = 14;
    expect(reasonOf(parse(b))).toMatch(/length field exceeds buffer/);
  });

  it('rejects a corrupted payload', () => {
    const bytes = hex(DATAGRAM);
    bytes[12] ^= 1;
    expect(reasonOf(parse(bytes))).toMatch(/bad checksum/);
    expect(parse(bytes, SRC, DST, { checksum: false })).toMatchObject({ dstPort: 53 });
  });
});
