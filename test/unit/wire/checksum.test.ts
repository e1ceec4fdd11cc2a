import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checksumAccumulate,
  checksumAccumulateRange,
  checksumFinish,
  internetChecksum,
  pseudoHeaderSum,
} from '../../../kernel/abi/wire/checksum.js';
import { hex, pseudoHeader, referenceChecksum } from './hex.js';

describe('internet checksum', () => {
  it('matches the RFC 1071 worked example', () => {
    // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to 2ddf0, folding to ddf2.
    const data = hex('0001f203f4f5f6f7');
    expect(checksumAccumulate(data)).toBe(0x2ddf0);
    expect(checksumFinish(checksumAccumulate(data))).toBe(~0xddf2 & 0xffff);
    expect(internetChecksum(data)).toBe(0x220d);
  });

  it('pads an odd trailing byte with zero', () => {
    expect(internetChecksum(hex('01'))).toBe(internetChecksum(hex('0100')));
    expect(internetChecksum(hex('0102ab'))).toBe(referenceChecksum(hex('0102ab')));
  });

  it('gives 0xffff for nothing and for zeros', () => {
    expect(internetChecksum(new Uint8Array(0))).toBe(0xffff);
    expect(internetChecksum(new Uint8Array(7))).toBe(0xffff);
  });

  it('chains running sums over even pieces', () => {
    const a = hex('4500005400004000');
    const b = hex('40010000c0a80001c0a800c7');
    const whole = new Uint8Array([...a, ...b]);
    expect(checksumFinish(checksumAccumulate(b, checksumAccumulate(a)))).toBe(internetChecksum(whole));
    expect(checksumAccumulateRange(whole, 8, whole.length)).toBe(checksumAccumulate(b));
    expect(checksumAccumulateRange(whole, 0, 1000)).toBe(checksumAccumulate(whole));
  });

  it('folds sums far beyond 32 bits', () => {
    const big = new Uint8Array(1 << 20).fill(0xff);
    const sum = checksumAccumulate(big);
    // The running sum is 0xffff * 2^19 up to multiples of 0xffff, and not 0: the bytes are not.
    expect(sum % 0xffff).toBe(0);
    expect(sum).not.toBe(0);
    expect(internetChecksum(big)).toBe(0);
  });

  it('sums more words than a double could hold unfolded', () => {
    // 36 MiB: over 2^23 32-bit words of nearly 2^32 each, more than 2^53 in each of the four running
    // word sums, so those must be folded on the way or they round.
    const big = new Uint8Array(36 << 20).fill(0xff);
    big[big.length - 1] = 0x0f;
    // All 0xff words sum to a multiple of 0xffff; the last word is 0xff0f, 0xf0 short of 0xffff.
    expect(internetChecksum(big)).toBe(0xf0);
  });

  it('sums the pseudo-header like its bytes', () => {
    const src = 0xc0a80001;
    const dst = 0xfffffffe;
    expect(checksumFinish(pseudoHeaderSum(src, dst, 17, 13))).toBe(referenceChecksum(pseudoHeader(src, dst, 17, 13)));
  });
});

// The fast path sums native 32-bit words over an aligned view: its edges are where it can go wrong.
// Each case is a range of a buffer at any alignment, compared with RFC 1071 done the plain way.
describe('internet checksum against the RFC 1071 definition', () => {
  /** Buffer contents that stress the sum: random, all 0xff (the largest words), zeros, or mostly zeros. */
  const content = (n: number) =>
    fc.oneof(
      fc.uint8Array({ minLength: n, maxLength: n }),
      fc.constant(new Uint8Array(n).fill(0xff)),
      fc.constant(new Uint8Array(n)),
      fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, v]) => {
        const b = new Uint8Array(n);
        if (n > 0) b[at % n] = v;
        return b;
      }),
    );
  /** A view `offset` bytes into its buffer (0-7: every alignment) of `length` bytes, up to 65535. */
  const placed = fc
    .tuple(fc.integer({ min: 0, max: 7 }), fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 65535 })))
    .chain(([offset, length]) => content(offset + length).map((b) => b.subarray(offset)));

  it('agrees over any length at any offset', () => {
    fc.assert(
      fc.property(placed, (data) => {
        expect(internetChecksum(data)).toBe(referenceChecksum(data));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees over any range, after a pseudo-header sum', () => {
    fc.assert(
      fc.property(placed, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 0xffff_ffff }), (data, a, b, src) => {
        const start = data.length === 0 ? 0 : a % (data.length + 1);
        const end = start + (data.length === start ? 0 : b % (data.length - start + 1));
        const pseudo = pseudoHeaderSum(src, 0x0a000001, 17, end - start);
        const got = checksumFinish(checksumAccumulateRange(data, start, end, pseudo));
        expect(got).toBe(referenceChecksum(pseudoHeader(src, 0x0a000001, 17, end - start), data.subarray(start, end)));
      }),
      { numRuns: 300 },
    );
  });
});
