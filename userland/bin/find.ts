// find: search for files in a directory hierarchy, as GNU find: starting points, then an
// expression of tests (-name -iname -path -ipath -type -newer -empty -true -false), actions
// (-print -print0 -prune -exec CMD {} ; and -exec CMD {} +), operators ( ) ! -not -a -and -o
// -or -, and the global options -maxdepth -mindepth; -print when no action is given. Symbolic
// links are not followed (-P). Every error is status 1, as GNU find's.

import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK, type Stat } from '../../kernel/abi/stat.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { WEXITSTATUS, WIFEXITED } from '../../kernel/abi/wait.js';
import { command, parse } from '../lib/cli.js';
import { errText, quote, warn } from '../lib/errors.js';
import { spawnp } from '../lib/exec.js';
import { guarded, out } from '../lib/guard.js';
import { compilePattern, type CompiledPattern, matchCompiled } from '../sh/pattern.js';

class FindError extends Error {}

interface Entry {
  path: string;
  st: Stat;
  depth: number;
}

/** What an expression node does with an entry; `prune` is set by -prune. */
interface Ctx {
  sys: Sys;
  prune: boolean;
  failed: boolean;
}

type Node = (e: Entry, ctx: Ctx) => Promise<boolean>;

const TYPES: ReadonlyMap<string, number> = new Map<string, number>([
  ['f', S_IFREG],
  ['d', S_IFDIR],
  ['l', S_IFLNK],
  ['c', S_IFCHR],
  ['b', S_IFBLK],
  ['p', S_IFIFO],
  ['s', S_IFSOCK],
]);

const lastName = (path: string) => {
  const t = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return t.slice(t.lastIndexOf('/') + 1) || t;
};

const globMatch = (p: CompiledPattern, s: string) => matchCompiled(p, s);

/** The parsed expression, with what the whole command line asked for besides. */
interface Parsed {
  root: Node;
  hasAction: boolean;
  maxDepth: number;
  minDepth: number;
  /** -exec ... + batches to run at the end. */
  batches: Array<{ argv: string[]; paths: string[] }>;
}

const GLOBAL_OPTIONS: ReadonlySet<string> = new Set(['-maxdepth', '-mindepth', '-depth', '-xdev', '-mount', '-noleaf']);

class ExprParser {
  private i = 0;
  hasAction = false;
  maxDepth = Infinity;
  minDepth = 0;
  readonly batches: Parsed['batches'] = [];

  constructor(
    private readonly sys: Sys,
    private readonly args: string[],
  ) {}

  async parse(): Promise<Parsed> {
    const root = this.args.length === 0 ? async () => true : await this.or();
    if (this.i < this.args.length) {
      const a = this.args[this.i]!;
      throw new FindError(a === ')' ? "invalid expression; you have too many ')'" : `paths must precede expression: \`${a}'`);
    }
    return { root, hasAction: this.hasAction, maxDepth: this.maxDepth, minDepth: this.minDepth, batches: this.batches };
  }

  private async or(): Promise<Node> {
    let left = await this.and();
    while (this.args[this.i] === '-o' || this.args[this.i] === '-or') {
      this.i++;
      if (this.i >= this.args.length) throw new FindError(`invalid expression; you have used a binary operator '-o' with nothing after it.`);
      const l = left;
      const r = await this.and();
      left = async (e, c) => (await l(e, c)) || r(e, c);
    }
    return left;
  }

  private async and(): Promise<Node> {
    let left = await this.not();
    for (;;) {
      const a = this.args[this.i];
      if (a === undefined || a === ')' || a === '-o' || a === '-or' || a === ',') return left;
      if (a === '-a' || a === '-and') {
        this.i++;
        if (this.i >= this.args.length) throw new FindError(`invalid expression; you have used a binary operator '${a}' with nothing after it.`);
      }
      const l = left;
      const r = await this.not();
      left = async (e, c) => (await l(e, c)) && r(e, c);
    }
  }

  private async not(): Promise<Node> {
    const a = this.args[this.i];
    if (a === '!' || a === '-not') {
      this.i++;
      if (this.i >= this.args.length) throw new FindError(`invalid expression; you have used a unary operator '${a}' with nothing after it.`);
      const n = await this.not();
      return async (e, c) => !(await n(e, c));
    }
    return this.primary();
  }

  private value(name: string): string {
    const v = this.args[this.i++];
    if (v === undefined) throw new FindError(`missing argument to \`${name}'`);
    return v;
  }

  private async primary(): Promise<Node> {
    const a = this.args[this.i++]!;
    if (a === '(') {
      if (this.args[this.i] === ')') throw new FindError("invalid expression; empty parentheses are not allowed.");
      const n = await this.or();
      if (this.args[this.i] !== ')') throw new FindError("invalid expression; I was expecting to find a ')' somewhere but did not see one.");
      this.i++;
      return n;
    }
    if (GLOBAL_OPTIONS.has(a)) {
      if (a === '-maxdepth' || a === '-mindepth') {
        const v = this.value(a);
        if (!/^\d+$/.test(v)) throw new FindError(`Expected a positive decimal integer argument to ${a}, but got ${quote(v)}`);
        if (a === '-maxdepth') this.maxDepth = Number(v);
        else this.minDepth = Number(v);
      }
      return async () => true;
    }
    switch (a) {
      case '-name':
      case '-iname': {
        const fold = a === '-iname';
        const p = compilePattern(fold ? this.value(a).toLowerCase() : this.value(a));
        return async (e) => globMatch(p, fold ? lastName(e.path).toLowerCase() : lastName(e.path));
      }
      case '-path':
      case '-wholename':
      case '-ipath':
      case '-iwholename': {
        const fold = a.startsWith('-i');
        const p = compilePattern(fold ? this.value(a).toLowerCase() : this.value(a));
        return async (e) => globMatch(p, fold ? e.path.toLowerCase() : e.path);
      }
      case '-type': {
        const v = this.value(a);
        const kinds = v.split(',');
        if (kinds.some((k) => !TYPES.has(k))) throw new FindError(v.length > 1 && !v.includes(',') ? `Arguments to -type should contain only one letter` : `Unknown argument to -type: ${v}`);
        const modes = kinds.map((k) => TYPES.get(k)!);
        return async (e) => modes.includes(e.st.st_mode & S_IFMT);
      }
      case '-newer': {
        const f = this.value(a);
        let ref: Stat;
        try {
          ref = await this.sys.stat(f);
        } catch (e) {
          throw new FindError(`${quote(f)}: ${errText(e)}`);
        }
        return async (e) => e.st.st_mtime_ns > ref.st_mtime_ns;
      }
      case '-empty':
        return async (e, c) => {
          if ((e.st.st_mode & S_IFMT) === S_IFREG) return e.st.st_size === 0;
          if ((e.st.st_mode & S_IFMT) !== S_IFDIR) return false;
          try {
            return (await c.sys.readdir(e.path)).every((d) => d.d_name === '.' || d.d_name === '..');
          } catch (err) {
            if (!isSysError(err)) throw err;
            return false;
          }
        };
      case '-true':
        return async () => true;
      case '-false':
        return async () => false;
      case '-print':
      case '-print0': {
        this.hasAction = true;
        const end = a === '-print' ? '\n' : '\0';
        return async (e, c) => {
          await out(c.sys, `${e.path}${end}`);
          return true;
        };
      }
      case '-prune':
        return async (_e, c) => {
          c.prune = true;
          return true;
        };
      case '-exec':
        return this.exec();
      default:
        if (a.startsWith('-')) throw new FindError(`unknown predicate \`${a}'`);
        throw new FindError(`paths must precede expression: \`${a}'`);
    }
  }

  private exec(): Node {
    this.hasAction = true;
    const argv: string[] = [];
    for (;;) {
      const v = this.args[this.i++];
      if (v === undefined) throw new FindError("missing argument to `-exec'");
      if (v === ';') break;
      if (v === '+' && argv[argv.length - 1] === '{}') {
        argv.pop();
        if (argv.length === 0) throw new FindError("missing argument to `-exec'");
        const batch = { argv, paths: [] as string[] };
        this.batches.push(batch);
        return async (e) => {
          batch.paths.push(e.path);
          return true;
        };
      }
      argv.push(v);
    }
    if (argv.length === 0) throw new FindError("missing argument to `-exec'");
    return async (e, c) => (await run(c, argv.map((x) => x.replaceAll('{}', e.path)))) === 0;
  }
}

/** Runs a command for -exec and waits for it: its exit status (a failure to start it is reported). */
async function run(c: Ctx, argv: string[]): Promise<number> {
  let pid: number;
  try {
    pid = await spawnp(c.sys, argv);
  } catch (e) {
    await warn(c.sys, 'find', `${quote(argv[0]!)}: ${errText(e)}`);
    c.failed = true;
    return 127;
  }
  const { status } = await c.sys.waitpid(pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

async function walk(e: Entry, p: Parsed, ctx: Ctx): Promise<void> {
  ctx.prune = false;
  if (e.depth >= p.minDepth) {
    const ok = await p.root(e, ctx);
    if (ok && !p.hasAction) await out(ctx.sys, `${e.path}\n`);
  }
  if ((e.st.st_mode & S_IFMT) !== S_IFDIR || ctx.prune || e.depth >= p.maxDepth) return;
  let names: string[];
  try {
    names = (await ctx.sys.readdir(e.path)).map((d) => d.d_name).filter((n) => n !== '.' && n !== '..');
  } catch (err) {
    await warn(ctx.sys, 'find', `${quote(e.path)}: ${errText(err)}`);
    ctx.failed = true;
    return;
  }
  for (const name of names) {
    const path = e.path.endsWith('/') ? `${e.path}${name}` : `${e.path}/${name}`;
    let st: Stat;
    try {
      st = await ctx.sys.lstat(path);
    } catch (err) {
      await warn(ctx.sys, 'find', `${quote(path)}: ${errText(err)}`);
      ctx.failed = true;
      continue;
    }
    await walk({ path, st, depth: e.depth + 1 }, p, ctx);
  }
}

export default defineProgram({
  name: 'find',
  summary: 'search for files in a directory hierarchy',
  main: guarded('find', async (argv, sys) => {
    const args = argv.slice(1);
    if (args[0] === '--help') {
      const cmd = command('find', 'search for files in a directory hierarchy (GNU find): tests -name -iname -path -ipath -type -newer -empty -true -false, actions -print -print0 -prune -exec, operators ( ) ! -not -a -o, global options -maxdepth -mindepth')
        .usage('[starting-point...] [expression]')
        .argument('[expression...]');
      const r = await parse(sys, cmd, ['find', '--help']);
      return 'status' in r ? r.status : 0;
    }
    let k = 0;
    while (k < args.length && !(args[k]!.startsWith('-') && args[k]!.length > 1) && args[k] !== '(' && args[k] !== '!') k++;
    const starts = k > 0 ? args.slice(0, k) : ['.'];
    const ctx: Ctx = { sys, prune: false, failed: false };
    let parsed: Parsed;
    const parser = new ExprParser(sys, args.slice(k));
    try {
      parsed = await parser.parse();
    } catch (e) {
      if (!(e instanceof FindError)) throw e;
      await warn(sys, 'find', e.message);
      return 1;
    }
    for (const start of starts) {
      let st: Stat;
      try {
        st = await sys.lstat(start);
      } catch (e) {
        await warn(sys, 'find', `${quote(start)}: ${errText(e)}`);
        ctx.failed = true;
        continue;
      }
      await walk({ path: start, st, depth: 0 }, parsed, ctx);
    }
    for (const b of parsed.batches) {
      // One command for every path found, in chunks of a size a command line takes.
      for (let i = 0; i < b.paths.length; i += 1000) {
        if ((await run(ctx, [...b.argv, ...b.paths.slice(i, i + 1000)])) !== 0) ctx.failed = true;
      }
    }
    return ctx.failed ? 1 : 0;
  }),
});
