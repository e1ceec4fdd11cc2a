// The bulk programs' stream pattern (test/helpers/tcp-programs.ts): checked by slices, so the
// check must still find a single wrong byte and a segment put at the wrong offset.

import { describe, expect, it } from 'vitest';
import { firstBadByte, patternSlice } from '../../helpers/tcp-programs.js';

describe('tcpsink pattern check', () => {
  const at = 1_000_003;
  const good = () => new Uint8Array(patternSlice(at, 200_000));

  it('accepts the pattern at any stream offset', () => {
    expect(firstBadByte(good(), at)).toBe(-1);
  });

  it('finds one flipped byte deep in a read', () => {
    const d = good();
    d[150_000]! ^= 1;
    expect(firstBadByte(d, at)).toBe(at + 150_000);
  });

  it('finds a segment placed one MSS late', () => {
    const d = good();
    d.set(patternSlice(at + 1448, 1448), 2896);
    expect(firstBadByte(d, at)).toBeGreaterThanOrEqual(at + 2896);
    expect(firstBadByte(d, at)).toBeLessThan(at + 2896 + 1448);
  });
});
