// Network interfaces: flags, types and struct ifreq as a typed object. Flag values are Linux's
// (reference/tun-semantics.md §1), which the SIOC* ioctls below also follow; Haiku's "link" flag
// is the carrier, which Linux calls IFF_LOWER_UP.

import type { EthtoolFeatures } from './ethtool.js';
import type { SockaddrIn } from './socket.js';

export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
export const IFF_RUNNING = 0x40;
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_MULTICAST = 0x1000;
export const IFF_LOWER_UP = 0x10000;
export const IFF_LINK = IFF_LOWER_UP;

export const IF_NAMESIZE = 32;

/** Interface types (Haiku's IFT_*, net/if_types.h). */
export const IFT_OTHER = 0x01;
export const IFT_ETHER = 0x06;
export const IFT_LOOP = 0x18;
export const IFT_TUNNEL = 0x83;
export const IFT_BRIDGE = 0xd1;

/** ARPHRD_* link types (linux/if_arp.h), as TUNSETLINK and SIOC[GS]IFHWADDR speak them. */
export const ARPHRD_NETROM = 0;
export const ARPHRD_ETHER = 1;
export const ARPHRD_EETHER = 2;
export const ARPHRD_IEEE802 = 6;
export const ARPHRD_SLIP = 256;
export const ARPHRD_PPP = 512;
export const ARPHRD_TUNNEL = 768;
export const ARPHRD_LOOPBACK = 772;
export const ARPHRD_IPGRE = 778;
export const ARPHRD_NONE = 65534;
export const ARPHRD_VOID = 0xffff;

/** Each ARPHRD_* value by name, as strace writes a sa_family of a hardware address. */
export const ARPHRD_NAMES: ReadonlyArray<readonly [number, string]> = [
  [ARPHRD_NETROM, 'ARPHRD_NETROM'],
  [ARPHRD_ETHER, 'ARPHRD_ETHER'],
  [ARPHRD_EETHER, 'ARPHRD_EETHER'],
  [ARPHRD_IEEE802, 'ARPHRD_IEEE802'],
  [ARPHRD_SLIP, 'ARPHRD_SLIP'],
  [ARPHRD_PPP, 'ARPHRD_PPP'],
  [ARPHRD_TUNNEL, 'ARPHRD_TUNNEL'],
  [ARPHRD_LOOPBACK, 'ARPHRD_LOOPBACK'],
  [ARPHRD_IPGRE, 'ARPHRD_IPGRE'],
  [ARPHRD_NONE, 'ARPHRD_NONE'],
  [ARPHRD_VOID, 'ARPHRD_VOID'],
];

export interface HwAddr {
  sa_family: number; // ARPHRD_*
  sa_data: Uint8Array;
}

/**
 * struct ifreq: a name and one member of the union, as the ioctl in question reads or fills it.
 * The kernel copies the name in, cuts it at IFNAMSIZ-1 characters as Linux does, and writes
 * results back into the same object.
 */
export interface Ifreq {
  ifr_name: string;
  ifr_flags?: number;
  ifr_addr?: SockaddrIn;
  ifr_dstaddr?: SockaddrIn;
  ifr_broadaddr?: SockaddrIn;
  ifr_netmask?: SockaddrIn;
  ifr_hwaddr?: HwAddr;
  ifr_mtu?: number;
  ifr_metric?: number;
  ifr_ifindex?: number;
  ifr_qlen?: number;
  ifr_type?: number; // IFT_*
  ifr_media?: string;
  /** SIOCGIFQDISC / SIOCSIFQDISC: the root queueing discipline (null: none, Linux's noqueue). */
  ifr_qdisc?: Qdisc | null;
  /** SIOCETHTOOL: the ethtool command, filled in place. */
  ifr_data?: EthtoolFeatures;
}

/** A root FIFO of `limit` packets in front of the device (Linux's pfifo). */
export interface PfifoOptions {
  kind: 'pfifo';
  limit: number;
}

/**
 * Linux's netem. Probabilities are netem's own: a fraction of 0xffffffff (rint(p * UINT32_MAX)),
 * what tc prints back as a percentage. Times in ns; `rate` in bytes per second, 0 for none.
 */
export interface NetemOptions {
  kind: 'netem';
  /** Packets the queue may hold. */
  limit: number;
  delayNs: number;
  /** The delay is uniform in [delay - jitter, delay + jitter). */
  jitterNs: number;
  loss: number;
  duplicate: number;
  /** With `gap`: one packet in `gap` leaves at once, with this probability. */
  reorder: number;
  gap: number;
  /** A random bit of the frame flipped. */
  corrupt: number;
  rate: number;
}

/** Linux's tbf: a token bucket of `burst` bytes filling at `rate` bytes per second, a queue of `limit` bytes. */
export interface TbfOptions {
  kind: 'tbf';
  rate: number;
  burst: number;
  limit: number;
}

export type QdiscOptions = PfifoOptions | NetemOptions | TbfOptions;

/** The counters `tc -s qdisc` prints (Linux's gnet_stats_basic and gnet_stats_queue). */
export interface QdiscStats {
  sentBytes: number;
  sentPackets: number;
  drops: number;
  overlimits: number;
  requeues: number;
  backlogBytes: number;
  backlogPackets: number;
}

/**
 * A root qdisc, as `tc qdisc` shows it: its options, the handle's major number (8001: ...) and,
 * read back, its counters.
 */
export type Qdisc = QdiscOptions & { handle: number; stats?: QdiscStats };

/** SIOCGIFCONF: every interface with its primary IPv4 address, if any. */
export interface Ifconf {
  ifc_req: Ifreq[];
}

/** SIOCGIFSTATS (Haiku): the counters `ifconfig` and `netstat -i` print. */
export interface IfStats {
  receive: { packets: number; errors: number; bytes: number; multicast: number; dropped: number };
  send: { packets: number; errors: number; bytes: number; multicast: number; dropped: number };
  collisions: number;
}

/** An interface address as SIOCGIFADDRS (tunlab) lists them: every address, not only the first. */
export interface IfAddrInfo {
  address: string;
  netmask: string;
  broadcast?: string;
  peer?: string;
}

export const IFF_NAMES: ReadonlyArray<readonly [number, string]> = [
  [IFF_UP, 'IFF_UP'],
  [IFF_BROADCAST, 'IFF_BROADCAST'],
  [IFF_LOOPBACK, 'IFF_LOOPBACK'],
  [IFF_POINTOPOINT, 'IFF_POINTOPOINT'],
  [IFF_RUNNING, 'IFF_RUNNING'],
  [IFF_NOARP, 'IFF_NOARP'],
  [IFF_PROMISC, 'IFF_PROMISC'],
  [IFF_ALLMULTI, 'IFF_ALLMULTI'],
  [IFF_MULTICAST, 'IFF_MULTICAST'],
  [IFF_LOWER_UP, 'IFF_LOWER_UP'],
];
