// Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4): a is "before" b when the signed 32-bit
// difference is negative, which holds for any two numbers less than 2^31 apart.

export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** b - a as a signed 32-bit number. */
export function seqDiff(b: number, a: number): number {
  return (b - a) | 0;
}

export function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function after(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

export function beforeEq(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function afterEq(a: number, b: number): boolean {
  return ((b - a) | 0) <= 0;
}

/** lo <= x <= hi in sequence space (Linux's between()). */
export function between(x: number, lo: number, hi: number): boolean {
  return (hi - lo) >>> 0 >= (x - lo) >>> 0;
}

export function seqMax(a: number, b: number): number {
  return after(a, b) ? a : b;
}

export function seqMin(a: number, b: number): number {
  return before(a, b) ? a : b;
}
