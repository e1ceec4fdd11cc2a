// Shell arithmetic (`$((...))`): C's integer operators on 64-bit signed integers, as bash evaluates
// them. Values are BigInt wrapped to 64 bits, so results are exact and overflow wraps like bash's
// instead of drifting into floating point. Every failure is an ExpansionError with bash's wording.

import { ExpansionError } from './errors.js';

export interface ArithEnv {
  /** A variable's value; unset and empty both count as 0. */
  get(name: string): string | undefined;
  /** Called by `=`, `+=`, `++` and the rest. */
  set(name: string, value: string): void;
}

type Tok =
  | { k: 'num'; v: bigint; pos: number }
  | { k: 'name'; v: string; pos: number }
  | { k: 'op'; v: string; pos: number };

type Expr =
  | { k: 'num'; v: bigint }
  | { k: 'var'; name: string; pos: number }
  | { k: 'unary'; op: string; e: Expr }
  | { k: 'binary'; op: string; l: Expr; r: Expr; pos: number }
  | { k: 'logic'; op: '&&' | '||'; l: Expr; r: Expr }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr }
  | { k: 'assign'; op: string; name: string; e: Expr; pos: number }
  | { k: 'step'; name: string; delta: bigint; prefix: boolean }
  | { k: 'comma'; l: Expr; r: Expr };

const OPS: readonly string[] = [
  '<<=', '>>=',
  '**', '++', '--', '<=', '>=', '==', '!=', '&&', '||', '<<', '>>',
  '+=', '-=', '*=', '/=', '%=', '&=', '^=', '|=',
  '+', '-', '*', '/', '%', '<', '>', '=', '!', '~', '&', '^', '|', '?', ':', '(', ')', ',',
];

const ASSIGN_OPS: ReadonlySet<string> = new Set(['=', '*=', '/=', '%=', '+=', '-=', '<<=', '>>=', '&=', '^=', '|=']);

/** Binary operators by precedence, loosest first (bash's table, below assignment and `?:`). */
const LEVELS: readonly (readonly string[])[] = [
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '>', '<=', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

const MAX_RECURSION = 64;

const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Evaluate an arithmetic expression (already parameter-expanded) to a 64-bit integer. */
export function evaluateArithmetic(expr: string, env: ArithEnv): bigint {
  try {
    return new Evaluator(expr, env, 0).run();
  } catch (e) {
    // a chain like 1+1+...+1 nests the tree as deep as it is long; past the stack it is an error value
    if (e instanceof RangeError) throw new ExpansionError(`${expr.trim()}: expression too complex`, 'arithmetic');
    throw e;
  }
}

/** A number literal: decimal, 0x hex, 0 octal, or bash's BASE#DIGITS (base 2 to 64). */
function parseNumber(text: string): bigint | null {
  let m = /^0[xX]([0-9a-fA-F]+)$/.exec(text);
  if (m) return wrap(BigInt('0x' + m[1]));
  if (/^0[0-7]*$/.test(text)) return wrap(BigInt('0o' + (text.slice(1) || '0')));
  if (/^[1-9][0-9]*$/.test(text)) return wrap(BigInt(text));
  m = /^([0-9]+)#([0-9A-Za-z@_]+)$/.exec(text);
  if (m) {
    const base = Number(m[1]);
    if (base < 2 || base > 64) return null;
    let v = 0n;
    for (const ch of m[2]!) {
      let d: number;
      if (ch >= '0' && ch <= '9') d = ch.charCodeAt(0) - 48;
      else if (ch >= 'a' && ch <= 'z') d = ch.charCodeAt(0) - 97 + 10;
      else if (ch >= 'A' && ch <= 'Z') d = base <= 36 ? ch.charCodeAt(0) - 65 + 10 : ch.charCodeAt(0) - 65 + 36;
      else d = ch === '@' ? 62 : 63;
      if (d >= base) return null;
      v = wrap(v * BigInt(base) + BigInt(d));
    }
    return v;
  }
  return null;
}

class Evaluator {
  private readonly src: string;
  private readonly env: ArithEnv;
  private readonly level: number;
  private toks: Tok[] = [];
  private i = 0;
  private depth = 0;

  constructor(src: string, env: ArithEnv, level: number) {
    this.src = src;
    this.env = env;
    this.level = level;
  }

  run(): bigint {
    if (this.level > MAX_RECURSION) this.fail('expression recursion level exceeded', 0);
    this.toks = this.tokenize();
    if (this.toks.length === 0) return 0n;
    const e = this.comma();
    const t = this.toks[this.i];
    if (t) this.fail('syntax error in expression', t.pos);
    return this.eval(e);
  }

  private fail(what: string, pos: number): never {
    const token = this.src.slice(pos).trim();
    throw new ExpansionError(`${this.src.trim()}: ${what} (error token is "${token}")`, 'arithmetic');
  }

  private tokenize(): Tok[] {
    const s = this.src;
    const toks: Tok[] = [];
    let i = 0;
    while (i < s.length) {
      const c = s[i]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        i++;
        continue;
      }
      if (c >= '0' && c <= '9') {
        let j = i + 1;
        while (j < s.length && /[0-9A-Za-z_#@]/.test(s[j]!)) j++;
        const text = s.slice(i, j);
        const v = parseNumber(text);
        if (v === null) this.fail('value too great for base', i);
        toks.push({ k: 'num', v, pos: i });
        i = j;
        continue;
      }
      if (/[A-Za-z_]/.test(c)) {
        let j = i + 1;
        while (j < s.length && /[A-Za-z0-9_]/.test(s[j]!)) j++;
        toks.push({ k: 'name', v: s.slice(i, j), pos: i });
        i = j;
        continue;
      }
      const op = OPS.find((o) => s.startsWith(o, i));
      if (!op) this.fail('syntax error: invalid arithmetic operator', i);
      toks.push({ k: 'op', v: op, pos: i });
      i += op.length;
    }
    return toks;
  }

  private peekOp(...ops: string[]): string | null {
    const t = this.toks[this.i];
    return t && t.k === 'op' && ops.includes(t.v) ? t.v : null;
  }

  /** Where an error is reported: the current token, or at the end (as bash does) the last one. */
  private here(): number {
    return this.toks[this.i]?.pos ?? this.toks[this.toks.length - 1]?.pos ?? this.src.length;
  }

  private comma(): Expr {
    let l = this.assignment();
    while (this.peekOp(',')) {
      this.i++;
      l = { k: 'comma', l, r: this.assignment() };
    }
    return l;
  }

  private assignment(): Expr {
    const t = this.toks[this.i];
    const n = this.toks[this.i + 1];
    if (t?.k === 'name' && n?.k === 'op' && ASSIGN_OPS.has(n.v)) {
      this.i += 2;
      return { k: 'assign', op: n.v, name: t.v, e: this.assignment(), pos: t.pos };
    }
    const l = this.conditional();
    const op = this.peekOp(...ASSIGN_OPS);
    if (op) this.fail('attempted assignment to non-variable', this.here());
    return l;
  }

  private conditional(): Expr {
    const c = this.logical(0);
    if (!this.peekOp('?')) return c;
    this.i++;
    const a = this.comma();
    if (!this.peekOp(':')) this.fail("`:' expected for conditional expression", this.here());
    this.i++;
    const b = this.conditional();
    return { k: 'cond', c, a, b };
  }

  private logical(level: 0 | 1): Expr {
    const op = level === 0 ? '||' : '&&';
    let l = level === 0 ? this.logical(1) : this.binary(0);
    while (this.peekOp(op)) {
      this.i++;
      const r = level === 0 ? this.logical(1) : this.binary(0);
      l = { k: 'logic', op, l, r };
    }
    return l;
  }

  private binary(level: number): Expr {
    if (level >= LEVELS.length) return this.power();
    let l = this.binary(level + 1);
    for (;;) {
      const op = this.peekOp(...LEVELS[level]!);
      if (!op) return l;
      this.i++;
      const pos = this.here();
      const r = this.binary(level + 1);
      l = { k: 'binary', op, l, r, pos };
    }
  }

  private power(): Expr {
    const base = this.unary();
    if (!this.peekOp('**')) return base;
    this.i++;
    const pos = this.here();
    return { k: 'binary', op: '**', l: base, r: this.power(), pos };
  }

  private unary(): Expr {
    const op = this.peekOp('!', '~', '+', '-', '++', '--');
    if (!op) return this.postfix();
    this.i++;
    if (op === '++' || op === '--') {
      const t = this.toks[this.i];
      if (t?.k !== 'name') this.fail('syntax error: operand expected', this.here());
      this.i++;
      return { k: 'step', name: t.v, delta: op === '++' ? 1n : -1n, prefix: true };
    }
    if (++this.depth > MAX_RECURSION * 4) this.fail('expression nested too deeply', this.here());
    const e = this.unary();
    this.depth--;
    return { k: 'unary', op, e };
  }

  private postfix(): Expr {
    const t = this.toks[this.i];
    if (!t) this.fail('syntax error: operand expected', this.here());
    if (t.k === 'num') {
      this.i++;
      return { k: 'num', v: t.v };
    }
    if (t.k === 'name') {
      this.i++;
      const op = this.peekOp('++', '--');
      if (op) {
        this.i++;
        return { k: 'step', name: t.v, delta: op === '++' ? 1n : -1n, prefix: false };
      }
      return { k: 'var', name: t.v, pos: t.pos };
    }
    if (t.v === '(') {
      this.i++;
      if (++this.depth > MAX_RECURSION * 4) this.fail('expression nested too deeply', t.pos);
      const e = this.comma();
      this.depth--;
      if (!this.peekOp(')')) this.fail("missing `)'", this.here());
      this.i++;
      return e;
    }
    this.fail('syntax error: operand expected', t.pos);
  }

  private variable(name: string): bigint {
    const raw = this.env.get(name);
    if (raw === undefined || raw.trim() === '') return 0n;
    const direct = parseNumber(raw.trim());
    if (direct !== null) return direct;
    // bash evaluates a variable holding an expression (x='y+1'), with a recursion limit
    return new Evaluator(raw, this.env, this.level + 1).run();
  }

  private eval(e: Expr): bigint {
    switch (e.k) {
      case 'num':
        return e.v;
      case 'var':
        return this.variable(e.name);
      case 'unary': {
        const v = this.eval(e.e);
        if (e.op === '!') return v === 0n ? 1n : 0n;
        if (e.op === '~') return wrap(~v);
        if (e.op === '-') return wrap(-v);
        return v;
      }
      case 'logic': {
        const l = this.eval(e.l) !== 0n;
        if (e.op === '&&') return l && this.eval(e.r) !== 0n ? 1n : 0n;
        return l || this.eval(e.r) !== 0n ? 1n : 0n;
      }
      case 'cond':
        return this.eval(e.c) !== 0n ? this.eval(e.a) : this.eval(e.b);
      case 'comma':
        this.eval(e.l);
        return this.eval(e.r);
      case 'binary':
        return this.apply(e.op, this.eval(e.l), this.eval(e.r), e.pos);
      case 'assign': {
        const r = this.eval(e.e);
        const v = e.op === '=' ? r : this.apply(e.op.slice(0, -1), this.variable(e.name), r, e.pos);
        this.env.set(e.name, String(v));
        return v;
      }
      case 'step': {
        const old = this.variable(e.name);
        const v = wrap(old + e.delta);
        this.env.set(e.name, String(v));
        return e.prefix ? v : old;
      }
    }
  }

  private apply(op: string, l: bigint, r: bigint, pos: number): bigint {
    switch (op) {
      case '+':
        return wrap(l + r);
      case '-':
        return wrap(l - r);
      case '*':
        return wrap(l * r);
      case '/':
      case '%':
        if (r === 0n) this.fail('division by 0', pos);
        return wrap(op === '/' ? l / r : l % r);
      case '**': {
        if (r < 0n) this.fail('exponent less than 0', pos);
        let result = 1n;
        let base = l;
        let exp = r;
        while (exp > 0n) {
          if (exp & 1n) result = wrap(result * base);
          base = wrap(base * base);
          exp >>= 1n;
        }
        return result;
      }
      case '<<':
        return wrap(l << (r & 63n));
      case '>>':
        return wrap(l >> (r & 63n));
      case '&':
        return wrap(l & r);
      case '|':
        return wrap(l | r);
      case '^':
        return wrap(l ^ r);
      case '<':
        return l < r ? 1n : 0n;
      case '>':
        return l > r ? 1n : 0n;
      case '<=':
        return l <= r ? 1n : 0n;
      case '>=':
        return l >= r ? 1n : 0n;
      case '==':
        return l === r ? 1n : 0n;
      case '!=':
        return l !== r ? 1n : 0n;
    }
    this.fail('syntax error: invalid arithmetic operator', pos);
  }
}
