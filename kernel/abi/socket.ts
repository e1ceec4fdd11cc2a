// Sockets: families, types, options and addresses, with Haiku's values (headers/posix/sys/socket.h,
// netinet/in.h). Addresses are typed objects, the way a C program fills a struct sockaddr_in.

export const AF_UNSPEC = 0;
export const AF_INET = 1;
export const AF_LINK = 4;
export const AF_INET6 = 5;
/** Local (Unix domain) sockets: Haiku's AF_LOCAL, 9. */
export const AF_UNIX = 9;
export const AF_LOCAL = AF_UNIX;

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;

export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_UDP = 17;
export const IPPROTO_RAW = 255;
/** Linux's bound on an AF_INET socket's protocol (IPPROTO_MPTCP is 262); at or past it, EINVAL. */
export const IPPROTO_MAX = 263;

export const IPPROTO_TCP = 6;
export const SOL_IP = IPPROTO_IP;

export const SOL_SOCKET = -1;
export const SO_ACCEPTCONN = 0x0000_0001;
export const SO_BROADCAST = 0x0000_0002;
export const SO_KEEPALIVE = 0x0000_0010;
export const SO_REUSEADDR = 0x0000_0040;
export const SO_REUSEPORT = 0x0000_0080;
export const SO_LINGER = 0x0000_0200;
export const SO_SNDBUF = 0x4000_0001;
export const SO_SNDLOWAT = 0x4000_0002;
export const SO_RCVBUF = 0x4000_0004;
export const SO_RCVLOWAT = 0x4000_0005;
export const SO_ERROR = 0x4000_0007;
export const SO_TYPE = 0x4000_0008;
/** Linux's SO_ZEROCOPY, which Haiku lacks: tunlab's own number. */
export const SO_ZEROCOPY = 0x4000_0040;

export const IP_HDRINCL = 2;
export const IP_TOS = 3;
export const IP_TTL = 4;
/** Linux's IP_MTU_DISCOVER and its modes (Haiku has none): path MTU discovery, DF on or off. */
export const IP_MTU_DISCOVER = 10;
export const IP_PMTUDISC_DONT = 0;
export const IP_PMTUDISC_WANT = 1;
export const IP_PMTUDISC_DO = 2;
export const IP_PMTUDISC_PROBE = 3;
/** Set the Don't Fragment bit on what the socket sends (FreeBSD's IP_DONTFRAG, its value; raw and UDP sockets). */
export const IP_DONTFRAG = 67;
/**
 * Ask for each datagram's TTL as a control message (FreeBSD's value; Haiku has none). The message
 * comes as Linux sends it: level IPPROTO_IP, type IP_TTL, an int (ping prints it from a ping socket).
 */
export const IP_RECVTTL = 65;

export const MSG_OOB = 0x0001;
export const MSG_PEEK = 0x0002;
export const MSG_EOR = 0x0008;
export const MSG_TRUNC = 0x0010;
export const MSG_WAITALL = 0x0040;
export const MSG_DONTWAIT = 0x0080;
export const MSG_NOSIGNAL = 0x0800;
/** Linux's MSG_MORE and MSG_ZEROCOPY (Haiku has neither), with Linux's values. */
export const MSG_MORE = 0x8000;
export const MSG_ZEROCOPY = 0x400_0000;

export const MSG_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [MSG_OOB, 'MSG_OOB'],
  [MSG_PEEK, 'MSG_PEEK'],
  [MSG_EOR, 'MSG_EOR'],
  [MSG_TRUNC, 'MSG_TRUNC'],
  [MSG_WAITALL, 'MSG_WAITALL'],
  [MSG_DONTWAIT, 'MSG_DONTWAIT'],
  [MSG_NOSIGNAL, 'MSG_NOSIGNAL'],
  [MSG_MORE, 'MSG_MORE'],
  [MSG_ZEROCOPY, 'MSG_ZEROCOPY'],
];

/** struct linger (SO_LINGER). */
export interface Linger {
  l_onoff: number;
  l_linger: number;
}

/**
 * What get/setsockopt carry: an int for most options, a string for TCP_CONGESTION, struct linger,
 * or a struct of named counters (tcp_info, kernel/abi/tcp.ts). getsockopt answers with the type the
 * option has.
 */
export type SockoptValue = number | string | Linger | Readonly<Record<string, number>>;

/** A control message (struct cmsghdr): TCP_CM_INQ's int, for one. */
export interface Cmsg {
  cmsg_level: number;
  cmsg_type: number;
  cmsg_data: number;
}

/** sendmsg's struct msghdr: the buffers are sent in order as one. */
export interface MsgHdr {
  msg_name?: SockaddrIn | null;
  msg_iov: Uint8Array[];
  msg_control?: Cmsg[];
}

/** What recvmsg fills in. */
export interface RecvMsgResult {
  data: Uint8Array;
  from: Sockaddr | null;
  /** MSG_TRUNC, MSG_EOR ... */
  flags: number;
  control: Cmsg[];
}

export interface SockaddrIn {
  sin_family: typeof AF_INET;
  /** Port in host order (the kernel stores it in network order on the wire). */
  sin_port: number;
  /** Dotted-quad IPv4 address. */
  sin_addr: string;
}

/** A link-level address (Haiku's sockaddr_dl): which interface a captured frame crossed. */
export interface SockaddrDl {
  sdl_family: typeof AF_LINK;
  sdl_index: number;
  /** IFT_* type of the interface: tells a capture program how to decode the frame. */
  sdl_type: number;
  /** The interface name. */
  sdl_name: string;
  /** 'in' for a frame the interface received, 'out' for one it sent. */
  sdl_direction?: 'in' | 'out';
}

/**
 * A Unix domain socket's address (sockaddr_un): a path in the file system, where bind() makes a
 * socket file; "" for a socket that is not bound (an accepted one's peer, a client's own name).
 */
export interface SockaddrUn {
  sun_family: typeof AF_UNIX;
  sun_path: string;
}

/** Bytes of sun_path, its NUL included (Linux's 108; a longer path is EINVAL). */
export const UNIX_PATH_MAX = 108;

export type Sockaddr = SockaddrIn | SockaddrDl | SockaddrUn;

/** What bind() and connect() take: an Internet address or a path. */
export type SockaddrBind = SockaddrIn | SockaddrUn;

export function sockaddrUn(path: string): SockaddrUn {
  return { sun_family: AF_UNIX, sun_path: path };
}

/** shutdown(2)'s how. */
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;
export const SHUT_NAMES: Readonly<Record<number, string>> = { [SHUT_RD]: 'SHUT_RD', [SHUT_WR]: 'SHUT_WR', [SHUT_RDWR]: 'SHUT_RDWR' };

/** accept()'s new fd and its peer's address. */
export interface AcceptResult {
  fd: number;
  addr: Sockaddr;
}

export function sockaddrIn(addr: string, port = 0): SockaddrIn {
  return { sin_family: AF_INET, sin_port: port, sin_addr: addr };
}

export interface RecvResult {
  data: Uint8Array;
  from: Sockaddr | null;
  /** MSG_TRUNC when the datagram was longer than asked for. */
  flags: number;
  /**
   * A capture's frame: the packet's journey id (kernel/abi/journey.ts), as ancillary data would
   * carry it, so a pcapng file can name it. Absent elsewhere.
   */
  journey?: number;
}

export const FAMILY_NAMES: Readonly<Record<number, string>> = {
  [AF_UNSPEC]: 'AF_UNSPEC',
  [AF_INET]: 'AF_INET',
  [AF_LINK]: 'AF_LINK',
  [AF_INET6]: 'AF_INET6',
  [AF_UNIX]: 'AF_UNIX',
};
export const SOCKTYPE_NAMES: Readonly<Record<number, string>> = {
  [SOCK_STREAM]: 'SOCK_STREAM',
  [SOCK_DGRAM]: 'SOCK_DGRAM',
  [SOCK_RAW]: 'SOCK_RAW',
};
export const PROTO_NAMES: Readonly<Record<number, string>> = {
  [IPPROTO_IP]: 'IPPROTO_IP',
  [IPPROTO_ICMP]: 'IPPROTO_ICMP',
  [IPPROTO_TCP]: 'IPPROTO_TCP',
  [IPPROTO_UDP]: 'IPPROTO_UDP',
  [IPPROTO_RAW]: 'IPPROTO_RAW',
};
export const SOCKOPT_NAMES: Readonly<Record<string, string>> = {
  [`${SOL_SOCKET}:${SO_ACCEPTCONN}`]: 'SO_ACCEPTCONN',
  [`${SOL_SOCKET}:${SO_KEEPALIVE}`]: 'SO_KEEPALIVE',
  [`${SOL_SOCKET}:${SO_REUSEPORT}`]: 'SO_REUSEPORT',
  [`${SOL_SOCKET}:${SO_LINGER}`]: 'SO_LINGER',
  [`${SOL_SOCKET}:${SO_SNDLOWAT}`]: 'SO_SNDLOWAT',
  [`${SOL_SOCKET}:${SO_RCVLOWAT}`]: 'SO_RCVLOWAT',
  [`${SOL_SOCKET}:${SO_ZEROCOPY}`]: 'SO_ZEROCOPY',
  [`${IPPROTO_IP}:${IP_MTU_DISCOVER}`]: 'IP_MTU_DISCOVER',
  [`${SOL_SOCKET}:${SO_REUSEADDR}`]: 'SO_REUSEADDR',
  [`${SOL_SOCKET}:${SO_BROADCAST}`]: 'SO_BROADCAST',
  [`${SOL_SOCKET}:${SO_SNDBUF}`]: 'SO_SNDBUF',
  [`${SOL_SOCKET}:${SO_RCVBUF}`]: 'SO_RCVBUF',
  [`${SOL_SOCKET}:${SO_ERROR}`]: 'SO_ERROR',
  [`${SOL_SOCKET}:${SO_TYPE}`]: 'SO_TYPE',
  [`${IPPROTO_IP}:${IP_HDRINCL}`]: 'IP_HDRINCL',
  [`${IPPROTO_IP}:${IP_TOS}`]: 'IP_TOS',
  [`${IPPROTO_IP}:${IP_TTL}`]: 'IP_TTL',
  [`${IPPROTO_IP}:${IP_DONTFRAG}`]: 'IP_DONTFRAG',
  [`${IPPROTO_IP}:${IP_RECVTTL}`]: 'IP_RECVTTL',
};

/** One row of SIOCGSOCKTABLE, for `netstat`. */
export interface SocketInfo {
  proto: 'tcp' | 'udp' | 'raw' | 'icmp' | 'link';
  /** The socket's inode (fstat's st_ino), when a socket file holds it: ss -p finds its owners by it. */
  ino?: number;
  /** TCP's state name (ESTABLISHED, LISTEN ...); absent for other protocols. */
  state?: string;
  /** TCP: bytes sent and not yet acknowledged. */
  sendQ?: number;
  local: string;
  remote: string;
  /** Bytes waiting to be read. */
  recvQ: number;
  /** Datagrams dropped for lack of buffer space. */
  drops: number;
  received: number;
}

/**
 * SIOCGPROTOSTATS: the protocol counters of the host (`netstat -s`), by protocol, named as Linux's
 * /proc/net/snmp names them (InReceives, OutDatagrams ...).
 */
export interface ProtoStats {
  ip: Record<string, number>;
  icmp: Record<string, number>;
  udp: Record<string, number>;
  /** Tcp and TcpExt counters under their Linux names. */
  tcp?: Record<string, number>;
}

/** Flags that may be or-ed into socket()'s type (Haiku's values). */
export const SOCK_NONBLOCK = 0x0004_0000;
export const SOCK_CLOEXEC = 0x0008_0000;
