// A stack's packet memory (kernel/net/iface/page-frag.ts): fragments of one slab never overlap, start
// 8-byte aligned and zeroed, a full slab gives way to a new one, and a large packet gets a buffer of
// its own.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAG_MAX, FRAG_SLAB_SIZE, PageFrags } from '../../../kernel/net/iface/page-frag.js';

const frags = new PageFrags();

describe('page fragments', () => {
  it('never overlap, start aligned and zeroed, and fill slabs in turn', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: FRAG_MAX }), { minLength: 1, maxLength: 60 }), (lengths) => {
        const carved = lengths.map((n) => {
          const f = frags.alloc(n);
          expect(f.length).toBe(n);
          expect(f.byteOffset % 8).toBe(0);
          expect(f.every((b) => b === 0)).toBe(true);
          expect(f.buffer.byteLength).toBe(FRAG_SLAB_SIZE);
          // Dirty it, as a packet would: the next fragment must still start zeroed.
          f.fill(0xa5);
          return f;
        });
        for (let i = 0; i < carved.length; i++) {
          for (let j = i + 1; j < carved.length; j++) {
            const [a, b] = [carved[i]!, carved[j]!];
            if (a.buffer !== b.buffer) continue;
            expect(a.byteOffset + a.length <= b.byteOffset || b.byteOffset + b.length <= a.byteOffset).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('gives a packet over FRAG_MAX a buffer of its own', () => {
    const f = frags.alloc(FRAG_MAX + 1);
    expect([f.byteOffset, f.buffer.byteLength]).toEqual([0, FRAG_MAX + 1]);
  });

  it('copies from an offset, leaving the source free for reuse', () => {
    const src = Uint8Array.from([9, 9, 1, 2, 3]);
    const copy = frags.copy(src, 2);
    src.fill(0);
    expect([...copy]).toEqual([1, 2, 3]);
    expect([...frags.copy(Uint8Array.from([4, 5]))]).toEqual([4, 5]);
  });
});

describe('a reader\'s own fragments', () => {
  it('share slabs only with what the same reader was given', () => {
    const [a, b] = [{}, {}];
    const a1 = frags.copyToUser(a, Uint8Array.from([1, 2, 3]));
    const a2 = frags.copyToUser(a, Uint8Array.from([4]));
    const b1 = frags.copyToUser(b, Uint8Array.from([5, 6]));
    const kernel = frags.alloc(8);
    expect([[...a1], [...a2], [...b1]]).toEqual([[1, 2, 3], [4], [5, 6]]);
    expect(a2.buffer).toBe(a1.buffer);
    expect(b1.buffer).not.toBe(a1.buffer);
    expect([a1.buffer, b1.buffer]).not.toContain(kernel.buffer);
  });
});
