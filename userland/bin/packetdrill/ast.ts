// What the parser makes of a script: options, an init command, timed events, a cleanup command.
// Names follow packetdrill's script.h so the runner reads like run.c.

export type TimeType = 'absolute' | 'relative' | 'any' | 'absolute-range' | 'relative-range';

/** No end time: an event that is not a range, a system call that does not block. */
export const NO_TIME = -1;

export interface Expr {
  kind: 'ellipsis' | 'int' | 'word' | 'string' | 'binary' | 'list' | 'sockaddr' | 'msghdr' | 'iovec' | 'pollfd' | 'epollev' | 'linger' | 'cmsg';
  int?: bigint;
  /** word: the symbol; string: the text (escapes still in it). */
  text?: string;
  /** binary: '|', '=' (symbol = value) or '.' (string concatenation). */
  op?: string;
  lhs?: Expr;
  rhs?: Expr;
  list?: Expr[];
  /** Named members of a struct expression (msg_iov, msg_flags, cmsg_level, fd, events, onoff ...). */
  fields?: Record<string, Expr>;
  /** msghdr: the msg_iov(N) count. */
  count?: number;
  sockaddr?: { family: string; port: number; addr: string };
}

export interface TcpOption {
  kind: 'nop' | 'eol' | 'mss' | 'wscale' | 'sackOK' | 'sack' | 'TS' | 'md5' | 'FO' | 'FOEXP';
  value?: number;
  blocks?: Array<[number, number]>;
  val?: number;
  ecr?: number;
  /** md5, FO: the hex bytes. */
  bytes?: Uint8Array;
}

export interface IpInfo {
  tosCheck: 'none' | 'ecn' | 'ect01' | 'tos';
  tos: number;
  ttl: number;
}

export interface ScriptPacket {
  direction: 'inbound' | 'outbound';
  ip: IpInfo;
  srcPort: number;
  dstPort: number;
  protocol: 'tcp' | 'udp' | 'icmp';
  /** tcp: the flag letters as written (".", "S.", "F", "" for `-`). */
  flags: string;
  seq: number;
  payload: number;
  ack: number;
  /** -1: not given (outbound: not checked). */
  win: number;
  urg: number;
  /** null: `<...>`, options not checked. */
  options: TcpOption[] | null;
  /** icmp: type and code words, mtu (-1 none), the quoted segment. */
  icmpType?: string;
  icmpCode?: string;
  icmpMtu?: number;
  echoed?: { protocol: 'tcp' | 'udp'; seq: number; payload: number };
}

export interface SyscallSpec {
  /** `...END` of a blocking call, in µs; NO_TIME for one that must not block. */
  endUsecs: number;
  name: string;
  args: Expr[];
  result: Expr;
  errno: { name: string; strerror: string } | null;
  note: string | null;
}

export interface Event {
  line: number;
  timeType: TimeType;
  usecs: number;
  endUsecs: number;
  /** Filled at run time for relative events: the base their times were added to. */
  offsetUsecs: number;
  type: 'packet' | 'syscall' | 'command' | 'code';
  packet?: ScriptPacket;
  syscall?: SyscallSpec;
  command?: string;
  code?: string;
}

export interface Script {
  options: Array<{ name: string; value: string | null }>;
  init: string | null;
  events: Event[];
  cleanup: string | null;
}
