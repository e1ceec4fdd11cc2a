// Sockets: families, types, options and addresses, with Haiku's values (headers/posix/sys/socket.h,
// netinet/in.h). Addresses are typed objects, the way a C program fills a struct sockaddr_in.

export const AF_UNSPEC = 0;
export const AF_INET = 1;
export const AF_LINK = 4;
export const AF_INET6 = 5;

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;

export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_UDP = 17;
export const IPPROTO_RAW = 255;

export const SOL_SOCKET = -1;
export const SO_REUSEADDR = 0x0000_0040;
export const SO_BROADCAST = 0x0000_0002;
export const SO_SNDBUF = 0x4000_0001;
export const SO_RCVBUF = 0x4000_0004;
export const SO_ERROR = 0x4000_0007;
export const SO_TYPE = 0x4000_0008;

export const IP_HDRINCL = 2;
export const IP_TOS = 3;
export const IP_TTL = 4;

export const MSG_PEEK = 0x0002;
export const MSG_TRUNC = 0x0010;
export const MSG_DONTWAIT = 0x0080;
export const MSG_NOSIGNAL = 0x0800;

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

export type Sockaddr = SockaddrIn | SockaddrDl;

export function sockaddrIn(addr: string, port = 0): SockaddrIn {
  return { sin_family: AF_INET, sin_port: port, sin_addr: addr };
}

export interface RecvResult {
  data: Uint8Array;
  from: Sockaddr | null;
  /** MSG_TRUNC when the datagram was longer than asked for. */
  flags: number;
}

export const FAMILY_NAMES: Readonly<Record<number, string>> = {
  [AF_UNSPEC]: 'AF_UNSPEC',
  [AF_INET]: 'AF_INET',
  [AF_LINK]: 'AF_LINK',
  [AF_INET6]: 'AF_INET6',
};
export const SOCKTYPE_NAMES: Readonly<Record<number, string>> = {
  [SOCK_STREAM]: 'SOCK_STREAM',
  [SOCK_DGRAM]: 'SOCK_DGRAM',
  [SOCK_RAW]: 'SOCK_RAW',
};
export const PROTO_NAMES: Readonly<Record<number, string>> = {
  [IPPROTO_IP]: 'IPPROTO_IP',
  [IPPROTO_ICMP]: 'IPPROTO_ICMP',
  [IPPROTO_UDP]: 'IPPROTO_UDP',
  [IPPROTO_RAW]: 'IPPROTO_RAW',
};
export const SOCKOPT_NAMES: Readonly<Record<string, string>> = {
  [`${SOL_SOCKET}:${SO_REUSEADDR}`]: 'SO_REUSEADDR',
  [`${SOL_SOCKET}:${SO_BROADCAST}`]: 'SO_BROADCAST',
  [`${SOL_SOCKET}:${SO_SNDBUF}`]: 'SO_SNDBUF',
  [`${SOL_SOCKET}:${SO_RCVBUF}`]: 'SO_RCVBUF',
  [`${SOL_SOCKET}:${SO_ERROR}`]: 'SO_ERROR',
  [`${SOL_SOCKET}:${SO_TYPE}`]: 'SO_TYPE',
  [`${IPPROTO_IP}:${IP_HDRINCL}`]: 'IP_HDRINCL',
  [`${IPPROTO_IP}:${IP_TOS}`]: 'IP_TOS',
  [`${IPPROTO_IP}:${IP_TTL}`]: 'IP_TTL',
};

/** One row of SIOCGSOCKTABLE, for `netstat`. */
export interface SocketInfo {
  proto: 'udp' | 'raw' | 'link';
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
}

/** Flags that may be or-ed into socket()'s type (Haiku's values). */
export const SOCK_NONBLOCK = 0x0004_0000;
export const SOCK_CLOEXEC = 0x0008_0000;
