// The script lexer, after packetdrill's lexer.l: flex picks the longest match at each point and,
// between matches of one length, the rule listed first; so does `next()` here. Reserved words
// come back as their own kind (a WORD never equals one), and a WORD that names a --define'd
// symbol is replaced by its value, which may be a number, a string or a back-quoted command.

export type TokenKind =
  | 'KW' // a reserved word (ack, win, mss, sa_family ...): `text` says which
  | 'WORD'
  | 'INTEGER'
  | 'HEX'
  | 'FLOAT'
  | 'STRING'
  | 'BACKQ'
  | 'CODE'
  | 'OPTION'
  | 'IPV4'
  | 'ELLIPSIS'
  | 'CHAR'
  | 'EOF';

export interface Token {
  kind: TokenKind;
  /** The word, the char, the string's contents, the option's name without `--`. */
  text: string;
  /** INTEGER and HEX: the value (bigint keeps u64 sequence numbers and masks exact). */
  int?: bigint;
  float?: number;
  line: number;
}

/** Reserved words (lexer.l's keyword rules); `sequence#` is one too. */
const KEYWORDS: ReadonlySet<string> = new Set([
  'sa_family', 'sin_port', 'sin_addr', 'msg_name', 'msg_iov', 'msg_flags', 'msg_control', 'cmsg_data', 'cmsg_level',
  'cmsg_type', 'ee_errno', 'ee_origin', 'ee_type', 'ee_code', 'ee_info', 'ee_data', 'scm_sec', 'scm_nsec', 'fd', 'u32',
  'u64', 'ptr', 'events', 'revents', 'onoff', 'linger', 'htons', 'ipv4', 'ipv6', 'icmp', 'udp', 'GREv0', 'gre', 'raw',
  'sum', 'off', 'key', 'seq', 'none', 'checksum', 'present', 'encap', 'psp', 'spi', 'mpls', 'label', 'tc', 'ttl',
  'inet_addr', 'inet6_addr', 'ack', 'eol', 'ecr', 'mss', 'mtu', 'nop', 'sack', 'sackOK', 'md5', 'TS', 'FO', 'FOEXP',
  'ECN', 'e0b', 'e1b', 'ceb', 'tos', 'flowlabel', 'flags', 'Flags', 'val', 'win', 'urg', 'wscale', 'ect01', 'ect0',
  'ect1', 'noecn', 'ce', 'id',
]);

export class LexError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const RULES: ReadonlyArray<readonly [TokenKind | 'SEQUENCE' | 'SKIP', RegExp]> = [
  ['SEQUENCE', /sequence#/y],
  ['ELLIPSIS', /\.\.\./y],
  ['OPTION', /--[a-zA-Z0-9_]+/y],
  ['FLOAT', /-?[0-9]*\.[0-9]+/y],
  ['INTEGER', /-?[0-9]+/y],
  ['HEX', /0x[0-9a-fA-F]+/y],
  ['WORD', /[a-zA-Z0-9_]+/y],
  ['STRING', /"(?:\\[^]|[^"])*"/y],
  ['BACKQ', /`(?:\\[^]|[^`])*`/y],
  ['CHAR', /[^ \t\n]/y],
  ['SKIP', /[ \t\n]+/y],
  ['SKIP', /\/\/[^\n]*(?:\n|$)/y],
  ['SKIP', /\/\*(?:[^*]|\*[^/])*\*\//y],
  ['CODE', /%\{(?:[^}]|\}[^%])*\}%/y],
  ['IPV4', /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/y],
];

export class Lexer {
  private pos = 0;
  private line = 1;
  private readonly ahead: Token[] = [];

  /** `defines` is read as words are met: options parsed earlier in the script apply to the rest. */
  constructor(
    private readonly src: string,
    private readonly defines: ReadonlyMap<string, string>,
  ) {}

  peek(n = 0): Token {
    while (this.ahead.length <= n) this.ahead.push(this.scan());
    return this.ahead[n]!;
  }

  next(): Token {
    const t = this.peek();
    this.ahead.shift();
    return t;
  }

  private scan(): Token {
    for (;;) {
      if (this.pos >= this.src.length) return { kind: 'EOF', text: '', line: this.line };
      let best: (typeof RULES)[number] | null = null;
      let bestLen = 0;
      for (const rule of RULES) {
        rule[1].lastIndex = this.pos;
        const m = rule[1].exec(this.src);
        if (m && m[0].length > bestLen) {
          best = rule;
          bestLen = m[0].length;
        }
      }
      const text = this.src.slice(this.pos, this.pos + bestLen);
      const line = this.line;
      this.pos += bestLen;
      for (const ch of text) if (ch === '\n') this.line++;
      const kind = best![0];
      switch (kind) {
        case 'SKIP':
          continue;
        case 'SEQUENCE':
          return { kind: 'KW', text, line };
        case 'OPTION':
          return { kind, text: text.slice(2), line };
        case 'FLOAT':
          return { kind, text, float: Number(text), line };
        case 'INTEGER':
          return { kind, text, int: BigInt(text), line };
        case 'HEX':
          return { kind, text, int: BigInt(text), line };
        case 'STRING':
        case 'BACKQ':
          return { kind, text: text.slice(1, -1), line };
        case 'CODE':
          return { kind, text: stripCode(text), line };
        case 'WORD':
          return this.word(text, line);
        default:
          return { kind, text, line };
      }
    }
  }

  /** lexer.l's word(): a reserved word, a --define'd symbol's value, or the word itself. */
  private word(text: string, line: number): Token {
    if (KEYWORDS.has(text)) return { kind: 'KW', text, line };
    const value = this.defines.get(text);
    if (value === undefined) return { kind: 'WORD', text, line };
    if (value.startsWith('"')) return { kind: 'STRING', text: value.slice(1, -1), line };
    if (value.startsWith('`')) return { kind: 'BACKQ', text: value.slice(1, -1), line };
    const n = strtol(value);
    return n === null ? { kind: 'WORD', text: value, line } : { kind: 'INTEGER', text: value, int: n, line };
  }
}

/** strtol(s, &end, 0) that must consume everything: decimal, 0x hex or 0 octal. */
export function strtol(s: string): bigint | null {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return null;
  const body = m[2]!;
  const v = /^0[xX]/.test(body) ? BigInt(body) : body.length > 1 && body.startsWith('0') ? BigInt(`0o${body.slice(1)}`) : BigInt(body);
  return m[1] === '-' ? -v : v;
}

/** `%{ code }%` without its delimiters and the blanks (spaces, tabs) at either end. */
function stripCode(s: string): string {
  return s.slice(2, -2).replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
}
