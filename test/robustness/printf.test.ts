// printf at the edges of its numbers: a precision past JavaScript's 100 digits (%.101f once crashed
// the shell's printf), a width of 2 000 000 (once cut at 1 MiB without a word), and widths and
// precisions past what an int holds or what tunlab prints, each a clear error.

import { describe, expect, it } from 'vitest';
import { JS_LEAK, runBounded, userlandWorld } from './harness.js';

async function printf(...args: string[]): Promise<{ out: string; code: number }> {
  const { w } = userlandWorld();
  const r = await runBounded(w, 'a', ['printf', ...args], { maxOutput: 8 << 20 });
  expect(r.out).not.toMatch(JS_LEAK);
  return { out: r.out, code: r.code };
}

describe('printf precisions past 100 digits', () => {
  it('%.101f prints every digit of the double, as glibc does', async () => {
    expect(await printf('%.101f\n', '1')).toEqual({ out: `1.${'0'.repeat(101)}\n`, code: 0 });
    expect(await printf('%.110f\n', '0.1')).toEqual({ out: `0.1000000000000000055511151231257827021181583404541015625${'0'.repeat(55)}\n`, code: 0 });
    expect(await printf('%.102e|%.105g\n', '2', '0.5')).toEqual({ out: `2.${'0'.repeat(102)}e+00|0.5\n`, code: 0 });
    expect(await printf('%f\n', '1e21')).toEqual({ out: '1000000000000000000000.000000\n', code: 0 });
  });
});

describe('printf widths', () => {
  it('%*d with 2 000 000 pads to exactly that', async () => {
    const r = await printf('%*d', '2000000', '1');
    expect(r.code).toBe(0);
    expect(r.out.length).toBe(2_000_000);
    expect(r.out.endsWith(' 1')).toBe(true);
  });

  it("past an int: coreutils' invalid field width or precision; past 64 MiB: said, not cut", async () => {
    expect(await printf('%*d', '2147483648', '1')).toEqual({ out: "printf: invalid field width: '2147483648'\n", code: 1 });
    expect(await printf('%.*f', '-2147483649', '1')).toEqual({ out: "printf: invalid precision: '-2147483649'\n", code: 1 });
    expect(await printf('x%*d', '100000000', '1')).toEqual({ out: "xprintf: %*d: field width 100000000 is more than tunlab's printf takes (67108864)\n", code: 1 });
  });
});
