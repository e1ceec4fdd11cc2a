import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayWindow, replayWindowOptionError } from '../../../userland/bin/openvpn/replay.js';
import { numRuns } from './helpers.js';

const T = 1_795_443_056;
const NOW = 1_800_000_000;

describe('ReplayWindow rules', () => {
  it('accepts new ids, re-ordered unseen ids inside the window, and nothing else', () => {
    const w = new ReplayWindow();
    expect(w.accept(1, T, NOW)).toBe(true);
    expect(w.accept(1, T, NOW)).toBe(false);
    expect(w.accept(3, T, NOW)).toBe(true);
    expect(w.accept(2, T, NOW)).toBe(true);
    expect(w.accept(2, T, NOW)).toBe(false);
    expect(w.accept(0, T, NOW)).toBe(false);
    expect(w.highestId).toBe(3);
    expect(w.time).toBe(T);
  });

  it('remembers exactly 64 ids back by default', () => {
    const w = new ReplayWindow();
    expect(w.accept(200, T, NOW)).toBe(true);
    expect(w.check(200 - 63, T, NOW)).toBe(true);
    expect(w.check(200 - 64, T, NOW)).toBe(false);
    // Ids below the first one ever seen were never pushed into the window: only those within reach.
    const fresh = new ReplayWindow();
    fresh.accept(10, T, NOW);
    expect(fresh.check(1, T, NOW)).toBe(true);
    const far = new ReplayWindow();
    far.accept(100, T, NOW);
    expect(far.check(37, T, NOW)).toBe(true);
    expect(far.check(36, T, NOW)).toBe(false);
  });

  it('treats time as the session: lower rejected, higher starts over', () => {
    const w = new ReplayWindow();
    w.accept(50, T, NOW);
    expect(w.check(51, T - 1, NOW)).toBe(false);
    expect(w.accept(1, T + 1, NOW)).toBe(true);
    expect(w.check(50, T, NOW)).toBe(false);
    expect(w.accept(2, T + 1, NOW)).toBe(true);
  });

  it('forgets everything on a jump past the window', () => {
    const w = new ReplayWindow(8, 15);
    w.accept(1, T, NOW);
    w.accept(2, T, NOW);
    expect(w.accept(100, T, NOW)).toBe(true);
    expect(w.check(93, T, NOW)).toBe(true);
    expect(w.check(92, T, NOW)).toBe(false);
  });

  it('records nothing in check()', () => {
    const w = new ReplayWindow();
    w.accept(5, T, NOW);
    for (let i = 0; i < 3; i++) expect(w.check(4, T, NOW)).toBe(true);
    expect(w.check(6, T + 1, NOW)).toBe(true);
    expect(w.time).toBe(T);
    expect(w.highestId).toBe(5);
    w.commit(4, T, NOW);
    expect(w.check(4, T, NOW)).toBe(false);
  });

  it('works when the clock starts at 0 (unlike OpenVPN, which cannot record at time 0 or 1)', () => {
    const w = new ReplayWindow();
    expect(w.accept(1, 0, 0)).toBe(true);
    expect(w.accept(1, 0, 0)).toBe(false);
    expect(w.accept(2, 0, 1)).toBe(true);
    expect(w.accept(2, 0, 1)).toBe(false);
  });

  it('uses strict sequencing with window 0, as over TCP', () => {
    const w = new ReplayWindow(0, 15);
    expect(w.accept(5, T, NOW)).toBe(false); // a new time must start at id 1
    expect(w.accept(1, T, NOW)).toBe(true);
    expect(w.accept(3, T, NOW)).toBe(false);
    expect(w.accept(2, T, NOW)).toBe(true);
    expect(w.accept(2, T, NOW)).toBe(false);
    expect(w.accept(2, T + 1, NOW)).toBe(false);
    expect(w.accept(1, T + 1, NOW)).toBe(true);
  });

  it('validates --replay-window like OpenVPN 2.6.14', () => {
    expect(replayWindowOptionError(64, 15)).toBeNull();
    expect(replayWindowOptionError(70000)).toBe('replay-window window size parameter (70000) must be between 0 and 65536');
    expect(replayWindowOptionError(-1)).toBe('replay-window window size parameter (-1) must be between 0 and 65536');
    expect(replayWindowOptionError(64, 700)).toBe('replay-window time window parameter (700) must be between 0 and 600');
    expect(() => new ReplayWindow(70000)).toThrow(RangeError);
  });
});

describe('ReplayWindow expiry (--replay-window n t)', () => {
  it('replays the 2.6.14 experiment: an unseen id is refused 17 s after a newer one was accepted', () => {
    const w = new ReplayWindow(64, 15);
    const t0 = 1000;
    expect(w.accept(10, T, t0)).toBe(true);
    expect(w.accept(8, T, t0)).toBe(true);
    expect(w.accept(8, T, t0)).toBe(false);
    expect(w.accept(9, T, t0 + 17)).toBe(false); // expired, never seen
    expect(w.accept(11, T, t0 + 17)).toBe(true);
    expect(w.accept(7, T, t0 + 17)).toBe(false);
    expect(w.accept(12, T, t0 + 17)).toBe(true);
    expect(w.accept(11, T, t0 + 17)).toBe(false);
  });

  it('keeps unseen ids acceptable for t seconds', () => {
    const w = new ReplayWindow(64, 15);
    w.accept(10, T, 1000);
    expect(w.accept(9, T, 1015)).toBe(true); // 1000 + 15 < 1015 is false
    const v = new ReplayWindow(64, 15);
    v.accept(10, T, 1000);
    expect(v.accept(9, T, 1016)).toBe(false);
  });

  it('expires only on a scan, at most every 5 s', () => {
    const w = new ReplayWindow(64, 15);
    w.accept(10, T, 1000); // scan at 1000
    expect(w.check(20, T, 1012)).toBe(true); // scan at 1012: nothing stale yet
    expect(w.check(9, T, 1016)).toBe(true); // stale, but the next scan is not due before 1017
    expect(w.check(9, T, 1017)).toBe(false);
  });

  it('expires from the first stale id down, keeping fresher ones above it', () => {
    const w = new ReplayWindow(64, 15);
    w.accept(10, T, 1000);
    w.accept(20, T, 1010);
    // At 1016 id 10 is stale: it and everything below expire; 11..19 are still open.
    expect(w.check(15, T, 1016)).toBe(true);
    expect(w.check(10, T, 1016)).toBe(false);
    expect(w.check(5, T, 1016)).toBe(false);
    expect(w.accept(19, T, 1016)).toBe(true);
  });

  it('drops fractions of a second, as OpenVPN’s whole-second clock does', () => {
    const w = new ReplayWindow(64, 15);
    w.accept(10, T, 1000.9);
    expect(w.accept(9, T, 1015.99)).toBe(true);
  });

  it('never expires with t = 0', () => {
    const w = new ReplayWindow(64, 0);
    w.accept(10, T, 1000);
    expect(w.accept(9, T, 1_000_000)).toBe(true);
  });
});

/** The rules written out directly over a set of seen ids, without a ring buffer. */
class Model {
  private time = 0;
  private high = 0;
  private base = 0;
  private started = false;
  private seen = new Set<number>();
  constructor(private readonly w: number) {}

  check(id: number, time: number): boolean {
    if (id === 0) return false;
    if (this.w === 0) {
      if (time === this.time) return this.high === 0 || id === this.high + 1;
      return time > this.time && id === 1;
    }
    if (time !== this.time) return time > this.time;
    if (id > this.high) return true;
    return id > this.base && this.high - id < this.w && !this.seen.has(id);
  }

  commit(id: number, time: number): void {
    if (this.w === 0) {
      this.time = time;
      this.high = id;
    } else if (!this.started || time > this.time || id - this.w > this.high) {
      this.started = true;
      this.time = time;
      this.high = id;
      this.base = Math.max(0, id - this.w);
      this.seen = new Set([id]);
    } else {
      this.high = Math.max(this.high, id);
      this.seen.add(id);
    }
  }
}

describe('ReplayWindow against a reference model', () => {
  it('agrees on every decision (no expiry: the clock stands still)', () => {
    const op = fc.record({
      delta: fc.integer({ min: -80, max: 80 }),
      absolute: fc.option(fc.integer({ min: 0, max: 300 }), { freq: 5 }),
      timeStep: fc.constantFrom(0, 0, 0, 0, 0, 0, -1, 1),
      laterChecksPass: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2, 5, 8, 64), fc.array(op, { maxLength: 120 }), (window, ops) => {
        const real = new ReplayWindow(window, 15);
        const model = new Model(window);
        let cursor = 1;
        let time = T;
        for (const o of ops) {
          const id = o.absolute ?? Math.max(0, cursor + o.delta);
          const t = time + o.timeStep;
          const expected = model.check(id, t);
          expect(real.check(id, t, NOW)).toBe(expected);
          if (expected && o.laterChecksPass) {
            real.commit(id, t, NOW);
            model.commit(id, t);
            cursor = Math.max(cursor, id);
            time = Math.max(time, t);
          }
        }
      }),
      { numRuns },
    );
  });
});
