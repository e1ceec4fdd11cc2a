// test and [: file tests, string and integer comparisons, ! -a -o and parentheses, with POSIX's
// rules for how few arguments are read.

import { isSysError } from '../../../kernel/abi/errno.js';
import { S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from '../../../kernel/abi/stat.js';
import type { Interpreter } from '../interp/interpreter.js';
import type { BuiltinEntry } from './types.js';

class TestError {
  constructor(readonly message: string) {}
}

const UNARY: ReadonlySet<string> = new Set(['-e', '-f', '-d', '-c', '-p', '-S', '-L', '-h', '-r', '-w', '-x', '-s', '-z', '-n', '-t']);
const BINARY: ReadonlySet<string> = new Set(['=', '==', '!=', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '<', '>']);

async function unary(sh: Interpreter, op: string, arg: string): Promise<boolean> {
  if (op === '-z') return arg.length === 0;
  if (op === '-n') return arg.length > 0;
  if (op === '-t') {
    try {
      await sh.sys.ioctl(Number(arg), 0x5401);
      return true;
    } catch {
      return false;
    }
  }
  let st;
  try {
    st = op === '-L' || op === '-h' ? await sh.sys.lstat(arg) : await sh.sys.stat(arg);
  } catch (e) {
    if (isSysError(e)) return false;
    throw e;
  }
  const type = st.st_mode & S_IFMT;
  const uid = sh.sys.getuid();
  const perm = (bit: number) => uid === 0 || (st.st_mode & (uid === st.st_uid ? bit << 6 : bit)) !== 0;
  switch (op) {
    case '-e':
      return true;
    case '-f':
      return type === S_IFREG;
    case '-d':
      return type === S_IFDIR;
    case '-c':
      return type === S_IFCHR;
    case '-p':
      return type === S_IFIFO;
    case '-S':
      return type === S_IFSOCK;
    case '-L':
    case '-h':
      return type === S_IFLNK;
    case '-r':
      return perm(4);
    case '-w':
      return perm(2);
    case '-x':
      return (st.st_mode & 0o111) !== 0 && (uid === 0 || perm(1));
    case '-s':
      return st.st_size > 0;
  }
  return false;
}

function int(s: string): number {
  if (!/^\s*[-+]?\d+\s*$/.test(s)) throw new TestError(`${s}: integer expression expected`);
  return Number(s);
}

function binary(a: string, op: string, b: string): boolean {
  switch (op) {
    case '=':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '-eq':
      return int(a) === int(b);
    case '-ne':
      return int(a) !== int(b);
    case '-lt':
      return int(a) < int(b);
    case '-le':
      return int(a) <= int(b);
    case '-gt':
      return int(a) > int(b);
    case '-ge':
      return int(a) >= int(b);
  }
  throw new TestError(`${op}: binary operator expected`);
}

async function evaluate(sh: Interpreter, args: string[]): Promise<boolean> {
  // POSIX fixes the meaning of 0 to 4 arguments; longer expressions use -a/-o precedence.
  switch (args.length) {
    case 0:
      return false;
    case 1:
      return args[0] !== '';
    case 2:
      if (args[0] === '!') return !(await evaluate(sh, args.slice(1)));
      if (UNARY.has(args[0]!)) return unary(sh, args[0]!, args[1]!);
      throw new TestError(`${args[0]}: unary operator expected`);
    case 3:
      if (BINARY.has(args[1]!)) return binary(args[0]!, args[1]!, args[2]!);
      if (args[1] === '-a') return (await evaluate(sh, [args[0]!])) && (await evaluate(sh, [args[2]!]));
      if (args[1] === '-o') return (await evaluate(sh, [args[0]!])) || (await evaluate(sh, [args[2]!]));
      if (args[0] === '!') return !(await evaluate(sh, args.slice(1)));
      if (args[0] === '(' && args[2] === ')') return evaluate(sh, [args[1]!]);
      throw new TestError(`${args[1]}: binary operator expected`);
    case 4:
      if (args[0] === '!') return !(await evaluate(sh, args.slice(1)));
      if (args[0] === '(' && args[3] === ')') return evaluate(sh, args.slice(1, 3));
  }
  const or = args.lastIndexOf('-o');
  if (or > 0) return (await evaluate(sh, args.slice(0, or))) || (await evaluate(sh, args.slice(or + 1)));
  const and = args.lastIndexOf('-a');
  if (and > 0) return (await evaluate(sh, args.slice(0, and))) && (await evaluate(sh, args.slice(and + 1)));
  if (args[0] === '!') return !(await evaluate(sh, args.slice(1)));
  if (args[0] === '(' && args[args.length - 1] === ')') return evaluate(sh, args.slice(1, -1));
  throw new TestError('too many arguments');
}

async function run(sh: Interpreter, argv: string[]): Promise<number> {
  let args = argv.slice(1);
  if (argv[0] === '[') {
    if (args[args.length - 1] !== ']') {
      await sh.error("[: missing `]'");
      return 2;
    }
    args = args.slice(0, -1);
  }
  try {
    return (await evaluate(sh, args)) ? 0 : 1;
  } catch (e) {
    if (e instanceof TestError) {
      await sh.error(`${argv[0]}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

export const testBuiltins: Record<string, BuiltinEntry> = {
  test: { summary: 'evaluate a condition', usage: 'test expr', run },
  '[': { summary: 'evaluate a condition', usage: '[ expr ]', run },
};
