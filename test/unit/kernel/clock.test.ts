import { describe, expect, it } from 'vitest';
import { DEFAULT_VIRTUAL_EPOCH_NS, RealClock, VirtualClock } from '../../../kernel/sched/clock.js';

describe('the wall clock, exact', () => {
  it('keeps every nanosecond past 2^53, where a number keeps only multiples of 256', () => {
    const c = new VirtualClock(DEFAULT_VIRTUAL_EPOCH_NS);
    c.advanceTo(400_001);
    expect(c.wallNsExact()).toBe(1_767_225_600_000_400_001n);
    expect(BigInt(Math.round(c.wallNs()))).not.toBe(c.wallNsExact());
  });

  it('sums the real clock from its integer parts too', () => {
    let mono = 5n;
    const c = new RealClock({ monotonicNs: () => mono, epochNs: () => DEFAULT_VIRTUAL_EPOCH_NS });
    mono += 123_457n;
    expect(c.wallNsExact()).toBe(1_767_225_600_000_123_457n);
  });
});
