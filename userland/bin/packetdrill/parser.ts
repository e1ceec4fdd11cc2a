// The script parser: packetdrill's parser.y as recursive descent. A script is option lines
// (--name=value), an optional init command (a back-quoted shell command with no time), events
// (time, then a packet, a system call, a command or a %{ code }% snippet), and an optional
// cleanup command at the end. Errors carry packetdrill's wording: "parse error at 'TOKEN': syntax
// error" and "semantic error: ...".

import { type Event, type Expr, type IpInfo, NO_TIME, type Script, type ScriptPacket, type SyscallSpec, type TcpOption, type TimeType } from './ast.js';
import { Lexer, type Token } from './lexer.js';

export class ParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * Parse a script. `onOption` sees each option line as it is read, before the events: a --define
 * there changes how the rest of the script lexes, as in packetdrill.
 */
export function parseScript(src: string, defines: Map<string, string>, onOption: (name: string, value: string | null, line: number) => void): Script {
  return new Parser(new Lexer(src, defines), onOption).script();
}

const U32 = 0xffff_ffffn;

class Parser {
  constructor(
    private readonly lx: Lexer,
    private readonly onOption: (name: string, value: string | null, line: number) => void,
  ) {}

  private syntax(t: Token = this.lx.peek()): never {
    throw new ParseError(`parse error at '${t.kind === 'EOF' ? '' : tokenText(t)}': syntax error`, t.line);
  }

  private semantic(message: string, line: number): never {
    throw new ParseError(`semantic error: ${message}`, line);
  }

  private isChar(c: string, n = 0): boolean {
    const t = this.lx.peek(n);
    return t.kind === 'CHAR' && t.text === c;
  }

  private isKw(w: string, n = 0): boolean {
    const t = this.lx.peek(n);
    return t.kind === 'KW' && t.text === w;
  }

  private char(c: string): Token {
    if (!this.isChar(c)) this.syntax();
    return this.lx.next();
  }

  private kw(w: string): Token {
    if (!this.isKw(w)) this.syntax();
    return this.lx.next();
  }

  private integer(): bigint {
    const t = this.lx.next();
    if (t.kind !== 'INTEGER') this.syntax(t);
    return t.int!;
  }

  private u32(what: string): number {
    const t = this.lx.peek();
    const v = this.integer();
    if (v < 0n || v > U32) this.semantic(`${what} out of range`, t.line);
    return Number(v);
  }

  private ranged(what: string, max: number): number {
    const t = this.lx.peek();
    const v = this.integer();
    if (v < 0n || v > BigInt(max)) this.semantic(`${what} out of range`, t.line);
    return Number(v);
  }

  script(): Script {
    const options: Script['options'] = [];
    while (this.lx.peek().kind === 'OPTION') {
      const t = this.lx.next();
      let value: string | null = null;
      if (this.isChar('=')) {
        this.lx.next();
        value = this.optionValue();
      }
      options.push({ name: t.text, value });
      this.onOption(t.text, value, t.line);
    }
    let init: string | null = null;
    if (this.lx.peek().kind === 'BACKQ') init = this.lx.next().text;
    const events: Event[] = [];
    for (;;) {
      const t = this.lx.peek();
      if (t.kind === 'EOF') break;
      if (t.kind === 'BACKQ' && this.lx.peek(1).kind === 'EOF') break;
      events.push(this.event());
    }
    if (events.length === 0) this.syntax();
    const cleanup = this.lx.peek().kind === 'BACKQ' ? this.lx.next().text : null;
    return { options, init, events, cleanup };
  }

  private optionValue(): string {
    const t = this.lx.next();
    switch (t.kind) {
      case 'INTEGER':
      case 'HEX':
      case 'FLOAT':
      case 'IPV4':
        return t.text;
      case 'STRING':
        return t.text;
      case 'KW':
        if (t.text === 'ipv4' || t.text === 'ipv6') return t.text;
        return this.syntax(t);
      case 'WORD': {
        if (!this.isChar('=')) return t.text;
        this.lx.next();
        const v = this.lx.next();
        if (v.kind === 'WORD') return `${t.text}=${v.text}`;
        if (v.kind === 'STRING') return `${t.text}="${v.text}"`;
        if (v.kind === 'BACKQ') return `${t.text}=\`${v.text}\``;
        if (v.kind === 'INTEGER' || v.kind === 'HEX') return `${t.text}=${v.text}`;
        return this.syntax(v);
      }
      default:
        return this.syntax(t);
    }
  }

  // ------------------------------------------------------------------ events

  private event(): Event {
    const first = this.lx.peek();
    const { type: timeType, usecs, end } = this.eventTime();
    const e: Event = { line: first.line, timeType, usecs, endUsecs: end, offsetUsecs: 0, type: 'code' };
    const t = this.lx.peek();
    if (t.kind === 'CHAR' && (t.text === '<' || t.text === '>')) {
      e.type = 'packet';
      e.packet = this.packet();
    } else if (t.kind === 'BACKQ') {
      e.type = 'command';
      e.command = this.lx.next().text;
    } else if (t.kind === 'CODE') {
      e.type = 'code';
      e.code = this.lx.next().text;
    } else if (t.kind === 'WORD' || t.kind === 'ELLIPSIS') {
      e.type = 'syscall';
      e.syscall = this.syscall();
    } else this.syntax(t);
    if (e.endUsecs !== NO_TIME && e.endUsecs < e.usecs) this.semantic('time range is backwards', e.line);
    const outbound = e.type === 'packet' && e.packet!.direction === 'outbound';
    if (timeType === 'any' && !outbound) this.semantic('event time <star> can only be used with outbound packets', e.line);
    if ((timeType === 'absolute-range' || timeType === 'relative-range') && !outbound) {
      this.semantic('event time range can only be used with outbound packets', e.line);
    }
    return e;
  }

  private eventTime(): { type: TimeType; usecs: number; end: number } {
    if (this.isChar('*')) {
      this.lx.next();
      return { type: 'any', usecs: 0, end: NO_TIME };
    }
    if (this.isChar('+')) {
      this.lx.next();
      const usecs = this.time();
      if (this.isChar('~')) {
        this.lx.next();
        this.char('+');
        return { type: 'relative-range', usecs, end: this.time() };
      }
      return { type: 'relative', usecs, end: NO_TIME };
    }
    const usecs = this.time();
    if (this.isChar('~')) {
      this.lx.next();
      return { type: 'absolute-range', usecs, end: this.time() };
    }
    return { type: 'absolute', usecs, end: NO_TIME };
  }

  /** Seconds, as an integer or a decimal, to µs. */
  private time(): number {
    const t = this.lx.next();
    let secs: number;
    if (t.kind === 'FLOAT') secs = t.float!;
    else if (t.kind === 'INTEGER') secs = Number(t.int!);
    else return this.syntax(t);
    if (secs < 0) this.semantic('negative time', t.line);
    return Math.trunc(t.kind === 'FLOAT' ? secs * 1e6 : secs * 1_000_000);
  }

  // ------------------------------------------------------------------ packets

  private packet(): ScriptPacket {
    const dirTok = this.lx.next();
    const direction = dirTok.text === '<' ? 'inbound' : 'outbound';
    const ip = this.optIpInfo();
    let srcPort = 0;
    let dstPort = 0;
    if (this.lx.peek().kind === 'INTEGER' && this.isChar('>', 1)) {
      srcPort = this.ranged('src port', 0xffff);
      this.char('>');
      dstPort = this.ranged('dst port', 0xffff);
    }
    const base: ScriptPacket = { direction, ip, srcPort, dstPort, protocol: 'tcp', flags: '', seq: 0, payload: 0, ack: 0, win: -1, urg: 0, options: [] };
    if (this.isKw('udp')) {
      this.lx.next();
      this.char('(');
      base.payload = this.ranged('UDP payload size', 0xffff);
      this.char(')');
      return { ...base, protocol: 'udp' };
    }
    if (this.isKw('icmp')) return this.icmp(base);
    base.flags = this.flags();
    const seqTok = this.lx.peek();
    const [start, end, len] = this.seq();
    if (end !== (start + len) % 2 ** 32 && end !== start + len) this.semantic('inconsistent TCP sequence numbers and payload size', seqTok.line);
    base.seq = start;
    base.payload = len;
    if (this.isKw('ack')) {
      this.lx.next();
      base.ack = this.u32('TCP ack sequence number');
    }
    if (this.isKw('win')) {
      this.lx.next();
      base.win = this.ranged('TCP window value', 0xffff);
    }
    if (this.isKw('urg')) {
      this.lx.next();
      base.urg = this.ranged('urg_ptr value', 0xffff);
    }
    if (this.isChar('<')) {
      this.lx.next();
      if (this.lx.peek().kind === 'ELLIPSIS') {
        this.lx.next();
        base.options = null;
      } else base.options = this.tcpOptions();
      this.char('>');
    }
    if (base.options === null && direction !== 'outbound') {
      this.semantic('<...> for TCP options can only be used with outbound packets', dirTok.line);
    }
    if (base.win === -1 && direction === 'inbound') this.semantic('window must be specified for inbound packets', dirTok.line);
    for (const c of base.flags) if (!'.FSRPEWAU01234567'.includes(c)) this.semantic(`Invalid TCP flag: '${c}'`, dirTok.line);
    if (base.ip.tosCheck === 'ect01' && direction !== 'outbound') this.semantic('[ect01] can only be used with outbound packets', dirTok.line);
    return base;
  }

  private icmp(base: ScriptPacket): ScriptPacket {
    this.lx.next();
    const type = this.lx.next();
    if (type.kind !== 'WORD') this.syntax(type);
    let code: string | undefined;
    if (this.lx.peek().kind === 'WORD') code = this.lx.next().text;
    let mtu = -1;
    if (this.isKw('mtu')) {
      this.lx.next();
      mtu = Number(this.integer());
    }
    if (this.isKw('id')) {
      this.lx.next();
      this.integer();
    }
    let echoed: ScriptPacket['echoed'];
    if (this.isChar('[')) {
      this.lx.next();
      if (this.isKw('udp')) {
        this.lx.next();
        this.char('(');
        echoed = { protocol: 'udp', seq: 0, payload: Number(this.integer()) };
        this.char(')');
      } else {
        const [start, , len] = this.seq();
        echoed = { protocol: 'tcp', seq: start, payload: len };
      }
      this.char(']');
    }
    return { ...base, protocol: 'icmp', icmpType: type.text, icmpCode: code, icmpMtu: mtu, echoed };
  }

  private optIpInfo(): IpInfo {
    const info: IpInfo = { tosCheck: 'none', tos: 0, ttl: 0 };
    const open = this.isChar('(') ? ')' : this.isChar('[') ? ']' : null;
    if (!open) return info;
    this.lx.next();
    const t = this.lx.next();
    if (t.kind === 'KW' && t.text === 'ttl') info.ttl = Number(this.integer());
    else if (t.kind === 'KW' && t.text === 'tos') {
      const v = this.lx.next();
      if (v.kind !== 'HEX') this.syntax(v);
      if (v.int! > 255n) this.semantic('tos out of range for 8 bits', v.line);
      info.tosCheck = 'tos';
      info.tos = Number(v.int!);
    } else if (t.kind === 'KW' && t.text === 'ect01') info.tosCheck = 'ect01';
    else if (t.kind === 'KW' && ['noecn', 'ect0', 'ect1', 'ce'].includes(t.text)) {
      info.tosCheck = 'ecn';
      info.tos = { noecn: 0, ect1: 1, ect0: 2, ce: 3 }[t.text as 'noecn']!;
    } else this.syntax(t);
    if (this.isChar(',')) {
      this.lx.next();
      this.kw('flowlabel');
      this.lx.next();
    }
    this.char(open);
    return info;
  }

  private flags(): string {
    const t = this.lx.peek();
    if (t.kind === 'CHAR' && t.text === '.') {
      this.lx.next();
      return '.';
    }
    if (t.kind === 'CHAR' && t.text === '-') {
      this.lx.next();
      return '';
    }
    if (t.kind === 'FLOAT') {
      this.lx.next();
      return t.text;
    }
    if (t.kind !== 'WORD') this.syntax(t);
    this.lx.next();
    if (this.lx.peek().kind === 'FLOAT') return t.text + this.lx.next().text;
    if (this.isChar('.')) {
      this.lx.next();
      return `${t.text}.`;
    }
    return t.text;
  }

  /** START:END(LEN). */
  private seq(): [number, number, number] {
    const start = this.u32('TCP start sequence number');
    this.char(':');
    const end = this.u32('TCP end sequence number');
    this.char('(');
    const len = this.ranged('TCP payload size', 0xffff);
    this.char(')');
    return [start, end, len];
  }

  private tcpOptions(): TcpOption[] {
    const out: TcpOption[] = [];
    for (;;) {
      out.push(this.tcpOption());
      if (!this.isChar(',')) return out;
      this.lx.next();
    }
  }

  private tcpOption(): TcpOption {
    const t = this.lx.next();
    if (t.kind !== 'KW') this.syntax(t);
    switch (t.text) {
      case 'nop':
        return { kind: 'nop' };
      case 'eol':
        return { kind: 'eol' };
      case 'mss':
        return { kind: 'mss', value: this.ranged('mss value', 0xffff) };
      case 'wscale':
        return { kind: 'wscale', value: this.ranged('window scale shift count', 0xff) };
      case 'sackOK':
        return { kind: 'sackOK' };
      case 'sack': {
        const blocks: Array<[number, number]> = [];
        do {
          const l = this.u32('TCP SACK left sequence number');
          this.char(':');
          blocks.push([l, this.u32('TCP SACK right sequence number')]);
        } while (this.lx.peek().kind === 'INTEGER' && this.isChar(':', 1));
        return { kind: 'sack', blocks };
      }
      case 'TS': {
        this.kw('val');
        const val = this.u32('ts val');
        this.kw('ecr');
        return { kind: 'TS', val, ecr: this.u32('ecr val') };
      }
      case 'md5':
        return { kind: 'md5', bytes: this.hexBlob(t, 16) };
      case 'FO':
      case 'FOEXP': {
        const n = this.lx.peek();
        const bytes = n.kind === 'WORD' || n.kind === 'INTEGER' ? this.hexBlob(t, -1) : new Uint8Array(0);
        return { kind: t.text, bytes };
      }
      default:
        return this.syntax(t);
    }
  }

  private hexBlob(at: Token, want: number): Uint8Array {
    const t = this.lx.next();
    if (t.kind !== 'WORD' && t.kind !== 'INTEGER') this.syntax(t);
    const hex = t.text;
    if (!/^([0-9a-fA-F]{2})*$/.test(hex) || (want >= 0 && hex.length !== want * 2)) this.semantic(`bad ${at.text} option: ${hex}`, t.line);
    return Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
  }

  // ------------------------------------------------------------------ system calls

  private syscall(): SyscallSpec {
    let endUsecs = NO_TIME;
    if (this.lx.peek().kind === 'ELLIPSIS') {
      this.lx.next();
      endUsecs = this.time();
    }
    const name = this.lx.next();
    if (name.kind !== 'WORD') this.syntax(name);
    this.char('(');
    const args: Expr[] = [];
    if (!this.isChar(')')) args.push(...this.exprList());
    this.char(')');
    this.char('=');
    const result = this.expression();
    let errno: SyscallSpec['errno'] = null;
    if (this.lx.peek().kind === 'WORD') {
      const e = this.lx.next().text;
      errno = { name: e, strerror: this.isChar('(') ? this.note() : '' };
    }
    const note = this.isChar('(') ? this.note() : null;
    return { endUsecs, name: name.text, args, result, errno, note };
  }

  private note(): string {
    this.char('(');
    const words: string[] = [];
    while (!this.isChar(')')) {
      const t = this.lx.next();
      if (t.kind === 'EOF') this.syntax(t);
      words.push(tokenText(t));
    }
    this.lx.next();
    return words.join(' ');
  }

  private exprList(): Expr[] {
    const out = [this.expression()];
    while (this.isChar(',')) {
      this.lx.next();
      out.push(this.expression());
    }
    return out;
  }

  expression(): Expr {
    const lhs = this.primary();
    if (this.isChar('|')) {
      this.lx.next();
      return { kind: 'binary', op: '|', lhs, rhs: this.expression() };
    }
    return lhs;
  }

  private primary(): Expr {
    const t = this.lx.peek();
    switch (t.kind) {
      case 'ELLIPSIS':
        this.lx.next();
        return { kind: 'ellipsis' };
      case 'INTEGER':
      case 'HEX':
        this.lx.next();
        return { kind: 'int', int: t.int!, text: t.kind };
      case 'WORD':
        this.lx.next();
        if (this.isChar('=')) {
          this.lx.next();
          return { kind: 'binary', op: '=', lhs: { kind: 'word', text: t.text }, rhs: this.expression() };
        }
        return { kind: 'word', text: t.text };
      case 'STRING': {
        let e: Expr = { kind: 'string', text: this.lx.next().text };
        while (this.lx.peek().kind === 'STRING') e = { kind: 'binary', op: '.', lhs: e, rhs: { kind: 'string', text: this.lx.next().text } };
        if (this.lx.peek().kind === 'ELLIPSIS') this.lx.next();
        return e;
      }
      case 'KW':
        if (t.text === 'inet_addr') {
          this.lx.next();
          this.char('(');
          const s = this.lx.next();
          if (s.kind !== 'STRING') this.syntax(s);
          this.char(')');
          return { kind: 'int', int: inetAddr(s.text), text: 'HEX' };
        }
        return this.syntax(t);
      case 'CHAR':
        if (t.text === '[') {
          this.lx.next();
          const list = this.isChar(']') ? [] : this.exprList();
          this.char(']');
          return { kind: 'list', list };
        }
        if (t.text === '{') return this.braced();
        return this.syntax(t);
      default:
        return this.syntax(t);
    }
  }

  /** The `{...}` expressions, told apart by what follows the brace. */
  private braced(): Expr {
    this.char('{');
    const n = this.lx.peek();
    let e: Expr;
    if (n.kind === 'ELLIPSIS') {
      this.lx.next();
      this.char(',');
      e = { kind: 'iovec', fields: { iov_len: this.intExpr() } };
    } else if (n.kind === 'KW' && n.text === 'sa_family') e = this.sockaddr();
    else if (n.kind === 'KW' && n.text === 'msg_name') e = this.msghdr();
    else if (n.kind === 'KW' && n.text === 'cmsg_level') {
      e = { kind: 'cmsg', fields: this.fields(['cmsg_level', 'cmsg_type', 'cmsg_data']) };
    } else if (n.kind === 'KW' && n.text === 'fd') {
      const fields = this.fields(['fd', 'events']);
      if (this.isChar(',')) {
        this.lx.next();
        Object.assign(fields, this.fields(['revents']));
      }
      e = { kind: 'pollfd', fields };
    } else if (n.kind === 'KW' && n.text === 'events') {
      const fields = this.fields(['events']);
      this.char(',');
      const which = this.lx.peek();
      if (which.kind !== 'KW' || !['fd', 'ptr', 'u32', 'u64'].includes(which.text)) this.syntax(which);
      Object.assign(fields, this.fields([which.text]));
      e = { kind: 'epollev', fields };
    } else if (n.kind === 'KW' && n.text === 'onoff') {
      e = { kind: 'linger', fields: this.fields(['onoff', 'linger']) };
    } else e = { kind: 'list', list: this.exprList() };
    this.char('}');
    return e;
  }

  private intExpr(): Expr {
    const t = this.lx.peek();
    return { kind: 'int', int: this.integer(), text: t.kind };
  }

  /** `name = expression` for each name, comma separated. */
  private fields(names: string[]): Record<string, Expr> {
    const out: Record<string, Expr> = Object.create(null);
    names.forEach((name, i) => {
      if (i > 0) this.char(',');
      this.kw(name);
      this.char('=');
      out[name] = this.expression();
    });
    return out;
  }

  private sockaddr(): Expr {
    this.kw('sa_family');
    this.char('=');
    const fam = this.lx.next();
    if (fam.kind !== 'WORD') this.syntax(fam);
    this.char(',');
    this.kw('sin_port');
    this.char('=');
    this.kw('htons');
    this.char('(');
    const port = Number(this.integer());
    this.char(')');
    this.char(',');
    this.kw('sin_addr');
    this.char('=');
    this.kw('inet_addr');
    this.char('(');
    const addr = this.lx.next();
    if (addr.kind !== 'STRING') this.syntax(addr);
    this.char(')');
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(addr.text)) this.semantic('invalid IPv4 address', addr.line);
    return { kind: 'sockaddr', sockaddr: { family: fam.text, port, addr: addr.text } };
  }

  private msghdr(): Expr {
    this.kw('msg_name');
    this.char('(');
    this.ellipsis();
    this.char(')');
    this.char('=');
    this.ellipsis();
    this.char(',');
    this.kw('msg_iov');
    this.char('(');
    const count = Number(this.integer());
    this.char(')');
    this.char('=');
    const iov = this.primary();
    if (iov.kind !== 'list') this.syntax();
    this.char(',');
    this.kw('msg_flags');
    this.char('=');
    const flags = this.expression();
    let control: Expr = { kind: 'list', list: [] };
    if (this.isChar(',')) {
      this.lx.next();
      this.kw('msg_control');
      this.char('=');
      control = this.primary();
      if (control.kind !== 'list') this.syntax();
    }
    return { kind: 'msghdr', count, fields: { msg_iov: iov, msg_flags: flags, msg_control: control } };
  }

  private ellipsis(): void {
    if (this.lx.next().kind !== 'ELLIPSIS') this.syntax();
  }
}

function tokenText(t: Token): string {
  switch (t.kind) {
    case 'STRING':
      return `"${t.text}"`;
    case 'BACKQ':
      return `\`${t.text}\``;
    case 'OPTION':
      return `--${t.text}`;
    case 'CODE':
      return `%{${t.text}}%`;
    default:
      return t.text;
  }
}

/** inet_addr(3): the address as the int a C program holds (network byte order, read little-endian). */
function inetAddr(s: string): bigint {
  const p = s.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) return 0xffff_ffffn;
  return BigInt((p[0]! | (p[1]! << 8) | (p[2]! << 16) | (p[3]! << 24)) >>> 0);
}
