// The exact decimal value of a double, for printf's %f, %e and %g at any precision: JavaScript's
// toFixed and toExponential stop at 100 digits (and toFixed at 1e21), glibc does not. A double is
// m * 2^e exactly, so m * 5^-e / 10^-e is its finite decimal expansion; rounding is to nearest,
// ties to even, as glibc rounds in the default mode.

/** The exact value as decimal digits with the decimal point `point` digits from the left. */
function expansion(a: number): { digits: string; point: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp = biased - 1075;
  if (biased === 0) exp = -1074;
  else mant |= 1n << 52n;
  if (mant === 0n) return { digits: '0', point: 1 };
  if (exp >= 0) {
    const digits = (mant << BigInt(exp)).toString();
    return { digits, point: digits.length };
  }
  const k = -exp;
  const digits = (mant * 5n ** BigInt(k)).toString().padStart(k + 1, '0');
  return { digits, point: digits.length - k };
}

/** Keep `keep` digits of `digits` (a string of digits), rounding the rest to even. */
function roundDigits(digits: string, keep: number): string {
  if (keep >= digits.length) return digits.padEnd(keep, '0');
  if (keep < 0) return '';
  const head = digits.slice(0, keep);
  const rest = digits.slice(keep);
  const first = rest.charCodeAt(0) - 48;
  const beyond = /[1-9]/.test(rest.slice(1));
  const last = keep > 0 ? head.charCodeAt(keep - 1) - 48 : 0;
  const up = first > 5 || (first === 5 && (beyond || last % 2 === 1));
  if (!up) return head || '0';
  return (BigInt(head || '0') + 1n).toString().padStart(keep, '0');
}

/** a (finite, not negative) with `p` digits after the point, as %.{p}f. */
export function exactFixed(a: number, p: number): string {
  const { digits, point } = expansion(a);
  // Digits up to p places after the point, rounded; a carry may add one in front.
  const rounded = roundDigits(digits, point + p);
  const intLen = rounded.length - p;
  const int = intLen > 0 ? rounded.slice(0, intLen).replace(/^0+(?=\d)/, '') : '0';
  return p > 0 ? `${int}.${rounded.slice(Math.max(0, intLen)).padStart(p, '0')}` : int;
}

/** a (finite, not negative) as d.ddd (p digits after the point) and its decimal exponent, as %.{p}e. */
export function exactExponential(a: number, p: number): { mantissa: string; exp: number } {
  if (a === 0) return { mantissa: p > 0 ? `0.${'0'.repeat(p)}` : '0', exp: 0 };
  const { digits, point } = expansion(a);
  const lead = digits.search(/[1-9]/);
  let exp = point - lead - 1;
  let sig = roundDigits(digits.slice(lead), p + 1);
  if (sig.length > p + 1) {
    // 9.99... rounded up to 10.0...: one more in the exponent.
    sig = sig.slice(0, p + 1);
    exp++;
  }
  return { mantissa: p > 0 ? `${sig[0]}.${sig.slice(1)}` : sig, exp };
}
