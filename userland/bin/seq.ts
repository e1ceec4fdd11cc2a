// seq: print a sequence of numbers, as GNU seq does: FIRST and INCREMENT set the precision, -w
// pads to equal width, -s separates, -f formats with one printf floating-point conversion.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { quote, usageError } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';
import { formatFloat } from '../lib/printf.js';

interface Operand {
  value: number;
  /** Digits after the decimal point the literal asks for. */
  frac: number;
}

function operand(s: string): Operand | null {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?\s*$/.exec(s);
  if (!m) return null;
  const value = Number(s);
  if (!Number.isFinite(value)) return null;
  const dot = m[1]!.indexOf('.');
  const frac = Math.max(0, (dot < 0 ? 0 : m[1]!.length - dot - 1) - Number(m[2] ?? 0));
  return { value, frac: Math.min(frac, 20) };
}

/** Split a -f format into text, one conversion, text. */
function splitFormat(fmt: string): { pre: string; spec: { flags: string; width?: number; precision?: number; conv: string }; post: string } | string {
  const unescapePct = (s: string) => s.replace(/%%/g, '%');
  const re = /%(?!%)([-+ #0']*)(\d*)(?:\.(\d*))?([a-zA-Z]?)/g;
  let m: RegExpExecArray | null;
  const found: RegExpExecArray[] = [];
  const scan = fmt.replace(/%%/g, '\0\0');
  while ((m = re.exec(scan)) !== null) found.push(m);
  if (found.length === 0) return `format ${quote(fmt)} has no % directive`;
  if (found.length > 1) return `format ${quote(fmt)} has too many % directives`;
  const f = found[0]!;
  if (!'efgEFGaA'.includes(f[4] || '?')) return `format ${quote(fmt)} has unknown %${f[4] ?? ''} directive`;
  return {
    pre: unescapePct(fmt.slice(0, f.index)),
    spec: { flags: f[1]!.replace(/'/g, ''), width: f[2] ? Number(f[2]) : undefined, precision: f[3] !== undefined ? Number(f[3] || '0') : undefined, conv: f[4]! === 'a' ? 'e' : f[4]! === 'A' ? 'E' : f[4]! },
    post: unescapePct(fmt.slice(f.index + f[0].length)),
  };
}

export default defineProgram({
  name: 'seq',
  summary: 'print a sequence of numbers',
  main: guarded('seq', async (argv, sys) => {
    const cmd = command('seq', 'print numbers from FIRST (default 1) to LAST, in steps of INCREMENT (default 1)')
      .option('-f, --format <format>', 'use printf style floating-point FORMAT')
      .option('-s, --separator <string>', 'use STRING to separate numbers (default: \\n)', '\n')
      .option('-w, --equal-width', 'equalize width by padding with leading zeroes')
      .argument('[numbers...]', 'FIRST INCREMENT LAST, FIRST LAST, or LAST')
      .usage('[options] [FIRST [INCREMENT]] LAST');
    const r = await parse<{ format?: string; separator: string; equalWidth?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const { opts, args } = r;
    if (args.length === 0) return usageError(sys, cmd, 'missing operand');
    if (args.length > 3) return usageError(sys, cmd, `extra operand ${quote(args[3]!)}`);
    const ops: Operand[] = [];
    for (const a of args) {
      const o = operand(a);
      if (!o) return usageError(sys, cmd, `invalid floating point argument: ${quote(a)}`);
      ops.push(o);
    }
    const [first, inc, last] = ops.length === 1 ? [{ value: 1, frac: 0 }, { value: 1, frac: 0 }, ops[0]!] : ops.length === 2 ? [ops[0]!, { value: 1, frac: 0 }, ops[1]!] : [ops[0]!, ops[1]!, ops[2]!];
    if (inc.value === 0) return usageError(sys, cmd, `invalid Zero increment value: ${quote(args[1]!)}`);
    if (opts.format !== undefined && opts.equalWidth) return usageError(sys, cmd, 'format string may not be specified when printing equal width strings');

    const prec = Math.max(first.frac, inc.frac);
    let format: (v: number) => string;
    if (opts.format !== undefined) {
      const f = splitFormat(opts.format);
      if (typeof f === 'string') return usageError(sys, cmd, f);
      format = (v) => f.pre + formatFloat(v, f.spec) + f.post;
    } else {
      format = (v) => (Object.is(v, -0) ? 0 : v).toFixed(prec);
      if (opts.equalWidth) {
        const width = Math.max(format(first.value).length, last.value.toFixed(prec).length);
        const plain = format;
        format = (v) => {
          const s = plain(v);
          return s.startsWith('-') ? `-${s.slice(1).padStart(width - 1, '0')}` : s.padStart(width, '0');
        };
      }
    }

    const past = (x: number) => (inc.value > 0 ? x > last.value : x < last.value);
    let buf = '';
    let any = false;
    for (let i = 0; ; i++) {
      const x = first.value + i * inc.value;
      let text: string;
      if (past(x)) {
        // A value just past LAST that prints as LAST is LAST, as GNU seq rules on rounding.
        text = format(x);
        if (i === 0 || text !== format(last.value)) break;
        buf += (any ? opts.separator : '') + text;
        any = true;
        break;
      }
      text = format(x);
      buf += (any ? opts.separator : '') + text;
      any = true;
      if (buf.length >= 8192) {
        await out(sys, buf);
        buf = '';
      }
    }
    if (any) buf += '\n';
    await out(sys, buf);
    return 0;
  }),
});
