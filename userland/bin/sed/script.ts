// The sed script language, parsed as GNU sed parses it: commands separated by newlines or ';',
// addresses (N, $, /re/ and \cREc with I, first~step, addr1,addr2 with +N and ~N, 0,/re/, !),
// blocks, labels, a/i/c text in both the one-line and the POSIX form, s with its flags and y.
// Errors carry GNU sed's wording and the "-e expression #N, char M" position.

import { posixToJs, RegexError } from '../../lib/regex.js';

export class ScriptError extends Error {}

export type Addr =
  | { kind: 'line'; n: number }
  | { kind: 'last' }
  | { kind: 'zero' }
  | { kind: 'step'; first: number; step: number }
  /** re null: the last regular expression used (an empty //). */
  | { kind: 're'; re: RegExp | null }
  | { kind: 'plus'; n: number }
  | { kind: 'mult'; n: number };

export type ReplPart = string | number;

export interface Command {
  name: string;
  a1?: Addr;
  a2?: Addr;
  negate: boolean;
  /** Range state: active, and (for line-number ends) the line it ends at. */
  active: boolean;
  endLine: number;
  /** a, i, c text; b, t, T, : label; r, w file name. */
  text: string;
  /** { : index of the matching }; b t T : index of the label (-1: end of script). */
  jump: number;
  /** q, Q exit status. */
  status: number;
  // s
  re?: RegExp | null;
  repl?: ReplPart[];
  global?: boolean;
  occurrence?: number;
  print?: number;
  wfile?: string;
  // y
  map?: Map<string, string>;
}

/** One piece of the script as given: -e text, a -f file's text, or the script operand. */
export interface Piece {
  text: string;
  /** "-e expression #2" or "file x.sed" (then lines are counted). */
  origin: { kind: 'expr'; n: number } | { kind: 'file'; name: string };
}

export function parseScript(pieces: Piece[], extended: boolean): Command[] {
  const p = new Parser(pieces, extended);
  return p.parse();
}

class Parser {
  private readonly src: string;
  private readonly starts: number[] = [];
  private i = 0;
  private readonly cmds: Command[] = [];

  constructor(
    private readonly pieces: Piece[],
    private readonly extended: boolean,
  ) {
    let s = '';
    for (const piece of pieces) {
      this.starts.push(s.length);
      s += `${piece.text}\n`;
    }
    this.src = s.slice(0, -1);
  }

  private fail(msg: string, at = this.i): never {
    let k = this.starts.length - 1;
    while (k > 0 && this.starts[k]! > at) k--;
    const piece = this.pieces[k]!;
    const off = at - this.starts[k]!;
    if (piece.origin.kind === 'file') {
      const line = piece.text.slice(0, off).split('\n').length;
      throw new ScriptError(`file ${piece.origin.name} line ${line}: ${msg}`);
    }
    throw new ScriptError(`-e expression #${piece.origin.n}, char ${off}: ${msg}`);
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private skipSpace(): void {
    while (this.i < this.src.length && /[ \t]/.test(this.src[this.i]!)) this.i++;
  }

  parse(): Command[] {
    const open: number[] = [];
    for (;;) {
      while (this.i < this.src.length && /[ \t\n;]/.test(this.src[this.i]!)) this.i++;
      if (this.i >= this.src.length) break;
      if (this.peek() === '#') {
        while (this.i < this.src.length && this.src[this.i] !== '\n') this.i++;
        continue;
      }
      const cmd: Command = { name: '', negate: false, active: false, endLine: 0, text: '', jump: -1, status: 0 };
      const a1 = this.address();
      if (a1) {
        cmd.a1 = a1;
        this.skipSpace();
        if (this.peek() === ',') {
          this.i++;
          this.skipSpace();
          const a2 = this.address(true);
          if (!a2) this.fail('unexpected `,\'');
          cmd.a2 = a2;
        }
      }
      this.skipSpace();
      while (this.peek() === '!') {
        cmd.negate = true;
        this.i++;
        this.skipSpace();
      }
      if (this.i >= this.src.length) this.fail('missing command');
      const name = this.src[this.i++]!;
      cmd.name = name;
      if (a1?.kind === 'zero' && cmd.a2?.kind !== 're') this.fail('invalid usage of line address 0');
      if ((name === ':' || name === '}') && cmd.a1) this.fail(name === ':' ? ": doesn't want any addresses" : 'unexpected `}\'');
      switch (name) {
        case '{':
          open.push(this.cmds.length);
          this.cmds.push(cmd);
          continue;
        case '}':
          if (open.length === 0) this.fail('unexpected `}\'');
          this.cmds[open.pop()!]!.jump = this.cmds.length;
          this.cmds.push(cmd);
          this.endOfCommand();
          continue;
        case 'a':
        case 'i':
        case 'c':
          cmd.text = this.text();
          break;
        case ':': {
          this.skipSpace();
          const label = this.label();
          if (label === '') this.fail('":" lacks a label');
          cmd.text = label;
          break;
        }
        case 'b':
        case 't':
        case 'T':
          this.skipSpace();
          cmd.text = this.label();
          break;
        case 'r':
        case 'w':
          this.skipSpace();
          cmd.text = this.restOfLine();
          if (cmd.text === '') this.fail(`missing filename in r/R/w/W commands`);
          break;
        case 'q':
        case 'Q': {
          if (cmd.a2) this.fail('command only uses one address');
          this.skipSpace();
          const m = /^\d+/.exec(this.src.slice(this.i));
          if (m) {
            cmd.status = Number(m[0]) & 0xff;
            this.i += m[0].length;
          }
          this.endOfCommand();
          break;
        }
        case '=':
        case 'd':
        case 'D':
        case 'g':
        case 'G':
        case 'h':
        case 'H':
        case 'n':
        case 'N':
        case 'p':
        case 'P':
        case 'x':
        case 'z':
        case 'F':
          this.endOfCommand();
          break;
        case 's':
          this.substitute(cmd);
          break;
        case 'y':
          this.transliterate(cmd);
          break;
        default:
          this.fail(`unknown command: \`${name}'`, this.i);
      }
      this.cmds.push(cmd);
    }
    if (open.length > 0) this.fail('unmatched `{\'', 0);
    // Labels are resolved once all are known.
    const labels = new Map<string, number>();
    this.cmds.forEach((c, k) => {
      if (c.name === ':') labels.set(c.text, k);
    });
    for (const c of this.cmds) {
      if ('btT'.includes(c.name) && c.name !== '') {
        if (c.text === '') c.jump = -1;
        else if (!labels.has(c.text)) throw new ScriptError(`can't find label for jump to \`${c.text}'`);
        else c.jump = labels.get(c.text)!;
      }
    }
    return this.cmds;
  }

  /** After a command: blanks, then ; } # newline or the end; anything else is extra. */
  private endOfCommand(): void {
    this.skipSpace();
    const c = this.peek();
    if (c === undefined || c === '\n' || c === ';' || c === '#') {
      if (c === ';' || c === '\n') this.i++;
      return;
    }
    if (c === '}') return;
    this.i++;
    this.fail('extra characters after command');
  }

  private label(): string {
    const start = this.i;
    while (this.i < this.src.length && !/[\n;]/.test(this.src[this.i]!)) this.i++;
    const label = this.src.slice(start, this.i).trim();
    if (this.peek() === ';') this.i++;
    return label;
  }

  private restOfLine(): string {
    const start = this.i;
    while (this.i < this.src.length && this.src[this.i] !== '\n') this.i++;
    return this.src.slice(start, this.i);
  }

  private address(second = false): Addr | undefined {
    const rest = this.src.slice(this.i);
    let m: RegExpExecArray | null;
    if (second && (m = /^([+~])(\d+)/.exec(rest))) {
      this.i += m[0].length;
      return m[1] === '+' ? { kind: 'plus', n: Number(m[2]) } : { kind: 'mult', n: Number(m[2]) };
    }
    if ((m = /^(\d+)~(\d+)/.exec(rest))) {
      this.i += m[0].length;
      return { kind: 'step', first: Number(m[1]), step: Number(m[2]) };
    }
    if ((m = /^\d+/.exec(rest))) {
      this.i += m[0].length;
      const n = Number(m[0]);
      if (n === 0 && !second) return { kind: 'zero' };
      if (n === 0) this.fail('invalid usage of line address 0');
      return { kind: 'line', n };
    }
    if (rest[0] === '$') {
      this.i++;
      return { kind: 'last' };
    }
    if (rest[0] === '/' || rest[0] === '\\') {
      let delim = '/';
      if (rest[0] === '\\') {
        this.i++;
        delim = this.src[this.i] ?? '';
        if (delim === '' || delim === '\n' || delim === '\\') this.fail('unexpected `,\'');
      }
      this.i++;
      const body = this.delimited(delim, 'unterminated address regex');
      let flags = '';
      while (this.peek() === 'I' || this.peek() === 'M') flags += this.src[this.i++] === 'I' ? 'i' : 'm';
      return { kind: 're', re: this.regex(body, flags) };
    }
    return undefined;
  }

  /** Text up to an unescaped delimiter (consumed), each backslash pair rewritten by `esc`. */
  private scan(delim: string, unterminated: string, esc: (n: string) => string, newlineEnds: boolean): string {
    let out = '';
    while (this.i < this.src.length) {
      const c = this.src[this.i]!;
      if (c === '\\' && this.i + 1 < this.src.length) {
        out += esc(this.src[this.i + 1]!);
        this.i += 2;
        continue;
      }
      if (c === '\n' && newlineEnds) break;
      if (c === delim) {
        this.i++;
        return out;
      }
      out += c;
      this.i++;
    }
    this.fail(unterminated);
  }

  /** A regex up to its delimiter: \delim is the delimiter itself, \n a newline. */
  private delimited(delim: string, unterminated: string): string {
    return this.scan(delim, unterminated, (n) => (n === delim ? (delim === '&' ? '\\&' : delim) : n === 'n' || n === '\n' ? '\n' : `\\${n}`), true);
  }

  private regex(body: string, flags: string): RegExp | null {
    if (body === '') return null;
    try {
      // \t in sed regexes is a tab (a GNU extension); the rest is POSIX.
      const src = posixToJs(body.replace(/\\t/g, '\t'), this.extended);
      return new RegExp(src, flags);
    } catch (e) {
      if (e instanceof RegexError) this.fail(e.message);
      if (e instanceof SyntaxError) this.fail('Invalid regular expression');
      throw e;
    }
  }

  private text(): string {
    this.skipSpace();
    if (this.peek() === '\\') {
      this.i++;
      this.skipSpace();
      if (this.peek() === '\n') this.i++;
    } else if (this.i >= this.src.length || this.peek() === '\n') {
      this.fail("expected \\ after `a', `c' or `i'");
    }
    let out = '';
    while (this.i < this.src.length) {
      const c = this.src[this.i]!;
      if (c === '\\') {
        const n = this.src[this.i + 1];
        this.i += 2;
        if (n !== undefined) out += n;
        continue;
      }
      if (c === '\n') {
        this.i++;
        break;
      }
      out += c;
      this.i++;
    }
    return `${out}\n`;
  }

  private substitute(cmd: Command): void {
    const delim = this.src[this.i];
    if (delim === undefined || delim === '\n' || delim === '\\') this.fail("unterminated `s' command");
    this.i++;
    const pattern = this.delimited(delim, "unterminated `s' command");
    const replStart = this.i;
    const replText = this.replacementText(delim);
    let flags = '';
    cmd.global = false;
    cmd.print = 0;
    for (;;) {
      const c = this.peek();
      if (c === 'g') {
        if (cmd.global) this.fail("multiple `g' options to `s' command", this.i + 1);
        cmd.global = true;
      } else if (c === 'p') {
        if (cmd.print) this.fail("multiple `p' options to `s' command", this.i + 1);
        cmd.print = 1;
      } else if (c === 'i' || c === 'I') flags += 'i';
      else if (c === 'm' || c === 'M') flags += 'm';
      else if (c !== undefined && /\d/.test(c)) {
        if (cmd.occurrence !== undefined) this.fail("multiple number options to `s' command", this.i + 1);
        const m = /^\d+/.exec(this.src.slice(this.i))!;
        if (Number(m[0]) === 0) this.fail("number option to `s' command may not be zero", this.i + 1);
        cmd.occurrence = Number(m[0]);
        this.i += m[0].length;
        continue;
      } else if (c === 'w') {
        this.i++;
        this.skipSpace();
        cmd.wfile = this.restOfLine();
        if (cmd.wfile === '') this.fail('missing filename in r/R/w/W commands');
        break;
      } else if (c === 'e') this.fail("unknown option to `s'", this.i + 1);
      else {
        if (c !== undefined && !/[ \t\n;}#]/.test(c)) this.fail("unknown option to `s'", this.i + 1);
        this.endOfCommand();
        break;
      }
      this.i++;
    }
    cmd.re = this.regex(pattern, flags);
    const groups = cmd.re ? new RegExp(`${cmd.re.source}|`).exec('')!.length - 1 : 9;
    cmd.repl = parseReplacement(replText);
    for (const part of cmd.repl) {
      if (typeof part === 'number' && part > groups) this.fail(`invalid reference \\${part} on \`s' command's RHS`, replStart + replText.length + 1);
    }
  }

  /** The replacement of s, raw (escapes kept for parseReplacement), up to the delimiter. */
  private replacementText(delim: string): string {
    return this.scan(delim, "unterminated `s' command", (n) => (n === delim && delim !== '&' && !/\d/.test(delim) ? delim : `\\${n}`), false);
  }

  private transliterate(cmd: Command): void {
    const delim = this.src[this.i];
    if (delim === undefined || delim === '\n' || delim === '\\') this.fail("unterminated `y' command");
    this.i++;
    const part = () => {
      let out = '';
      while (this.i < this.src.length) {
        const c = this.src[this.i]!;
        if (c === '\\') {
          const n = this.src[this.i + 1];
          this.i += 2;
          if (n === delim) out += delim;
          else if (n === 'n') out += '\n';
          else if (n === '\\') out += '\\';
          else if (n === 't') out += '\t';
          else this.fail("unknown option to `s'");
          continue;
        }
        if (c === delim) {
          this.i++;
          return [...out];
        }
        out += c;
        this.i++;
      }
      this.fail("unterminated `y' command");
    };
    const from = part();
    const to = part();
    if (from.length !== to.length) this.fail("strings for `y' command are different lengths");
    cmd.map = new Map(from.map((c, k) => [c, to[k]!]));
    this.endOfCommand();
  }
}

/** The replacement of s: text with & (whole match, 0), \1..\9, \n (newline) and \& literal. */
function parseReplacement(text: string): ReplPart[] {
  const parts: ReplPart[] = [];
  let lit = '';
  const flush = () => {
    if (lit !== '') parts.push(lit);
    lit = '';
  };
  for (let k = 0; k < text.length; k++) {
    const c = text[k]!;
    if (c === '&') {
      flush();
      parts.push(0);
    } else if (c === '\\' && k + 1 < text.length) {
      const n = text[++k]!;
      if (/[0-9]/.test(n)) {
        flush();
        parts.push(Number(n));
      } else if (n === 'n') lit += '\n';
      else if (n === 't') lit += '\t';
      else lit += n;
    } else lit += c;
  }
  flush();
  return parts;
}
