// awk's values: numbers, strings, and numeric strings (input that looks like a number, which
// compares as a number), with POSIX's conversions: integers print as integers, other numbers
// through CONVFMT/OFMT; and awk's printf.

import { formatFloat, formatInt, pad, type Spec } from '../../lib/printf.js';
import { posixToJs } from '../../lib/regex.js';

/** A string from input (a field, getline, ARGV, -v) that looks numeric: both a string and a number. */
export class StrNum {
  constructor(
    readonly s: string,
    readonly n: number,
  ) {}
}

export type Val = number | string | StrNum;

/** An uninitialized variable: "" and 0 at once. */
export const UNINIT = new StrNum('', 0);

const NUMERIC = /^[ \t\n\r\f\v]*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?[ \t\n\r\f\v]*$/;
const PREFIX = /^[ \t\n\r\f\v]*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;

/** A string from input: a numeric string when it looks like a number. */
export function fromInput(s: string): Val {
  return NUMERIC.test(s) ? new StrNum(s, Number(s.trim())) : s;
}

export function toNum(v: Val): number {
  if (typeof v === 'number') return v;
  if (v instanceof StrNum) return v.n;
  const m = PREFIX.exec(v);
  return m ? Number(m[0].trim()) : 0;
}

export function isNumeric(v: Val): boolean {
  return typeof v === 'number' || v instanceof StrNum;
}

export function toBool(v: Val): boolean {
  if (typeof v === 'number') return v !== 0;
  if (v instanceof StrNum) return v.n !== 0;
  return v !== '';
}

/** A number as a string: an integer as one, anything else through the format (CONVFMT or OFMT). */
export function numStr(n: number, fmt: string): string {
  if (Number.isInteger(n)) return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return sprintf(fmt, [n]);
}

export function toStr(v: Val, fmt: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof StrNum) return v.s;
  return numStr(v, fmt);
}

export function compare(a: Val, b: Val, convfmt: string): number {
  if (isNumeric(a) && isNumeric(b)) {
    const x = toNum(a);
    const y = toNum(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = toStr(a, convfmt);
  const y = toStr(b, convfmt);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** awk's printf/sprintf: %c %d %i %o %x %X %u %e %E %f %F %g %G %s %%, with flags, width, precision and *. */
export function sprintf(fmt: string, args: Val[], convfmt = '%.6g'): string {
  let out = '';
  let ai = 0;
  const next = (): Val => (ai < args.length ? args[ai++]! : UNINIT);
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const m = /^%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([cdiouxXeEfFgGs%])/.exec(fmt.slice(i));
    if (!m) {
      out += c;
      continue;
    }
    i += m[0].length - 1;
    if (m[4] === '%') {
      out += '%';
      continue;
    }
    let flags = m[1]!;
    let width = m[2] === '*' ? Math.trunc(toNum(next())) : m[2] !== undefined ? Number(m[2]) : undefined;
    if (width !== undefined && width < 0) {
      flags += '-';
      width = -width;
    }
    const precision = m[3] === '*' ? Math.max(0, Math.trunc(toNum(next()))) : m[3] !== undefined ? Number(m[3] || '0') : undefined;
    const spec: Spec = { flags, width, precision, conv: m[4]! };
    const arg = next();
    switch (spec.conv) {
      case 'c': {
        const s = typeof arg === 'number' ? String.fromCodePoint(Math.trunc(arg) & 0x1fffff) : toStr(arg, convfmt).slice(0, 1);
        out += pad(s, { ...spec, precision: undefined }, false);
        break;
      }
      case 'd':
      case 'i':
      case 'o':
      case 'x':
      case 'X':
      case 'u': {
        const n = toNum(arg);
        if (!Number.isFinite(n)) {
          out += formatFloat(n, { ...spec, conv: 'f' });
          break;
        }
        out += formatInt(BigInt(Math.trunc(n)), spec);
        break;
      }
      case 's': {
        let s = toStr(arg, convfmt);
        if (precision !== undefined) s = s.slice(0, precision);
        out += pad(s, spec, false);
        break;
      }
      default:
        out += formatFloat(toNum(arg), spec);
    }
  }
  return out;
}

/**
 * An awk ERE as a JavaScript RegExp. The source is what the program holds: escapes \n \t \/ \"
 * of a regex literal become their characters; the rest is POSIX ERE.
 */
export function awkRegex(src: string): RegExp {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '/': '/', '"': '"' };
  const pre = src.replace(/\\(.)/gs, (m, c: string) => map[c] ?? m);
  return new RegExp(posixToJs(pre, true));
}

/** The regular expressions of one running program, each compiled once (bounded). */
export class RegexCache {
  private readonly map = new Map<string, RegExp>();

  get(src: string): RegExp {
    let re = this.map.get(src);
    if (!re) {
      re = awkRegex(src);
      if (this.map.size > 500) this.map.clear();
      this.map.set(src, re);
    }
    return re;
  }
}
