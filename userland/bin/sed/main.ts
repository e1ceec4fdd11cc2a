// sed: stream editor, as GNU sed: scripts from -e, -f or the first operand (script.ts parses
// them), -n, -E/-r, -s, -i[SUFFIX] (in place: a new file written beside the old one and renamed
// over it, with its mode), the pattern and hold spaces, and the input's missing last newline
// kept. Status 1 for a bad script, 2 when an input could not be read, 4 for an output failure.

import { isSysError } from '../../../kernel/abi/errno.js';
import { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { command, parse } from '../../lib/cli.js';
import { errText, usageError, warn } from '../../lib/errors.js';
import { closeInput, openInput } from '../../lib/fileio.js';
import { guarded, out } from '../../lib/guard.js';
import { readAll, writeAll } from '../../lib/io.js';
import { readChunk, ReadError } from '../../lib/readers.js';
import { type Addr, type Command, parseScript, type Piece, ScriptError } from './script.js';

interface Line {
  text: string;
  /** Whether a newline ended it in the input (only the very last line may lack one). */
  nl: boolean;
  /** The file it came from ("-": standard input), for F. */
  file: string;
}

/** Lines of several files as one stream, with one line of lookahead for `$`. */
class Input {
  private fd = -1;
  private buf = '';
  private eof = true;
  private ahead: Line | null = null;
  private readonly dec = new TextDecoder();
  failed = false;
  private file = '-';

  constructor(
    private readonly sys: Sys,
    private readonly files: string[],
  ) {}

  private async raw(): Promise<Line | null> {
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl >= 0) {
        const text = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        return { text, nl: true, file: this.file };
      }
      if (!this.eof) {
        const chunk = await readChunk(this.sys, this.fd);
        if (chunk.length > 0) {
          this.buf += this.dec.decode(chunk, { stream: true });
          continue;
        }
        this.eof = true;
        await closeInput(this.sys, this.fd);
        if (this.buf !== '') {
          const text = this.buf;
          this.buf = '';
          return { text, nl: false, file: this.file };
        }
      }
      const next = this.files.shift();
      if (next === undefined) return null;
      try {
        this.fd = await openInput(this.sys, next);
        this.eof = false;
        this.file = next;
      } catch (e) {
        await warn(this.sys, 'sed', `can't read ${next}: ${errText(e)}`);
        this.failed = true;
      }
    }
  }

  async next(): Promise<Line | null> {
    const line = this.ahead ?? (await this.raw());
    this.ahead = line === null ? null : await this.raw();
    return line;
  }

  isLast(): boolean {
    return this.ahead === null;
  }
}

// GNU sed finds this only while running, and names the first expression's start.
const NO_PREVIOUS = '-e expression #1, char 0: no previous regular expression';

class Quit {
  constructor(readonly status: number) {}
}

/** The state that lasts across files (hold space, ranges, w files) and one run over an input. */
class Editor {
  hold = '';
  lastRe: RegExp | null = null;
  readonly wfiles = new Map<string, number>();
  private jumps = 0;

  constructor(
    private readonly sys: Sys,
    private readonly cmds: Command[],
    private readonly quiet: boolean,
  ) {}

  /** Runs the script over one input, writing through `emit`; returns a Quit or nothing. */
  async run(input: Input, emit: (s: string) => Promise<void>): Promise<Quit | undefined> {
    let lineNo = 0;
    let missingNewline = false;
    let cur: Line = { text: '', nl: true, file: '-' };
    const write = async (s: string) => {
      if (missingNewline) await emit('\n');
      missingNewline = false;
      await emit(s);
    };
    /** Pattern-space output: its newline only if the input line had one (GNU keeps it missing). */
    const writeLine = async (s: string) => {
      await write(s);
      if (cur.nl) await emit('\n');
      else missingNewline = true;
    };
    let appendQueue: string[] = [];
    const flushAppends = async () => {
      for (const a of appendQueue) await write(a);
      appendQueue = [];
    };
    const matches = (a: Addr, ps: string): boolean => {
      switch (a.kind) {
        case 'line':
          return lineNo === a.n;
        case 'last':
          return input.isLast();
        case 'step':
          return a.step <= 0 ? lineNo === a.first : lineNo >= a.first && (lineNo - a.first) % a.step === 0;
        case 're': {
          const re = a.re ?? this.lastRe;
          if (re === null) throw new ScriptError(NO_PREVIOUS);
          this.lastRe = re;
          re.lastIndex = 0;
          return re.test(ps);
        }
        default:
          return false;
      }
    };
    const selected = (c: Command, ps: string): boolean => {
      if (!c.a1) return true;
      if (!c.a2) return matches(c.a1, ps);
      const a2 = c.a2;
      if (c.active) {
        if (a2.kind === 'line' ? lineNo >= a2.n : a2.kind === 'plus' || a2.kind === 'mult' ? lineNo >= c.endLine : matches(a2, ps)) c.active = false;
        return true;
      }
      const starts = c.a1.kind === 'zero' ? lineNo === 1 : matches(c.a1, ps);
      if (!starts) return false;
      if (c.a1.kind === 'zero' && matches(a2, ps)) return true;
      if (a2.kind === 'line') c.active = a2.n > lineNo;
      else if (a2.kind === 'plus') {
        c.endLine = lineNo + a2.n;
        c.active = a2.n > 0;
      } else if (a2.kind === 'mult') {
        c.endLine = a2.n > 0 ? Math.ceil(lineNo / a2.n) * a2.n : lineNo;
        c.active = c.endLine > lineNo;
      } else if (a2.kind === 'last') c.active = !input.isLast();
      else c.active = true;
      return true;
    };

    let ps = '';
    let readNext = true;
    let tFlag = false;
    for (;;) {
      if (readNext) {
        const line = await input.next();
        if (line === null) break;
        cur = line;
        ps = line.text;
        lineNo++;
        tFlag = false;
      }
      readNext = true;
      let autoprint = !this.quiet;
      let quit: Quit | undefined;
      let pc = 0;
      run: while (pc < this.cmds.length) {
        const c = this.cmds[pc]!;
        const sel = selected(c, ps) !== c.negate;
        if (!sel) {
          pc = c.name === '{' ? c.jump + 1 : pc + 1;
          continue;
        }
        pc++;
        switch (c.name) {
          case '=':
            await write(`${lineNo}\n`);
            break;
          case 'a':
            appendQueue.push(c.text);
            break;
          case 'i':
            await write(c.text);
            break;
          case 'c':
            if (!c.a2 || !c.active || c.negate) await write(c.text);
            autoprint = false;
            break run;
          case 'd':
            autoprint = false;
            break run;
          case 'D': {
            const nl = ps.indexOf('\n');
            autoprint = false;
            if (nl >= 0) {
              ps = ps.slice(nl + 1);
              readNext = false;
            }
            break run;
          }
          case 'g':
            ps = this.hold;
            break;
          case 'G':
            ps += `\n${this.hold}`;
            break;
          case 'h':
            this.hold = ps;
            break;
          case 'H':
            this.hold += `\n${ps}`;
            break;
          case 'x':
            [ps, this.hold] = [this.hold, ps];
            break;
          case 'z':
            ps = '';
            break;
          case 'F':
            await write(`${cur.file}\n`);
            break;
          case 'n':
          case 'N': {
            if (input.isLast()) break run;
            if (c.name === 'n' && !this.quiet) await writeLine(ps);
            await flushAppends();
            const line = (await input.next())!;
            lineNo++;
            cur = line;
            ps = c.name === 'n' ? line.text : `${ps}\n${line.text}`;
            break;
          }
          case 'p':
            await writeLine(ps);
            break;
          case 'P': {
            const nl = ps.indexOf('\n');
            if (nl >= 0) await write(`${ps.slice(0, nl)}\n`);
            else await writeLine(ps);
            break;
          }
          case 'q':
            quit = new Quit(c.status);
            break run;
          case 'Q':
            autoprint = false;
            quit = new Quit(c.status);
            break run;
          case 's': {
            const re = c.re ?? this.lastRe;
            if (re === null) throw new ScriptError(NO_PREVIOUS);
            this.lastRe = re;
            const res = substitute(ps, re, c);
            if (res === null) break;
            ps = res;
            tFlag = true;
            if (c.print) await writeLine(ps);
            if (c.wfile !== undefined) await this.writeFile(c.wfile, `${ps}\n`, write);
            break;
          }
          case 'y':
            ps = [...ps].map((ch) => c.map!.get(ch) ?? ch).join('');
            break;
          case 'b':
            pc = c.jump < 0 ? this.cmds.length : c.jump;
            // A script looping on itself ("b" back) makes no system call: it yields now and
            // then, where a signal can reach it.
            if (++this.jumps % 4096 === 0) await this.sys.sched_yield();
            break;
          case 't':
          case 'T':
            if (tFlag === (c.name === 't')) pc = c.jump < 0 ? this.cmds.length : c.jump;
            tFlag = false;
            if (++this.jumps % 4096 === 0) await this.sys.sched_yield();
            break;
          case 'r':
            appendQueue.push(await this.readFile(c.text));
            break;
          case 'w':
            await this.writeFile(c.text, `${ps}\n`, write);
            break;
          default:
            break;
        }
      }
      if (autoprint) await writeLine(ps);
      await flushAppends();
      if (quit) return quit;
    }
    return undefined;
  }

  /** r FILE: its contents, or nothing when it cannot be read (GNU sed is silent about it). */
  private async readFile(name: string): Promise<string> {
    try {
      const fd = await this.sys.open(name, O_RDONLY);
      try {
        return new TextDecoder().decode(await readAll(this.sys, fd));
      } finally {
        await this.sys.close(fd);
      }
    } catch (e) {
      if (isSysError(e)) return '';
      throw e;
    }
  }

  /** w FILE: files are opened (truncated) once, at the first write; /dev/stdout is the output. */
  private async writeFile(name: string, text: string, stdout: (s: string) => Promise<void>): Promise<void> {
    if (name === '/dev/stdout') return stdout(text);
    let fd = this.wfiles.get(name);
    if (fd === undefined) {
      fd = await this.sys.open(name, O_WRONLY | O_CREAT | O_TRUNC, 0o666);
      this.wfiles.set(name, fd);
    }
    await writeAll(this.sys, fd, text);
  }
}

/** s///: the new pattern space, or null when nothing was replaced. */
function substitute(ps: string, re: RegExp, c: Command): string | null {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  const occurrence = c.occurrence ?? 1;
  let res = '';
  let pos = 0;
  let count = 0;
  let replaced = false;
  let prevEnd = -1;
  for (;;) {
    g.lastIndex = pos;
    const m = g.exec(ps);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    // An empty match right after the previous match is no match (as GNU sed: "baaac" s/a*/x/g is xbxcx).
    if (start === end && start === prevEnd) {
      if (start >= ps.length) break;
      res += ps[start];
      pos = start + 1;
      continue;
    }
    count++;
    if (count >= occurrence) {
      res += ps.slice(pos, start) + c.repl!.map((part) => (typeof part === 'number' ? (m[part] ?? '') : part)).join('');
      replaced = true;
    } else res += ps.slice(pos, end);
    prevEnd = end;
    pos = end;
    if (replaced && !c.global) break;
    if (start === end) {
      if (end >= ps.length) break;
      res += ps[end];
      pos = end + 1;
    }
  }
  return replaced ? res + ps.slice(pos) : null;
}

interface Options {
  quiet?: boolean;
  expression: string[];
  file: string[];
  regexpExtended?: boolean;
  separate?: boolean;
  inPlace?: string;
}

export default defineProgram({
  name: 'sed',
  summary: 'stream editor for filtering and transforming text',
  main: guarded('sed', async (argv, sys) => {
    const cmd = command('sed', 'stream editor for filtering and transforming text (GNU sed); with no -e or -f, the first operand is the script')
      .option('-n, --quiet', 'suppress automatic printing of pattern space (also --silent)')
      .option('-e, --expression <script>', 'add the script to the commands to be executed', (v: string, p: string[]) => [...p, v], [] as string[])
      .option('-f, --file <script-file>', 'add the contents of script-file to the commands to be executed', (v: string, p: string[]) => [...p, v], [] as string[])
      .option('-i, --in-place [suffix]', 'edit files in place (makes backup if SUFFIX supplied; -iSUFFIX, attached)')
      .option('-E, --regexp-extended', 'use extended regular expressions in the script (-r is the same)')
      .option('-s, --separate', 'consider files as separate rather than as a single continuous long stream')
      .helpOption('--help', 'display this help and exit')
      .usage('[options] {script-only-if-no-other-script} [input-file]...')
      .argument('[args...]');
    // GNU's -i takes its suffix attached only, so "-i s/a/b/" is -i then the script; -r and
    // --silent are other names of -E and -n.
    const args = argv.map((a, k) => {
      if (k === 0) return a;
      if (a === '-r') return '-E';
      if (a === '--silent') return '--quiet';
      const m = /^-i(.*)$/.exec(a);
      if (m) return `--in-place=${m[1]}`;
      return a;
    });
    const r = await parse<Options>(sys, cmd, args);
    if ('status' in r) return r.status;
    const o = r.opts;
    const operands = [...r.args];
    const pieces: Piece[] = [];
    o.expression.forEach((text, k) => pieces.push({ text, origin: { kind: 'expr', n: k + 1 } }));
    for (const name of o.file) {
      try {
        const fd = await openInput(sys, name);
        const text = new TextDecoder().decode(await readAll(sys, fd)).replace(/\n$/, '');
        await closeInput(sys, fd);
        pieces.push({ text, origin: { kind: 'file', name } });
      } catch (e) {
        if (!isSysError(e)) throw e;
        await warn(sys, 'sed', `couldn't open file ${name}: ${errText(e)}`);
        return 1;
      }
    }
    if (pieces.length === 0) {
      const script = operands.shift();
      if (script === undefined) return usageError(sys, cmd, 'no script specified');
      pieces.push({ text: script, origin: { kind: 'expr', n: 1 } });
    }
    let cmds: Command[];
    try {
      cmds = parseScript(pieces, !!o.regexpExtended);
    } catch (e) {
      if (!(e instanceof ScriptError)) throw e;
      await warn(sys, 'sed', e.message);
      return 1;
    }
    const editor = new Editor(sys, cmds, !!o.quiet);
    const files = operands.length > 0 ? operands : ['-'];
    let status = 0;
    try {
      if (o.inPlace !== undefined) {
        for (const file of files) {
          const res = await editInPlace(sys, editor, file, o.inPlace);
          if (res === 'failed') status = 2;
          else if (res instanceof Quit) return res.status;
        }
      } else {
        const emit = (s: string) => out(sys, s);
        for (const group of o.separate ? files.map((f) => [f]) : [files]) {
          const input = new Input(sys, group);
          const q = await editor.run(input, emit);
          if (input.failed) status = 2;
          if (q) return q.status || status;
        }
      }
    } catch (e) {
      if (e instanceof ScriptError) {
        await warn(sys, 'sed', e.message);
        return 1;
      }
      if (e instanceof ReadError) {
        await warn(sys, 'sed', `read error: ${errText(e.cause)}`);
        return 2;
      }
      throw e;
    } finally {
      for (const fd of editor.wfiles.values()) await sys.close(fd);
    }
    return status;
  }),
});

/** -i: the edited text goes to a new file beside FILE, which then takes FILE's name. */
async function editInPlace(sys: Sys, editor: Editor, file: string, suffix: string): Promise<Quit | 'failed' | undefined> {
  let st;
  try {
    st = await sys.stat(file);
  } catch (e) {
    await warn(sys, 'sed', `can't read ${file}: ${errText(e)}`);
    return 'failed';
  }
  if ((st.st_mode & 0o170000) !== 0o100000) {
    await warn(sys, 'sed', `couldn't edit ${file}: not a regular file`);
    return 'failed';
  }
  const chunks: string[] = [];
  const input = new Input(sys, [file]);
  const q = await editor.run(input, async (s) => {
    chunks.push(s);
  });
  if (input.failed) return 'failed';
  const slash = file.lastIndexOf('/');
  const temp = `${slash >= 0 ? file.slice(0, slash + 1) : ''}sed${sys.getpid()}`;
  try {
    const fd = await sys.open(temp, O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 0o7777);
    try {
      await writeAll(sys, fd, chunks.join(''));
    } finally {
      await sys.close(fd);
    }
    await sys.chmod(temp, st.st_mode & 0o7777);
    if (suffix !== '') {
      const base = file.slice(slash + 1);
      const backup = suffix.includes('*') ? suffix.replace(/\*/g, base) : `${base}${suffix}`;
      await sys.rename(file, backup.includes('/') ? backup : `${file.slice(0, slash + 1)}${backup}`);
    }
    await sys.rename(temp, file);
  } catch (e) {
    if (!isSysError(e)) throw e;
    await warn(sys, 'sed', `couldn't edit ${file}: ${errText(e)}`);
    return 'failed';
  }
  return q;
}
