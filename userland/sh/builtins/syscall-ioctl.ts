// `syscall ioctl FD REQUEST WORDS...`: the third argument of every request the kernel knows, built
// from words, so that any struct a request takes can be passed from the shell (`syscall help ioctl`
// lists them). Fields of the structs are named as strace prints them.

import { ETHTOOL_GFEATURES } from '../../../kernel/abi/ethtool.js';
import { ARPHRD_ETHER, ARPHRD_NAMES, type Ifreq } from '../../../kernel/abi/if.js';
import * as io from '../../../kernel/abi/ioctl.js';
import type { Rtentry } from '../../../kernel/abi/route.js';
import * as so from '../../../kernel/abi/socket.js';
import { flags, inAddr, ip, mac, macBytes, num, oneOf, UsageError } from './syscall-words.js';

interface RequestArg {
  /** The words after the request's name, for the usage line and `syscall help ioctl`. */
  words: string;
  build(w: string[]): unknown;
}

const ifreq = (name: string | undefined, more: Omit<Ifreq, 'ifr_name'> = {}): Ifreq => ({ ifr_name: name ?? '', ...more });
const byName: RequestArg = { words: 'NAME', build: (w) => ifreq(w[0]) };
const intOut: RequestArg = { words: '', build: () => ({ value: 0 }) };
const intIn = (what: string): RequestArg => ({ words: what, build: (w) => ({ value: num(w[0], what) }) });
const plain = (what: string): RequestArg => ({ words: what, build: (w) => num(w[0], what) });
const table = (field: string): RequestArg => ({ words: '', build: () => ({ [field]: [] }) });
const setAddr = (field: 'ifr_addr' | 'ifr_netmask' | 'ifr_dstaddr' | 'ifr_broadaddr', what: string): RequestArg => ({
  words: `NAME ${what}`,
  build: (w) => ifreq(w[0], { [field]: inAddr(w[1], what) }),
});
const setNumber = (field: 'ifr_mtu' | 'ifr_metric' | 'ifr_qlen', what: string): RequestArg => ({
  words: `NAME ${what}`,
  build: (w) => ifreq(w[0], { [field]: num(w[1], what) }),
});

/** A word naming a link type: ARPHRD_ETHER, or a number. */
const isFamily = (word: string | undefined) => word !== undefined && (/^\d+$/.test(word) || ARPHRD_NAMES.some(([, n]) => n === word));

/** struct rtentry: DST GENMASK, then route(8)-style keywords for the rest. */
function rtentry(w: string[]): Rtentry {
  const rt: Rtentry = { rt_dst: inAddr(w[0], 'DST'), rt_genmask: inAddr(w[1], 'GENMASK'), rt_flags: 0 };
  for (let i = 2; i < w.length; i += 2) {
    const key = w[i]!;
    const value = w[i + 1];
    if (value === undefined) throw new UsageError(`${key} wants a value`);
    if (key === 'gw') rt.rt_gateway = inAddr(value, 'GATEWAY');
    else if (key === 'dev') rt.rt_dev = value;
    else if (key === 'flags') rt.rt_flags = flags(value, 'route flag');
    else if (key === 'metric') rt.rt_metric = num(value, 'metric');
    else if (key === 'mtu') rt.rt_mtu = num(value, 'MTU');
    else throw new UsageError(`unknown route field ${key} (gw, dev, flags, metric, mtu)`);
  }
  return rt;
}

const REQUESTS: ReadonlyMap<number, RequestArg> = new Map<number, RequestArg>([
  [io.B_SET_NONBLOCKING_IO, { words: '', build: () => undefined }],
  [io.B_SET_BLOCKING_IO, { words: '', build: () => undefined }],
  [io.TUNSETIFF, { words: 'NAME [FLAGS]', build: (w) => ifreq(w[0] === '""' ? '' : w[0], { ifr_flags: w[1] === undefined ? io.IFF_TUN : flags(w[1], 'flag') }) }],
  [io.TUNGETIFF, { words: '', build: () => ifreq('') }],
  [io.TUNSETQUEUE, { words: 'IFF_ATTACH_QUEUE/IFF_DETACH_QUEUE', build: (w) => ifreq('', { ifr_flags: flags(w[0], 'flag') }) }],
  [io.TUNGETFEATURES, intOut],
  [io.TUNGETSNDBUF, intOut],
  [io.TUNSETSNDBUF, intIn('BYTES')],
  [io.TUNGETVNETHDRSZ, intOut],
  [io.TUNSETVNETHDRSZ, intIn('BYTES')],
  [io.TUNSETCARRIER, intIn('0/1')],
  [io.TUNSETPERSIST, plain('0/1')],
  [io.TUNSETOWNER, plain('UID')],
  [io.TUNSETGROUP, plain('GID')],
  [io.TUNSETNOCSUM, plain('0/1')],
  [io.TUNSETDEBUG, plain('LEVEL')],
  [io.TUNSETIFINDEX, plain('IFINDEX')],
  [io.TUNSETLINK, { words: 'ARPHRD_TYPE', build: (w) => oneOf(w[0], ARPHRD_NAMES, 'ARPHRD_TYPE', 0xffff) }],
  [io.TUNSETOFFLOAD, { words: 'TUN_F_FLAGS', build: (w) => flags(w[0], 'offload flag') }],
  [io.TUNSETTXFILTER, {
    words: '[TUN_FLT_ALLMULTI] [MAC ...]',
    build: (w): io.TunFilter => {
      const all = w[0] === 'TUN_FLT_ALLMULTI' || w[0] === '1';
      return { flags: all ? io.TUN_FLT_ALLMULTI : 0, addrs: w.slice(all ? 1 : 0).map((m) => mac(m)) };
    },
  }],
  [io.TCGETS, { words: '', build: () => ({}) }],
  [io.TCSETS, { words: 'ISIG,ICANON,ECHO', build: (w): io.Termios => ({ c_lflag: flags(w[0], 'local mode') }) }],
  [io.TIOCGWINSZ, { words: '', build: () => ({}) }],
  [io.TIOCGPGRP, intOut],
  [io.TIOCSPGRP, intIn('PGID')],
  [io.FIONREAD, intOut],
  [io.SIOCOUTQ, intOut],
  [io.SIOCOUTQNSD, intOut],
  [io.FIONBIO, intIn('0/1')],
  [io.SIOCGIFCONF, table('ifc_req')],
  [io.SIOCGIFNAME, { words: 'IFINDEX', build: (w) => ifreq('', { ifr_ifindex: num(w[0], 'IFINDEX') }) }],
  ...[io.SIOCGIFFLAGS, io.SIOCGIFADDR, io.SIOCGIFDSTADDR, io.SIOCGIFBRDADDR, io.SIOCGIFNETMASK, io.SIOCGIFMETRIC, io.SIOCGIFMTU, io.SIOCGIFHWADDR, io.SIOCGIFINDEX, io.SIOCGIFTXQLEN]
    .map((r): [number, RequestArg] => [r, byName]),
  ...[io.SIOCGIFSTATS, io.SIOCGIFTYPE, io.SIOCGIFMEDIA, io.SIOCGIFADDRS, io.SIOCGIFTUNINFO, io.SIOCAIFADDR, io.SIOCBRADDBR, io.SIOCBRDELBR, io.SIOCSPACKETCAP]
    .map((r): [number, RequestArg] => [r, byName]),
  [io.SIOCCPACKETCAP, { words: '', build: () => undefined }],
  [io.SIOCSIFFLAGS, { words: 'NAME FLAGS', build: (w) => ifreq(w[0], { ifr_flags: flags(w[1], 'flag') }) }],
  [io.SIOCSIFADDR, setAddr('ifr_addr', 'ADDR')],
  [io.SIOCSIFNETMASK, setAddr('ifr_netmask', 'NETMASK')],
  [io.SIOCSIFDSTADDR, setAddr('ifr_dstaddr', 'ADDR')],
  [io.SIOCSIFBRDADDR, setAddr('ifr_broadaddr', 'ADDR')],
  [io.SIOCSIFMTU, setNumber('ifr_mtu', 'MTU')],
  [io.SIOCSIFMETRIC, setNumber('ifr_metric', 'METRIC')],
  [io.SIOCSIFTXQLEN, setNumber('ifr_qlen', 'QLEN')],
  [io.SIOCGIFQDISC, byName],
  // ETHTOOL_GFEATURES: the interface's offload features (ethtool -k; -K's set is ethtool's to make).
  [io.SIOCETHTOOL, { words: 'NAME', build: (w) => ifreq(w[0], { ifr_data: { cmd: ETHTOOL_GFEATURES } }) }],
  [io.SIOCSIFQDISC, {
    // A pfifo root qdisc of LIMIT packets (handle 8001: as tc's first), or none.
    words: 'NAME pfifo LIMIT [HANDLE], or NAME none',
    build: (w) => {
      if (w[1] === 'none') return ifreq(w[0], { ifr_qdisc: null });
      if (w[1] !== 'pfifo') throw new UsageError(`qdisc kind must be pfifo or none${w[1] === undefined ? '' : `, not ${w[1]}`}`);
      return ifreq(w[0], { ifr_qdisc: { kind: 'pfifo', limit: num(w[2], 'LIMIT'), handle: w[3] === undefined ? 0x8001 : num(w[3], 'HANDLE') } });
    },
  }],
  [io.SIOCSIFHWADDR, {
    words: '[NAME] [FAMILY] MAC',
    build: (w) => {
      // FAMILY is an ARPHRD_* name or a number; a first word that is neither is the NAME.
      const [name, family] = w.length >= 3 ? [w[0], w[1]] : w.length === 2 && !isFamily(w[0]) ? [w[0], undefined] : ['', w.length === 2 ? w[0] : undefined];
      if (w.length > 3 || w.length === 0) throw new UsageError('wants [NAME] [FAMILY] MAC');
      const sa_family = family === undefined ? ARPHRD_ETHER : oneOf(family, ARPHRD_NAMES, 'FAMILY', 0xffff);
      return ifreq(name, { ifr_hwaddr: { sa_family, sa_data: macBytes(mac(w[w.length - 1])) } });
    },
  }],
  [io.SIOCDIFADDR, { words: 'NAME [ADDR]', build: (w) => ifreq(w[0], w[1] === undefined ? {} : { ifr_addr: inAddr(w[1], 'ADDR') }) }],
  [io.SIOCBRADDIF, { words: 'BRIDGE IFINDEX', build: (w) => ifreq(w[0], { ifr_ifindex: num(w[1], 'IFINDEX') }) }],
  [io.SIOCBRDELIF, { words: 'BRIDGE IFINDEX', build: (w) => ifreq(w[0], { ifr_ifindex: num(w[1], 'IFINDEX') }) }],
  [io.SIOCADDRT, { words: 'DST GENMASK [gw GATEWAY] [dev NAME] [flags RTF_...] [metric N] [mtu N]', build: rtentry }],
  [io.SIOCDELRT, { words: 'DST GENMASK [gw GATEWAY] [dev NAME] [flags RTF_...]', build: rtentry }],
  [io.SIOCGRTTABLE, table('routes')],
  [io.SIOCGETRT, { words: 'DST', build: (w): Rtentry => ({ rt_dst: inAddr(w[0], 'DST'), rt_genmask: so.sockaddrIn('0.0.0.0'), rt_flags: 0 }) }],
  [io.SIOCGARPTABLE, table('entries')],
  [io.SIOCSARP, { words: 'IP MAC [DEV]', build: (w) => (ip(w[0] ?? ''), mac(w[1]), { ip: w[0], mac: w[1], ...(w[2] ? { iface: w[2] } : {}) }) }],
  [io.SIOCDARP, { words: 'IP [DEV]', build: (w) => (ip(w[0] ?? ''), { ip: w[0], ...(w[1] ? { iface: w[1] } : {}) }) }],
  [io.SIOCGSOCKTABLE, table('sockets')],
  [io.SIOCGTCPMETRICS, table('metrics')],
  [io.SIOCDTCPMETRICS, { words: '[DADDR]', build: (w) => ({ daddr: w[0] === undefined ? null : (ip(w[0]), w[0]) }) }],
  [io.SIOCGPROTOSTATS, { words: '', build: () => ({ stats: null }) }],
  [io.SIOCGIPFORWARD, intOut],
  [io.SIOCSIPFORWARD, intIn('0/1')],
]);

/** The words a request takes, for its usage line (`ioctl FD SIOCSIFMTU NAME MTU`). */
export function requestWords(req: number): string | undefined {
  return REQUESTS.get(req)?.words;
}

/** The third argument of an ioctl, built from the words after the request's name. */
export function ioctlArg(req: number, name: string, words: string[]): unknown {
  const known = REQUESTS.get(req);
  if (known) {
    try {
      return known.build(words);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${name}: ${e.message}`);
      throw e;
    }
  }
  // A request by number that the kernel has no name for: a plain value, or none.
  return words[0] === undefined ? undefined : flags(words[0], 'value');
}

/** `syscall help ioctl`: every request and its words. */
export function requestHelp(): string {
  const rows = [...REQUESTS].map(([req, a]) => `  ${io.IOCTL_NAMES[req] ?? req}${a.words ? ` ${a.words}` : ''}`).sort();
  return ['usage: syscall ioctl FD REQUEST [WORDS]   the requests and the words each takes:', '', ...rows, ''].join('\n');
}
