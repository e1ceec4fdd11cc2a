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
    expect(checksumAccumulate(big)).toBe(0xffff * (1 << 19));
    expect(internetChecksum(big)).toBe(0);
  });

  it('sums the pseudo-header like its bytes', () => {
    const src = 0xc0a80001;
    const dst = 0xfffffffe;
    expect(checksumFinish(pseudoHeaderSum(src, dst, 17, 13))).toBe(referenceChecksum(pseudoHeader(src, dst, 17, 13)));
  });
});
