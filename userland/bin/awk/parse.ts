// The awk language (POSIX, as mawk and gawk take it): tokens, with '/' read as a regular
// expression where an operand is expected, and a recursive-descent parser to the AST below.
// Errors are mawk's: "line N: syntax error at or near X".

export class AwkSyntaxError extends Error {}

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 're'; src: string }
  | { k: 'var'; name: string }
  | { k: 'field'; e: Expr }
  | { k: 'index'; name: string; subs: Expr[] }
  | { k: 'in'; subs: Expr[]; name: string }
  | { k: 'assign'; op: string; target: Expr; e: Expr }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr }
  | { k: 'and' | 'or'; a: Expr; b: Expr }
  | { k: 'match'; neg: boolean; a: Expr; re: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'cmp'; op: string; a: Expr; b: Expr }
  | { k: 'concat'; a: Expr; b: Expr }
  | { k: 'unary'; op: string; e: Expr }
  | { k: 'incdec'; op: '++' | '--'; prefix: boolean; target: Expr }
  | { k: 'call'; name: string; args: Expr[] }
  | { k: 'builtin'; name: string; args: Expr[] }
  | { k: 'getline'; target?: Expr; file?: Expr; cmd?: Expr }
  | { k: 'group'; e: Expr };

export type Stmt =
  | { k: 'expr'; e: Expr }
  | { k: 'print'; printf: boolean; args: Expr[]; redir?: { op: string; e: Expr } }
  | { k: 'if'; c: Expr; then: Stmt; else?: Stmt }
  | { k: 'while'; c: Expr; body: Stmt }
  | { k: 'do'; body: Stmt; c: Expr }
  | { k: 'for'; init?: Stmt; c?: Expr; step?: Stmt; body: Stmt }
  | { k: 'forin'; v: string; arr: string; body: Stmt }
  | { k: 'block'; body: Stmt[] }
  | { k: 'next' | 'nextfile' | 'break' | 'continue' }
  | { k: 'exit' | 'return'; e?: Expr }
  | { k: 'delete'; name: string; subs?: Expr[] }
  | { k: 'getline'; e: Expr };

export interface Rule {
  kind: 'BEGIN' | 'END' | 'main';
  pattern?: Expr;
  /** The end of a range pattern (pattern, pattern2). */
  pattern2?: Expr;
  inRange: boolean;
  /** No action: print $0. */
  body?: Stmt[];
}

export interface Func {
  name: string;
  params: string[];
  body: Stmt[];
}

export interface Program {
  rules: Rule[];
  funcs: Map<string, Func>;
}

export const BUILTINS: ReadonlySet<string> = new Set([
  'length', 'substr', 'index', 'split', 'sub', 'gsub', 'match', 'sprintf', 'tolower', 'toupper',
  'int', 'sqrt', 'exp', 'log', 'sin', 'cos', 'atan2', 'rand', 'srand', 'system', 'close', 'fflush',
]);

const KEYWORDS: ReadonlySet<string> = new Set(['BEGIN', 'END', 'function', 'func', 'if', 'else', 'while', 'for', 'do', 'break', 'continue', 'next', 'nextfile', 'exit', 'return', 'delete', 'getline', 'in', 'print', 'printf']);

interface Tok {
  t: 'num' | 'str' | 're' | 'name' | 'funcname' | 'builtin' | 'kw' | 'op' | 'nl' | 'eof';
  v: string;
  line: number;
}

const OPS: readonly string[] = ['+=', '-=', '*=', '/=', '%=', '^=', '**=', '==', '<=', '>=', '!=', '++', '--', '&&', '||', '>>', '!~', '**', '{', '}', '(', ')', '[', ']', ';', ',', '+', '-', '*', '/', '%', '^', '!', '>', '<', '|', '?', ':', '~', '$', '='];

/** String escapes of awk: \" \\ \/ \n \t \r \b \f \v \a \ooo. */
export function unescapeAwk(s: string): string {
  return s.replace(/\\([0-7]{1,3}|.)/gs, (_m, c: string) => {
    if (/^[0-7]+$/.test(c)) return String.fromCharCode(parseInt(c, 8) & 0xff);
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', '"': '"', '\\': '\\', '/': '/' };
    return map[c] ?? `\\${c}`;
  });
}

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let line = 1;
  let i = 0;
  const regexAllowed = () => {
    const p = toks[toks.length - 1];
    if (!p) return true;
    if (p.t === 'num' || p.t === 'str' || p.t === 're' || p.t === 'name' || p.t === 'builtin') return false;
    if (p.t === 'op' && (p.v === ')' || p.v === ']' || p.v === '$' || p.v === '++' || p.v === '--')) return false;
    return true;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      toks.push({ t: 'nl', v: '\n', line });
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      line++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let raw = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\n') throw new AwkSyntaxError(`line ${line}: runaway string constant "${raw.slice(0, 10)} ...`);
        if (src[j] === '\\' && j + 1 < src.length) {
          raw += src[j]! + src[j + 1]!;
          j += 2;
        } else raw += src[j++];
      }
      if (j >= src.length) throw new AwkSyntaxError(`line ${line}: runaway string constant "${raw.slice(0, 10)} ...`);
      toks.push({ t: 'str', v: unescapeAwk(raw), line });
      i = j + 1;
      continue;
    }
    if (c === '/' && regexAllowed()) {
      let j = i + 1;
      let raw = '';
      let inBracket = false;
      while (j < src.length && (src[j] !== '/' || inBracket)) {
        if (src[j] === '\n') throw new AwkSyntaxError(`line ${line}: runaway regular expression /${raw.slice(0, 10)} ...`);
        if (src[j] === '\\' && j + 1 < src.length) {
          raw += src[j]! + src[j + 1]!;
          j += 2;
          continue;
        }
        if (src[j] === '[' && !inBracket) {
          inBracket = true;
          raw += src[j++];
          if (src[j] === '^') raw += src[j++];
          if (src[j] === ']') raw += src[j++];
          continue;
        }
        if (src[j] === ']') inBracket = false;
        raw += src[j++];
      }
      if (j >= src.length) throw new AwkSyntaxError(`line ${line}: runaway regular expression /${raw.slice(0, 10)} ...`);
      toks.push({ t: 're', v: raw, line });
      i = j + 1;
      continue;
    }
    const num = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/.exec(src.slice(i));
    if (num) {
      toks.push({ t: 'num', v: num[0], line });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (word) {
      const w = word[0];
      i += w.length;
      if (KEYWORDS.has(w)) toks.push({ t: 'kw', v: w === 'func' ? 'function' : w, line });
      else if (BUILTINS.has(w)) toks.push({ t: 'builtin', v: w, line });
      else toks.push({ t: src[i] === '(' ? 'funcname' : 'name', v: w, line });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new AwkSyntaxError(`line ${line}: syntax error at or near ${c}`);
    toks.push({ t: 'op', v: op === '**' ? '^' : op === '**=' ? '^=' : op, line });
    i += op.length;
  }
  toks.push({ t: 'eof', v: 'end of file', line });
  return toks;
}

export function parseProgram(src: string): Program {
  return new Parser(lex(src)).program();
}

class Parser {
  private p = 0;
  /** Inside print's argument list: '>' is redirection, not comparison. */
  private noGt = false;
  /** Inside a for (... in ...) head or similar: 'in' is not a binary operator here. */
  private noIn = false;

  constructor(private readonly toks: Tok[]) {}

  private get tok(): Tok {
    return this.toks[this.p]!;
  }

  private is(v: string, t?: Tok['t']): boolean {
    const tok = this.tok;
    return tok.v === v && (t ? tok.t === t : tok.t === 'op' || tok.t === 'kw');
  }

  private fail(): never {
    const t = this.tok;
    throw new AwkSyntaxError(`line ${t.line}: syntax error at or near ${t.t === 'nl' ? 'end of line' : t.v}`);
  }

  private expect(v: string): void {
    if (!this.is(v)) this.fail();
    this.p++;
  }

  private nls(): void {
    while (this.tok.t === 'nl') this.p++;
  }

  /** Statement terminators: newlines and semicolons. */
  private terms(): void {
    while (this.tok.t === 'nl' || this.is(';')) this.p++;
  }

  program(): Program {
    const prog: Program = { rules: [], funcs: new Map() };
    this.terms();
    while (this.tok.t !== 'eof') {
      if (this.is('function')) {
        this.p++;
        const name = this.tok.v;
        if (this.tok.t !== 'name' && this.tok.t !== 'funcname') this.fail();
        this.p++;
        this.expect('(');
        const params: string[] = [];
        while (!this.is(')')) {
          if (this.tok.t !== 'name') this.fail();
          params.push(this.tok.v);
          this.p++;
          if (this.is(',')) {
            this.p++;
            this.nls();
          } else if (!this.is(')')) this.fail();
        }
        this.p++;
        this.nls();
        prog.funcs.set(name, { name, params, body: this.blockBody() });
      } else if (this.is('BEGIN') || this.is('END')) {
        const kind = this.tok.v as 'BEGIN' | 'END';
        this.p++;
        this.nls();
        if (!this.is('{')) this.fail();
        prog.rules.push({ kind, inRange: false, body: this.blockBody() });
      } else {
        const rule: Rule = { kind: 'main', inRange: false };
        if (!this.is('{')) {
          rule.pattern = this.expr();
          if (this.is(',')) {
            this.p++;
            this.nls();
            rule.pattern2 = this.expr();
          }
        }
        if (this.is('{')) rule.body = this.blockBody();
        prog.rules.push(rule);
      }
      const end: Tok['t'] = this.toks[this.p]!.t;
      if (!(end === 'nl' || end === 'eof' || this.is(';') || this.toks[this.p - 1]!.v === '}')) this.fail();
      this.terms();
    }
    return prog;
  }

  private blockBody(): Stmt[] {
    this.expect('{');
    const body: Stmt[] = [];
    this.terms();
    while (!this.is('}')) {
      if (this.tok.t === 'eof') throw new AwkSyntaxError(`line ${this.tok.line + 1}: missing } near end of file`);
      body.push(this.stmt());
      this.terms();
    }
    this.p++;
    return body;
  }

  /** A statement's end: ; newline, or before } (consumed only when ; or newline). */
  private endSimple(): void {
    if (this.is(';') || this.tok.t === 'nl') {
      this.p++;
      return;
    }
    if (this.is('}') || this.tok.t === 'eof') return;
    this.fail();
  }

  private simpleOrBlock(): Stmt {
    this.nls();
    if (this.is(';')) {
      this.p++;
      return { k: 'block', body: [] };
    }
    return this.stmt();
  }

  private stmt(): Stmt {
    const t = this.tok;
    if (this.is('{')) return { k: 'block', body: this.blockBody() };
    if (t.t === 'kw') {
      switch (t.v) {
        case 'if': {
          this.p++;
          this.expect('(');
          const c = this.expr();
          this.expect(')');
          const then = this.simpleOrBlock();
          // An else may follow newlines or a semicolon.
          const save = this.p;
          this.terms();
          if (this.is('else')) {
            this.p++;
            return { k: 'if', c, then, else: this.simpleOrBlock() };
          }
          this.p = save;
          return { k: 'if', c, then };
        }
        case 'while': {
          this.p++;
          this.expect('(');
          const c = this.expr();
          this.expect(')');
          if (this.is(';')) {
            this.p++;
            return { k: 'while', c, body: { k: 'block', body: [] } };
          }
          return { k: 'while', c, body: this.simpleOrBlock() };
        }
        case 'do': {
          this.p++;
          const body = this.simpleOrBlock();
          this.terms();
          this.expect('while');
          this.expect('(');
          const c = this.expr();
          this.expect(')');
          this.endSimple();
          return { k: 'do', body, c };
        }
        case 'for':
          return this.forStmt();
        case 'next':
        case 'nextfile':
        case 'break':
        case 'continue':
          this.p++;
          this.endSimple();
          return { k: t.v };
        case 'exit':
        case 'return': {
          this.p++;
          let e: Expr | undefined;
          if (!(this.is(';') || this.is('}') || this.tok.t === 'nl' || this.tok.t === 'eof')) e = this.expr();
          this.endSimple();
          return { k: t.v, e };
        }
        case 'delete': {
          this.p++;
          if (this.tok.t !== 'name') this.fail();
          const name = this.tok.v;
          this.p++;
          let subs: Expr[] | undefined;
          if (this.is('[')) {
            this.p++;
            subs = this.exprList();
            this.expect(']');
          }
          this.endSimple();
          return { k: 'delete', name, subs };
        }
        case 'print':
        case 'printf': {
          const s = this.printStmt();
          this.endSimple();
          return s;
        }
        default:
          break;
      }
    }
    if (this.is(';')) {
      this.p++;
      return { k: 'block', body: [] };
    }
    const e = this.expr();
    this.endSimple();
    return { k: 'expr', e };
  }

  private forStmt(): Stmt {
    this.p++;
    this.expect('(');
    // for (var in array)
    if (this.tok.t === 'name' && this.toks[this.p + 1]!.v === 'in' && this.toks[this.p + 2]!.t === 'name' && this.toks[this.p + 3]!.v === ')') {
      const v = this.tok.v;
      const arr = this.toks[this.p + 2]!.v;
      this.p += 4;
      return { k: 'forin', v, arr, body: this.simpleOrBlock() };
    }
    const init = this.is(';') ? undefined : ({ k: 'expr', e: this.expr() } as Stmt);
    this.expect(';');
    this.nls();
    const c = this.is(';') ? undefined : this.expr();
    this.expect(';');
    this.nls();
    const step = this.is(')') ? undefined : ({ k: 'expr', e: this.expr() } as Stmt);
    this.expect(')');
    if (this.is(';')) {
      this.p++;
      return { k: 'for', init, c, step, body: { k: 'block', body: [] } };
    }
    return { k: 'for', init, c, step, body: this.simpleOrBlock() };
  }

  private printStmt(): Stmt {
    const printf = this.tok.v === 'printf';
    this.p++;
    let args: Expr[] = [];
    const oldGt = this.noGt;
    this.noGt = true;
    try {
      if (this.is('(')) {
        // print (a, b) > f: a parenthesised list, unless it is only the start of an expression.
        const save = this.p;
        this.p++;
        const list = this.exprListGrouped();
        this.expect(')');
        const endsHere = this.is(';') || this.is('}') || this.is('>') || this.is('>>') || this.is('|') || this.tok.t === 'nl' || this.tok.t === 'eof';
        if (endsHere) args = list;
        else {
          this.p = save;
          args = this.exprList();
        }
      } else if (!(this.is(';') || this.is('}') || this.is('>') || this.is('>>') || this.is('|') || this.tok.t === 'nl' || this.tok.t === 'eof')) {
        args = this.exprList();
      }
    } finally {
      this.noGt = oldGt;
    }
    let redir: { op: string; e: Expr } | undefined;
    if (this.is('>') || this.is('>>') || this.is('|')) {
      const op = this.tok.v;
      this.p++;
      // The destination is a concatenation-free primary-ish expression, as in awk's grammar.
      const old = this.noGt;
      this.noGt = true;
      redir = { op, e: this.concat() };
      this.noGt = old;
    }
    if (printf && args.length === 0) this.fail();
    return { k: 'print', printf, args, redir };
  }

  private exprListGrouped(): Expr[] {
    const old = this.noGt;
    this.noGt = false;
    try {
      this.nls();
      return this.exprList();
    } finally {
      this.noGt = old;
    }
  }

  private exprList(): Expr[] {
    const list = [this.expr()];
    while (this.is(',')) {
      this.p++;
      this.nls();
      list.push(this.expr());
    }
    return list;
  }

  expr(): Expr {
    return this.ternary();
  }

  private isLvalue(e: Expr): boolean {
    return e.k === 'var' || e.k === 'field' || e.k === 'index';
  }

  private ternary(): Expr {
    const c = this.or();
    if (this.is('?')) {
      this.p++;
      this.nls();
      const a = this.ternary();
      this.nls();
      this.expect(':');
      this.nls();
      const b = this.ternary();
      return { k: 'cond', c, a, b };
    }
    if (this.tok.t === 'op' && /^(=|\+=|-=|\*=|\/=|%=|\^=)$/.test(this.tok.v) && this.isLvalue(c)) {
      const op = this.tok.v;
      this.p++;
      this.nls();
      return { k: 'assign', op, target: c, e: this.ternary() };
    }
    return c;
  }

  private or(): Expr {
    let a = this.and();
    while (this.is('||')) {
      this.p++;
      this.nls();
      a = { k: 'or', a, b: this.and() };
    }
    return a;
  }

  private and(): Expr {
    let a = this.inExpr();
    while (this.is('&&')) {
      this.p++;
      this.nls();
      a = { k: 'and', a, b: this.inExpr() };
    }
    return a;
  }

  private inExpr(): Expr {
    let a = this.matchExpr();
    while (this.is('in') && !this.noIn) {
      this.p++;
      if (this.tok.t !== 'name') this.fail();
      a = { k: 'in', subs: [a.k === 'group' ? a.e : a], name: this.tok.v };
      this.p++;
    }
    return a;
  }

  private matchExpr(): Expr {
    let a = this.comparison();
    while (this.is('~') || this.is('!~')) {
      const neg = this.tok.v === '!~';
      this.p++;
      a = { k: 'match', neg, a, re: this.comparison() };
    }
    return a;
  }

  private comparison(): Expr {
    const a = this.concat();
    const t = this.tok;
    if (t.t === 'op' && ['<', '<=', '!=', '==', '>=', '>'].includes(t.v) && !(t.v === '>' && this.noGt)) {
      this.p++;
      return { k: 'cmp', op: t.v, a, b: this.concat() };
    }
    return a;
  }

  /** Whether the current token can start an operand (so juxtaposition is concatenation). */
  private startsOperand(): boolean {
    const t = this.tok;
    if (t.t === 'num' || t.t === 'str' || t.t === 're' || t.t === 'name' || t.t === 'funcname' || t.t === 'builtin') return true;
    return t.t === 'op' && ['$', '!', '(', '-', '+', '++', '--'].includes(t.v);
  }

  private concat(): Expr {
    let a = this.additive();
    while (this.startsOperand() && !(this.tok.v === 'in' && this.tok.t === 'kw')) {
      a = { k: 'concat', a, b: this.additive() };
    }
    // cmd | getline [var]
    while (this.is('|') && this.toks[this.p + 1]?.v === 'getline') {
      this.p += 2;
      const target = this.optLvalue();
      a = { k: 'getline', cmd: a, target };
    }
    return a;
  }

  private additive(): Expr {
    let a = this.multiplicative();
    while (this.is('+') || this.is('-')) {
      const op = this.tok.v;
      this.p++;
      a = { k: 'bin', op, a, b: this.multiplicative() };
    }
    return a;
  }

  private multiplicative(): Expr {
    let a = this.unary();
    while (this.is('*') || this.is('/') || this.is('%')) {
      const op = this.tok.v;
      this.p++;
      a = { k: 'bin', op, a, b: this.unary() };
    }
    return a;
  }

  private unary(): Expr {
    if (this.is('!')) {
      this.p++;
      return { k: 'unary', op: '!', e: this.unary() };
    }
    if (this.is('-') || this.is('+')) {
      const op = this.tok.v;
      this.p++;
      return { k: 'unary', op, e: this.unary() };
    }
    return this.power();
  }

  private power(): Expr {
    const a = this.incdec();
    if (this.is('^')) {
      this.p++;
      // Right-associative, and binds tighter than unary minus on its left only.
      const b = this.is('-') || this.is('+') || this.is('!') ? this.unary() : this.power();
      return { k: 'bin', op: '^', a, b };
    }
    return a;
  }

  private incdec(): Expr {
    if (this.is('++') || this.is('--')) {
      const op = this.tok.v as '++' | '--';
      this.p++;
      const target = this.incdec();
      if (!this.isLvalue(target)) this.fail();
      return { k: 'incdec', op, prefix: true, target };
    }
    const e = this.primary();
    if ((this.is('++') || this.is('--')) && this.isLvalue(e)) {
      const op = this.tok.v as '++' | '--';
      this.p++;
      return { k: 'incdec', op, prefix: false, target: e };
    }
    return e;
  }

  private optLvalue(): Expr | undefined {
    if (this.tok.t === 'name' || this.is('$')) {
      const e = this.primary();
      if (this.isLvalue(e)) return e;
      this.fail();
    }
    return undefined;
  }

  private primary(): Expr {
    const t = this.tok;
    switch (t.t) {
      case 'num':
        this.p++;
        return { k: 'num', v: Number(t.v) };
      case 'str':
        this.p++;
        return { k: 'str', v: t.v };
      case 're':
        this.p++;
        return { k: 're', src: t.v };
      case 'name': {
        this.p++;
        if (this.is('[')) {
          this.p++;
          const subs = this.exprListGrouped();
          this.expect(']');
          return { k: 'index', name: t.v, subs };
        }
        return { k: 'var', name: t.v };
      }
      case 'funcname': {
        this.p++;
        this.expect('(');
        const args = this.is(')') ? [] : this.exprListGrouped();
        this.expect(')');
        return { k: 'call', name: t.v, args };
      }
      case 'builtin': {
        this.p++;
        if (!this.is('(')) {
          if (t.v === 'length') return { k: 'builtin', name: 'length', args: [] };
          this.fail();
        }
        this.p++;
        const args = this.is(')') ? [] : this.exprListGrouped();
        this.expect(')');
        return { k: 'builtin', name: t.v, args };
      }
      case 'kw':
        if (t.v === 'getline') {
          this.p++;
          const target = this.optLvalue();
          if (this.is('<')) {
            this.p++;
            return { k: 'getline', target, file: this.incdec() };
          }
          return { k: 'getline', target };
        }
        break;
      case 'op':
        if (t.v === '$') {
          this.p++;
          return { k: 'field', e: this.incdec() };
        }
        if (t.v === '(') {
          this.p++;
          const oldIn = this.noIn;
          this.noIn = false;
          const list = this.exprListGrouped();
          this.noIn = oldIn;
          this.expect(')');
          if (list.length > 1) {
            // (a, b) in arr
            if (!this.is('in')) this.fail();
            this.p++;
            if (this.tok.t !== 'name') this.fail();
            const name = this.tok.v;
            this.p++;
            return { k: 'in', subs: list, name };
          }
          return { k: 'group', e: list[0]! };
        }
        if (t.v === '-' || t.v === '+' || t.v === '!') return this.unary();
        break;
      default:
        break;
    }
    this.fail();
  }
}
