// tr: translate, squeeze and delete characters from standard input, as GNU tr: byte sets with
// escapes (\n \t \\ \NNN), ranges a-z, classes [:alpha:], [=c=], repeats [c*n] and [c*] (SET2),
// -c/-C complement, -d delete, -s squeeze, -t truncate SET1. Works on bytes, as GNU tr does.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { errText, quote, usageError, warn } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';
import { readChunk, ReadError } from '../lib/readers.js';

const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

const CLASSES: ReadonlyMap<string, number[]> = new Map<string, number[]>([
  ['alnum', [...range(0x30, 0x39), ...range(0x41, 0x5a), ...range(0x61, 0x7a)]],
  ['alpha', [...range(0x41, 0x5a), ...range(0x61, 0x7a)]],
  ['blank', [0x09, 0x20]],
  ['cntrl', [...range(0, 0x1f), 0x7f]],
  ['digit', range(0x30, 0x39)],
  ['graph', range(0x21, 0x7e)],
  ['lower', range(0x61, 0x7a)],
  ['print', range(0x20, 0x7e)],
  ['punct', [...range(0x21, 0x2f), ...range(0x3a, 0x40), ...range(0x5b, 0x60), ...range(0x7b, 0x7e)]],
  ['space', [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]],
  ['upper', range(0x41, 0x5a)],
  ['xdigit', [...range(0x30, 0x39), ...range(0x41, 0x46), ...range(0x61, 0x66)]],
]);

class SetError extends Error {}

type Elem = { bytes: number[]; cls?: string } | { fill: number };

const ESC: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** The bytes of a SET operand (UTF-8 for what is not an escape), with escapes resolved. */
function unescape(s: string): Array<{ b: number; escaped: boolean }> {
  const bytes = new TextEncoder().encode(s);
  const res: Array<{ b: number; escaped: boolean }> = [];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 0x5c || i === bytes.length - 1) {
      res.push({ b: c, escaped: false });
      continue;
    }
    const n = String.fromCharCode(bytes[i + 1]!);
    if (/[0-7]/.test(n)) {
      let j = i + 1;
      let v = 0;
      while (j < bytes.length && j < i + 4 && /[0-7]/.test(String.fromCharCode(bytes[j]!)) && v * 8 + (bytes[j]! - 0x30) < 256) v = v * 8 + (bytes[j++]! - 0x30);
      res.push({ b: v, escaped: true });
      i = j - 1;
    } else {
      res.push({ b: ESC[n] ?? bytes[i + 1]!, escaped: true });
      i++;
    }
  }
  return res;
}

function parseSet(s: string, isSet2: boolean): Elem[] {
  const u = unescape(s);
  const elems: Elem[] = [];
  const ch = (i: number) => (u[i] && !u[i]!.escaped ? String.fromCharCode(u[i]!.b) : '');
  for (let i = 0; i < u.length; ) {
    if (ch(i) === '[') {
      // [:class:], [=c=], [c*n]
      if (ch(i + 1) === ':' || ch(i + 1) === '=') {
        const kind = ch(i + 1);
        let j = i + 2;
        while (j + 1 < u.length && !(ch(j) === kind && ch(j + 1) === ']')) j++;
        if (j + 1 < u.length) {
          const name = String.fromCharCode(...u.slice(i + 2, j).map((x) => x.b));
          if (kind === ':') {
            const cls = CLASSES.get(name);
            if (!cls) throw new SetError(`invalid character class ${quote(name)}`);
            elems.push({ bytes: cls, cls: name });
          } else {
            if (j - (i + 2) !== 1) throw new SetError(`${quote(name)}: equivalence class operand must be a single character`);
            elems.push({ bytes: [u[i + 2]!.b] });
          }
          i = j + 2;
          continue;
        }
      }
      if (u[i + 1] && ch(i + 2) === '*') {
        let j = i + 3;
        while (j < u.length && /\d/.test(ch(j))) j++;
        if (ch(j) === ']') {
          const digits = String.fromCharCode(...u.slice(i + 3, j).map((x) => x.b));
          const b = u[i + 1]!.b;
          if (digits === '' || /^0+$/.test(digits)) {
            if (!isSet2) throw new SetError('the [c*] repeat construct may not appear in string1');
            elems.push({ fill: b });
          } else {
            const n = digits.startsWith('0') ? parseInt(digits, 8) : Number(digits);
            if (n > 0xffffffff || (digits.startsWith('0') && /[89]/.test(digits))) throw new SetError(`invalid repeat count ${quote(digits)} in [c*n] construct`);
            // Past 64 Ki entries a set maps no byte differently: the rest need not exist.
            elems.push({ bytes: new Array<number>(Math.min(n, 1 << 16)).fill(b) });
          }
          i = j + 1;
          continue;
        }
      }
    }
    if (ch(i + 1) === '-' && i + 2 < u.length) {
      const lo = u[i]!.b;
      const hi = u[i + 2]!.b;
      if (hi < lo) {
        const show = (x: number) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : `\\${x.toString(8).padStart(3, '0')}`);
        throw new SetError(`range-endpoints of ${quote(`${show(lo)}-${show(hi)}`)} are in reverse collating sequence order`);
      }
      elems.push({ bytes: range(lo, hi) });
      i += 3;
      continue;
    }
    elems.push({ bytes: [u[i]!.b] });
    i++;
  }
  return elems;
}

function flat(elems: Elem[]): number[] {
  return elems.flatMap((e) => ('bytes' in e ? e.bytes : []));
}

interface Options {
  complement?: boolean;
  delete?: boolean;
  squeezeRepeats?: boolean;
  truncateSet1?: boolean;
}

export default defineProgram({
  name: 'tr',
  summary: 'translate or delete characters',
  main: guarded('tr', async (argv, sys) => {
    const cmd = command('tr', 'translate, squeeze, and/or delete characters from standard input, writing to standard output')
      .option('-c, --complement', 'use the complement of SET1 (-C is the same)')
      .option('-d, --delete', 'delete characters in SET1, do not translate')
      .option('-s, --squeeze-repeats', 'replace each sequence of a repeated character that is listed in the last specified SET with a single occurrence of that character')
      .option('-t, --truncate-set1', 'first truncate SET1 to length of SET2')
      .helpOption('--help', 'show this help')
      .argument('[set1]')
      .argument('[set2]')
      .allowExcessArguments(true);
    // commander takes "-c, -C" as one flag with an alias only through its short form: -C is
    // rewritten to -c before parsing.
    const args = argv.map((a, i) => (i > 0 && /^-[cdst]*C[cdstC]*$/.test(a) ? a.replace(/C/g, 'c') : a));
    const r = await parse<Options>(sys, cmd, args);
    if ('status' in r) return r.status;
    const o = r.opts;
    const ops = r.args;
    const translating = !o.delete && ops.length >= 1 && !(o.squeezeRepeats && ops.length === 1);
    const needed = o.delete && o.squeezeRepeats ? 2 : o.delete || (o.squeezeRepeats && ops.length < 2) ? 1 : 2;
    if (ops.length === 0) return usageError(sys, cmd, 'missing operand');
    if (ops.length < needed) {
      const why = o.delete ? 'Two strings must be given when both deleting and squeezing repeats.' : 'Two strings must be given when translating.';
      return usageError(sys, cmd, `missing operand after ${quote(ops[ops.length - 1]!)}\n${why}`);
    }
    if (ops.length > needed) {
      const why = o.delete && !o.squeezeRepeats ? 'Only one string may be given when deleting without squeezing repeats.' : '';
      return usageError(sys, cmd, `extra operand ${quote(ops[needed]!)}${why ? `\n${why}` : ''}`);
    }
    let set1: number[];
    let elems2: Elem[] = [];
    try {
      set1 = flat(parseSet(ops[0]!, false));
      if (ops.length > 1) elems2 = parseSet(ops[1]!, true);
    } catch (e) {
      if (!(e instanceof SetError)) throw e;
      await warn(sys, 'tr', e.message);
      return 1;
    }
    const in1 = new Uint8Array(256);
    for (const b of set1) in1[b] = 1;
    if (o.complement) {
      set1 = range(0, 255).filter((b) => !in1[b]);
      in1.fill(0);
      for (const b of set1) in1[b] = 1;
    }
    const map = range(0, 255);
    if (translating) {
      if (elems2.some((e) => 'cls' in e && e.cls !== 'upper' && e.cls !== 'lower')) {
        await warn(sys, 'tr', "when translating, the only character classes that may appear in\nstring2 are 'upper' and 'lower'");
        return 1;
      }
      // [c*] fills SET2 up to SET1's length.
      const fixed = flat(elems2).length;
      const set2 = elems2.flatMap((e) => ('bytes' in e ? e.bytes : new Array<number>(Math.max(0, set1.length - fixed)).fill(e.fill)));
      if (set2.length === 0 && set1.length > 0) {
        await warn(sys, 'tr', 'when not truncating set1, string2 must be non-empty');
        return 1;
      }
      const n = o.truncateSet1 ? Math.min(set1.length, set2.length) : set1.length;
      for (let i = 0; i < n; i++) map[set1[i]!] = set2[Math.min(i, set2.length - 1)]!;
    }
    const squeezeSet = new Uint8Array(256);
    if (o.squeezeRepeats) for (const b of ops.length > 1 ? flat(elems2) : set1) squeezeSet[b] = 1;
    let last = -1;
    for (;;) {
      let chunk: Uint8Array;
      try {
        chunk = await readChunk(sys, 0);
      } catch (e) {
        if (!(e instanceof ReadError)) throw e;
        await warn(sys, 'tr', `read error: ${errText(e.cause)}`);
        return 1;
      }
      if (chunk.length === 0) break;
      const res = new Uint8Array(chunk.length);
      let n = 0;
      for (const b of chunk) {
        if (o.delete && in1[b]) continue;
        const t = map[b]!;
        if (o.squeezeRepeats && squeezeSet[t] && t === last) continue;
        res[n++] = t;
        last = t;
      }
      await out(sys, res.subarray(0, n));
    }
    return 0;
  }),
});
