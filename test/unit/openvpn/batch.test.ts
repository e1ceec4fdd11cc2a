import { describe, expect, it } from 'vitest';
import { BATCH, Batch, REPROBE } from '../../../userland/bin/openvpn/batch.js';

describe('openvpn read batching', () => {
  it('drains while a burst lasts', () => {
    const b = new Batch();
    for (let i = 0; i < 5; i++) {
      expect(b.size()).toBe(BATCH);
      b.done(BATCH, BATCH);
    }
    expect(b.size()).toBe(BATCH);
    b.done(2, BATCH);
    expect(b.size()).toBe(BATCH);
  });

  it('reads single packets one at a time for REPROBE wake-ups after a drain found only one, then probes again', () => {
    const b = new Batch();
    expect(b.size()).toBe(BATCH);
    b.done(1, BATCH);
    for (let i = 0; i < REPROBE; i++) {
      expect(b.size()).toBe(1);
      b.done(1, 1);
    }
    expect(b.size()).toBe(BATCH);
    // A probe that found a burst keeps draining.
    b.done(10, BATCH);
    expect(b.size()).toBe(BATCH);
  });

  it('a wake-up that found nothing at all counts as a single', () => {
    const b = new Batch();
    b.done(0, b.size());
    expect(b.size()).toBe(1);
  });
});
