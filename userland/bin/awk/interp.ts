// Running an awk program: BEGIN, the main rules over each input record (patterns, ranges),
// END; fields split with FS and rebuilt with OFS; variables, associative arrays (arrays go to
// functions by reference), the built-in functions, getline, and output redirections.

import type { Sys } from '../../../kernel/abi/syscalls.js';
import { errText } from '../../lib/errors.js';
import { out } from '../../lib/guard.js';
import { RecordReader, Streams } from './io.js';
import type { Expr, Func, Program, Stmt } from './parse.js';
import { compare, RegexCache, fromInput, sprintf, toBool, toNum, toStr, UNINIT, type Val } from './values.js';

export class AwkRuntimeError extends Error {
  /** A fault of the environment (a file that cannot be opened), reported without "run time error". */
  plain = false;
}

class Next {}
class NextFile {}
class Break {}
class Continue {}
export class Exit {
  constructor(readonly status: number) {}
}
class Return {
  constructor(readonly v: Val) {}
}

class Cell {
  v: Val = UNINIT;
  arr: Map<string, Val> | null = null;
  /** The caller's uninitialized variable this parameter stands for: it becomes the same array. */
  constructor(readonly parent: Cell | null = null) {}
}

export class Interp {
  private readonly globals = new Map<string, Cell>();
  private frames: Array<Map<string, Cell>> = [];
  private record = '';
  private fields: string[] | null = [];
  private nf = 0;
  private readonly streams: Streams;
  private main: RecordReader | null = null;
  private argIndex = 1;
  private seed = 0;
  private rng = 0;
  exitStatus = 0;
  private readonly regexes = new RegexCache();

  constructor(
    private readonly sys: Sys,
    private readonly prog: Program,
  ) {
    this.streams = new Streams(sys);
    for (const [k, v] of Object.entries({ FS: ' ', OFS: ' ', ORS: '\n', RS: '\n', SUBSEP: '\x1c', CONVFMT: '%.6g', OFMT: '%.6g', FILENAME: '' })) this.cell(k).v = v;
    for (const k of ['NR', 'FNR', 'RSTART', 'RLENGTH']) this.cell(k).v = 0;
  }

  private cell(name: string): Cell {
    const local = this.frames[this.frames.length - 1]?.get(name);
    if (local) return local;
    let c = this.globals.get(name);
    if (!c) {
      c = new Cell();
      this.globals.set(name, c);
    }
    return c;
  }

  setArgs(args: string[], env: Record<string, string>): void {
    const argv = this.array(this.cell('ARGV'));
    args.forEach((a, i) => argv.set(String(i), fromInput(a)));
    this.cell('ARGC').v = args.length;
    const e = this.array(this.cell('ENVIRON'));
    for (const [k, v] of Object.entries(env)) e.set(k, fromInput(v));
  }

  /** -v and operand assignments: the value is processed for escapes and may be numeric. */
  assign(name: string, value: string): void {
    this.setVar(name, fromInput(value));
  }

  private str(v: Val): string {
    return toStr(v, this.sget('CONVFMT'));
  }

  /** A special variable's string value (converted with the default format: CONVFMT itself is one). */
  private sget(name: string): string {
    return toStr(this.cell(name).v, '%.6g');
  }

  private array(c: Cell): Map<string, Val> {
    if (!c.arr) {
      if (c.v !== UNINIT) throw new AwkRuntimeError("can't use scalar as array");
      c.arr = c.parent?.arr ?? new Map();
      if (c.parent && !c.parent.arr && c.parent.v === UNINIT) c.parent.arr = c.arr;
    }
    return c.arr;
  }

  private getVar(name: string): Val {
    if (name === 'NF') {
      this.split();
      return this.nf;
    }
    const c = this.cell(name);
    if (c.arr) throw new AwkRuntimeError(`can't use array ${name} in scalar context`);
    return c.v;
  }

  private setVar(name: string, v: Val): void {
    if (name === 'NF') {
      this.split();
      const n = Math.max(0, Math.trunc(toNum(v)));
      const f = this.fields!;
      while (f.length < n) f.push('');
      f.length = n;
      this.nf = n;
      this.rebuild();
      return;
    }
    const c = this.cell(name);
    if (c.arr) throw new AwkRuntimeError(`can't assign to ${name}; it's an array name.`);
    c.v = v;
  }

  // --- records and fields

  setRecord(s: string): void {
    this.record = s;
    this.fields = null;
  }

  private split(): void {
    if (this.fields) return;
    const fs = this.sget('FS');
    const rec = this.record;
    let f: string[];
    if (rec === '') f = [];
    else if (fs === ' ') f = rec.split(/[ \t\n]+/).filter((x, i, a) => x !== '' || (i > 0 && i < a.length - 1));
    else if (fs === '') f = [...rec];
    else {
      const re = fs.length === 1 && fs !== '\\' ? new RegExp(fs.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')) : this.regexes.get(fs);
      f = rec.split(new RegExp(this.sget('RS') === '' ? `${re.source}|\\n` : re.source, 'g'));
    }
    if (fs === ' ') f = f.filter((x) => x !== '');
    this.fields = f;
    this.nf = f.length;
  }

  private rebuild(): void {
    this.record = this.fields!.join(this.sget('OFS'));
  }

  private getField(i: number): Val {
    if (i < 0) throw new AwkRuntimeError(`trying to access out of range field ${i}`);
    if (i === 0) return fromInput(this.record);
    this.split();
    return i <= this.nf ? fromInput(this.fields![i - 1]!) : UNINIT;
  }

  private setField(i: number, v: Val): void {
    if (i < 0) throw new AwkRuntimeError(`trying to access out of range field ${i}`);
    if (i === 0) {
      this.setRecord(this.str(v));
      return;
    }
    this.split();
    const f = this.fields!;
    while (f.length < i) f.push('');
    f[i - 1] = this.str(v);
    this.nf = f.length;
    this.rebuild();
  }

  // --- running

  async run(): Promise<number> {
    try {
      try {
        for (const r of this.prog.rules) if (r.kind === 'BEGIN') await this.block(r.body!);
        const hasMain = this.prog.rules.some((r) => r.kind !== 'BEGIN');
        if (hasMain) await this.mainLoop();
      } catch (e) {
        if (!(e instanceof Exit)) throw e;
        this.exitStatus = e.status;
      }
      try {
        for (const r of this.prog.rules) if (r.kind === 'END') await this.block(r.body!);
      } catch (e) {
        if (!(e instanceof Exit)) throw e;
        this.exitStatus = e.status;
      }
    } finally {
      await this.streams.closeAll();
    }
    return this.exitStatus;
  }

  /** The next record of the main input (the files of ARGV, operand assignments on the way). */
  private async nextMain(): Promise<string | null> {
    for (;;) {
      if (this.main) {
        const rec = await this.main.next(this.sget('RS'));
        if (rec !== null) return rec;
        if (this.main.fd > 2) await this.sys.close(this.main.fd);
        this.main = null;
        if (this.argIndex < 0) return null;
      }
      const argc = Math.trunc(toNum(this.cell('ARGC').v));
      const argv = this.array(this.cell('ARGV'));
      let file: string | null = null;
      while (this.argIndex > 0 && this.argIndex < argc) {
        const a = this.str(argv.get(String(this.argIndex++)) ?? UNINIT);
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(a);
        if (m) this.assign(m[1]!, m[2]!.replace(/\\(.)/g, (_x, c: string) => ({ n: '\n', t: '\t', '\\': '\\' })[c] ?? `\\${c}`));
        else if (a !== '') {
          file = a;
          break;
        }
      }
      if (file === null) {
        if (this.argIndex < 0 || this.usedFile) return null;
        // No file operands at all: standard input, once.
        file = '-';
        this.argIndex = -1;
      }
      this.usedFile = true;
      let fd = 0;
      if (file !== '-' && file !== '/dev/stdin') {
        try {
          fd = await this.sys.open(file, 0);
        } catch (e) {
          const err = new AwkRuntimeError(`cannot open ${file} (${errText(e)})`);
          err.plain = true;
          throw err;
        }
      }
      this.cell('FILENAME').v = file === '-' ? '' : file;
      this.cell('FNR').v = 0;
      this.main = new RecordReader(this.sys, fd);
    }
  }

  private usedFile = false;

  private async mainLoop(): Promise<void> {
    const rules = this.prog.rules.filter((r) => r.kind === 'main');
    for (;;) {
      const rec = await this.nextMain();
      if (rec === null) return;
      this.setRecord(rec);
      this.cell('NR').v = toNum(this.cell('NR').v) + 1;
      this.cell('FNR').v = toNum(this.cell('FNR').v) + 1;
      try {
        for (const r of rules) {
          let match: boolean;
          if (!r.pattern) match = true;
          else if (!r.pattern2) match = toBool(await this.eval(r.pattern));
          else if (r.inRange) {
            match = true;
            if (toBool(await this.eval(r.pattern2))) r.inRange = false;
          } else {
            match = toBool(await this.eval(r.pattern));
            if (match && !toBool(await this.eval(r.pattern2))) r.inRange = true;
          }
          if (!match) continue;
          if (r.body) await this.block(r.body);
          else await this.output(`${this.record}${this.sget('ORS')}`);
        }
      } catch (e) {
        if (e instanceof NextFile) {
          if (this.main && this.main.fd > 2) await this.sys.close(this.main.fd);
          this.main = null;
          continue;
        }
        if (!(e instanceof Next)) throw e;
      }
    }
  }

  private async output(text: string, redir?: { op: string; e: Expr }): Promise<void> {
    if (!redir) return out(this.sys, text);
    await this.streams.write(redir.op, this.str(await this.eval(redir.e)), text);
  }

  private async block(body: Stmt[]): Promise<void> {
    for (const s of body) await this.stmt(s);
  }

  private async stmt(s: Stmt): Promise<void> {
    switch (s.k) {
      case 'expr':
        await this.eval(s.e);
        return;
      case 'print': {
        let text: string;
        if (s.printf) {
          const vals = [];
          for (const a of s.args) vals.push(await this.eval(a));
          text = sprintf(this.str(vals[0]!), vals.slice(1), this.sget('CONVFMT'));
        } else if (s.args.length === 0) text = this.record + this.sget('ORS');
        else {
          const parts: string[] = [];
          for (const a of s.args) {
            const v = await this.eval(a);
            parts.push(typeof v === 'number' ? toStr(v, this.sget('OFMT')) : this.str(v));
          }
          text = parts.join(this.sget('OFS')) + this.sget('ORS');
        }
        await this.output(text, s.redir);
        return;
      }
      case 'if':
        if (toBool(await this.eval(s.c))) await this.stmt(s.then);
        else if (s.else) await this.stmt(s.else);
        return;
      case 'while':
        while (toBool(await this.eval(s.c))) if (await this.loopBody(s.body)) break;
        return;
      case 'do':
        do if (await this.loopBody(s.body)) break;
        while (toBool(await this.eval(s.c)));
        return;
      case 'for':
        if (s.init) await this.stmt(s.init);
        while (!s.c || toBool(await this.eval(s.c))) {
          if (await this.loopBody(s.body)) break;
          if (s.step) await this.stmt(s.step);
        }
        return;
      case 'forin': {
        const arr = this.array(this.cell(s.arr));
        for (const k of [...arr.keys()]) {
          if (!arr.has(k)) continue;
          this.setVar(s.v, fromInput(k));
          if (await this.loopBody(s.body)) break;
        }
        return;
      }
      case 'block':
        await this.block(s.body);
        return;
      case 'next':
        throw new Next();
      case 'nextfile':
        throw new NextFile();
      case 'break':
        throw new Break();
      case 'continue':
        throw new Continue();
      case 'exit':
        throw new Exit(s.e ? Math.trunc(toNum(await this.eval(s.e))) & 0xff : this.exitStatus);
      case 'return':
        throw new Return(s.e ? await this.eval(s.e) : UNINIT);
      case 'delete': {
        const arr = this.array(this.cell(s.name));
        if (s.subs) arr.delete(await this.subscript(s.subs));
        else arr.clear();
        return;
      }
      default:
        return;
    }
  }

  private spins = 0;

  /** One pass of a loop body; true when it broke out. */
  private async loopBody(body: Stmt): Promise<boolean> {
    // A loop that makes no system call would hold the whole world: it yields now and then, which
    // is also where a signal (^C, kill) reaches it.
    if (++this.spins % 4096 === 0) await this.sys.sched_yield();
    try {
      await this.stmt(body);
    } catch (e) {
      if (e instanceof Break) return true;
      if (!(e instanceof Continue)) throw e;
    }
    return false;
  }

  private async subscript(subs: Expr[]): Promise<string> {
    const parts: string[] = [];
    for (const e of subs) parts.push(this.str(await this.eval(e)));
    return parts.join(this.sget('SUBSEP'));
  }

  private async assignTo(target: Expr, v: Val): Promise<Val> {
    if (target.k === 'var') this.setVar(target.name, v);
    else if (target.k === 'field') this.setField(Math.trunc(toNum(await this.eval(target.e))), v);
    else if (target.k === 'index') this.array(this.cell(target.name)).set(await this.subscript(target.subs), v);
    return v;
  }

  private async regexOf(e: Expr): Promise<RegExp> {
    return e.k === 're' ? this.regexes.get(e.src) : this.regexes.get(this.str(await this.eval(e)));
  }

  async eval(e: Expr): Promise<Val> {
    switch (e.k) {
      case 'num':
        return e.v;
      case 'str':
        return e.v;
      case 're':
        return this.regexes.get(e.src).test(this.record) ? 1 : 0;
      case 'group':
        return this.eval(e.e);
      case 'var':
        return this.getVar(e.name);
      case 'field':
        return this.getField(Math.trunc(toNum(await this.eval(e.e))));
      case 'index': {
        const arr = this.array(this.cell(e.name));
        const k = await this.subscript(e.subs);
        let v = arr.get(k);
        if (v === undefined) {
          v = UNINIT;
          arr.set(k, v);
        }
        return v;
      }
      case 'in':
        return this.array(this.cell(e.name)).has(await this.subscript(e.subs)) ? 1 : 0;
      case 'assign': {
        let v = await this.eval(e.e);
        if (e.op !== '=') v = arith(e.op.slice(0, -1), toNum(await this.eval(e.target)), toNum(v));
        // A copied input value stays a numeric string; everything else is what it was.
        return this.assignTo(e.target, v);
      }
      case 'cond':
        return toBool(await this.eval(e.c)) ? this.eval(e.a) : this.eval(e.b);
      case 'and':
        return toBool(await this.eval(e.a)) && toBool(await this.eval(e.b)) ? 1 : 0;
      case 'or':
        return toBool(await this.eval(e.a)) || toBool(await this.eval(e.b)) ? 1 : 0;
      case 'match': {
        const s = this.str(await this.eval(e.a));
        return (await this.regexOf(e.re)).test(s) !== e.neg ? 1 : 0;
      }
      case 'bin':
        return arith(e.op, toNum(await this.eval(e.a)), toNum(await this.eval(e.b)));
      case 'cmp': {
        const d = compare(await this.eval(e.a), await this.eval(e.b), this.sget('CONVFMT'));
        const r = e.op === '<' ? d < 0 : e.op === '<=' ? d <= 0 : e.op === '>' ? d > 0 : e.op === '>=' ? d >= 0 : e.op === '==' ? d === 0 : d !== 0;
        return r ? 1 : 0;
      }
      case 'concat':
        return this.str(await this.eval(e.a)) + this.str(await this.eval(e.b));
      case 'unary': {
        const v = await this.eval(e.e);
        if (e.op === '!') return toBool(v) ? 0 : 1;
        return e.op === '-' ? -toNum(v) : toNum(v);
      }
      case 'incdec': {
        const old = toNum(await this.eval(e.target));
        const nv = e.op === '++' ? old + 1 : old - 1;
        await this.assignTo(e.target, nv);
        return e.prefix ? nv : old;
      }
      case 'call':
        return this.call(e.name, e.args);
      case 'builtin':
        return this.builtin(e.name, e.args);
      case 'getline':
        return this.getline(e);
      default:
        return UNINIT;
    }
  }

  private async getline(e: Extract<Expr, { k: 'getline' }>): Promise<Val> {
    let rec: string | null;
    try {
      if (e.file || e.cmd) {
        const name = this.str(await this.eval((e.file ?? e.cmd)!));
        rec = await (await this.streams.reader(e.file ? '<' : '|', name)).next(this.sget('RS'));
      } else {
        rec = await this.nextMain();
        if (rec !== null) {
          this.cell('NR').v = toNum(this.cell('NR').v) + 1;
          this.cell('FNR').v = toNum(this.cell('FNR').v) + 1;
        }
      }
    } catch (err) {
      if (err instanceof AwkRuntimeError || (err instanceof Error && 'errno' in err)) return -1;
      throw err;
    }
    if (rec === null) return 0;
    if (e.cmd && !e.file) this.cell('NR').v = toNum(this.cell('NR').v) + 1;
    if (e.target) await this.assignTo(e.target, fromInput(rec));
    else {
      this.setRecord(rec);
      if (e.file) return 1;
    }
    return 1;
  }

  private async call(name: string, args: Expr[]): Promise<Val> {
    const f: Func | undefined = this.prog.funcs.get(name);
    if (!f) throw new AwkRuntimeError(`function ${name} never defined`);
    if (args.length > f.params.length) throw new AwkRuntimeError(`too many arguments in call to ${name}`);
    if (this.frames.length > 1000) throw new AwkRuntimeError('function call nesting too deep');
    if (++this.spins % 4096 === 0) await this.sys.sched_yield();
    const frame = new Map<string, Cell>();
    for (let i = 0; i < f.params.length; i++) {
      const a = args[i];
      let c: Cell;
      if (a && a.k === 'var' && a.name !== 'NF') {
        const caller = this.cell(a.name);
        if (caller.arr) c = caller;
        else if (caller.v === UNINIT) c = new Cell(caller);
        else {
          c = new Cell();
          c.v = caller.v;
        }
      } else {
        c = new Cell();
        if (a) c.v = await this.eval(a);
      }
      frame.set(f.params[i]!, c);
    }
    this.frames.push(frame);
    try {
      await this.block(f.body);
      return UNINIT;
    } catch (e) {
      if (e instanceof Return) return e.v;
      throw e;
    } finally {
      this.frames.pop();
    }
  }

  private async builtin(name: string, args: Expr[]): Promise<Val> {
    const arg = async (i: number) => (args[i] ? this.eval(args[i]!) : UNINIT);
    const sarg = async (i: number) => this.str(await arg(i));
    const narg = async (i: number) => toNum(await arg(i));
    switch (name) {
      case 'length': {
        const a = args[0];
        if (!a) return [...this.record].length;
        if (a.k === 'var' && this.cell(a.name).arr) return this.cell(a.name).arr!.size;
        return [...(await sarg(0))].length;
      }
      case 'substr': {
        const s = [...(await sarg(0))];
        // POSIX: characters from m to m+n-1, with rounding, clipped to the string.
        const m = Math.round(await narg(1));
        const n = args[2] ? Math.round(await narg(2)) : Infinity;
        const start = Math.max(1, m);
        const end = Math.min(s.length + 1, m + n);
        return end > start ? s.slice(start - 1, end - 1).join('') : '';
      }
      case 'index': {
        const s = await sarg(0);
        const t = await sarg(1);
        const at = s.indexOf(t);
        return at < 0 ? 0 : [...s.slice(0, at)].length + 1;
      }
      case 'split': {
        const s = await sarg(0);
        if (!args[1] || args[1].k !== 'var') throw new AwkRuntimeError('split: second argument must be an array');
        const arr = this.array(this.cell(args[1].name));
        arr.clear();
        let parts: string[];
        const fsExpr = args[2];
        const fs = fsExpr ? (fsExpr.k === 're' ? null : await sarg(2)) : this.sget('FS');
        if (s === '') parts = [];
        else if (fs === ' ') parts = s.split(/[ \t\n]+/).filter((x) => x !== '');
        else if (fs === '') parts = [...s];
        else {
          const re = fs === null ? await this.regexOf(fsExpr!) : fs.length === 1 && fs !== '\\' ? new RegExp(fs.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')) : this.regexes.get(fs);
          parts = s.split(new RegExp(re.source, 'g'));
        }
        parts.forEach((p, i) => arr.set(String(i + 1), fromInput(p)));
        return parts.length;
      }
      case 'sub':
      case 'gsub': {
        const re = await this.regexOf(args[0]!);
        const repl = await sarg(1);
        const target: Expr = args[2] ?? { k: 'field', e: { k: 'num', v: 0 } };
        const s = this.str(await this.eval(target));
        const { text, count } = substitute(s, re, repl, name === 'gsub');
        if (count > 0) await this.assignTo(target, text);
        return count;
      }
      case 'match': {
        const s = await sarg(0);
        const m = (await this.regexOf(args[1]!)).exec(s);
        const start = m ? [...s.slice(0, m.index)].length + 1 : 0;
        const len = m ? [...m[0]].length : -1;
        this.cell('RSTART').v = start;
        this.cell('RLENGTH').v = len;
        return start;
      }
      case 'sprintf': {
        const vals: Val[] = [];
        for (let i = 1; i < args.length; i++) vals.push(await arg(i));
        return sprintf(await sarg(0), vals, this.sget('CONVFMT'));
      }
      case 'tolower':
        return (await sarg(0)).toLowerCase();
      case 'toupper':
        return (await sarg(0)).toUpperCase();
      case 'int':
        return Math.trunc(await narg(0));
      case 'sqrt':
        return Math.sqrt(await narg(0));
      case 'exp':
        return Math.exp(await narg(0));
      case 'log':
        return Math.log(await narg(0));
      case 'sin':
        return Math.sin(await narg(0));
      case 'cos':
        return Math.cos(await narg(0));
      case 'atan2':
        return Math.atan2(await narg(0), await narg(1));
      case 'rand':
        // xorshift32 from the seed: deterministic for a given srand().
        this.rng = (this.rng || this.seed * 2654435761 + 1) >>> 0;
        this.rng ^= this.rng << 13;
        this.rng >>>= 0;
        this.rng ^= this.rng >>> 17;
        this.rng ^= this.rng << 5;
        this.rng >>>= 0;
        return this.rng / 0x100000000;
      case 'srand': {
        const prev = this.seed;
        this.seed = args[0] ? await narg(0) : Math.floor((await this.sys.clock_gettime(0)) / 1e9);
        this.rng = 0;
        return prev;
      }
      case 'system': {
        const cmd = await sarg(0);
        const pid = await this.sys.spawn('/bin/sh', ['sh', '-c', cmd]);
        return this.streams.wait(pid);
      }
      case 'close':
        return this.streams.close(await sarg(0));
      case 'fflush':
        return 0;
      default:
        throw new AwkRuntimeError(`function ${name} never defined`);
    }
  }
}

function arith(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (b === 0) throw new AwkRuntimeError('division by zero');
      return a / b;
    case '%':
      if (b === 0) throw new AwkRuntimeError('division by zero in %');
      return a % b;
    case '^':
      return a ** b;
    default:
      return 0;
  }
}

/** sub/gsub: & is the match, \& a literal &; an empty match right after a match does not count. */
function substitute(s: string, re: RegExp, repl: string, global: boolean): { text: string; count: number } {
  const g = new RegExp(re.source, 'g');
  let res = '';
  let pos = 0;
  let count = 0;
  let prevEnd = -1;
  const expand = (m: string) => repl.replace(/\\\\|\\&|&/g, (t) => (t === '&' ? m : t === '\\&' ? '&' : '\\'));
  while (pos <= s.length) {
    g.lastIndex = pos;
    const m = g.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    if (start === end && start === prevEnd) {
      if (start >= s.length) break;
      res += s[start];
      pos = start + 1;
      continue;
    }
    res += s.slice(pos, start) + expand(m[0]);
    count++;
    prevEnd = end;
    pos = end;
    if (!global) break;
    if (start === end) {
      if (end >= s.length) break;
      res += s[end];
      pos = end + 1;
    }
  }
  return { text: res + s.slice(pos), count };
}

