// The world's generator (kernel/sched/random.ts): bytes() is one loop over words, and must give what
// the plain definition gives (each nextU32() in turn, least significant byte first), leaving the
// generator where that would, whatever the lengths asked for and the calls between.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '../../../kernel/sched/random.js';

/** The definition: nextU32() per four bytes, low byte first; the last word's unused bytes dropped. */
function plainBytes(r: Random, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    let v = r.nextU32();
    for (let j = 0; j < 4 && i + j < n; j++, v >>>= 8) out[i + j] = v & 0xff;
  }
  return out;
}

type Step = { kind: 'bytes'; n: number } | { kind: 'u32' } | { kind: 'fork' };

describe('Random.bytes', () => {
  it('is the plain definition, for any lengths and any calls between, forks included', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('bytes' as const), n: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom(4096, 4095, 4097)) }),
      fc.constant({ kind: 'u32' as const }),
      fc.constant({ kind: 'fork' as const }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.nat()), fc.array(step, { maxLength: 12 }), (seed, steps: Step[]) => {
        const fast = new Random(seed);
        const plain = new Random(seed);
        for (const s of steps) {
          if (s.kind === 'bytes') {
            const got = fast.bytes(s.n);
            expect(got.length).toBe(s.n);
            expect(got.buffer.byteLength).toBe(s.n);
            expect([...got]).toEqual([...plainBytes(plain, s.n)]);
          } else if (s.kind === 'u32') expect(fast.nextU32()).toBe(plain.nextU32());
          // A fork is seeded from the state as text: the state must be the same numbers, sign and all.
          else expect(fast.fork('x').nextU32()).toBe(plain.fork('x').nextU32());
        }
      }),
    );
  });

  it('gives the bytes it gave before it was one loop (a page, as /dev/urandom reads it)', () => {
    const r = new Random('dev/random');
    const page = r.bytes(4096);
    expect(Buffer.from(page.subarray(0, 16)).toString('hex')).toBe('f85e912240904c0f0352516fc58e5391');
    expect(Buffer.from(page.subarray(4080)).toString('hex')).toBe('1409071a927410e59a6a877d52320d08');
    expect(r.nextU32()).toBe(2461810629);
  });
});
