import { describe, expect, it } from 'vitest';
import type { PacketEvent } from '../../../kernel/obs/events.js';
import { EventRing } from '../../../kernel/obs/journey-ring.js';

const ev = (id: number, size: number): PacketEvent => ({ host: 'h', layer: 'ip', where: 'eth0', dir: 'out', event: 'output', id, link: 'ip', bytes: new Uint8Array(size), timeNs: id });

describe('the journey ring', () => {
  it('keeps the newest events up to its count, counting the rest as lost', () => {
    const r = new EventRing(3);
    for (let i = 1; i <= 5; i++) r.push(ev(i, 10));
    const b = r.drain(10);
    expect(b.events.map((e) => e.id)).toEqual([3, 4, 5]);
    expect(b.lost).toBe(2);
  });

  it('is bounded by the bytes it holds, not only by the count', () => {
    const r = new EventRing(1000, 3000);
    for (let i = 1; i <= 10; i++) r.push(ev(i, 1000));
    expect(r.length).toBe(3);
    const b = r.drain(100);
    expect(b.events.map((e) => e.id)).toEqual([8, 9, 10]);
    expect(b.lost).toBe(7);
    // Drained, the bytes are free again.
    for (let i = 11; i <= 13; i++) r.push(ev(i, 1000));
    expect(r.length).toBe(3);
    expect(r.drain(100).lost).toBe(7);
  });

  it('keeps one event larger than the byte bound rather than none', () => {
    const r = new EventRing(10, 100);
    r.push(ev(1, 500));
    expect(r.drain(10).events).toHaveLength(1);
  });
});
