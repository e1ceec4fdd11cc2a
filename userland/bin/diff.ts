// diff: compare files line by line, as GNU diff: the normal format ("2c2", "< ", "---", "> "), or
// unified with -u/-U N (headers with the files' times, "@@ -l,s +l,s @@" hunks); "\ No newline at
// end of file"; -q; a directory operand compares the file of the same name in it, two directories
// are compared one level deep. Status 0 when the same, 1 when different, 2 on trouble. The edit
// script is Myers' shortest one.

import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { S_ISDIR, S_ISREG, type Stat } from '../../kernel/abi/stat.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { command, intArg, parse } from '../lib/cli.js';
import { errText, quote, usageError, warn } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';
import { ReadError, readWhole } from '../lib/readers.js';
import { strftime } from '../lib/strftime.js';
import { joinPath, lastComponent } from '../lib/tree.js';

interface Text {
  lines: string[];
  /** Whether the last line ended in a newline. */
  final: boolean;
}

function split(s: string): Text {
  if (s === '') return { lines: [], final: true };
  const final = s.endsWith('\n');
  return { lines: (final ? s.slice(0, -1) : s).split('\n'), final };
}

type Op = '=' | '-' | '+';

/** Myers' O(ND) shortest edit script: '=' keeps a line of both, '-' takes one from a, '+' adds one of b. */
function editScript(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  const off = max + 1;
  let done = false;
  for (let d = 0; d <= max && !done; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
  }
  // Walk back through the saved frontiers.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[off + k - 1]! < vd[off + k + 1]!) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : vd[off + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push('=');
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) {
        ops.push('+');
        y--;
      } else {
        ops.push('-');
        x--;
      }
    }
  }
  return ops.reverse();
}

/** A change: a[a0..a1) replaced by b[b0..b1). */
interface Change {
  a0: number;
  a1: number;
  b0: number;
  b1: number;
}

function changes(ops: Op[]): Change[] {
  const res: Change[] = [];
  let i = 0;
  let j = 0;
  for (let k = 0; k < ops.length; ) {
    if (ops[k] === '=') {
      i++;
      j++;
      k++;
      continue;
    }
    const c: Change = { a0: i, a1: i, b0: j, b1: j };
    while (k < ops.length && ops[k] !== '=') {
      if (ops[k] === '-') c.a1 = ++i;
      else c.b1 = ++j;
      k++;
    }
    res.push(c);
  }
  return res;
}

const NO_NL = '\\ No newline at end of file\n';

/** A line as a diff prints it, with the marker for a missing last newline. */
function line(prefix: string, t: Text, k: number): string {
  return `${prefix}${t.lines[k]}\n${k === t.lines.length - 1 && !t.final ? NO_NL : ''}`;
}

function normal(a: Text, b: Text, cs: Change[]): string {
  const range = (lo: number, hi: number) => (hi - lo <= 1 ? `${hi - lo === 1 ? lo + 1 : lo}` : `${lo + 1},${hi}`);
  let s = '';
  for (const c of cs) {
    const kind = c.a0 === c.a1 ? 'a' : c.b0 === c.b1 ? 'd' : 'c';
    s += `${kind === 'a' ? c.a0 : range(c.a0, c.a1)}${kind}${kind === 'd' ? c.b0 : range(c.b0, c.b1)}\n`;
    for (let k = c.a0; k < c.a1; k++) s += line('< ', a, k);
    if (kind === 'c') s += '---\n';
    for (let k = c.b0; k < c.b1; k++) s += line('> ', b, k);
  }
  return s;
}

function unified(a: Text, b: Text, cs: Change[], context: number): string {
  const range = (start: number, len: number) => (len === 1 ? `${start + 1}` : `${len === 0 ? start : start + 1},${len}`);
  let s = '';
  for (let h = 0; h < cs.length; ) {
    // Changes whose gap is at most twice the context share a hunk.
    let e = h;
    while (e + 1 < cs.length && cs[e + 1]!.a0 - cs[e]!.a1 <= 2 * context) e++;
    const first = cs[h]!;
    const last = cs[e]!;
    const a0 = Math.max(0, first.a0 - context);
    const b0 = first.b0 - (first.a0 - a0);
    const a1 = Math.min(a.lines.length, last.a1 + context);
    const b1 = last.b1 + (a1 - last.a1);
    s += `@@ -${range(a0, a1 - a0)} +${range(b0, b1 - b0)} @@\n`;
    let i = a0;
    for (let k = h; k <= e; k++) {
      const c = cs[k]!;
      for (; i < c.a0; i++) s += line(' ', a, i);
      for (let x = c.a0; x < c.a1; x++) s += line('-', a, x);
      for (let y = c.b0; y < c.b1; y++) s += line('+', b, y);
      i = c.a1;
    }
    for (; i < a1; i++) s += line(' ', a, i);
    h = e + 1;
  }
  return s;
}

interface Options {
  unified?: number;
  brief?: boolean;
  reportIdenticalFiles?: boolean;
}

class Trouble {}

async function readFile(sys: Sys, path: string): Promise<{ text: Text; st: Stat | null }> {
  let fd: number;
  try {
    fd = await openInput(sys, path);
  } catch (e) {
    await warn(sys, 'diff', `${path}: ${errText(e)}`);
    throw new Trouble();
  }
  try {
    const st = path === '-' ? null : await sys.fstat(fd);
    return { text: split(new TextDecoder().decode(await readWhole(sys, fd))), st };
  } catch (e) {
    if (!isSysError(e) && !(e instanceof ReadError)) throw e;
    await warn(sys, 'diff', `${path}: ${errText(e instanceof ReadError ? e.cause : e)}`);
    throw new Trouble();
  } finally {
    await closeInput(sys, fd);
  }
}

const stamp = (st: Stat | null) => strftime('%Y-%m-%d %H:%M:%S.%N %z', st?.st_mtime_ns ?? 0);

/** One pair of files: prints their differences; 0 same, 1 different. */
async function diffFiles(sys: Sys, p1: string, p2: string, o: Options, context: number | null, header: string | null): Promise<number> {
  const f1 = await readFile(sys, p1);
  const f2 = await readFile(sys, p2);
  const cs = changes(editScript(f1.text.lines, f2.text.lines));
  // A last line that differs only in its newline is a change too.
  if (cs.length === 0 && f1.text.final !== f2.text.final && f1.text.lines.length > 0) {
    const n = f1.text.lines.length;
    cs.push({ a0: n - 1, a1: n, b0: n - 1, b1: n });
  }
  if (cs.length === 0) {
    if (o.reportIdenticalFiles) await out(sys, `Files ${p1} and ${p2} are identical\n`);
    return 0;
  }
  if (o.brief) {
    await out(sys, `Files ${p1} and ${p2} differ\n`);
    return 1;
  }
  if (header !== null) await out(sys, `${header}\n`);
  if (context === null) await out(sys, normal(f1.text, f2.text, cs));
  else await out(sys, `--- ${p1}\t${stamp(f1.st)}\n+++ ${p2}\t${stamp(f2.st)}\n${unified(f1.text, f2.text, cs, context)}`);
  return 1;
}

/** An operand's stat (null for standard input), or 'trouble' once reported. */
async function statOr(sys: Sys, path: string): Promise<Stat | null | 'trouble'> {
  if (path === '-') return null;
  try {
    return await sys.stat(path);
  } catch (e) {
    await warn(sys, 'diff', `${path}: ${errText(e)}`);
    return 'trouble';
  }
}

/** Two directories, one level: files only in one, common subdirectories, and the differing files. */
async function diffDirs(sys: Sys, d1: string, d2: string, o: Options, context: number | null, flags: string): Promise<number> {
  const names = async (d: string) => new Set((await sys.readdir(d)).map((e) => e.d_name).filter((n) => n !== '.' && n !== '..'));
  const n1 = await names(d1);
  const n2 = await names(d2);
  let status = 0;
  for (const name of [...new Set([...n1, ...n2])].sort()) {
    const p1 = joinPath(d1, name);
    const p2 = joinPath(d2, name);
    if (!n2.has(name) || !n1.has(name)) {
      await out(sys, `Only in ${n1.has(name) ? d1 : d2}: ${name}\n`);
      status = 1;
      continue;
    }
    const s1 = await sys.stat(p1);
    const s2 = await sys.stat(p2);
    if (S_ISDIR(s1.st_mode) && S_ISDIR(s2.st_mode)) await out(sys, `Common subdirectories: ${p1} and ${p2}\n`);
    else if (S_ISREG(s1.st_mode) && S_ISREG(s2.st_mode)) status = Math.max(status, await diffFiles(sys, p1, p2, o, context, `diff${flags} ${p1} ${p2}`));
    else {
      await out(sys, `File ${p1} is a ${S_ISDIR(s1.st_mode) ? 'directory' : 'regular file'} while file ${p2} is a ${S_ISDIR(s2.st_mode) ? 'directory' : 'regular file'}\n`);
      status = 1;
    }
  }
  return status;
}

export default defineProgram({
  name: 'diff',
  summary: 'compare files line by line',
  main: guarded('diff', async (argv, sys) => {
    const cmd = command('diff', 'compare FILES line by line (GNU diff); the normal format unless -u')
      .option('-u', 'output 3 lines of unified context')
      .option('-U, --unified <num>', 'output NUM lines of unified context', intArg('context length', 0, Number.MAX_SAFE_INTEGER))
      .option('-q, --brief', 'report only when files differ')
      .option('-s, --report-identical-files', 'report when two files are the same')
      .helpOption('--help', 'display this help and exit')
      .argument('[file1]')
      .argument('[file2]');
    const r = await parse<Options & { u?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const [p1, p2] = r.args;
    if (p1 === undefined) return usageError(sys, cmd, `missing operand after 'diff'`);
    if (p2 === undefined) return usageError(sys, cmd, `missing operand after ${quote(p1)}`);
    const context = o.unified ?? (o.u ? 3 : null);
    const flags = context === null ? '' : o.u ? ' -u' : ` -U ${context}`;
    try {
      // Both operands are checked (and reported) before giving up, as GNU diff does.
      const s1 = await statOr(sys, p1);
      const s2 = await statOr(sys, p2);
      if (s1 === 'trouble' || s2 === 'trouble') return 2;
      const dir1 = s1 !== null && S_ISDIR(s1.st_mode);
      const dir2 = s2 !== null && S_ISDIR(s2.st_mode);
      if (dir1 && dir2) return await diffDirs(sys, p1, p2, o, context, flags);
      // A directory against a file: the file of the same name in the directory.
      const a = dir1 ? joinPath(p1, lastComponent(p2)) : p1;
      const b = dir2 ? joinPath(p2, lastComponent(p1)) : p2;
      return await diffFiles(sys, a, b, o, context, null);
    } catch (e) {
      if (e instanceof Trouble) return 2;
      throw e;
    }
  }),
});
