import { describe, expect, it } from 'vitest';
import {
  ARPOP_REPLY,
  ARPOP_REQUEST,
  ArpPacket,
  ArpRepr,
  WireError,
  buildArpPacket,
  parseIpv4,
  parseMac,
} from '../../../kernel/abi/wire/index.js';
import { hex, toHex } from './hex.js';

// Who has 10.0.2.2? Tell 10.0.2.15 (52:54:00:12:34:56), and the answer from 52:55:0a:00:02:02.
const REQUEST = '0001 0800 06 04 0001 525400123456 0a00020f 000000000000 0a000202';
const REPLY = '0001 0800 06 04 0002 52550a000202 0a000202 525400123456 0a00020f';

const requestRepr: ArpRepr = {
  operation: ARPOP_REQUEST,
  senderMac: parseMac('52:54:00:12:34:56')!,
  senderIp: parseIpv4('10.0.2.15')!,
  targetMac: 0,
  targetIp: parseIpv4('10.0.2.2')!,
};
const replyRepr: ArpRepr = {
  operation: ARPOP_REPLY,
  senderMac: parseMac('52:55:0a:00:02:02')!,
  senderIp: parseIpv4('10.0.2.2')!,
  targetMac: parseMac('52:54:00:12:34:56')!,
  targetIp: parseIpv4('10.0.2.15')!,
};

function parse(bytes: Uint8Array): ArpRepr | WireError {
  const packet = ArpPacket.checked(bytes);
  return packet instanceof WireError ? packet : ArpRepr.parse(packet);
}

function reasonOf(x: unknown): string {
  expect(x).toBeInstanceOf(WireError);
  return (x as WireError).reason;
}

describe('ARP', () => {
  it('parses a request and a reply', () => {
    expect(parse(hex(REQUEST))).toEqual(requestRepr);
    expect(parse(hex(REPLY))).toEqual(replyRepr);
  });

  it('reads every raw field', () => {
    const p = ArpPacket.checked(hex(REQUEST)) as ArpPacket;
    expect([p.hardwareType, p.protocolType, p.hardwareLen, p.protocolLen, p.operation]).toEqual([1, 0x0800, 6, 4, 1]);
  });

  it('emits the same bytes', () => {
    expect(toHex(buildArpPacket(requestRepr))).toBe(toHex(hex(REQUEST)));
    expect(toHex(buildArpPacket(replyRepr))).toBe(toHex(hex(REPLY)));
    expect(ArpRepr.bufferLen(replyRepr)).toBe(28);
  });

  it('accepts Ethernet padding after the packet', () => {
    const padded = new Uint8Array(46);
    padded.set(hex(REPLY));
    expect(parse(padded)).toEqual(replyRepr);
  });

  it('rejects truncation at every length', () => {
    const bytes = hex(REQUEST);
    for (let n = 0; n < 28; n++) expect(reasonOf(parse(bytes.subarray(0, n)))).toMatch(/truncated/);
  });

  it('rejects a wrong hardware length', () => {
    const bytes = hex(REQUEST);
    bytes[4] = 8;
    // 8 + 2*(8+4) = 32 bytes would be needed.
    expect(reasonOf(parse(bytes))).toMatch(/truncated/);
    const long = new Uint8Array(32);
    long.set(bytes);
    expect(reasonOf(parse(long))).toMatch(/hardware length 8 != 6/);
  });

  it('rejects a short ARP for another link with its own reason', () => {
    const bytes = hex('0001 0800 01 04 0001 aa 0a00020f bb 0a000202');
    expect(reasonOf(parse(bytes))).toMatch(/hardware length 1 \/ protocol length 4 not supported/);
  });

  it('rejects other hardware, protocols, lengths and operations', () => {
    const cases: [number, number, RegExp][] = [
      [1, 6, /hardware type 6 is not Ethernet/],
      [3, 0xdd, /protocol type 0x08dd is not IPv4/],
      [5, 16, /protocol length 16 != 4/],
      [7, 3, /operation 3 is neither request/],
    ];
    for (const [offset, value, reason] of cases) {
      const bytes = new Uint8Array(64);
      bytes.set(hex(REQUEST));
      bytes[offset] = value;
      expect(reasonOf(parse(bytes))).toMatch(reason);
    }
  });
});
