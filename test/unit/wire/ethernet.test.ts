import { describe, expect, it } from 'vitest';
import {
  BROADCAST_MAC,
  ETHERTYPE_ARP,
  EthernetFrame,
  EthernetRepr,
  WireError,
  buildEthernetFrame,
} from '../../../kernel/abi/wire/index.js';
import { hex, toHex } from './hex.js';

const FRAME = hex('ffffffffffff 525400123456 0806 deadbeef');

describe('Ethernet', () => {
  it('reads the header fields', () => {
    const frame = EthernetFrame.checked(FRAME);
    if (frame instanceof WireError) throw new Error(frame.reason);
    expect(frame.dst).toBe(BROADCAST_MAC);
    expect(frame.src).toBe(0x525400123456);
    expect(frame.ethertype).toBe(ETHERTYPE_ARP);
    expect(toHex(frame.payload)).toBe('deadbeef');
    expect(EthernetRepr.parse(frame)).toEqual({ dst: BROADCAST_MAC, src: 0x525400123456, ethertype: 0x0806 });
  });

  it('builds the same bytes', () => {
    const repr = { dst: BROADCAST_MAC, src: 0x525400123456, ethertype: ETHERTYPE_ARP };
    expect(toHex(buildEthernetFrame(repr, hex('deadbeef')))).toBe(toHex(FRAME));
    expect(EthernetRepr.bufferLen(repr)).toBe(14);
  });

  it('writes through setters', () => {
    const frame = new EthernetFrame(new Uint8Array(14));
    frame.dst = 0x0a0b0c0d0e0f;
    frame.src = 0x010203040506;
    frame.ethertype = 0x86dd;
    expect(toHex(frame.buffer)).toBe('0a0b0c0d0e0f01020304050686dd');
  });

  it('accepts a header with no payload', () => {
    const frame = EthernetFrame.checked(FRAME.subarray(0, 14));
    expect(frame).toBeInstanceOf(EthernetFrame);
    expect((frame as EthernetFrame).payload.length).toBe(0);
  });

  it('rejects a header truncated at every length', () => {
    for (let n = 0; n < 14; n++) {
      const r = EthernetFrame.checked(FRAME.subarray(0, n));
      expect(r).toBeInstanceOf(WireError);
      expect((r as WireError).reason).toMatch(/header truncated/);
      expect(EthernetRepr.parse(new EthernetFrame(FRAME.subarray(0, n)))).toBeInstanceOf(WireError);
    }
  });
});
