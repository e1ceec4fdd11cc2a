// sort: sort lines of text files, as GNU sort in the C.UTF-8 locale (code point order): keys
// with -k POS1[,POS2] and their own ordering flags, -t, -n -g -h -M, -f -d -i -b, -r, -u, -s,
// -c/-C, -o. Every failure is status 2, a disorder found by -c status 1.

import { defineProgram } from '../../kernel/abi/program.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { O_CREAT, O_TRUNC, O_WRONLY } from '../../kernel/abi/fcntl.js';
import { command, parse } from '../lib/cli.js';
import { errText, quote, quotef, usageError, warn } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';
import { writeAll } from '../lib/io.js';
import { ReadError, readLines } from '../lib/readers.js';

/** The ordering flags a key (or the whole line) is compared with. */
interface Order {
  blanksStart: boolean;
  blanksEnd: boolean;
  dictionary: boolean;
  fold: boolean;
  general: boolean;
  human: boolean;
  ignoreNonprinting: boolean;
  month: boolean;
  numeric: boolean;
  reverse: boolean;
}

interface Key extends Order {
  /** 0-based field and character of the start. */
  sword: number;
  schar: number;
  /** Fields to skip to reach the end, and the character in it (0: the whole field); null: end of line. */
  eword: number | null;
  echar: number;
}

const ORDER_FLAGS = 'bdfghiMnr';

function noOrder(): Order {
  return { blanksStart: false, blanksEnd: false, dictionary: false, fold: false, general: false, human: false, ignoreNonprinting: false, month: false, numeric: false, reverse: false };
}

function setFlag(o: Order, c: string, end: boolean): void {
  if (c === 'b') {
    if (end) o.blanksEnd = true;
    else o.blanksStart = true;
  } else if (c === 'd') o.dictionary = true;
  else if (c === 'f') o.fold = true;
  else if (c === 'g') o.general = true;
  else if (c === 'h') o.human = true;
  else if (c === 'i') o.ignoreNonprinting = true;
  else if (c === 'M') o.month = true;
  else if (c === 'n') o.numeric = true;
  else if (c === 'r') o.reverse = true;
}

const hasOrdering = (o: Order) =>
  o.blanksStart || o.blanksEnd || o.dictionary || o.fold || o.general || o.human || o.ignoreNonprinting || o.month || o.numeric || o.reverse;

/** A -k argument, or GNU sort's message for a bad one. */
function parseKey(spec: string): Key | string {
  const bad = (why: string) => `${why}: invalid field specification ${quote(spec)}`;
  const key: Key = { ...noOrder(), sword: 0, schar: 0, eword: null, echar: 0 };
  const m = /^(\d*)/.exec(spec)!;
  if (m[1] === '') return `invalid number at field start: invalid count at start of ${quote(spec)}`;
  const sf = Number(m[1]);
  if (sf === 0) return bad('field number is zero');
  key.sword = sf - 1;
  let i = m[1]!.length;
  if (spec[i] === '.') {
    const c = /^\d*/.exec(spec.slice(i + 1))![0];
    if (c === '') return `invalid number after '.': invalid count at start of ${quote(spec.slice(i + 1))}`;
    if (Number(c) === 0) return bad('character offset is zero');
    key.schar = Number(c) - 1;
    i += 1 + c.length;
  }
  while (i < spec.length && ORDER_FLAGS.includes(spec[i]!)) setFlag(key, spec[i++]!, false);
  if (spec[i] === ',') {
    const e = /^\d*/.exec(spec.slice(i + 1))![0];
    if (e === '') return `invalid number after ',': invalid count at start of ${quote(spec.slice(i + 1))}`;
    if (Number(e) === 0) return bad('field number is zero');
    key.eword = Number(e);
    i += 1 + e.length;
    if (spec[i] === '.') {
      const c = /^\d*/.exec(spec.slice(i + 1))![0];
      if (c === '') return `invalid number after '.': invalid count at start of ${quote(spec.slice(i + 1))}`;
      key.echar = Number(c);
      i += 1 + c.length;
    }
    // A whole end field is counted by skipping it; a character in it by skipping the ones before.
    if (key.echar !== 0) key.eword--;
    while (i < spec.length && ORDER_FLAGS.includes(spec[i]!)) setFlag(key, spec[i++]!, true);
  }
  if (i < spec.length) return bad('stray character in field spec');
  return key;
}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/** The key's part of a line, found as GNU sort's begfield/limfield find it. */
function keyText(line: string, key: Key, tab: string | null): string {
  const lim = line.length;
  const skipFields = (from: number, n: number, stepOver: (left: number) => boolean): number => {
    let p = from;
    while (p < lim && n-- > 0) {
      if (tab !== null) {
        while (p < lim && line[p] !== tab) p++;
        if (p < lim && stepOver(n)) p++;
      } else {
        while (p < lim && isBlank(line[p])) p++;
        while (p < lim && !isBlank(line[p])) p++;
      }
    }
    return p;
  };
  let beg = skipFields(0, key.sword, () => true);
  if (key.blanksStart) while (beg < lim && isBlank(line[beg])) beg++;
  beg = Math.min(lim, beg + key.schar);
  let end = lim;
  if (key.eword !== null) {
    end = skipFields(0, key.eword, (left) => left > 0 || key.echar !== 0);
    if (key.echar !== 0) {
      if (key.blanksEnd) while (end < lim && isBlank(line[end])) end++;
      end = Math.min(lim, end + key.echar);
    }
  }
  return end > beg ? line.slice(beg, end) : '';
}

/** Compare two decimal numbers as written ("-0012.50"), exactly, as GNU's numcompare does. */
function numParts(s: string): { neg: boolean; int: string; frac: string; rest: string } {
  const m = /^[ \t]*(-?)(\d*)(?:\.(\d*))?/.exec(s)!;
  const int = m[2]!.replace(/^0+/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const zero = int === '' && frac === '';
  return { neg: m[1] === '-' && !zero, int, frac, rest: s.slice(m[0].length) };
}

function cmpMagnitude(a: { int: string; frac: string }, b: { int: string; frac: string }): number {
  if (a.int.length !== b.int.length) return a.int.length - b.int.length;
  if (a.int !== b.int) return a.int < b.int ? -1 : 1;
  return a.frac === b.frac ? 0 : a.frac < b.frac ? -1 : 1;
}

function numCompare(a: string, b: string): number {
  const x = numParts(a);
  const y = numParts(b);
  if (x.neg !== y.neg) return x.neg ? -1 : 1;
  const d = cmpMagnitude(x, y);
  return x.neg ? -d : d;
}

const SUFFIXES = 'KMGTPEZYRQ';

function humanCompare(a: string, b: string): number {
  const x = numParts(a);
  const y = numParts(b);
  const unit = (p: { rest: string }) => {
    const c = p.rest[0] === 'k' ? 'K' : p.rest[0];
    return c === undefined ? 0 : SUFFIXES.indexOf(c) + 1;
  };
  const sign = (p: ReturnType<typeof numParts>) => (p.neg ? -1 : p.int === '' && p.frac === '' ? 0 : 1);
  const sx = sign(x);
  const sy = sign(y);
  if (sx !== sy) return sx - sy;
  const d = unit(x) - unit(y) || cmpMagnitude(x, y);
  return sx < 0 ? -d : d;
}

/** strtod's reading of the start of a key; null when nothing there is a number. */
function generalValue(s: string): number | null {
  const m = /^[ \t]*([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf(?:inity)?|nan))/i.exec(s);
  if (!m) return null;
  const t = m[1]!;
  if (/nan$/i.test(t)) return Number.NaN;
  if (/inf/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

/** As GNU sort -g: what is no number first, then NaN, then the numbers in order. */
function generalCompare(a: string, b: string): number {
  const x = generalValue(a);
  const y = generalValue(b);
  const rank = (v: number | null) => (v === null ? 0 : Number.isNaN(v) ? 1 : 2);
  if (rank(x) !== rank(y) || rank(x) < 2) return rank(x) - rank(y);
  return x! < y! ? -1 : x! > y! ? 1 : 0;
}

const MONTHS: readonly string[] = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

function monthCompare(a: string, b: string): number {
  const m = (s: string) => MONTHS.indexOf(s.trimStart().slice(0, 3).toUpperCase()) + 1;
  return m(a) - m(b);
}

function textCompare(a: string, b: string, o: Order): number {
  if (o.dictionary || o.ignoreNonprinting || o.fold) {
    const prep = (s: string) => {
      let t = s;
      if (o.dictionary) t = t.replace(/[^A-Za-z0-9 \t]/g, '');
      else if (o.ignoreNonprinting) t = t.replace(/[^ -~]/g, '');
      return o.fold ? t.toUpperCase() : t;
    };
    a = prep(a);
    b = prep(b);
  }
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareBy(a: string, b: string, o: Order): number {
  let d: number;
  if (o.numeric) d = numCompare(a, b);
  else if (o.human) d = humanCompare(a, b);
  else if (o.general) d = generalCompare(a, b);
  else if (o.month) d = monthCompare(a, b);
  else d = textCompare(a, b, o);
  return o.reverse ? -d : d;
}

interface Options {
  key: string[];
  fieldSeparator?: string;
  ignoreLeadingBlanks?: boolean;
  dictionaryOrder?: boolean;
  ignoreCase?: boolean;
  generalNumericSort?: boolean;
  humanNumericSort?: boolean;
  ignoreNonprinting?: boolean;
  monthSort?: boolean;
  numericSort?: boolean;
  reverse?: boolean;
  unique?: boolean;
  stable?: boolean;
  check?: boolean;
  checkQuiet?: boolean;
  output?: string;
}

export default defineProgram({
  name: 'sort',
  summary: 'sort lines of text files',
  main: guarded('sort', async (argv, sys) => {
    const cmd = command('sort', 'write the sorted concatenation of all FILEs to standard output (standard input for none or -); lines compare by code point (the C.UTF-8 locale)')
      .option('-b, --ignore-leading-blanks', 'ignore leading blanks')
      .option('-d, --dictionary-order', 'consider only blanks and alphanumeric characters')
      .option('-f, --ignore-case', 'fold lower case to upper case characters')
      .option('-g, --general-numeric-sort', 'compare according to general numerical value')
      .option('-i, --ignore-nonprinting', 'consider only printable characters')
      .option('-M, --month-sort', "compare (unknown) < 'JAN' < ... < 'DEC'")
      .option('-h, --human-numeric-sort', 'compare human readable numbers (e.g., 2K 1G)')
      .option('-n, --numeric-sort', 'compare according to string numerical value')
      .option('-r, --reverse', 'reverse the result of comparisons')
      .option('-c, --check', 'check for sorted input; do not sort')
      .option('-C, --check-quiet', 'like -c, but do not report first bad line')
      .option('-k, --key <keydef>', 'sort via a key; KEYDEF gives location and type', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('-o, --output <file>', 'write result to FILE instead of standard output')
      .option('-s, --stable', 'stabilize sort by disabling last-resort comparison')
      .option('-t, --field-separator <sep>', 'use SEP instead of non-blank to blank transition')
      .option('-u, --unique', 'with -c, check for strict ordering; without -c, output only the first of an equal run')
      .helpOption('--help', 'show this help')
      .argument('[file...]');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const global = noOrder();
    for (const [flag, on] of [
      ['b', o.ignoreLeadingBlanks],
      ['d', o.dictionaryOrder],
      ['f', o.ignoreCase],
      ['g', o.generalNumericSort],
      ['h', o.humanNumericSort],
      ['i', o.ignoreNonprinting],
      ['M', o.monthSort],
      ['n', o.numericSort],
      ['r', o.reverse],
    ] as const) {
      if (on) setFlag(global, flag, false);
    }
    global.blanksEnd = global.blanksStart;
    let tab: string | null = null;
    if (o.fieldSeparator !== undefined) {
      if (o.fieldSeparator === '') return usageError(sys, cmd, 'empty tab');
      if ([...o.fieldSeparator].length > 1 && o.fieldSeparator !== '\\0') return usageError(sys, cmd, `multi-character tab ${quote(o.fieldSeparator)}`);
      tab = o.fieldSeparator === '\\0' ? '\0' : o.fieldSeparator;
    }
    const keys: Key[] = [];
    for (const spec of o.key) {
      const k = parseKey(spec);
      if (typeof k === 'string') return usageError(sys, cmd, k);
      // A key with no ordering flags of its own takes the global ones.
      keys.push(hasOrdering(k) ? k : { ...k, ...global });
    }
    // Global ordering flags without -k make a key of the whole line (GNU sort's default key).
    if (keys.length === 0 && hasOrdering(global)) keys.push({ ...global, sword: 0, schar: 0, eword: null, echar: 0 });
    const check = o.check || o.checkQuiet;
    if (check && r.args.length > 1) return usageError(sys, cmd, `extra operand ${quote(r.args[1]!)} not allowed with -${o.checkQuiet ? 'C' : 'c'}`);
    const compare = (a: string, b: string): number => {
      for (const k of keys) {
        const d = compareBy(keyText(a, k, tab), keyText(b, k, tab), k);
        if (d !== 0) return d;
      }
      if (keys.length > 0 && (o.unique || o.stable)) return 0;
      const d = a === b ? 0 : a < b ? -1 : 1;
      return global.reverse ? -d : d;
    };

    const files = r.args.length > 0 ? r.args : ['-'];
    const lines: string[] = [];
    for (const file of files) {
      let fd: number;
      try {
        fd = await openInput(sys, file);
      } catch (e) {
        await warn(sys, 'sort', `cannot read: ${quotef(file)}: ${errText(e)}`);
        return 2;
      }
      try {
        const got = await readLines(sys, fd);
        if (check) return await checkOrder(sys, file, got.lines, compare, !!o.unique, !o.checkQuiet);
        for (const l of got.lines) lines.push(l);
      } catch (e) {
        if (!(e instanceof ReadError)) throw e;
        await warn(sys, 'sort', `read failed: ${quotef(file)}: ${errText(e.cause)}`);
        return 2;
      } finally {
        await closeInput(sys, fd);
      }
    }
    // Array.prototype.sort is stable, so equal lines keep their input order (what -s and -u rely on).
    lines.sort(compare);
    const kept = o.unique ? lines.filter((l, i) => i === 0 || compare(lines[i - 1]!, l) !== 0) : lines;
    const text = kept.map((l) => `${l}\n`).join('');
    if (o.output === undefined) {
      await out(sys, text);
      return 0;
    }
    let fd: number;
    try {
      fd = await sys.open(o.output, O_WRONLY | O_CREAT | O_TRUNC, 0o666);
    } catch (e) {
      await warn(sys, 'sort', `open failed: ${quotef(o.output)}: ${errText(e)}`);
      return 2;
    }
    try {
      await writeAll(sys, fd, text);
    } catch (e) {
      await warn(sys, 'sort', `write failed: ${quotef(o.output)}: ${errText(e)}`);
      return 2;
    } finally {
      await sys.close(fd);
    }
    return 0;
  }),
});

async function checkOrder(sys: Sys, file: string, lines: string[], compare: (a: string, b: string) => number, strict: boolean, report: boolean): Promise<number> {
  for (let i = 1; i < lines.length; i++) {
    const d = compare(lines[i - 1]!, lines[i]!);
    if (d > 0 || (strict && d === 0)) {
      if (report) await warn(sys, 'sort', `${file}:${i + 1}: disorder: ${lines[i]}`);
      return 1;
    }
  }
  return 0;
}
