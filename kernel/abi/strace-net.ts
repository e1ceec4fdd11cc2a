// strace's way of writing the socket calls: socket types with their flags, sockaddrs with their
// lengths, msghdrs with their iovecs and control messages, MSG_* and SOCK_* flags, socket options by
// level and name (ints in brackets, struct linger, the congestion control's name, tcp_info by
// field), shutdown's how and the epoll calls with their events. Layouts were taken from strace 6
// tracing the same calls on Linux.

import { EPOLL_CLOEXEC, EPOLL_CTL_NAMES, EPOLL_EVENT_NAMES, type EpollEvent } from './epoll.js';
import { flagNames, formatSockaddr, quoteBytes } from './strace-format.js';
import {
  type AcceptResult,
  type Cmsg,
  FAMILY_NAMES,
  IP_TTL,
  IPPROTO_IP,
  MSG_FLAG_NAMES,
  type MsgHdr,
  PROTO_NAMES,
  type RecvMsgResult,
  type RecvResult,
  SHUT_NAMES,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  type Sockaddr,
  type SockaddrIn,
  type SockaddrUn,
  SOCKOPT_NAMES,
  type SockoptValue,
  SOCKTYPE_NAMES,
  SOL_SOCKET,
} from './socket.js';
import {
  SOL_TCP,
  TCP_CA_NAME_MAX,
  TCP_CM_INQ,
  TCP_CONGESTION,
  TCP_INFO,
  TCP_INFO_SIZE,
  TCP_OPTION_NAMES,
  TCP_STATE_NAMES,
  TCPI_OPT_ECN,
  TCPI_OPT_ECN_SEEN,
  TCPI_OPT_SACK,
  TCPI_OPT_SYN_DATA,
  TCPI_OPT_TIMESTAMPS,
  TCPI_OPT_WSCALE,
} from './tcp.js';

/** strace's table order for the flags or-ed into a socket type and accept4's flags. */
const SOCK_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [SOCK_CLOEXEC, 'SOCK_CLOEXEC'],
  [SOCK_NONBLOCK, 'SOCK_NONBLOCK'],
];
const EPOLL_CREATE_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [[EPOLL_CLOEXEC, 'EPOLL_CLOEXEC']];
const TCPI_OPT_NAMES: ReadonlyArray<readonly [number, string]> = [
  [TCPI_OPT_TIMESTAMPS, 'TCPI_OPT_TIMESTAMPS'],
  [TCPI_OPT_SACK, 'TCPI_OPT_SACK'],
  [TCPI_OPT_WSCALE, 'TCPI_OPT_WSCALE'],
  [TCPI_OPT_ECN, 'TCPI_OPT_ECN'],
  [TCPI_OPT_ECN_SEEN, 'TCPI_OPT_ECN_SEEN'],
  [TCPI_OPT_SYN_DATA, 'TCPI_OPT_SYN_DATA'],
];
const CA_STATE_NAMES: Readonly<Record<number, string>> = {
  0: 'TCP_CA_Open',
  1: 'TCP_CA_Disorder',
  2: 'TCP_CA_CWR',
  3: 'TCP_CA_Recovery',
  4: 'TCP_CA_Loss',
};
/** tcp_info's fields up to the 2.6 kernels' end, what a reader of a trace wants; the rest is "...". */
const TCP_INFO_SHOWN = 32;

const SOCKADDR_IN_LEN = 16;
/** sizeof(struct sockaddr_un), what a caller passes for an AF_UNIX address. */
const SOCKADDR_UN_LEN = 110;

function isUnix(a: unknown): a is SockaddrUn {
  return typeof a === 'object' && a !== null && 'sun_path' in a;
}

/** The length the kernel writes back: the family, the path and its NUL (just the family when unnamed). */
function unixAddrLen(path: string): number {
  return 2 + new TextEncoder().encode(path).length + (path ? 1 : 0);
}

export function msgFlags(flags: unknown): string {
  return flagNames(Number(flags ?? 0), MSG_FLAG_NAMES);
}

function sockType(type: number): string {
  const flags = type & (SOCK_CLOEXEC | SOCK_NONBLOCK);
  const base = type & ~flags;
  const name = SOCKTYPE_NAMES[base] ?? String(base);
  return flags ? `${name}|${flagNames(flags, SOCK_FLAG_NAMES)}` : name;
}

function level(l: number): string {
  if (l === SOL_SOCKET) return 'SOL_SOCKET';
  if (l === IPPROTO_IP) return 'SOL_IP';
  if (l === SOL_TCP) return 'SOL_TCP';
  return String(l);
}

function optionName(l: number, name: number): string {
  if (l === SOL_TCP) return TCP_OPTION_NAMES[name] ?? String(name);
  return SOCKOPT_NAMES[`${l}:${name}`] ?? String(name);
}

function tcpInfo(v: Readonly<Record<string, number>>): string {
  const fields = Object.entries(v).slice(0, TCP_INFO_SHOWN).map(([k, n]) => {
    if (k === 'tcpi_state') return `${k}=${TCP_STATE_NAMES[n] ? `TCP_${TCP_STATE_NAMES[n]}` : n}`;
    if (k === 'tcpi_ca_state') return `${k}=${CA_STATE_NAMES[n] ?? n}`;
    if (k === 'tcpi_options') return `${k}=${flagNames(n, TCPI_OPT_NAMES)}`;
    return `${k}=${n}`;
  });
  return `{${fields.join(', ')}, ...}`;
}

/** An option's value and its length, as strace shows the pair. */
function optionValue(l: number, name: number, v: SockoptValue | undefined, get: boolean): string {
  if (v === undefined) return get ? '0x0, 0x0' : '0x0, 0';
  const len = (n: number) => (get ? `[${n}]` : String(n));
  if (typeof v === 'number') return `[${v}], ${len(4)}`;
  if (typeof v === 'string') {
    // getsockopt(TCP_CONGESTION) fills the whole TCP_CA_NAME_MAX buffer, NUL-padded.
    const bytes = new TextEncoder().encode(v);
    if (get && l === SOL_TCP && name === TCP_CONGESTION) {
      const buf = new Uint8Array(TCP_CA_NAME_MAX);
      buf.set(bytes.subarray(0, TCP_CA_NAME_MAX));
      return `${quoteBytes(buf)}, ${len(TCP_CA_NAME_MAX)}`;
    }
    return `${quoteBytes(bytes)}, ${len(bytes.length)}`;
  }
  if ('l_onoff' in v) return `{l_onoff=${v.l_onoff}, l_linger=${v.l_linger}}, ${len(8)}`;
  if (l === SOL_TCP && name === TCP_INFO) return `${tcpInfo(v)}, ${len(TCP_INFO_SIZE)}`;
  return `{${Object.entries(v)
    .map(([k, n]) => `${k}=${n}`)
    .join(', ')}}, ${len(4 * Object.keys(v).length)}`;
}

function iovecs(bufs: readonly Uint8Array[], lens?: readonly number[]): string {
  return `[${bufs.map((b, i) => `{iov_base=${quoteBytes(b)}, iov_len=${lens?.[i] ?? b.length}}`).join(', ')}]`;
}

function cmsgs(list: readonly Cmsg[]): string {
  return `[${list
    .map((c) => {
      const lvl = level(c.cmsg_level);
      const type =
        c.cmsg_level === SOL_TCP && c.cmsg_type === TCP_CM_INQ ? 'TCP_CM_INQ' : c.cmsg_level === IPPROTO_IP && c.cmsg_type === IP_TTL ? 'IP_TTL' : `0x${c.cmsg_type.toString(16)}`;
      return `{cmsg_len=20, cmsg_level=${lvl}, cmsg_type=${type}, cmsg_data=[${c.cmsg_data}]}`;
    })
    .join(', ')}]`;
}

function msghdr(name: Sockaddr | null | undefined, iov: string, iovlen: number, control: readonly Cmsg[], flags: number): string {
  const nameText = name ? `msg_name=${formatSockaddr(name)}, msg_namelen=${SOCKADDR_IN_LEN}` : 'msg_name=NULL, msg_namelen=0';
  // CMSG_SPACE(sizeof(int)) is 24 bytes on a 64-bit Linux: 16 of header, 4 of int, 4 of padding.
  const ctl = control.length ? `msg_control=${cmsgs(control)}, msg_controllen=${24 * control.length}` : 'msg_controllen=0';
  return `{${nameText}, msg_iov=${iov}, msg_iovlen=${iovlen}, ${ctl}, msg_flags=${msgFlags(flags)}}`;
}

function epollEvent(e: EpollEvent | null | undefined): string {
  if (!e) return 'NULL';
  const data = e.data >>> 0 === e.data ? `{u32=${e.data}, u64=${e.data}}` : `{u64=${e.data}}`;
  return `{events=${flagNames(e.events, EPOLL_EVENT_NAMES)}, data=${data}}`;
}

/** The arguments of a socket or epoll call, or null when `name` is none of them. */
export function formatNetArgs(name: string, a: readonly unknown[], result: unknown): string | null {
  switch (name) {
    case 'socket':
      return `${FAMILY_NAMES[Number(a[0])] ?? a[0]}, ${sockType(Number(a[1]))}, ${PROTO_NAMES[Number(a[2])] ?? a[2]}`;
    case 'bind':
    case 'connect': {
      // The length a C caller passes: sizeof(struct sockaddr_in), or sizeof(struct sockaddr_un).
      const sa = a[1] as Sockaddr;
      return `${a[0]}, ${formatSockaddr(sa)}, ${isUnix(sa) ? SOCKADDR_UN_LEN : SOCKADDR_IN_LEN}`;
    }
    case 'listen':
      return `${a[0]}, ${a[1]}`;
    case 'accept':
    case 'accept4': {
      const r = result as AcceptResult | undefined;
      const peer = !r ? `0x0, [${SOCKADDR_IN_LEN}]` : isUnix(r.addr) ? `${formatSockaddr(r.addr)}, [${SOCKADDR_UN_LEN} => ${unixAddrLen(r.addr.sun_path)}]` : `${formatSockaddr(r.addr)}, [${SOCKADDR_IN_LEN}]`;
      return name === 'accept' ? `${a[0]}, ${peer}` : `${a[0]}, ${peer}, ${flagNames(Number(a[1]), SOCK_FLAG_NAMES)}`;
    }
    case 'getsockname':
    case 'getpeername':
      return result ? `${a[0]}, ${formatSockaddr(result as Sockaddr)}, [${SOCKADDR_IN_LEN}]` : `${a[0]}, 0x0, [${SOCKADDR_IN_LEN}]`;
    case 'shutdown':
      return `${a[0]}, ${SHUT_NAMES[Number(a[1])] ?? a[1]}`;
    case 'sendto': {
      const bytes = a[1] as Uint8Array;
      const to = a[3] as SockaddrIn | null | undefined;
      return `${a[0]}, ${quoteBytes(bytes)}, ${bytes.length}, ${msgFlags(a[2])}, ${formatSockaddr(to)}, ${to ? SOCKADDR_IN_LEN : 0}`;
    }
    case 'recvfrom': {
      const r = result as RecvResult | undefined;
      const from = r?.from ? `${formatSockaddr(r.from)}, [${SOCKADDR_IN_LEN}]` : 'NULL, NULL';
      return `${a[0]}, ${r ? quoteBytes(r.data) : '0x0'}, ${a[1]}, ${msgFlags(a[2])}, ${from}`;
    }
    case 'sendmsg': {
      const m = a[1] as MsgHdr;
      return `${a[0]}, ${msghdr(m.msg_name, iovecs(m.msg_iov), m.msg_iov.length, m.msg_control ?? [], 0)}, ${msgFlags(a[2])}`;
    }
    case 'recvmsg': {
      const lens = a[1] as number[];
      const r = result as RecvMsgResult | undefined;
      if (!r) return `${a[0]}, 0x0, ${msgFlags(a[2])}`;
      // The data lands in the iovecs in order; each shows what it received and its size.
      const bufs: Uint8Array[] = [];
      let at = 0;
      for (const len of lens) {
        bufs.push(r.data.subarray(at, at + len));
        at += len;
      }
      return `${a[0]}, ${msghdr(r.from, iovecs(bufs, lens), lens.length, r.control, r.flags)}, ${msgFlags(a[2])}`;
    }
    case 'setsockopt':
    case 'getsockopt': {
      const l = Number(a[1]);
      const n = Number(a[2]);
      const value = name === 'setsockopt' ? (a[3] as SockoptValue) : (result as SockoptValue | undefined);
      return `${a[0]}, ${level(l)}, ${optionName(l, n)}, ${optionValue(l, n, value, name === 'getsockopt')}`;
    }
    case 'epoll_create':
      return String(a[0]);
    case 'epoll_create1':
      return flagNames(Number(a[0]), EPOLL_CREATE_FLAG_NAMES);
    case 'epoll_ctl':
      return `${a[0]}, ${EPOLL_CTL_NAMES[Number(a[1])] ?? a[1]}, ${a[2]}, ${epollEvent(a[3] as EpollEvent | null | undefined)}`;
    case 'epoll_wait': {
      const events = result as EpollEvent[] | undefined;
      return `${a[0]}, ${events ? `[${events.map(epollEvent).join(', ')}]` : '0x0'}, ${a[1]}, ${a[2]}`;
    }
    default:
      return null;
  }
}

/** The result of a socket or epoll call, or null when the generic rule applies. */
export function formatNetResult(name: string, result: unknown): string | null {
  switch (name) {
    case 'accept':
    case 'accept4':
      return String((result as AcceptResult).fd);
    case 'recvfrom':
      return String((result as RecvResult).data.length);
    case 'recvmsg':
      return String((result as RecvMsgResult).data.length);
    case 'epoll_wait':
      return String((result as EpollEvent[]).length);
    case 'getsockopt':
    case 'getsockname':
    case 'getpeername':
      return '0';
    default:
      return null;
  }
}
