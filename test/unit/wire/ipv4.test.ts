import { describe, expect, it } from 'vitest';
import {
  IPPROTO_UDP,
  Ipv4Packet,
  Ipv4Repr,
  WireError,
  buildIpv4Packet,
  internetChecksum,
  parseIpv4,
} from '../../../kernel/abi/wire/index.js';
import { hex, referenceChecksum, toHex } from './hex.js';

// The second fragment of a 2980-byte UDP datagram from 10.0.0.1 to 10.0.0.2: MF set, offset 1480
// (185 units of 8), total length 1500. Checksum 0x9488 computed outside this code base.
const FRAGMENT_HEADER = '450005dcabcd20b9401194880a0000010a000002';

const fragmentRepr: Ipv4Repr = {
  src: parseIpv4('10.0.0.1')!,
  dst: parseIpv4('10.0.0.2')!,
  protocol: IPPROTO_UDP,
  ttl: 64,
  ident: 0xabcd,
  tos: 0,
  dontFragment: false,
  moreFragments: true,
  fragmentOffset: 1480,
  payloadLen: 1480,
};

function fragment(): Uint8Array {
  const b = new Uint8Array(1500);
  b.set(hex(FRAGMENT_HEADER));
  for (let i = 20; i < 1500; i++) b[i] = i & 0xff;
  return b;
}

function parse(bytes: Uint8Array, options?: { checksum?: boolean }): Ipv4Repr | WireError {
  const packet = Ipv4Packet.checked(bytes);
  return packet instanceof WireError ? packet : Ipv4Repr.parse(packet, options);
}

function reasonOf(x: unknown): string {
  expect(x).toBeInstanceOf(WireError);
  return (x as WireError).reason;
}

describe('IPv4 fragment fields', () => {
  it('parses MF and the offset in bytes', () => {
    const bytes = fragment();
    expect(parse(bytes)).toEqual(fragmentRepr);
    const p = new Ipv4Packet(bytes);
    expect(p.version).toBe(4);
    expect(p.ihl).toBe(5);
    expect(p.headerLen).toBe(20);
    expect(p.totalLen).toBe(1500);
    expect(p.moreFragments).toBe(true);
    expect(p.dontFragment).toBe(false);
    expect(p.reservedFlag).toBe(false);
    expect(p.fragmentOffset).toBe(1480);
    expect(p.checksum).toBe(0x9488);
    expect(p.verifyChecksum()).toBe(true);
    expect(p.payload.length).toBe(1480);
    expect(p.payload[0]).toBe(20);
    expect(p.options.length).toBe(0);
  });

  it('emits the same header', () => {
    const out = new Uint8Array(20);
    Ipv4Repr.emit(fragmentRepr, new Ipv4Packet(out));
    expect(toHex(out)).toBe(FRAGMENT_HEADER);
    expect(Ipv4Repr.bufferLen(fragmentRepr)).toBe(20);
    expect(toHex(buildIpv4Packet(fragmentRepr, fragment().subarray(20)))).toBe(toHex(fragment()));
  });

  it('sets flags and offset independently', () => {
    const p = new Ipv4Packet(hex(FRAGMENT_HEADER));
    p.dontFragment = true;
    p.moreFragments = false;
    p.fragmentOffset = 8 * 0x1fff;
    expect(p.dontFragment).toBe(true);
    expect(p.moreFragments).toBe(false);
    expect(p.fragmentOffset).toBe(65528);
    p.reservedFlag = true;
    expect(p.buffer[6]).toBe(0xdf);
    p.fragmentOffset = 0;
    expect(p.buffer[6]).toBe(0xc0);
    p.fillChecksum();
    expect(p.checksum).toBe(referenceChecksum(p.buffer.subarray(0, 10), p.buffer.subarray(12, 20)));
    expect(internetChecksum(p.buffer)).toBe(0);
  });
});

describe('IPv4 options and buffer bounds', () => {
  it('skips options and bounds the payload by total length', () => {
    // IHL 6 with a 4-byte option (NOP NOP NOP EOL), total length 32, then 5 bytes past the datagram.
    const b = hex('46000020000000004001000001020304050607080101010000aabbccddeeff112200000000');
    const p = new Ipv4Packet(b);
    p.fillChecksum();
    const repr = parse(b);
    expect(repr).toMatchObject({ src: 0x01020304, dst: 0x05060708, protocol: 1, ttl: 64, payloadLen: 8 });
    expect(toHex(p.options)).toBe('01010100');
    expect(toHex(p.payload)).toBe('00aabbccddeeff11');
  });

  it('ignores bytes past the total length', () => {
    const b = new Uint8Array(1600);
    b.set(fragment());
    b.fill(0xee, 1500);
    expect(parse(b)).toEqual(fragmentRepr);
    expect(new Ipv4Packet(b).payload.length).toBe(1480);
  });
});

describe('IPv4 rejections', () => {
  it('rejects a header truncated at every length', () => {
    const bytes = fragment();
    for (let n = 0; n < 20; n++) expect(reasonOf(parse(bytes.subarray(0, n)))).toMatch(/header truncated/);
  });

  it('rejects a buffer shorter than the total length at every length', () => {
    const bytes = fragment();
    for (const n of [20, 21, 100, 1499]) {
      expect(reasonOf(parse(bytes.subarray(0, n)))).toMatch(/total length exceeds buffer \(1500 > \d+ bytes\)/);
    }
  });

  it('rejects IHL < 5', () => {
    for (const ihl of [0, 1, 4]) {
      const b = fragment();
      b[0] = 0x40 | ihl;
      expect(reasonOf(parse(b))).toMatch(/IHL < 5/);
    }
  });

  it('rejects a header longer than the buffer', () => {
    const b = hex(FRAGMENT_HEADER);
    b[0] = 0x4f;
    expect(reasonOf(parse(b))).toMatch(/header length exceeds buffer/);
  });

  it('rejects a total length smaller than the header', () => {
    const b = fragment();
    new Ipv4Packet(b).totalLen = 19;
    expect(reasonOf(parse(b))).toMatch(/total length < header length/);
    b[0] = 0x46;
    new Ipv4Packet(b).totalLen = 20;
    expect(reasonOf(parse(b))).toMatch(/total length < header length \(20 < 24\)/);
  });

  it('rejects a total length larger than the buffer', () => {
    const b = fragment();
    new Ipv4Packet(b).totalLen = 1501;
    expect(reasonOf(parse(b))).toMatch(/total length exceeds buffer/);
  });

  it('rejects other versions', () => {
    const b = fragment();
    b[0] = 0x65;
    expect(reasonOf(parse(b))).toMatch(/version 6, not 4/);
  });

  it('rejects a bad header checksum unless told not to check', () => {
    const b = fragment();
    b[11] ^= 1;
    expect(reasonOf(parse(b))).toMatch(/bad header checksum/);
    expect(parse(b, { checksum: false })).toEqual(fragmentRepr);
    // The checksum covers the header only: damage in the payload is not the IP layer's business.
    const c = fragment();
    c[100] ^= 0xff;
    expect(parse(c)).toEqual(fragmentRepr);
  });

  it('refuses to build a payload that cannot fit', () => {
    expect(() => buildIpv4Packet(fragmentRepr, new Uint8Array(65516))).toThrow(RangeError);
    expect(buildIpv4Packet(fragmentRepr, new Uint8Array(65515)).length).toBe(65535);
  });
});
