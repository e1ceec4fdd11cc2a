// ioctl request numbers. The TUN/TAP and SIOC* values are Linux's (asm-generic encoding, see
// reference/tun-semantics.md §1); the few requests Linux lacks (route table, interface statistics,
// packet capture) keep Haiku's numbers from sys/sockio.h; B_SET_(NON)BLOCKING_IO are Haiku's
// driver controls (Drivers.h) that fcntl(F_SETFL, O_NONBLOCK) turns into.

// --- Haiku driver controls
export const B_SET_NONBLOCKING_IO = 3;
export const B_SET_BLOCKING_IO = 4;
export const B_DEVICE_OP_CODES_END = 9999;

// --- TUN/TAP (linux/if_tun.h)
export const TUNSETNOCSUM = 0x400454c8;
export const TUNSETDEBUG = 0x400454c9;
export const TUNSETIFF = 0x400454ca;
export const TUNSETPERSIST = 0x400454cb;
export const TUNSETOWNER = 0x400454cc;
export const TUNSETLINK = 0x400454cd;
export const TUNSETGROUP = 0x400454ce;
export const TUNGETFEATURES = 0x800454cf;
export const TUNSETOFFLOAD = 0x400454d0;
export const TUNSETTXFILTER = 0x400454d1;
export const TUNGETIFF = 0x800454d2;
export const TUNGETSNDBUF = 0x800454d3;
export const TUNSETSNDBUF = 0x400454d4;
export const TUNGETVNETHDRSZ = 0x800454d7;
export const TUNSETVNETHDRSZ = 0x400454d8;
export const TUNSETQUEUE = 0x400454d9;
export const TUNSETIFINDEX = 0x400454da;
export const TUNSETCARRIER = 0x400454e2;

export const IFF_TUN = 0x0001;
export const IFF_TAP = 0x0002;
export const IFF_TYPE_MASK = 0x000f;
export const IFF_NAPI = 0x0010;
export const IFF_NAPI_FRAGS = 0x0020;
export const IFF_NO_CARRIER = 0x0040;
export const IFF_MULTI_QUEUE = 0x0100;
export const IFF_ATTACH_QUEUE = 0x0200;
export const IFF_DETACH_QUEUE = 0x0400;
export const IFF_PERSIST = 0x0800;
export const IFF_NO_PI = 0x1000;
export const IFF_NOFILTER = 0x1000;
export const IFF_ONE_QUEUE = 0x2000;
export const IFF_VNET_HDR = 0x4000;
export const IFF_TUN_EXCL = 0x8000;

/** What TUNGETFEATURES reports (Linux: TUN|TAP|NO_CARRIER|NO_PI|ONE_QUEUE|VNET_HDR|MULTI_QUEUE|NAPI|NAPI_FRAGS). */
export const TUN_FEATURES = 0x7173;

export const TUN_PKT_STRIP = 0x0001;
export const TUN_PI_LEN = 4;
export const TUN_F_CSUM = 0x01;
export const TUN_F_TSO4 = 0x02;
export const TUN_F_TSO6 = 0x04;
export const TUN_F_TSO_ECN = 0x08;
export const TUN_F_UFO = 0x10;
export const TUN_F_USO4 = 0x20;
export const TUN_F_USO6 = 0x40;

export const TUN_OFFLOAD_NAMES: ReadonlyArray<readonly [number, string]> = [
  [TUN_F_CSUM, 'TUN_F_CSUM'],
  [TUN_F_TSO4, 'TUN_F_TSO4'],
  [TUN_F_TSO6, 'TUN_F_TSO6'],
  [TUN_F_TSO_ECN, 'TUN_F_TSO_ECN'],
  [TUN_F_UFO, 'TUN_F_UFO'],
  [TUN_F_USO4, 'TUN_F_USO4'],
  [TUN_F_USO6, 'TUN_F_USO6'],
];

/** struct tun_filter's flags: pass every multicast frame too. */
export const TUN_FLT_ALLMULTI = 0x0001;

/** TUNSETTXFILTER's argument: struct tun_filter, its MAC addresses as 48-bit numbers. */
export interface TunFilter {
  flags: number;
  addrs: number[];
}

export const TUN_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [IFF_TUN, 'IFF_TUN'],
  [IFF_TAP, 'IFF_TAP'],
  [IFF_NAPI, 'IFF_NAPI'],
  [IFF_NAPI_FRAGS, 'IFF_NAPI_FRAGS'],
  [IFF_NO_CARRIER, 'IFF_NO_CARRIER'],
  [IFF_MULTI_QUEUE, 'IFF_MULTI_QUEUE'],
  [IFF_ATTACH_QUEUE, 'IFF_ATTACH_QUEUE'],
  [IFF_DETACH_QUEUE, 'IFF_DETACH_QUEUE'],
  [IFF_PERSIST, 'IFF_PERSIST'],
  [IFF_NO_PI, 'IFF_NO_PI'],
  [IFF_ONE_QUEUE, 'IFF_ONE_QUEUE'],
  [IFF_VNET_HDR, 'IFF_VNET_HDR'],
  [IFF_TUN_EXCL, 'IFF_TUN_EXCL'],
];

// --- terminal and generic file ioctls (asm-generic/ioctls.h)

/**
 * struct termios, the part tunlab's terminal has: the local modes. Canonical mode (ICANON) hands
 * over whole lines the session edited; without it a read returns the bytes typed so far, at least
 * one (VMIN 1, VTIME 0), as a full-screen program wants. ISIG: ^C and ^Z signal the foreground job.
 */
export interface Termios {
  c_lflag: number;
}
export const ISIG = 0o1;
export const ICANON = 0o2;
export const ECHO = 0o10;
export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TIOCGPGRP = 0x540f;
export const TIOCSPGRP = 0x5410;
export const TIOCGWINSZ = 0x5413;
export const FIONREAD = 0x541b;
export const FIONBIO = 0x5421;
/** TIOCOUTQ on a terminal; on a socket, SIOCOUTQ: bytes not yet acknowledged (linux/sockios.h). */
export const TIOCOUTQ = 0x5411;
export const SIOCOUTQ = TIOCOUTQ;
/** A socket's bytes received and not yet read: FIONREAD's other name. */
export const SIOCINQ = FIONREAD;

// --- socket ioctls (linux/sockios.h)
export const SIOCADDRT = 0x890b;
export const SIOCDELRT = 0x890c;
export const SIOCGIFNAME = 0x8910;
export const SIOCGIFCONF = 0x8912;
export const SIOCGIFFLAGS = 0x8913;
export const SIOCSIFFLAGS = 0x8914;
export const SIOCGIFADDR = 0x8915;
export const SIOCSIFADDR = 0x8916;
export const SIOCGIFDSTADDR = 0x8917;
export const SIOCSIFDSTADDR = 0x8918;
export const SIOCGIFBRDADDR = 0x8919;
export const SIOCSIFBRDADDR = 0x891a;
export const SIOCGIFNETMASK = 0x891b;
export const SIOCSIFNETMASK = 0x891c;
export const SIOCGIFMETRIC = 0x891d;
export const SIOCSIFMETRIC = 0x891e;
export const SIOCGIFMTU = 0x8921;
export const SIOCSIFMTU = 0x8922;
export const SIOCSIFHWADDR = 0x8924;
export const SIOCGIFHWADDR = 0x8927;
export const SIOCGIFINDEX = 0x8933;
export const SIOCDIFADDR = 0x8936;
/** Bytes queued and not yet sent (linux/sockios.h). */
export const SIOCOUTQNSD = 0x894b;
export const SIOCGIFTXQLEN = 0x8942;
export const SIOCSIFTXQLEN = 0x8943;
export const SIOCBRADDBR = 0x89a0;
export const SIOCBRDELBR = 0x89a1;
export const SIOCBRADDIF = 0x89a2;
export const SIOCBRDELIF = 0x89a3;

// --- Haiku-only socket ioctls (sys/sockio.h), for what Linux does through /proc or netlink
export const SIOCGRTTABLE = 8927;
export const SIOCGETRT = 8928;
export const SIOCGIFSTATS = 8929;
export const SIOCGIFTYPE = 8931;
export const SIOCSPACKETCAP = 8932;
export const SIOCCPACKETCAP = 8933;
export const SIOCGIFMEDIA = 8925;
/** tunlab: every IPv4 address of an interface (Haiku walks them with SIOCGIFADDR per family). */
export const SIOCGIFADDRS = 0x8900 + 0xf0;
/** tunlab: the ARP cache of an interface, for `arp -a`. */
export const SIOCGARPTABLE = 0x8900 + 0xf1;
/** tunlab: the socket table, for `netstat`. */
export const SIOCGSOCKTABLE = 0x8900 + 0xf2;
/** tunlab: protocol counters (ip, icmp, udp), for `netstat -s`. */
export const SIOCGPROTOSTATS = 0x8900 + 0xf3;
/** tunlab: set a knob of the IP layer (forwarding). */
export const SIOCSIPFORWARD = 0x8900 + 0xf4;
export const SIOCGIPFORWARD = 0x8900 + 0xf5;
/** tunlab: ARP cache edits, as `arp -s` / `arp -d`. */
/**
 * tunlab: a tun/tap interface's device state (framing flags, persistence, owner, group) by name,
 * what Linux shows in /sys/class/net/NAME/{tun_flags,owner,group} and `ip tuntap list` reads.
 * EINVAL for an interface that is no tun/tap.
 */
export const SIOCGIFTUNINFO = 0x8900 + 0xf6;
/** tunlab: an interface's root qdisc, what Linux's tc reads and changes over netlink (RTM_*QDISC). */
export const SIOCGIFQDISC = 0x8900 + 0xf7;
export const SIOCSIFQDISC = 0x8900 + 0xf8;
/**
 * tunlab: TCP's metrics cache, what Linux's `ip tcp_metrics` reads and deletes over generic
 * netlink (TCP_METRICS_CMD_GET/DEL). Get fills `{ metrics: TcpMetricsInfo[] }`; delete takes
 * `{ daddr: string | null }` (null: every entry), needs root, and sets `deleted`.
 */
export const SIOCGTCPMETRICS = 0x8900 + 0xf9;
export const SIOCDTCPMETRICS = 0x8900 + 0xfa;
/** Linux's: `ifr_data` holds an ethtool command (abi/ethtool.ts: the feature get and set). */
export const SIOCETHTOOL = 0x8946;
export interface TunInfo {
  /** IFF_TUN or IFF_TAP with the framing flags (IFF_NO_PI, IFF_MULTI_QUEUE ...). */
  flags: number;
  persist: boolean;
  /** -1 when unset. */
  owner: number;
  group: number;
}
export const SIOCSARP = 0x8955; // Linux value
export const SIOCDARP = 0x8953; // Linux value

/** Names for strace: every request above, by number. */
export const IOCTL_NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(
    (
      [
        ['B_SET_NONBLOCKING_IO', B_SET_NONBLOCKING_IO],
        ['B_SET_BLOCKING_IO', B_SET_BLOCKING_IO],
        ['TUNSETNOCSUM', TUNSETNOCSUM],
        ['TUNSETDEBUG', TUNSETDEBUG],
        ['TUNSETIFF', TUNSETIFF],
        ['TUNSETPERSIST', TUNSETPERSIST],
        ['TUNSETOWNER', TUNSETOWNER],
        ['TUNSETLINK', TUNSETLINK],
        ['TUNSETGROUP', TUNSETGROUP],
        ['TUNGETFEATURES', TUNGETFEATURES],
        ['TUNSETOFFLOAD', TUNSETOFFLOAD],
        ['TUNSETTXFILTER', TUNSETTXFILTER],
        ['TUNGETIFF', TUNGETIFF],
        ['TUNGETSNDBUF', TUNGETSNDBUF],
        ['TUNSETSNDBUF', TUNSETSNDBUF],
        ['TUNGETVNETHDRSZ', TUNGETVNETHDRSZ],
        ['TUNSETVNETHDRSZ', TUNSETVNETHDRSZ],
        ['TUNSETQUEUE', TUNSETQUEUE],
        ['TUNSETIFINDEX', TUNSETIFINDEX],
        ['TUNSETCARRIER', TUNSETCARRIER],
        ['TCGETS', TCGETS],
        ['TCSETS', TCSETS],
        ['TIOCGPGRP', TIOCGPGRP],
        ['TIOCSPGRP', TIOCSPGRP],
        ['TIOCGWINSZ', TIOCGWINSZ],
        ['FIONREAD', FIONREAD],
        ['FIONBIO', FIONBIO],
        ['SIOCOUTQ', SIOCOUTQ],
        ['SIOCOUTQNSD', SIOCOUTQNSD],
        ['SIOCADDRT', SIOCADDRT],
        ['SIOCDELRT', SIOCDELRT],
        ['SIOCGIFNAME', SIOCGIFNAME],
        ['SIOCGIFCONF', SIOCGIFCONF],
        ['SIOCGIFFLAGS', SIOCGIFFLAGS],
        ['SIOCSIFFLAGS', SIOCSIFFLAGS],
        ['SIOCGIFADDR', SIOCGIFADDR],
        ['SIOCSIFADDR', SIOCSIFADDR],
        ['SIOCGIFDSTADDR', SIOCGIFDSTADDR],
        ['SIOCSIFDSTADDR', SIOCSIFDSTADDR],
        ['SIOCGIFBRDADDR', SIOCGIFBRDADDR],
        ['SIOCSIFBRDADDR', SIOCSIFBRDADDR],
        ['SIOCGIFNETMASK', SIOCGIFNETMASK],
        ['SIOCSIFNETMASK', SIOCSIFNETMASK],
        ['SIOCGIFMETRIC', SIOCGIFMETRIC],
        ['SIOCSIFMETRIC', SIOCSIFMETRIC],
        ['SIOCGIFMTU', SIOCGIFMTU],
        ['SIOCSIFMTU', SIOCSIFMTU],
        ['SIOCSIFHWADDR', SIOCSIFHWADDR],
        ['SIOCGIFHWADDR', SIOCGIFHWADDR],
        ['SIOCGIFINDEX', SIOCGIFINDEX],
        ['SIOCDIFADDR', SIOCDIFADDR],
        ['SIOCGIFTXQLEN', SIOCGIFTXQLEN],
        ['SIOCSIFTXQLEN', SIOCSIFTXQLEN],
        ['SIOCBRADDBR', SIOCBRADDBR],
        ['SIOCBRDELBR', SIOCBRDELBR],
        ['SIOCBRADDIF', SIOCBRADDIF],
        ['SIOCBRDELIF', SIOCBRDELIF],
        ['SIOCGRTTABLE', SIOCGRTTABLE],
        ['SIOCGETRT', SIOCGETRT],
        ['SIOCGIFSTATS', SIOCGIFSTATS],
        ['SIOCGIFTYPE', SIOCGIFTYPE],
        ['SIOCSPACKETCAP', SIOCSPACKETCAP],
        ['SIOCCPACKETCAP', SIOCCPACKETCAP],
        ['SIOCGIFMEDIA', SIOCGIFMEDIA],
        ['SIOCGIFADDRS', SIOCGIFADDRS],
        ['SIOCGARPTABLE', SIOCGARPTABLE],
        ['SIOCGSOCKTABLE', SIOCGSOCKTABLE],
        ['SIOCGPROTOSTATS', SIOCGPROTOSTATS],
        ['SIOCSIPFORWARD', SIOCSIPFORWARD],
        ['SIOCGIPFORWARD', SIOCGIPFORWARD],
        ['SIOCGIFTUNINFO', SIOCGIFTUNINFO],
        ['SIOCGIFQDISC', SIOCGIFQDISC],
        ['SIOCSIFQDISC', SIOCSIFQDISC],
        ['SIOCGTCPMETRICS', SIOCGTCPMETRICS],
        ['SIOCDTCPMETRICS', SIOCDTCPMETRICS],
        ['SIOCETHTOOL', SIOCETHTOOL],
        ['SIOCSARP', SIOCSARP],
        ['SIOCDARP', SIOCDARP],
        ['SIOCAIFADDR', 8919],
      ] as const
    ).map(([name, value]) => [value, name]),
  ),
);

export function ioctlNumber(name: string): number | undefined {
  for (const [num, n] of Object.entries(IOCTL_NAMES)) if (n === name) return Number(num);
  return undefined;
}

/** An `int *` argument: the kernel reads and writes `value`. */
export interface IntRef {
  value: number;
}

/**
 * Haiku's SIOCAIFADDR: add an interface by name (tun/N, tap/N, bridge/N spring into being); with
 * ifr_addr (and ifr_netmask, ifr_dstaddr or ifr_broadaddr), add that address to an existing
 * interface, besides those it has (Haiku's ifaliasreq; `ip addr add`). EEXIST if it has it already.
 */
export const SIOCAIFADDR = 8919;
