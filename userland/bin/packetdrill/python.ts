// The Python that %{ }% snippets are written in, as far as packetdrill's scripts use it: simple
// statements (assert, assignment and augmented assignment, expression statements such as print),
// separated by newlines or `;`, over ints (exact, as Python's), floats, strings and tuples, with
// Python's operators, chained comparisons, `%` formatting and a few builtins. packetdrill itself
// writes the snippets to a file and runs python3 on it after the script; tunlab has no Python, so
// the runner evaluates them here, in the same order and with the same variables.

export type PyValue = bigint | number | string | boolean | null | PyValue[];

export class PyError extends Error {
  constructor(
    readonly type: string,
    message: string,
    /** 1-based line within the snippet. */
    public line = 0,
  ) {
    super(message);
  }
}

interface Tok {
  t: 'name' | 'num' | 'str' | 'op' | 'nl' | 'eof';
  v: string;
  n?: PyValue;
  line: number;
}

const OPS: readonly string[] = ['**=', '//=', '>>=', '<<=', '**', '//', '==', '!=', '<=', '>=', '<<', '>>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '+', '-', '*', '/', '%', '<', '>', '(', ')', '[', ']', ',', ':', '=', '&', '|', '^', '~', '.', ';'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  let depth = 0;
  const nl = () => {
    if (depth === 0 && out.length > 0 && out[out.length - 1]!.t !== 'nl') out.push({ t: 'nl', v: '\n', line });
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      nl();
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      line++;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))![0];
      out.push({ t: 'name', v: m, line });
      i += m.length;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d*(?:[eE][+-]?\d+)?)/.exec(src.slice(i))![0];
      const clean = m.replace(/_/g, '');
      const isFloat = /^[0-9.]/.test(clean) && !/^0[xXoObB]/.test(clean) && /[.eE]/.test(clean);
      out.push({ t: 'num', v: m, n: isFloat ? Number(clean) : BigInt(clean), line });
      i += m.length;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const e = src[j + 1]!;
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === '\\' ? '\\' : e === c ? c : `\\${e}`;
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new PyError('SyntaxError', 'unterminated string literal', line);
      out.push({ t: 'str', v: s, line });
      i = j + 1;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (!op) throw new PyError('SyntaxError', 'invalid syntax', line);
      if (op === '(' || op === '[') depth++;
      if (op === ')' || op === ']') depth = Math.max(0, depth - 1);
      if (op === ';' && depth === 0) nl();
      else out.push({ t: 'op', v: op, line });
      i += op.length;
    }
  }
  nl();
  out.push({ t: 'eof', v: '', line });
  return out;
}

type Node =
  | { k: 'const'; v: PyValue }
  | { k: 'name'; id: string }
  | { k: 'tuple'; items: Node[] }
  | { k: 'un'; op: string; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'bool'; op: 'and' | 'or'; a: Node; b: Node }
  | { k: 'cmp'; first: Node; rest: Array<[string, Node]> }
  | { k: 'cond'; test: Node; a: Node; b: Node }
  | { k: 'call'; fn: Node; args: Node[] };

type Stmt = { line: number } & ({ s: 'assert'; test: Node; msg: Node | null } | { s: 'assign'; name: string; op: string; value: Node } | { s: 'expr'; value: Node } | { s: 'pass' });

class PyParser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i]!;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private isName(v: string): boolean {
    const t = this.peek();
    return t.t === 'name' && t.v === v;
  }
  private fail(): never {
    throw new PyError('SyntaxError', 'invalid syntax', this.peek().line);
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) this.fail();
    this.i++;
  }

  program(): Stmt[] {
    const out: Stmt[] = [];
    while (this.peek().t !== 'eof') {
      if (this.peek().t === 'nl') {
        this.i++;
        continue;
      }
      out.push(this.statement());
      if (this.peek().t === 'nl') this.i++;
      else if (this.peek().t !== 'eof') this.fail();
    }
    return out;
  }

  private statement(): Stmt {
    const line = this.peek().line;
    if (this.isName('assert')) {
      this.i++;
      const test = this.test();
      let msg: Node | null = null;
      if (this.isOp(',')) {
        this.i++;
        msg = this.test();
      }
      return { line, s: 'assert', test, msg };
    }
    if (this.isName('pass')) {
      this.i++;
      return { line, s: 'pass' };
    }
    const t = this.peek();
    const next = this.toks[this.i + 1]!;
    if (t.t === 'name' && next.t === 'op' && /^(=|\+=|-=|\*=|\/=|\/\/=|%=|&=|\|=|\^=|<<=|>>=|\*\*=)$/.test(next.v)) {
      this.i += 2;
      return { line, s: 'assign', name: t.v, op: next.v, value: this.testList() };
    }
    return { line, s: 'expr', value: this.testList() };
  }

  private testList(): Node {
    const first = this.test();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.i++;
      if (this.peek().t === 'nl' || this.peek().t === 'eof') break;
      items.push(this.test());
    }
    return { k: 'tuple', items };
  }

  private test(): Node {
    const a = this.orTest();
    if (this.isName('if')) {
      this.i++;
      const test = this.orTest();
      if (!this.isName('else')) this.fail();
      this.i++;
      return { k: 'cond', test, a, b: this.test() };
    }
    return a;
  }

  private orTest(): Node {
    let a = this.andTest();
    while (this.isName('or')) {
      this.i++;
      a = { k: 'bool', op: 'or', a, b: this.andTest() };
    }
    return a;
  }

  private andTest(): Node {
    let a = this.notTest();
    while (this.isName('and')) {
      this.i++;
      a = { k: 'bool', op: 'and', a, b: this.notTest() };
    }
    return a;
  }

  private notTest(): Node {
    if (this.isName('not')) {
      this.i++;
      return { k: 'un', op: 'not', a: this.notTest() };
    }
    return this.comparison();
  }

  private comparison(): Node {
    const first = this.binary(0);
    const rest: Array<[string, Node]> = [];
    for (;;) {
      const t = this.peek();
      let op: string | null = null;
      if (t.t === 'op' && ['<', '>', '==', '>=', '<=', '!='].includes(t.v)) op = t.v;
      else if (this.isName('in')) op = 'in';
      else if (this.isName('is')) op = 'is';
      if (!op) break;
      this.i++;
      if (op === 'is' && this.isName('not')) {
        this.i++;
        op = 'is not';
      }
      rest.push([op, this.binary(0)]);
    }
    return rest.length ? { k: 'cmp', first, rest } : first;
  }

  private static readonly LEVELS: ReadonlyArray<readonly string[]> = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '//', '%']];

  private binary(level: number): Node {
    if (level === PyParser.LEVELS.length) return this.factor();
    let a = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || !PyParser.LEVELS[level]!.includes(t.v)) return a;
      this.i++;
      a = { k: 'bin', op: t.v, a, b: this.binary(level + 1) };
    }
  }

  private factor(): Node {
    const t = this.peek();
    if (t.t === 'op' && (t.v === '-' || t.v === '+' || t.v === '~')) {
      this.i++;
      return { k: 'un', op: t.v, a: this.factor() };
    }
    const base = this.atomExpr();
    if (this.isOp('**')) {
      this.i++;
      return { k: 'bin', op: '**', a: base, b: this.factor() };
    }
    return base;
  }

  private atomExpr(): Node {
    let a = this.atom();
    while (this.isOp('(')) {
      this.i++;
      const args: Node[] = [];
      while (!this.isOp(')')) {
        args.push(this.test());
        if (!this.isOp(',')) break;
        this.i++;
      }
      this.expectOp(')');
      a = { k: 'call', fn: a, args };
    }
    return a;
  }

  private atom(): Node {
    const t = this.peek();
    this.i++;
    if (t.t === 'num') return { k: 'const', v: t.n! };
    if (t.t === 'str') {
      let s = t.v;
      while (this.peek().t === 'str') s += this.toks[this.i++]!.v;
      return { k: 'const', v: s };
    }
    if (t.t === 'name') {
      if (t.v === 'True') return { k: 'const', v: true };
      if (t.v === 'False') return { k: 'const', v: false };
      if (t.v === 'None') return { k: 'const', v: null };
      return { k: 'name', id: t.v };
    }
    if (t.t === 'op' && (t.v === '(' || t.v === '[')) {
      const close = t.v === '(' ? ')' : ']';
      const items: Node[] = [];
      let comma = false;
      while (!this.isOp(close)) {
        items.push(this.test());
        if (!this.isOp(',')) break;
        comma = true;
        this.i++;
      }
      this.expectOp(close);
      if (t.v === '(' && items.length === 1 && !comma) return items[0]!;
      return { k: 'tuple', items };
    }
    this.i--;
    return this.fail();
  }
}

/** A Python program's state across snippets: packetdrill runs them all in one interpreter. */
export class PyInterpreter {
  readonly globals = new Map<string, PyValue>();
  constructor(private readonly print: (s: string) => void) {}

  /** Run one snippet; a failure is a PyError whose line is the snippet line it happened on. */
  run(src: string): void {
    let line = 0;
    try {
      const prog = new PyParser(tokenize(src)).program();
      for (const st of prog) {
        line = st.line;
        this.exec(st);
      }
    } catch (e) {
      if (e instanceof PyError) {
        if (!e.line) e.line = line;
        throw e;
      }
      throw e;
    }
  }

  private exec(st: Stmt): void {
    switch (st.s) {
      case 'pass':
        return;
      case 'expr':
        this.eval(st.value);
        return;
      case 'assert':
        if (!truthy(this.eval(st.test))) throw new PyError('AssertionError', st.msg ? str(this.eval(st.msg)) : '', st.line);
        return;
      case 'assign': {
        const v = this.eval(st.value);
        if (st.op === '=') this.globals.set(st.name, v);
        else this.globals.set(st.name, binop(st.op.slice(0, -1), this.lookup(st.name), v));
        return;
      }
    }
  }

  private lookup(id: string): PyValue {
    if (!this.globals.has(id)) throw new PyError('NameError', `name '${id}' is not defined`);
    return this.globals.get(id)!;
  }

  private eval(n: Node): PyValue {
    switch (n.k) {
      case 'const':
        return n.v;
      case 'name':
        return this.lookup(n.id);
      case 'tuple':
        return n.items.map((x) => this.eval(x));
      case 'un': {
        const a = this.eval(n.a);
        if (n.op === 'not') return !truthy(a);
        if (n.op === '-') return typeof a === 'bigint' ? -a : -num(a);
        if (n.op === '~') return ~int(a);
        return typeof a === 'bigint' ? a : num(a);
      }
      case 'bin':
        return binop(n.op, this.eval(n.a), this.eval(n.b));
      case 'bool': {
        const a = this.eval(n.a);
        if (n.op === 'and') return truthy(a) ? this.eval(n.b) : a;
        return truthy(a) ? a : this.eval(n.b);
      }
      case 'cond':
        return truthy(this.eval(n.test)) ? this.eval(n.a) : this.eval(n.b);
      case 'cmp': {
        let left = this.eval(n.first);
        for (const [op, node] of n.rest) {
          const right = this.eval(node);
          if (!compare(op, left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'call':
        return this.call(n);
    }
  }

  private call(n: Extract<Node, { k: 'call' }>): PyValue {
    if (n.fn.k !== 'name') throw new PyError('TypeError', 'object is not callable');
    const args = n.args.map((a) => this.eval(a));
    switch (n.fn.id) {
      case 'print':
        this.print(`${args.map(str).join(' ')}\n`);
        return null;
      case 'int':
        return typeof args[0] === 'string' ? BigInt(args[0].trim()) : typeof args[0] === 'number' ? BigInt(Math.trunc(args[0])) : int(args[0] ?? 0n);
      case 'float':
        return typeof args[0] === 'string' ? Number(args[0]) : num(args[0] ?? 0);
      case 'str':
        return str(args[0] ?? '');
      case 'abs': {
        const a = args[0]!;
        return typeof a === 'bigint' ? (a < 0n ? -a : a) : Math.abs(num(a));
      }
      case 'min':
      case 'max': {
        const xs = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
        return xs.reduce((m, x) => (compare(n.fn.k === 'name' && n.fn.id === 'min' ? '<' : '>', x, m) ? x : m));
      }
      case 'hex': {
        const v = int(args[0]!);
        return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
      }
      case 'len': {
        const a = args[0];
        if (typeof a === 'string' || Array.isArray(a)) return BigInt(a.length);
        throw new PyError('TypeError', `object of type '${typeName(a ?? null)}' has no len()`);
      }
      case 'round':
        return BigInt(Math.round(num(args[0]!)));
      default:
        this.lookup(n.fn.id);
        throw new PyError('TypeError', `'${typeName(this.lookup(n.fn.id))}' object is not callable`);
    }
  }
}

function typeName(v: PyValue): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (v === null) return 'NoneType';
  return 'tuple';
}

function truthy(v: PyValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'string') return v.length > 0;
  return Boolean(v);
}

function int(v: PyValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  throw new PyError('TypeError', `unsupported operand type: '${typeName(v)}'`);
}

function num(v: PyValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new PyError('TypeError', `unsupported operand type: '${typeName(v)}'`);
}

function isIntLike(v: PyValue): v is bigint | boolean {
  return typeof v === 'bigint' || typeof v === 'boolean';
}

function binop(op: string, a: PyValue, b: PyValue): PyValue {
  if (op === '%' && typeof a === 'string') return format(a, b);
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  if (op === '+' && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (isIntLike(a) && isIntLike(b)) {
    const x = int(a);
    const y = int(b);
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '/':
        if (y === 0n) throw new PyError('ZeroDivisionError', 'division by zero');
        return Number(x) / Number(y);
      case '//': {
        if (y === 0n) throw new PyError('ZeroDivisionError', 'integer division or modulo by zero');
        const q = x / y;
        return (x % y !== 0n && (x < 0n) !== (y < 0n)) ? q - 1n : q;
      }
      case '%': {
        if (y === 0n) throw new PyError('ZeroDivisionError', 'integer division or modulo by zero');
        const r = x % y;
        return r !== 0n && (r < 0n) !== (y < 0n) ? r + y : r;
      }
      case '**':
        return y < 0n ? Number(x) ** Number(y) : x ** y;
      case '&':
        return x & y;
      case '|':
        return x | y;
      case '^':
        return x ^ y;
      case '<<':
        return x << y;
      case '>>':
        return x >> y;
    }
  }
  const x = num(a);
  const y = num(b);
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (y === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
      return x / y;
    case '//':
      return Math.floor(x / y);
    case '%':
      return x - Math.floor(x / y) * y;
    case '**':
      return x ** y;
  }
  throw new PyError('TypeError', `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function compare(op: string, a: PyValue, b: PyValue): boolean {
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case 'is':
      return a === b;
    case 'is not':
      return a !== b;
    case 'in':
      if (Array.isArray(b)) return b.some((x) => equal(x, a));
      if (typeof b === 'string' && typeof a === 'string') return b.includes(a);
      throw new PyError('TypeError', `argument of type '${typeName(b)}' is not iterable`);
  }
  if (typeof a === 'string' && typeof b === 'string') return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  if ((typeof x !== 'bigint' && typeof x !== 'number') || (typeof y !== 'bigint' && typeof y !== 'number')) {
    throw new PyError('TypeError', `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
  }
  return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
}

function equal(a: PyValue, b: PyValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]!));
  if (typeof a === 'string' || typeof b === 'string' || a === null || b === null) return a === b;
  // eslint-disable-next-line eqeqeq
  return (typeof a === 'boolean' ? Number(a) : a) == (typeof b === 'boolean' ? Number(b) : b);
}

/** Python's str(). */
export function str(v: PyValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
    return String(v);
  }
  return `(${v.map((x) => (typeof x === 'string' ? `'${x}'` : str(x))).join(', ')}${v.length === 1 ? ',' : ''})`;
}

/**
 * Python's '%.Nf': the double's exact binary value rounded to N decimals, ties to even (JS's
 * toFixed rounds ties up, so 2.25 would give 2.3 where Python gives 2.2).
 */
function fixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  const neg = x < 0 || Object.is(x, -0);
  // x = mant * 2^exp exactly.
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const bits = buf.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (e === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = e - 1075;
  }
  // scaled = x * 10^digits as a fraction num / den.
  let num = mant * 10n ** BigInt(digits);
  let den = 1n;
  if (exp >= 0) num <<= BigInt(exp);
  else den <<= BigInt(-exp);
  let q = num / den;
  const r = num - q * den;
  if (r * 2n > den || (r * 2n === den && q % 2n === 1n)) q += 1n;
  let str = q.toString().padStart(digits + 1, '0');
  if (digits > 0) str = `${str.slice(0, -digits)}.${str.slice(-digits)}`;
  return neg ? `-${str}` : str;
}

/** printf-style `fmt % args`. */
function format(fmt: string, args: PyValue): string {
  const list = Array.isArray(args) ? args : [args];
  let k = 0;
  const out = fmt.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([diouxXeEfFgGsr%])/g, (_m, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    if (k >= list.length) throw new PyError('TypeError', 'not enough arguments for format string');
    const v = list[k++]!;
    let s: string;
    switch (conv) {
      case 'd':
      case 'i':
      case 'u':
        s = (typeof v === 'number' ? BigInt(Math.trunc(v)) : int(v)).toString();
        break;
      case 'x':
      case 'X':
      case 'o': {
        const n = int(v);
        s = n.toString(conv === 'o' ? 8 : 16);
        if (conv === 'X') s = s.toUpperCase();
        break;
      }
      case 'f':
      case 'F':
        s = fixed(num(v), prec === undefined ? 6 : Number(prec));
        break;
      case 'e':
      case 'E':
        s = num(v).toExponential(prec === undefined ? 6 : Number(prec)).replace(/e([+-])(\d)$/, 'e$10$2');
        break;
      case 'g':
      case 'G':
        s = String(Number(num(v).toPrecision(prec === undefined ? 6 : Math.max(1, Number(prec)))));
        break;
      case 'r':
        s = typeof v === 'string' ? `'${v}'` : str(v);
        break;
      default:
        s = str(v);
    }
    if (width !== undefined && s.length < Number(width)) {
      const pad = Number(width) - s.length;
      s = flags.includes('-') ? s + ' '.repeat(pad) : flags.includes('0') && conv !== 's' ? '0'.repeat(pad) + s : ' '.repeat(pad) + s;
    }
    return s;
  });
  if (k < list.length) throw new PyError('TypeError', 'not all arguments converted during string formatting');
  return out;
}
