// Recursive-descent parser for the POSIX sh grammar (plus a few bashisms scripts lean on), producing
// the AST of ast.ts.
//
// parse() and parseCommands() never throw: every failure, including absurd nesting, comes back as a
// ShellSyntaxError value, and `incomplete` tells an interactive shell whether reading another line
// could complete the text (`if true; then`, an open quote, a trailing `|`) or whether it is wrong
// already (`fi` with no `if`).

import type {
  AndOr,
  AndOrTail,
  Assignment,
  CaseCommand,
  CaseItem,
  Command,
  CompoundCommand,
  ForCommand,
  FunctionDef,
  HereDoc,
  IfClause,
  IfCommand,
  List,
  Pipeline,
  Program,
  Redirect,
  RedirectOp,
  Redirection,
  SimpleCommand,
  Word,
  WordPart,
  WhileCommand,
} from './ast.js';
import { lineAt } from './ast.js';
import { ShellSyntaxError } from './errors.js';
import type { NestBudget, OpToken, Token, WordToken } from './lexer.js';
import { Lexer, ParseFail, enterNesting, isName } from './lexer.js';
import { applyTilde } from './tilde.js';

export type ParseResult =
  | { ok: true; program: Program }
  | { ok: false; error: ShellSyntaxError; incomplete: boolean };

export type ParseFailure = Extract<ParseResult, { ok: false }>;

/** Parse a whole script (or the lines an interactive user has typed so far). */
export function parse(source: string): ParseResult {
  try {
    const parser = new Parser(source, 0, { depth: 0 });
    return { ok: true, program: parser.parseAll() };
  } catch (e) {
    return failure(e, source);
  }
}

/**
 * Parse one complete command (a line's worth: `a; b & c`, or a multi-line compound command) at a
 * time, as sh does when it runs a script: the commands before a syntax error run, then the error is
 * reported. Each program's `source` is the whole text. After a failure the generator ends.
 */
export function* parseCommands(source: string): Generator<ParseResult, void, undefined> {
  const parser = new Parser(source, 0, { depth: 0 });
  for (;;) {
    let program: Program | null;
    try {
      program = parser.parseComplete();
    } catch (e) {
      yield failure(e, source);
      return;
    }
    if (program === null) return;
    yield { ok: true, program };
  }
}

function failure(e: unknown, source: string): ParseFailure {
  let error: ShellSyntaxError;
  if (e instanceof ParseFail) {
    error = new ShellSyntaxError(e.message, {
      code: e.code,
      offset: e.offset,
      line: lineAt(source, e.offset),
      incomplete: e.incomplete,
    });
  } else if (e instanceof RangeError) {
    // the nesting limit should make this unreachable; a stack overflow is still a syntax error
    error = new ShellSyntaxError('syntax error: nesting too deep', {
      code: 'too-deep',
      offset: 0,
      line: 1,
      incomplete: false,
    });
  } else {
    const detail = e instanceof Error ? e.message : String(e);
    error = new ShellSyntaxError(`internal parser error: ${detail}`, {
      code: 'internal',
      offset: 0,
      line: 1,
      incomplete: false,
    });
  }
  return { ok: false, error, incomplete: error.incomplete };
}

/**
 * Words that end a list when they stand where a command would start. `in` is among them because
 * bash rejects it there too, rather than running a command called `in`.
 */
const CLOSERS: ReadonlySet<string> = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', 'esac', '}', 'in']);

const REDIRECT_OPS: ReadonlySet<string> = new Set<string>(['<', '>', '>>', '<<', '<<-', '<<<', '<&', '>&', '<>', '>|', '&>', '&>>']);

function isRedirectOp(t: Token): t is OpToken {
  return t.type === 'op' && REDIRECT_OPS.has(t.op);
}

function isWord(t: Token, literal: string): t is WordToken {
  return t.type === 'word' && t.literal === literal;
}

function isOp(t: Token, op: string): t is OpToken {
  return t.type === 'op' && t.op === op;
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/;

class Parser {
  private readonly src: string;
  private readonly start: number;
  private readonly lx: Lexer;
  private readonly budget: NestBudget;
  private lookahead: Token | null = null;

  constructor(src: string, start: number, budget: NestBudget) {
    this.src = src;
    this.start = start;
    this.budget = budget;
    this.lx = new Lexer(
      src,
      start,
      {
        commandSubst: (s, i) => this.commandSubst(s, i),
        program: (s) => this.nestedProgram(s),
      },
      budget,
    );
  }

  // ---- entry points ----

  parseAll(): Program {
    const body = this.list();
    const t = this.peek();
    if (t.type !== 'eof') this.unexpected(t);
    return { kind: 'Program', span: { start: this.start, end: this.src.length }, source: this.src, body };
  }

  parseComplete(): Program | null {
    this.linebreak();
    if (this.peek().type === 'eof') return null;
    const items: AndOr[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === 'newline' || t.type === 'eof') break;
      if (this.endsList(t)) this.unexpected(t);
      const ao = this.andOr();
      items.push(ao);
      if (!this.separator(ao)) break;
    }
    const t = this.peek();
    if (t.type === 'newline') this.take();
    else if (t.type !== 'eof') this.unexpected(t);
    const span = { start: items[0]!.span.start, end: items[items.length - 1]!.span.end };
    return { kind: 'Program', span, source: this.src, body: { kind: 'List', span, items } };
  }

  /** The body of `$(`: commands up to the `)` that closes it. */
  private parseUntilParen(openAt: number): { program: Program; end: number } {
    const body = this.list();
    const t = this.peek();
    if (t.type === 'eof') {
      throw new ParseFail("unexpected EOF while looking for matching `)'", 'unterminated', openAt, true);
    }
    if (!isOp(t, ')')) this.unexpected(t);
    if (this.lx.pending.length > 0) {
      throw new ParseFail(
        'syntax error: here-document body must start before the closing `)\' of a command substitution',
        'unexpected-token',
        this.lx.pending[0]!.span.start,
        false,
      );
    }
    this.take();
    return {
      program: { kind: 'Program', span: { start: this.start, end: t.start }, source: this.src, body },
      end: t.end,
    };
  }

  private commandSubst(source: string, start: number): { program: Program; end: number } {
    enterNesting(this.budget, start - 2);
    const result = new Parser(source, start, this.budget).parseUntilParen(start - 2);
    this.budget.depth--;
    return result;
  }

  private nestedProgram(source: string): Program {
    enterNesting(this.budget, 0);
    const program = new Parser(source, 0, this.budget).parseAll();
    this.budget.depth--;
    return program;
  }

  // ---- tokens ----

  private peek(): Token {
    this.lookahead ??= this.lx.next();
    return this.lookahead;
  }

  private take(): Token {
    const t = this.peek();
    this.lookahead = null;
    return t;
  }

  private linebreak(): void {
    while (this.peek().type === 'newline') this.take();
  }

  private expectWord(literal: string): WordToken {
    const t = this.peek();
    if (!isWord(t, literal)) this.unexpected(t);
    this.take();
    return t;
  }

  /** For a token that must follow on the same line: the end of the input is not "more to come". */
  private unexpectedOnLine(t: Token): never {
    if (t.type === 'eof') {
      throw new ParseFail("syntax error near unexpected token `newline'", 'unexpected-token', t.start, false);
    }
    this.unexpected(t);
  }

  private unexpected(t: Token): never {
    if (t.type === 'eof') {
      throw new ParseFail('syntax error: unexpected end of file', 'unexpected-eof', t.start, true);
    }
    // like bash, name the `2` of a misplaced `2>&1`
    const text =
      t.type === 'newline'
        ? 'newline'
        : t.type === 'op'
          ? t.fd !== null
            ? String(t.fd)
            : t.op
          : this.src.slice(t.start, t.end);
    throw new ParseFail(`syntax error near unexpected token \`${text}'`, 'unexpected-token', t.start, false);
  }

  private endsList(t: Token): boolean {
    if (t.type === 'eof') return true;
    if (t.type === 'op') return t.op === ')' || t.op === ';;' || t.op === ';&' || t.op === ';;&';
    return t.type === 'word' && t.literal !== null && CLOSERS.has(t.literal);
  }

  // ---- lists ----

  /** A compound list: and-or lists separated by `;`, `&` and newlines, up to a closing token. */
  private list(): List {
    this.linebreak();
    const items: AndOr[] = [];
    const at = this.peek().start;
    while (!this.endsList(this.peek())) {
      const ao = this.andOr();
      items.push(ao);
      if (!this.separator(ao)) break;
      this.linebreak();
    }
    const span =
      items.length === 0
        ? { start: at, end: at }
        : { start: items[0]!.span.start, end: items[items.length - 1]!.span.end };
    return { kind: 'List', span, items };
  }

  /** Take a `;` or `&` (or see a newline) after an and-or list; false when none follows. */
  private separator(ao: AndOr): boolean {
    const t = this.peek();
    if (isOp(t, ';') || isOp(t, '&')) {
      this.take();
      if (t.op === '&') ao.background = true;
      return true;
    }
    return t.type === 'newline';
  }

  private andOr(): AndOr {
    const first = this.pipeline();
    const rest: AndOrTail[] = [];
    let end = first.span.end;
    for (;;) {
      const t = this.peek();
      if (!isOp(t, '&&') && !isOp(t, '||')) break;
      this.take();
      this.linebreak();
      const pipeline = this.pipeline();
      rest.push({ op: t.op as '&&' | '||', pipeline });
      end = pipeline.span.end;
    }
    return { kind: 'AndOr', span: { start: first.span.start, end }, first, rest, background: false };
  }

  private pipeline(): Pipeline {
    const start = this.peek().start;
    let negated = false;
    while (isWord(this.peek(), '!')) {
      this.take();
      negated = !negated;
    }
    const commands: Command[] = [this.command()];
    for (;;) {
      const t = this.peek();
      if (!isOp(t, '|') && !isOp(t, '|&')) break;
      this.take();
      if (t.op === '|&') stderrToPipe(commands[commands.length - 1]!, t);
      this.linebreak();
      commands.push(this.command());
    }
    return { kind: 'Pipeline', span: { start, end: commands[commands.length - 1]!.span.end }, negated, commands };
  }

  // ---- commands ----

  private command(): Command {
    const t = this.peek();
    if (t.type === 'word' && t.literal !== null) {
      if (t.literal === 'function') return this.functionKeyword();
      // `!` negates whole pipelines only: `a | ! b` is an error in bash
      if (CLOSERS.has(t.literal) || t.literal === '!') this.unexpected(t);
    }
    const compound = this.compoundCommand();
    if (compound) return compound;
    if (t.type === 'word' || isRedirectOp(t)) return this.simpleCommand();
    this.unexpected(t);
  }

  /** A compound command with its trailing redirections, or null if none starts here. */
  private compoundCommand(): CompoundCommand | null {
    const t = this.peek();
    let cmd: CompoundCommand;
    if (isOp(t, '(')) cmd = this.nested(t.start, () => this.subshell());
    else if (t.type !== 'word' || t.literal === null) return null;
    else {
      switch (t.literal) {
        case 'if':
          cmd = this.nested(t.start, () => this.ifCommand());
          break;
        case 'while':
        case 'until':
          cmd = this.nested(t.start, () => this.whileCommand());
          break;
        case 'for':
          cmd = this.nested(t.start, () => this.forCommand());
          break;
        case 'case':
          cmd = this.nested(t.start, () => this.caseCommand());
          break;
        case '{':
          cmd = this.nested(t.start, () => this.braceGroup());
          break;
        default:
          return null;
      }
    }
    while (isRedirectOp(this.peek())) {
      const r = this.redirect();
      cmd.redirects.push(r);
      cmd.span.end = r.span.end;
    }
    return cmd;
  }

  private nested<T>(at: number, parse: () => T): T {
    enterNesting(this.budget, at);
    const result = parse();
    this.budget.depth--;
    return result;
  }

  private nonEmpty(list: List): List {
    if (list.items.length === 0) this.unexpected(this.peek());
    return list;
  }

  private simpleCommand(): Command {
    const start = this.peek().start;
    let end = start;
    const assignments: Assignment[] = [];
    const words: Word[] = [];
    const redirects: Redirection[] = [];
    for (;;) {
      const t = this.peek();
      if (isRedirectOp(t)) {
        const r = this.redirect();
        redirects.push(r);
        end = r.span.end;
        continue;
      }
      if (t.type !== 'word') break;
      this.take();
      end = t.end;
      if (words.length === 0) {
        const a = assignmentOf(t);
        if (a) {
          assignments.push(a);
          continue;
        }
      }
      words.push(t.word);
      if (words.length === 1 && assignments.length === 0 && redirects.length === 0 && t.literal !== null) {
        if (isOp(this.peek(), '(')) return this.functionDef(t.literal, start);
      }
    }
    const cmd: SimpleCommand = { kind: 'SimpleCommand', span: { start, end }, assignments, words, redirects };
    return cmd;
  }

  /** `name ( ) body`, the name already taken. */
  private functionDef(name: string, start: number): FunctionDef {
    this.take(); // (
    const close = this.take();
    if (!isOp(close, ')')) this.unexpectedOnLine(close);
    return this.functionBody(name, start);
  }

  /** bash's `function name [()] body`. */
  private functionKeyword(): FunctionDef {
    const start = this.take().start;
    const nameTok = this.take();
    if (nameTok.type !== 'word') this.unexpected(nameTok);
    if (nameTok.literal === null) {
      throw new ParseFail(
        `\`${this.src.slice(nameTok.start, nameTok.end)}': not a valid identifier`,
        'invalid-name',
        nameTok.start,
        false,
      );
    }
    if (isOp(this.peek(), '(')) {
      this.take();
      const close = this.take();
      if (!isOp(close, ')')) this.unexpectedOnLine(close);
    }
    return this.functionBody(nameTok.literal, start);
  }

  private functionBody(name: string, start: number): FunctionDef {
    this.linebreak();
    const body = this.compoundCommand();
    if (!body) this.unexpected(this.peek());
    return { kind: 'FunctionDef', span: { start, end: body.span.end }, name, body };
  }

  private redirect(): Redirection {
    const opTok = this.take() as OpToken;
    const op = opTok.op;
    // the target is always a word: in `2>&1>>log` the 1 is not the fd of the next redirection
    const target = this.lookahead ?? this.lx.next(true);
    this.lookahead = null;
    if (target.type !== 'word') this.unexpectedOnLine(target);
    const explicitFd = opTok.fd !== null;
    const fd = opTok.fd ?? (op.startsWith('<') ? 0 : 1);
    const span = { start: opTok.start, end: target.end };
    if (op === '<<' || op === '<<-') {
      const { delimiter, quoted } = hereDocDelimiter(this.src.slice(target.start, target.end));
      const hd: HereDoc = {
        kind: 'HereDoc',
        span,
        op,
        fd,
        delimiter,
        quoted,
        body: { kind: 'Word', span: { start: 0, end: 0 }, parts: [] },
      };
      this.lx.pending.push(hd);
      return hd;
    }
    const r: Redirect = { kind: 'Redirect', span, op: op as RedirectOp, fd, explicitFd, target: target.word };
    return r;
  }

  private subshell(): CompoundCommand {
    const start = this.take().start;
    const body = this.nonEmpty(this.list());
    const close = this.take();
    if (!isOp(close, ')')) this.unexpected(close);
    return { kind: 'Subshell', span: { start, end: close.end }, body, redirects: [] };
  }

  private braceGroup(): CompoundCommand {
    const start = this.take().start;
    const body = this.nonEmpty(this.list());
    const close = this.expectWord('}');
    return { kind: 'BraceGroup', span: { start, end: close.end }, body, redirects: [] };
  }

  private ifCommand(): IfCommand {
    const start = this.take().start;
    const clauses: IfClause[] = [];
    let elseBody: List | null = null;
    for (;;) {
      const condition = this.nonEmpty(this.list());
      this.expectWord('then');
      const body = this.nonEmpty(this.list());
      clauses.push({ condition, body });
      const t = this.peek();
      if (isWord(t, 'elif')) {
        this.take();
        continue;
      }
      if (isWord(t, 'else')) {
        this.take();
        elseBody = this.nonEmpty(this.list());
      }
      break;
    }
    const fi = this.expectWord('fi');
    return { kind: 'If', span: { start, end: fi.end }, clauses, elseBody, redirects: [] };
  }

  private whileCommand(): WhileCommand {
    const kw = this.take() as WordToken;
    const condition = this.nonEmpty(this.list());
    this.expectWord('do');
    const body = this.nonEmpty(this.list());
    const done = this.expectWord('done');
    return {
      kind: 'While',
      span: { start: kw.start, end: done.end },
      until: kw.literal === 'until',
      condition,
      body,
      redirects: [],
    };
  }

  private forCommand(): ForCommand {
    const start = this.take().start;
    const nameTok = this.take();
    if (nameTok.type !== 'word') this.unexpected(nameTok);
    if (nameTok.literal === null || !isName(nameTok.literal)) {
      throw new ParseFail(
        `\`${this.src.slice(nameTok.start, nameTok.end)}': not a valid identifier`,
        'invalid-name',
        nameTok.start,
        false,
      );
    }
    this.linebreak();
    let words: Word[] | null = null;
    const t = this.peek();
    if (isWord(t, 'in')) {
      this.take();
      words = [];
      for (;;) {
        const w = this.take();
        if (w.type === 'word') words.push(w.word);
        else if (w.type === 'newline' || isOp(w, ';')) break;
        else this.unexpected(w);
      }
    } else if (isOp(t, ';')) {
      this.take();
    }
    this.linebreak();
    this.expectWord('do');
    const body = this.nonEmpty(this.list());
    const done = this.expectWord('done');
    return { kind: 'For', span: { start, end: done.end }, name: nameTok.literal, words, body, redirects: [] };
  }

  private caseCommand(): CaseCommand {
    const start = this.take().start;
    const wordTok = this.take();
    if (wordTok.type !== 'word') this.unexpected(wordTok);
    this.linebreak();
    this.expectWord('in');
    this.linebreak();
    const items: CaseItem[] = [];
    for (;;) {
      let t = this.peek();
      if (isWord(t, 'esac')) {
        this.take();
        return { kind: 'Case', span: { start, end: t.end }, word: wordTok.word, items, redirects: [] };
      }
      if (t.type === 'eof') this.unexpected(t);
      const itemStart = t.start;
      if (isOp(t, '(')) this.take();
      const patterns: Word[] = [];
      for (;;) {
        const p = this.take();
        if (p.type !== 'word') this.unexpectedOnLine(p);
        patterns.push(p.word);
        if (!isOp(this.peek(), '|')) break;
        this.take();
      }
      const close = this.take();
      if (!isOp(close, ')')) this.unexpectedOnLine(close);
      const body = this.list();
      let end = body.items.length > 0 ? body.span.end : close.end;
      let terminator: CaseItem['terminator'] = ';;';
      t = this.peek();
      if (isOp(t, ';;') || isOp(t, ';&') || isOp(t, ';;&')) {
        this.take();
        terminator = t.op as CaseItem['terminator'];
        end = t.end;
        this.linebreak();
      } else if (!isWord(t, 'esac')) {
        this.unexpected(t);
      }
      items.push({ kind: 'CaseItem', span: { start: itemStart, end }, patterns, body, terminator });
    }
  }
}

/** bash's `a |& b` is `a 2>&1 | b`: the redirection is added after the command's own. */
function stderrToPipe(cmd: Command, t: OpToken): void {
  const span = { start: t.start, end: t.end };
  const dup: Redirect = {
    kind: 'Redirect',
    span,
    op: '>&',
    fd: 2,
    explicitFd: true,
    target: { kind: 'Word', span, parts: [{ kind: 'Literal', span, value: '1' }] },
  };
  (cmd.kind === 'FunctionDef' ? cmd.body : cmd).redirects.push(dup);
}

/** `NAME=value` (or bash's `NAME+=value`) written before the command name. */
function assignmentOf(t: WordToken): Assignment | null {
  const first = t.word.parts[0];
  if (!first || first.kind !== 'Literal') return null;
  const m = ASSIGNMENT.exec(first.value);
  if (!m) return null;
  const rest = first.value.slice(m[0].length);
  const valueStart = first.span.start + m[0].length;
  const parts: WordPart[] = [];
  if (rest !== '') parts.push({ kind: 'Literal', span: { start: valueStart, end: first.span.end }, value: rest });
  parts.push(...t.word.parts.slice(1));
  return {
    kind: 'Assignment',
    span: { start: t.start, end: t.end },
    name: m[1]!,
    append: m[2] === '+',
    value: { kind: 'Word', span: { start: valueStart, end: t.end }, parts: applyTilde(parts, true) },
  };
}

/** The delimiter of `<<word` after quote removal; any quoting turns off expansion of the body. */
function hereDocDelimiter(raw: string): { delimiter: string; quoted: boolean } {
  let delimiter = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      quoted = true;
      delimiter += raw[++i];
    } else if (c === "'" || c === '"') {
      quoted = true;
      const close = raw.indexOf(c, i + 1);
      const end = close === -1 ? raw.length : close;
      delimiter += raw.slice(i + 1, end);
      i = end;
    } else if (c === '$' && (raw[i + 1] === "'" || raw[i + 1] === '"')) {
      // $'EOF' and $"EOF" quote like their plain forms
      continue;
    } else {
      delimiter += c;
    }
  }
  return { delimiter, quoted };
}
