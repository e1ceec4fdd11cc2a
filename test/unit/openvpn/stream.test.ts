// OpenVPN's TCP framing (stream.ts): a 2-byte big-endian length before each packet; a reader that
// takes the stream cut anywhere (a byte at a time, several packets in one read) and refuses a
// length of 0 or over the tunnel's largest packet for good.

import { describe, expect, it } from 'vitest';
import { framePacket, StreamReader } from '../../../userland/bin/openvpn/stream.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('the TCP packet framing', () => {
  it('puts the length in front, big-endian', () => {
    expect(framePacket(bytes(1, 2, 3))).toEqual(bytes(0, 3, 1, 2, 3));
    expect([...framePacket(new Uint8Array(300)).subarray(0, 2)]).toEqual([1, 44]);
    expect(() => framePacket(new Uint8Array(0x10000))).toThrow(RangeError);
  });

  it('reassembles packets from reads cut anywhere, even a byte at a time', () => {
    const packets = [bytes(9), new Uint8Array(1768).fill(7), bytes(1, 2, 3, 4)];
    const stream = Uint8Array.from(packets.flatMap((p) => [...framePacket(p)]));
    const r = new StreamReader(1768);
    const got: Uint8Array[] = [];
    for (const b of stream) got.push(...r.push(bytes(b)));
    expect(got).toEqual(packets);
    expect(r.buffered).toBe(0);
    // Half a length, then the rest with half a packet: nothing yet, then the packet.
    const s = new StreamReader(100);
    expect(s.push(bytes(0))).toEqual([]);
    expect(s.push(bytes(3, 1))).toEqual([]);
    expect(s.buffered).toBe(3);
    expect(s.push(bytes(2, 3))).toEqual([bytes(1, 2, 3)]);
  });

  it('gives several packets from one read, keeping the start of the next', () => {
    const r = new StreamReader(100);
    const read = Uint8Array.from([...framePacket(bytes(1)), ...framePacket(bytes(2, 2)), ...framePacket(bytes(3, 3, 3)), 0, 5, 4]);
    expect(r.push(read)).toEqual([bytes(1), bytes(2, 2), bytes(3, 3, 3)]);
    expect(r.buffered).toBe(3);
    expect(r.push(bytes(4, 4, 4, 4))).toEqual([bytes(4, 4, 4, 4, 4)]);
  });

  it('refuses a length over the largest packet, or of zero, and stays broken', () => {
    const r = new StreamReader(1768);
    expect(r.push(Uint8Array.from([...framePacket(bytes(1)), 0xff, 0xff, 0]))).toEqual([bytes(1)]);
    expect(r.badLength).toBe(65535);
    expect(r.push(framePacket(bytes(2)))).toEqual([]);
    const z = new StreamReader(1768);
    expect(z.push(bytes(0, 0, 0, 1, 5))).toEqual([]);
    expect(z.badLength).toBe(0);
    // The largest packet itself passes; one more byte does not.
    expect(new StreamReader(1768).push(framePacket(new Uint8Array(1768)))).toHaveLength(1);
    const over = new StreamReader(1768);
    over.push(framePacket(new Uint8Array(1769)));
    expect(over.badLength).toBe(1769);
  });
});
