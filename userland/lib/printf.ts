// The printf(1) engine of coreutils: the format is reused while arguments remain, a missing
// argument counts as "" or 0, numbers may be 0x.., 0.. or 'c, and a bad number is reported but
// still printed (as far as it converted). Integers are 64-bit as intmax_t is.

import { strerror } from '../../kernel/abi/errno.js';
import { exactExponential, exactFixed } from './decimal.js';
import { concatBytes, unescape } from './escapes.js';
import { quote } from './errors.js';

export interface PrintfResult {
  bytes: Uint8Array;
  /** Messages for stderr, without the program name. */
  errors: string[];
  /** A fatal format error: output stopped there. */
  fatal: boolean;
}

const INT64_MAX = (1n << 63n) - 1n;
const INT_MAX = (1n << 31n) - 1n;
/** The widest field (and longest precision) printf pads to: 64 MiB of one conversion's output. */
const MAX_FIELD = 1n << 26n;
const INT64_MIN = -(1n << 63n);
const enc = new TextEncoder();

export interface Spec {
  flags: string;
  width?: number;
  precision?: number;
  conv: string;
}

export function pad(s: string, spec: Spec, numeric: boolean): string {
  const w = spec.width ?? 0;
  if (s.length >= w) return s;
  if (spec.flags.includes('-')) return s.padEnd(w);
  if (numeric && spec.flags.includes('0') && /^[+\- ]?(0[xX])?[0-9a-fA-F.]/.test(s)) {
    const m = /^([+\- ]?(?:0[xX])?)(.*)$/.exec(s)!;
    return m[1]! + m[2]!.padStart(w - m[1]!.length, '0');
  }
  return s.padStart(w);
}

function signed(s: string, negative: boolean, flags: string): string {
  if (negative) return `-${s}`;
  if (flags.includes('+')) return `+${s}`;
  if (flags.includes(' ')) return ` ${s}`;
  return s;
}

/** JavaScript's own conversions take at most this many digits (and toFixed numbers below 1e21). */
const JS_DIGITS = 100;

/** %f's digits: toFixed where it reaches, the exact expansion beyond (%.101f, 1e300). */
function fixed(a: number, p: number): string {
  return p <= JS_DIGITS && a < 1e21 ? a.toFixed(p) : exactFixed(a, p);
}

/** %e's mantissa and exponent with at least two exponent digits. */
function expForm(v: number, prec: number, upper: boolean): string {
  let m: string;
  let exp: number;
  if (prec <= JS_DIGITS) {
    const [mant, e] = v.toExponential(prec).split('e') as [string, string];
    m = mant;
    exp = Number(e);
  } else ({ mantissa: m, exp } = exactExponential(v, prec));
  const s = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return upper ? s.toUpperCase() : s;
}

export function formatFloat(v: number, spec: Spec): string {
  const conv = spec.conv;
  const upper = conv === conv.toUpperCase();
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  let body: string;
  if (!Number.isFinite(a)) body = Number.isNaN(a) ? 'nan' : 'inf';
  else if (conv === 'f' || conv === 'F') body = fixed(a, spec.precision ?? 6);
  else if (conv === 'e' || conv === 'E') body = expForm(a, spec.precision ?? 6, upper);
  else {
    const p = spec.precision === undefined ? 6 : spec.precision === 0 ? 1 : spec.precision;
    const x = a === 0 ? 0 : p - 1 <= JS_DIGITS ? Number(a.toExponential(p - 1).split('e')[1]) : exactExponential(a, p - 1).exp;
    body = p > x && x >= -4 ? fixed(a, p - 1 - x) : expForm(a, p - 1, upper);
    if (!spec.flags.includes('#')) body = body.replace(/^(\d+)\.(\d*?)0*(?=$|[eE])/, (_m, int: string, frac: string) => (frac ? `${int}.${frac}` : int));
  }
  if (upper) body = body.toUpperCase();
  return pad(signed(body, neg && !Number.isNaN(v), spec.flags), spec, Number.isFinite(a));
}

export function formatInt(n: bigint, spec: Spec): string {
  const conv = spec.conv;
  let body: string;
  let neg = false;
  if (conv === 'd' || conv === 'i') {
    neg = n < 0n;
    body = (neg ? -n : n).toString();
  } else {
    const u = n < 0n ? n + (1n << 64n) : n;
    body = u.toString(conv === 'o' ? 8 : conv === 'u' ? 10 : 16);
    if (conv === 'X') body = body.toUpperCase();
  }
  if (spec.precision !== undefined) body = spec.precision === 0 && n === 0n ? '' : body.padStart(spec.precision, '0');
  if (spec.flags.includes('#') && n !== 0n) {
    if (conv === 'x') body = `0x${body}`;
    else if (conv === 'X') body = `0X${body}`;
    else if (conv === 'o' && !body.startsWith('0')) body = `0${body}`;
  }
  const s = conv === 'd' || conv === 'i' ? signed(body, neg, spec.flags) : body;
  // A precision turns the 0 flag off, as in C.
  return pad(s, spec.precision !== undefined ? { ...spec, flags: spec.flags.replace(/0/g, '') } : spec, true);
}

/** coreutils' shell quoting for %q: safe words as they are, others in single quotes. */
function shellQuote(s: string): string {
  if (s === '') return "''";
  if (/^[A-Za-z0-9_./+,:@%=-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

class Args {
  i = 0;
  constructor(
    readonly list: string[],
    readonly errors: string[],
  ) {}
  next(): string | undefined {
    return this.i < this.list.length ? this.list[this.i++] : undefined;
  }
  get done(): boolean {
    return this.i >= this.list.length;
  }

  int(): bigint {
    const a = this.next();
    if (a === undefined) return 0n;
    if (/^['"]/.test(a)) return a.length > 1 ? BigInt(a.codePointAt(1)!) : 0n;
    const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(a);
    if (!m) {
      this.errors.push(`${quote(a)}: expected a numeric value`);
      return 0n;
    }
    const digits = m[2]!;
    let v = digits.startsWith('0x') || digits.startsWith('0X') ? BigInt(digits) : digits.startsWith('0') && digits.length > 1 ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
    if (m[1] === '-') v = -v;
    if (v > INT64_MAX || v < INT64_MIN) {
      this.errors.push(`${quote(a)}: ${strerror('ERANGE')}`);
      v = v > 0n ? INT64_MAX : INT64_MIN;
    } else if (m[0].length !== a.length) {
      this.errors.push(`${quote(a)}: value not completely converted`);
    }
    return v;
  }

  float(): number {
    const a = this.next();
    if (a === undefined) return 0;
    if (/^['"]/.test(a)) return a.length > 1 ? a.codePointAt(1)! : 0;
    const t = a.trim();
    const m = /^[+-]?(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf(inity)?|nan)/i.exec(t);
    if (!m) {
      this.errors.push(`${quote(a)}: expected a numeric value`);
      return 0;
    }
    const v = /^[+-]?0[xX]/.test(m[0]) ? Number.parseInt(m[0], 16) : Number(m[0].replace(/inf(inity)?/i, 'Infinity').replace(/nan/i, 'NaN'));
    if (m[0].length !== t.length) this.errors.push(`${quote(a)}: value not completely converted`);
    return v;
  }
}

export function formatPrintf(format: string, argList: string[]): PrintfResult {
  const errors: string[] = [];
  const args = new Args(argList, errors);
  const parts: Uint8Array[] = [];
  const text = (s: string) => parts.push(enc.encode(s));
  for (;;) {
    const before = args.i;
    let i = 0;
    while (i < format.length) {
      const ch = format[i]!;
      if (ch === '\\') {
        // One escape at a time, so that \c can stop everything.
        const m = /^\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.)?/s.exec(format.slice(i))!;
        const r = unescape(m[0], 'printf');
        parts.push(r.bytes);
        if (r.stop) return { bytes: concatBytes(parts), errors, fatal: false };
        i += m[0].length;
        continue;
      }
      if (ch !== '%') {
        const next = format.slice(i).search(/[\\%]/);
        const end = next < 0 ? format.length : i + next;
        text(format.slice(i, end));
        i = end;
        continue;
      }
      const m = /^%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([a-zA-Z%])?/.exec(format.slice(i))!;
      i += m[0].length;
      const conv = m[4];
      if (conv === '%' && !m[1] && !m[2] && m[3] === undefined) {
        text('%');
        continue;
      }
      if (!conv || !'diouxXfFeEgGcsbq'.includes(conv)) {
        errors.push(`${m[0]}: invalid conversion specification`);
        return { bytes: concatBytes(parts), errors, fatal: true };
      }
      const spec: Spec = { flags: m[1]!, conv };
      // coreutils takes an int (else "invalid field width"); past MAX_FIELD tunlab says so rather
      // than print gigabytes of padding (or, as it once did, quietly print less).
      const bound = (what: string, word: string, v: bigint): number | null => {
        if (v > INT_MAX || v < -INT_MAX - 1n) errors.push(`invalid ${what}: ${quote(word)}`);
        else if (v > MAX_FIELD || v < -MAX_FIELD) errors.push(`${m[0]}: ${what} ${v} is more than tunlab's printf takes (${MAX_FIELD})`);
        else return Number(v);
        return null;
      };
      if (m[2]) {
        const word = m[2] === '*' ? (args.list[args.i] ?? '') : m[2];
        const w = bound('field width', word, m[2] === '*' ? args.int() : BigInt(m[2]));
        if (w === null) return { bytes: concatBytes(parts), errors, fatal: true };
        if (w < 0) spec.flags += '-';
        spec.width = Math.abs(w);
      }
      if (m[3] !== undefined) {
        const word = m[3] === '*' ? (args.list[args.i] ?? '') : m[3] || '0';
        const p = bound('precision', word, m[3] === '*' ? args.int() : BigInt(m[3] || '0'));
        if (p === null) return { bytes: concatBytes(parts), errors, fatal: true };
        // A negative precision from * is as if none were given.
        if (p >= 0) spec.precision = p;
      }
      switch (conv) {
        case 's': {
          let s = args.next() ?? '';
          if (spec.precision !== undefined) s = s.slice(0, spec.precision);
          text(pad(s, spec, false));
          break;
        }
        case 'q':
          text(pad(shellQuote(args.next() ?? ''), spec, false));
          break;
        case 'c':
          text(pad([...(args.next() ?? '')][0] ?? '', spec, false));
          break;
        case 'b': {
          const r = unescape(args.next() ?? '', 'echo');
          parts.push(enc.encode(' '.repeat(Math.max(0, (spec.width ?? 0) - r.bytes.length))));
          parts.push(r.bytes);
          if (r.stop) return { bytes: concatBytes(parts), errors, fatal: false };
          break;
        }
        case 'd': case 'i': case 'o': case 'u': case 'x': case 'X':
          text(formatInt(args.int(), spec));
          break;
        default:
          text(formatFloat(args.float(), spec));
      }
    }
    // The format is used again while arguments remain, if it consumed any at all.
    if (args.done || args.i === before) break;
  }
  return { bytes: concatBytes(parts), errors, fatal: false };
}
