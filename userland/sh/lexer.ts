// Tokens of the shell language, read on demand by the parser.
//
// The shell cannot be tokenised ahead of parsing: `$(...)` holds whole programs (a `case` pattern's
// `)` must not close it), and here-document bodies start after the next newline token, once the
// parser has seen their `<<` operators. So the lexer reads one token when asked, reads each word
// straight into its AST parts, calls back into a parser (LexerHooks) for command substitutions, and
// reads pending here-document bodies as soon as it passes a newline.

import type {
  HereDoc,
  Program,
  SingleQuoted,
  Span,
  Word,
  WordPart,
  ParamExpansion,
  ParamOp,
  BadSubstitution,
} from './ast.js';
import { lineAt } from './ast.js';
import type { SyntaxErrorCode } from './errors.js';
import { decodeAnsiC } from './ansi-c.js';
import { applyTilde } from './tilde.js';

export type Operator =
  | ';'
  | '&'
  | '|'
  | '|&'
  | '&&'
  | '||'
  | ';;'
  | ';&'
  | ';;&'
  | '('
  | ')'
  | '<'
  | '>'
  | '>>'
  | '<<'
  | '<<-'
  | '<<<'
  | '<&'
  | '>&'
  | '<>'
  | '>|'
  | '&>'
  | '&>>';

export interface WordToken {
  type: 'word';
  start: number;
  end: number;
  word: Word;
  /** The text when the word is one unquoted literal: what reserved words and names are checked on. */
  literal: string | null;
}

export interface OpToken {
  type: 'op';
  start: number;
  end: number;
  op: Operator;
  /** The `2` of `2>`: digits written right before a redirection operator. */
  fd: number | null;
}

export interface NewlineToken {
  type: 'newline';
  start: number;
  end: number;
}

export interface EofToken {
  type: 'eof';
  start: number;
  end: number;
}

export type Token = WordToken | OpToken | NewlineToken | EofToken;

/** A syntax error while parsing; parse() turns it into a ShellSyntaxError with a line number. */
export class ParseFail extends Error {
  readonly code: SyntaxErrorCode;
  readonly offset: number;
  readonly incomplete: boolean;
  constructor(message: string, code: SyntaxErrorCode, offset: number, incomplete: boolean) {
    super(message);
    this.code = code;
    this.offset = offset;
    this.incomplete = incomplete;
  }
}

/**
 * Nesting shared by one parse and every parser it starts for substitutions. Recursion is how the
 * grammar nests, so a hostile input like 10,000 `(` would overflow the stack; a fixed limit turns
 * that into an ordinary syntax error, far below where the stack would run out.
 */
export interface NestBudget {
  depth: number;
}

export const MAX_NESTING = 200;

export function enterNesting(budget: NestBudget, offset: number): void {
  if (++budget.depth > MAX_NESTING) {
    throw new ParseFail('syntax error: nesting too deep', 'too-deep', offset, false);
  }
}

export interface LexerHooks {
  /** Parse the commands of a `$(` whose text starts at `start`, through its `)`. */
  commandSubst(source: string, start: number): { program: Program; end: number };
  /** Parse a separate text as a whole program (a backquoted command, after unescaping). */
  program(source: string): Program;
}

type Mode =
  /** An ordinary word: ends at a blank or an operator character. */
  | 'word'
  /** Inside "...": ends at the closing quote. */
  | 'dquote'
  /** The word of ${x-word} outside double quotes: quotes work, blanks are text, ends at `}`. */
  | 'brace'
  /** The same inside double quotes: single quotes are text, as in bash. */
  | 'brace-dq'
  /** The pattern (and replacement) of ${x#pat} and ${x/pat/rep} inside double quotes, where bash
   * and dash do honour single quotes. */
  | 'brace-dq-pattern'
  /** A here-document body: only $, ` and \ are special, and it ends at the end of the text. */
  | 'heredoc'
  /** $((...)): ends at the `)` that balances, which the caller checks is `))`. */
  | 'arith';

const OPERATORS3: readonly Operator[] = [';;&', '&>>', '<<<', '<<-'];
const OPERATORS2: readonly Operator[] = ['&&', '||', '|&', ';;', ';&', '>>', '<<', '<&', '>&', '<>', '>|', '&>'];
const OPERATORS1: readonly Operator[] = [';', '&', '|', '(', ')', '<', '>'];
/** Longest first, so that `<<-` is not read as `<<` followed by `-`. */
const OPERATORS: readonly Operator[] = [...OPERATORS3, ...OPERATORS2, ...OPERATORS1];

const SPECIAL_PARAMS = '@*#?-$!';

/** Characters that end an unquoted word. */
function endsWord(c: string): boolean {
  return (
    c === ' ' ||
    c === '\t' ||
    c === '\n' ||
    c === ';' ||
    c === '&' ||
    c === '|' ||
    c === '(' ||
    c === ')' ||
    c === '<' ||
    c === '>'
  );
}

function isNameStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
}

function isNameChar(c: string | undefined): boolean {
  return isNameStart(c) || isDigit(c);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

export function isName(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}

export class Lexer {
  readonly src: string;
  pos: number;
  /** Here-documents whose `<<` has been parsed and whose body starts after the next newline. */
  readonly pending: HereDoc[] = [];
  private readonly hooks: LexerHooks;
  private readonly budget: NestBudget;

  constructor(src: string, pos: number, hooks: LexerHooks, budget: NestBudget) {
    this.src = src;
    this.pos = pos;
    this.hooks = hooks;
    this.budget = budget;
  }

  /** The next token; with `wordOnly`, digits before `<` or `>` are a word, not a descriptor number. */
  next(wordOnly = false): Token {
    for (;;) {
      this.skipBlanks();
      const start = this.pos;
      const c = this.src[start];
      if (c === undefined) {
        const hd = this.pending[0];
        if (hd) throw this.hereDocEof(hd);
        return { type: 'eof', start, end: start };
      }
      if (c === '\n') {
        this.pos++;
        if (this.pending.length > 0) this.readHereDocs();
        return { type: 'newline', start, end: start + 1 };
      }
      const op = this.operatorAt(start);
      if (op) {
        this.pos += op.length;
        return { type: 'op', op, fd: null, start, end: this.pos };
      }
      if (isDigit(c) && !wordOnly) {
        let j = start;
        while (isDigit(this.src[j])) j++;
        const after = this.src[j];
        if (after === '<' || after === '>') {
          const redir = this.operatorAt(j)!;
          this.pos = j + redir.length;
          return { type: 'op', op: redir, fd: Number(this.src.slice(start, j)), start, end: this.pos };
        }
      }
      const parts = this.readParts('word', start);
      if (parts.length === 0) continue; // only line continuations were read
      const withTilde = applyTilde(parts, false);
      const only = withTilde.length === 1 ? withTilde[0]! : null;
      return {
        type: 'word',
        start,
        end: this.pos,
        word: { kind: 'Word', span: { start, end: this.pos }, parts: withTilde },
        literal: only && only.kind === 'Literal' ? only.value : null,
      };
    }
  }

  /** Blanks, line continuations and comments between tokens. */
  private skipBlanks(): void {
    const src = this.src;
    for (;;) {
      const c = src[this.pos];
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\\' && src[this.pos + 1] === '\n') this.continueLine();
      else if (c === '#') {
        const nl = src.indexOf('\n', this.pos);
        this.pos = nl === -1 ? src.length : nl;
      } else return;
    }
  }

  /**
   * Step over a backslash-newline. One that ends the text is a request for another line, which an
   * interactive shell must see as incomplete input rather than quietly dropping.
   */
  private continueLine(): void {
    this.pos += 2;
    if (this.pos >= this.src.length) {
      throw new ParseFail('syntax error: unexpected end of file', 'unexpected-eof', this.pos, true);
    }
  }

  private operatorAt(i: number): Operator | null {
    const c = this.src[i];
    // most tokens are words: skip the operator search unless the character can start one
    if (c !== ';' && c !== '&' && c !== '|' && c !== '(' && c !== ')' && c !== '<' && c !== '>') return null;
    for (const op of OPERATORS) if (this.src.startsWith(op, i)) return op;
    return null;
  }

  /** Read word parts from the current position until the end `mode` defines. */
  readParts(mode: Mode, openAt: number, stop = ''): WordPart[] {
    const src = this.src;
    const parts: WordPart[] = [];
    let lit = '';
    let litStart = 0;
    let nest = 0;
    const text = (s: string, from: number): void => {
      if (lit === '') litStart = from;
      lit += s;
    };
    const flush = (end: number): void => {
      if (lit !== '') {
        parts.push({ kind: 'Literal', span: { start: litStart, end }, value: lit });
        lit = '';
      }
    };
    const quotedMode = mode === 'dquote' || mode === 'brace-dq' || mode === 'brace-dq-pattern' || mode === 'heredoc';

    for (;;) {
      const at = this.pos;
      const c = src[at];
      if (c === undefined) {
        if (mode === 'word' || mode === 'heredoc') break;
        throw this.unterminated(mode, openAt);
      }
      if (mode === 'word') {
        if (endsWord(c)) break;
      } else if (mode === 'dquote') {
        if (c === '"') break;
      } else if (mode === 'brace' || mode === 'brace-dq' || mode === 'brace-dq-pattern') {
        if (nest === 0 && (c === '}' || stop.includes(c))) break;
        if (c === '}') nest--;
        else if (c === '{') nest++;
      } else if (mode === 'arith') {
        if (c === ')') {
          if (nest === 0) break;
          nest--;
        } else if (c === '(') nest++;
      }

      if (c === '\\') {
        const n = src[at + 1];
        if (n === '\n') {
          if (mode === 'word') this.continueLine();
          else this.pos += 2;
          continue;
        }
        if (
          n !== undefined &&
          (!quotedMode ||
            n === '$' ||
            n === '`' ||
            n === '\\' ||
            (n === '"' && mode !== 'heredoc') ||
            (n === '}' && (mode === 'brace-dq' || mode === 'brace-dq-pattern')))
        ) {
          flush(at);
          parts.push({ kind: 'Escaped', span: { start: at, end: at + 2 }, value: n });
          this.pos += 2;
          continue;
        }
        text('\\', at);
        this.pos++;
        continue;
      }
      if (c === "'" && (!quotedMode || mode === 'brace-dq-pattern')) {
        flush(at);
        parts.push(this.readSingleQuoted());
        continue;
      }
      if (c === '"' && mode !== 'dquote' && mode !== 'heredoc') {
        flush(at);
        parts.push(this.readDoubleQuoted());
        continue;
      }
      if (c === '$') {
        const part = this.readDollar(mode);
        if (part) {
          flush(at);
          parts.push(part);
          continue;
        }
      } else if (c === '`') {
        flush(at);
        parts.push(this.readBackquote(quotedMode));
        continue;
      }
      text(c, at);
      this.pos++;
    }
    flush(this.pos);
    return parts;
  }

  private unterminated(mode: Mode, openAt: number): ParseFail {
    const closer = mode === 'dquote' ? '"' : mode === 'arith' ? ')' : '}';
    return new ParseFail(`unexpected EOF while looking for matching \`${closer}'`, 'unterminated', openAt, true);
  }

  private readSingleQuoted(): SingleQuoted {
    const at = this.pos;
    const close = this.src.indexOf("'", at + 1);
    if (close === -1) {
      throw new ParseFail("unexpected EOF while looking for matching `''", 'unterminated', at, true);
    }
    this.pos = close + 1;
    return { kind: 'SingleQuoted', span: { start: at, end: this.pos }, value: this.src.slice(at + 1, close) };
  }

  private readDoubleQuoted(): WordPart {
    const at = this.pos;
    this.pos++;
    const parts = this.readParts('dquote', at);
    this.pos++; // the closing quote: readParts only returns in dquote mode when it sees one
    return { kind: 'DoubleQuoted', span: { start: at, end: this.pos }, parts };
  }

  /** A `$` construct at the current position, or null (and nothing consumed) for a literal `$`. */
  private readDollar(mode: Mode): WordPart | null {
    const src = this.src;
    const at = this.pos;
    const n = src[at + 1];
    if (n === '{') return this.readBraceParam(mode);
    if (n === '(') {
      return src[at + 2] === '(' && this.looksArithmetic(at + 3) ? this.readArith() : this.readCommandSubst();
    }
    if (isNameStart(n)) {
      let j = at + 2;
      while (isNameChar(src[j])) j++;
      this.pos = j;
      return this.param(at, src.slice(at + 1, j));
    }
    if (n !== undefined && (isDigit(n) || SPECIAL_PARAMS.includes(n))) {
      this.pos = at + 2;
      return this.param(at, n);
    }
    if (n === "'" && (mode === 'word' || mode === 'brace' || mode === 'arith')) return this.readAnsiC();
    if (n === '"' && (mode === 'word' || mode === 'brace' || mode === 'arith')) {
      // bash's locale-translated string; there is no catalogue here, so it is a plain "..."
      this.pos++;
      return this.readDoubleQuoted();
    }
    return null;
  }

  private param(at: number, name: string): ParamExpansion {
    return {
      kind: 'Param',
      span: { start: at, end: this.pos },
      name,
      indirect: false,
      op: null,
      colon: false,
      arg: null,
      arg2: null,
    };
  }

  /** A parameter name at `i` inside `${`: identifier, digits, or one special character. */
  private paramNameAt(i: number): string | null {
    const src = this.src;
    const c = src[i];
    if (isNameStart(c)) {
      let j = i + 1;
      while (isNameChar(src[j])) j++;
      return src.slice(i, j);
    }
    if (isDigit(c)) {
      let j = i + 1;
      while (isDigit(src[j])) j++;
      return src.slice(i, j);
    }
    if (c !== undefined && SPECIAL_PARAMS.includes(c)) return c;
    return null;
  }

  private readBraceParam(mode: Mode): ParamExpansion | BadSubstitution {
    const src = this.src;
    const at = this.pos;
    enterNesting(this.budget, at);
    this.pos += 2;
    const inDq = mode === 'dquote' || mode === 'brace-dq' || mode === 'brace-dq-pattern' || mode === 'heredoc';
    let inner: Mode = inDq ? 'brace-dq' : 'brace';
    let op: ParamOp | null = null;
    let name: string | null = null;
    let indirect = false;
    let colon = false;
    let arg: Word | null = null;
    let arg2: Word | null = null;

    if (src[this.pos] === '#') {
      const counted = this.paramNameAt(this.pos + 1);
      if (counted !== null && src[this.pos + 1 + counted.length] === '}') {
        name = counted;
        op = 'length';
        this.pos += 1 + counted.length;
      }
    } else if (src[this.pos] === '!' && src[this.pos + 1] !== '}') {
      // bash's ${!name}: the parameter named by name's value
      indirect = true;
      this.pos++;
    }
    if (name === null) {
      name = this.paramNameAt(this.pos);
      if (name === null) return this.badSubstitution(at);
      this.pos += name.length;
    }
    const c = src[this.pos];
    if (c === undefined) throw this.unterminated('brace', at);
    if (c !== '}') {
      if (op === 'length') return this.badSubstitution(at);
      const n = src[this.pos + 1];
      let stop = '';
      if (c === ':' && n !== undefined && '-=+?'.includes(n)) {
        colon = true;
        op = n as ParamOp;
        this.pos += 2;
      } else if ('-=+?'.includes(c)) {
        op = c as ParamOp;
        this.pos += 1;
      } else if (c === '#' || c === '%') {
        op = (n === c ? c + c : c) as ParamOp;
        this.pos += op.length;
        if (inDq) inner = 'brace-dq-pattern';
      } else if (c === '/') {
        op = n === '/' || n === '#' || n === '%' ? (('/' + n) as ParamOp) : '/';
        this.pos += op.length;
        stop = '/';
        if (inDq) inner = 'brace-dq-pattern';
      } else if (c === ':') {
        op = 'substring';
        this.pos += 1;
        stop = ':';
      } else {
        return this.badSubstitution(at);
      }
      arg = this.readBraceWord(inner, at, stop);
      if (stop !== '' && src[this.pos] === stop) {
        this.pos++;
        arg2 = this.readBraceWord(inner, at, '');
      }
    }
    this.pos++; // the closing brace: readParts only returns in brace modes when it sees one (or `stop`)
    this.budget.depth--;
    return { kind: 'Param', span: { start: at, end: this.pos }, name, indirect, op, colon, arg, arg2 };
  }

  private readBraceWord(mode: Mode, openAt: number, stop: string): Word {
    const start = this.pos;
    const parts = this.readParts(mode, openAt, stop);
    const tilded = mode === 'brace' ? applyTilde(parts, false) : parts;
    return { kind: 'Word', span: { start, end: this.pos }, parts: tilded };
  }

  /**
   * A `${...}` this shell cannot expand (`${x!}`, bash's `${!prefix*}`). Like bash, the script still
   * parses, and expanding it is the error, so a typo in a branch never taken costs nothing.
   */
  private badSubstitution(at: number): BadSubstitution {
    const close = this.src.indexOf('}', at);
    if (close === -1) throw this.unterminated('brace', at);
    this.pos = close + 1;
    this.budget.depth--;
    return { kind: 'BadSubst', span: { start: at, end: this.pos }, text: this.src.slice(at, this.pos) };
  }

  /**
   * Whether `$((` at `i` - 3 opens arithmetic rather than a command substitution that starts with a
   * subshell, `$((cd /; ls); echo)`. bash's rule: arithmetic when the parenthesis that balances the
   * inner `(` is followed at once by the `)` that balances the outer one.
   */
  private looksArithmetic(i: number): boolean {
    const src = this.src;
    let depth = 2;
    for (let j = i; j < src.length; j++) {
      const c = src[j];
      if (c === '\\') j++;
      else if (c === "'" || c === '"') {
        let close = j + 1;
        while (close < src.length && src[close] !== c) close += c === '"' && src[close] === '\\' ? 2 : 1;
        if (close >= src.length) return true;
        j = close;
      } else if (c === '(') depth++;
      else if (c === ')') {
        depth--;
        if (depth === 1) return src[j + 1] === ')';
      }
    }
    return true;
  }

  private readArith(): WordPart {
    const src = this.src;
    const at = this.pos;
    enterNesting(this.budget, at);
    this.pos += 3;
    const start = this.pos;
    const parts = this.readParts('arith', at);
    const end = this.pos;
    if (src[this.pos + 1] !== ')') {
      if (this.pos + 1 >= src.length) throw this.unterminated('arith', at);
      throw new ParseFail("syntax error near unexpected token `)'", 'unexpected-token', this.pos, false);
    }
    this.pos += 2;
    this.budget.depth--;
    return { kind: 'Arith', span: { start: at, end: this.pos }, expr: { kind: 'Word', span: { start, end }, parts } };
  }

  private readCommandSubst(): WordPart {
    const at = this.pos;
    const { program, end } = this.hooks.commandSubst(this.src, at + 2);
    this.pos = end;
    return { kind: 'CommandSubst', span: { start: at, end }, program, backquote: false };
  }

  /**
   * Inside backquotes a backslash quotes only $, ` and \ (and " within double quotes); the text left
   * after removing those backslashes is parsed as its own program.
   */
  private readBackquote(inDoubleQuotes: boolean): WordPart {
    const src = this.src;
    const at = this.pos;
    let inner = '';
    let j = at + 1;
    for (;;) {
      const c = src[j];
      if (c === undefined) {
        throw new ParseFail("unexpected EOF while looking for matching ``'", 'unterminated', at, true);
      }
      if (c === '`') break;
      if (c === '\\') {
        const n = src[j + 1];
        if (n === undefined) {
          throw new ParseFail("unexpected EOF while looking for matching ``'", 'unterminated', at, true);
        }
        if (n === '$' || n === '`' || n === '\\' || (n === '"' && inDoubleQuotes)) inner += n;
        else inner += c + n;
        j += 2;
        continue;
      }
      inner += c;
      j++;
    }
    this.pos = j + 1;
    let program: Program;
    try {
      program = this.hooks.program(inner);
    } catch (e) {
      // the backquote is closed, so more input cannot repair what is inside it
      if (e instanceof ParseFail) throw new ParseFail(e.message, e.code, at, false);
      throw e;
    }
    return { kind: 'CommandSubst', span: { start: at, end: this.pos }, program, backquote: true };
  }

  /** bash's `$'...'`, with C escapes decoded (ansi-c.ts). */
  private readAnsiC(): SingleQuoted {
    const at = this.pos;
    const r = decodeAnsiC(this.src, at);
    if (!r) throw new ParseFail("unexpected EOF while looking for matching `''", 'unterminated', at, true);
    this.pos = r.end;
    return { kind: 'SingleQuoted', span: { start: at, end: r.end }, value: r.value };
  }

  private hereDocEof(hd: HereDoc): ParseFail {
    const line = lineAt(this.src, hd.span.start);
    return new ParseFail(
      `here-document at line ${line} delimited by end-of-file (wanted \`${hd.delimiter}')`,
      'heredoc-eof',
      hd.span.start,
      true,
    );
  }

  /** Read the bodies of the pending here-documents, which start at the current position. */
  private readHereDocs(): void {
    const src = this.src;
    const docs = this.pending.splice(0);
    for (const hd of docs) {
      let body = '';
      for (;;) {
        if (this.pos >= src.length) throw this.hereDocEof(hd);
        const nl = src.indexOf('\n', this.pos);
        const lineEnd = nl === -1 ? src.length : nl;
        let line = src.slice(this.pos, lineEnd);
        if (hd.op === '<<-') line = line.replace(/^\t+/, '');
        this.pos = nl === -1 ? src.length : nl + 1;
        if (line === hd.delimiter) break;
        // a last line without its newline cannot be followed by the delimiter line
        if (nl === -1) throw this.hereDocEof(hd);
        body += line + '\n';
      }
      hd.body = this.hereDocWord(hd, body);
    }
  }

  private hereDocWord(hd: HereDoc, body: string): Word {
    const span: Span = { start: 0, end: body.length };
    if (hd.quoted || body === '') {
      return { kind: 'Word', span, parts: body === '' ? [] : [{ kind: 'SingleQuoted', span, value: body }] };
    }
    const sub = new Lexer(body, 0, this.hooks, this.budget);
    try {
      return { kind: 'Word', span, parts: sub.readParts('heredoc', 0) };
    } catch (e) {
      // the body is complete (its delimiter line was found), so more input cannot repair it
      if (e instanceof ParseFail) throw new ParseFail(e.message, e.code, hd.span.start, false);
      throw e;
    }
  }
}
