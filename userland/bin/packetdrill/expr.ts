// Script expressions to values (script.c's evaluate and run_system_call.c's get_* helpers): symbols
// become numbers, `|` ors them, strings lose their escapes, and each argument is checked to be of
// the kind the call wants, with packetdrill's messages.

import type { Expr } from './ast.js';
import { SYMBOLS } from './symbols.js';

export class ScriptError extends Error {}

const TYPE_NAMES: Readonly<Record<Expr['kind'], string>> = {
  ellipsis: 'ellipsis',
  int: 'integer',
  word: 'word',
  string: 'string',
  binary: 'binary_expression',
  list: 'list',
  sockaddr: 'sockaddr_ipv4',
  msghdr: 'msghdr',
  iovec: 'iovec',
  pollfd: 'pollfd',
  epollev: 'epollev',
  linger: 'linger',
  cmsg: 'cmsg',
};

/** A word's value, or the error packetdrill gives for a name it does not know. */
export function symbol(name: string): bigint {
  const v = SYMBOLS.get(name);
  if (v === undefined) throw new ScriptError(`unknown symbol: '${name}'`);
  return BigInt(v);
}

/** evaluate(): words to integers, `|` folded, string escapes undone; structures evaluated inside. */
export function evaluate(e: Expr): Expr {
  switch (e.kind) {
    case 'word':
      return { kind: 'int', int: symbol(e.text!) };
    case 'binary': {
      if (e.op === '=') return { ...e, rhs: evaluate(e.rhs!) };
      const l = evaluate(e.lhs!);
      const r = evaluate(e.rhs!);
      if (e.op === '|') {
        if (l.kind !== 'int') throw new ScriptError('left hand side of | not an integer');
        if (r.kind !== 'int') throw new ScriptError('right hand side of | not an integer');
        return { kind: 'int', int: l.int! | r.int! };
      }
      if (l.kind !== 'string' || r.kind !== 'string') throw new ScriptError('bad input types for concatenation');
      return { kind: 'string', text: l.text! + r.text! };
    }
    case 'string':
      return { kind: 'string', text: unescape(e.text!) };
    case 'list':
      return { kind: 'list', list: e.list!.map(evaluate) };
    default:
      if (!e.fields) return e;
      return { ...e, fields: Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [k, evaluate(v)])) };
  }
}

function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_m, c: string) => {
    if (c[0] === 'x') return String.fromCharCode(parseInt(c.slice(1), 16));
    if (/^[0-7]/.test(c)) return String.fromCharCode(parseInt(c, 8));
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '0': '\0' };
    if (c in simple) return simple[c]!;
    throw new ScriptError(`unsupported escape code: '${c}'`);
  });
}

export function checkType(e: Expr, kind: Expr['kind']): void {
  if (e.kind !== kind) throw new ScriptError(`Bad type; actual: ${TYPE_NAMES[e.kind]} expected: ${TYPE_NAMES[kind]}`);
}

/** get_s32: an integer that fits in 32 bits, signed or not. */
export function s32(e: Expr): number {
  checkType(e, 'int');
  const v = e.int!;
  if (v > 0xffff_ffffn || v < -0x8000_0000n) throw new ScriptError(`Value out of range for 32-bit integer: ${v}`);
  return Number(BigInt.asIntN(32, v));
}

/** s32_bracketed_arg: `[N]`. */
export function bracketed(e: Expr): number {
  checkType(e, 'list');
  if (e.list!.length !== 1) throw new ScriptError('Expected [<integer>] but got multiple elements');
  return s32(e.list![0]!);
}

export function arg(args: Expr[], i: number): Expr {
  const e = args[i];
  if (!e) throw new ScriptError('Argument list too short');
  return e;
}

export function argCount(args: Expr[], n: number): void {
  if (args.length !== n) throw new ScriptError(`Expected ${n} args but got ${args.length}`);
}

export function isEllipsis(e: Expr | undefined): boolean {
  return e?.kind === 'ellipsis';
}

export function ellipsis(e: Expr): void {
  checkType(e, 'ellipsis');
}

/** buffer_arg: `...` is a buffer, 0 (NULL) is none. */
export function bufferArg(e: Expr): 'buffer' | 'null' {
  if (e.kind === 'ellipsis') return 'buffer';
  if (e.kind === 'int' && e.int === 0n) return 'null';
  throw new ScriptError('Expected ... or NULL for buffer');
}

export function field(e: Expr, name: string): Expr {
  const f = e.fields?.[name];
  if (!f) throw new ScriptError(`missing ${name}`);
  return f;
}
