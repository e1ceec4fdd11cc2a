// ifconfig: list and configure network interfaces with Haiku's syntax, usage text, listing layout
// and error wording (src/bin/network/ifconfig/ifconfig.cpp), over the SIOC* socket ioctls.
//
//   ifconfig [-a]                             list every interface
//   ifconfig IF                               list one
//   ifconfig IF [inet] [ADDR [MASK]] [options and flags]   configure (creating tun/N, tap/N)
//   ifconfig --delete IF [ADDR...]            delete addresses, or the whole interface
//
// Exit status: 0 on success, 1 when the system refuses a change (Haiku's exit(1)), 2 for bad usage.

import { type ErrnoName, strerror } from '../../kernel/abi/errno.js';
import {
  ARPHRD_ETHER,
  type IfAddrInfo,
  IFF_ALLMULTI,
  IFF_BROADCAST,
  IFF_LOOPBACK,
  IFF_LOWER_UP,
  IFF_NOARP,
  IFF_PROMISC,
  IFF_UP,
  type Ifreq,
  type IfStats,
  IFT_BRIDGE,
  IFT_ETHER,
  IFT_LOOP,
} from '../../kernel/abi/if.js';
import {
  SIOCAIFADDR,
  SIOCBRADDBR,
  SIOCBRADDIF,
  SIOCBRDELBR,
  SIOCBRDELIF,
  SIOCGIFINDEX,
  SIOCDIFADDR,
  SIOCGIFADDRS,
  SIOCGIFFLAGS,
  SIOCGIFHWADDR,
  SIOCGIFMEDIA,
  SIOCGIFMETRIC,
  SIOCGIFMTU,
  SIOCGIFSTATS,
  SIOCGIFTYPE,
  SIOCSIFADDR,
  SIOCSIFBRDADDR,
  SIOCSIFDSTADDR,
  SIOCSIFFLAGS,
  SIOCSIFMETRIC,
  SIOCSIFMTU,
  SIOCSIFNETMASK,
} from '../../kernel/abi/ioctl.js';
import { formatIpv4, maskFromPrefix } from '../../kernel/abi/wire/index.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { guarded } from '../lib/guard.js';
import { sockaddrIn } from '../../kernel/abi/socket.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { parse } from '../lib/cli.js';
import { eprint, print } from '../lib/io.js';
import {
  EXIT_FAILURE,
  EXIT_USAGE,
  familyOf,
  inetAddress,
  interfaceNames,
  nameTooLong,
  netSocket,
  prefixLength,
  strtol,
  tryIoctl,
  usageError,
  wordCommand,
} from '../lib/netconf.js';
import { table } from '../lib/table.js';

const NAME = 'ifconfig';

/** Haiku's usage() text, with the media lists its MediaTypes.cpp produces. */
export const IFCONFIG_USAGE = `usage: ifconfig [<interface> [<address family>] [<address> [<mask>] | auto-config] [<option/flags>...]]
       ifconfig --delete <interface> [...]
       ifconfig <interface> [scan|join|leave] [<network> [<password>]]

Where <option> can be the following:
  netmask <addr>     - networking subnet mask
  prefixlen <number> - subnet mask length in bits
  broadcast <addr>   - set broadcast address
  peer <addr>        - ppp-peer address
  mtu <bytes>        - maximal transfer unit
  metric <number>    - metric number to use (defaults to 0)
  media <media>      - media type to use (defaults to auto)
For All <media> can be one of: auto 
For Ethernet <media> can be one of: 10baseT 100baseTX 1000baseT 1000baseSX 10GbaseT 
And <flags> can be: up, down, [-]promisc, [-]allmulti, [-]bcast, [-]ht, loopback
If you specify "auto-config" instead of an address, it will be configured automatically.

Example:
\tifconfig loop 127.0.0.1 255.0.0.0 up

Bridges (FreeBSD's words: Haiku has none; frames between the members are switched, frames for the
bridge or a member's own address reach this host on the bridge's interface):
       ifconfig bridge/<n> create | destroy
       ifconfig bridge/<n> addm <interface> | deletem <interface> [<address> [<mask>]] [up]
`;

const DELETE_WORDS: ReadonlySet<string> = new Set(['--delete', '--del', '-d', 'del', 'delete']);
const WIRELESS_WORDS: ReadonlySet<string> = new Set(['scan', 'list', 'join', 'leave', 'ht', '-ht']);

/** Media subtypes by name, with the text SIOCGIFMEDIA reports for them (MediaTypes.cpp). */
const MEDIA_NAMES = table<string>({
  '10baseT': '10 MBit, 10BASE-T',
  '100baseTX': '100 MBit, 100BASE-TX',
  '1000baseT': '1 GBit, 1000BASE-T',
  '1000baseSX': '1 GBit, 1000BASE-SX',
  '10GbaseT': '10 GBit, 10GBASE-T',
});

/** Flags in the order Haiku's ifconfig prints them; autoup, auto-configured and configuring never occur here. */
const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [IFF_UP, 'up'],
  [IFF_NOARP, 'noarp'],
  [IFF_BROADCAST, 'broadcast'],
  [IFF_LOOPBACK, 'loopback'],
  [IFF_PROMISC, 'promiscuous'],
  [IFF_ALLMULTI, 'allmulti'],
  [IFF_LOWER_UP, 'link'],
];

const ifr = (name: string): Ifreq => ({ ifr_name: name });

export default defineProgram({
  name: NAME,
  summary: 'configure network interfaces',
  main: guarded(NAME, async (argv, sys) => {
    const r = await parse(sys, wordCommand(NAME, 'configure network interfaces', IFCONFIG_USAGE), argv);
    if ('status' in r) return r.status;
    const words = r.args;
    const usage = (message: string | null) => usageError(sys, NAME, message, IFCONFIG_USAGE);

    const fd = await netSocket(sys);
    if (fd === null) {
      await eprint(sys, `${NAME}: The networking stack doesn't seem to be available.\n`);
      return EXIT_FAILURE;
    }
    const first = words[0];
    if (first === undefined) return listAll(sys, fd);
    if (DELETE_WORDS.has(first)) {
      const name = words[1];
      if (name === undefined) return usage(null);
      if (nameTooLong(name)) return tooLong(sys, name);
      return deleteInterface(sys, fd, name, words.slice(2));
    }
    if (first === '-a') {
      if (words.length > 1) return usage(null);
      return listAll(sys, fd);
    }
    if (first.startsWith('-')) return usage(`Unknown option "${first}"`);
    if (nameTooLong(first)) return tooLong(sys, first);
    if (words.length === 1) {
      const text = await describe(sys, fd, first);
      await print(sys, text ?? `${first}${first.length < 8 ? '\t' : '\n\t'}Interface not found!\n`);
      return text === null ? EXIT_FAILURE : 0;
    }
    if (WIRELESS_WORDS.has(words[1]!)) {
      // Haiku's configure_wireless(): only WLAN devices scan, join and leave.
      const exists = (await tryIoctl(sys, fd, SIOCGIFFLAGS, ifr(first))) === null;
      await eprint(sys, exists ? `${NAME}: "${first}" is not a WLAN device!\n` : `${NAME}: "${first}" does not exist!\n`);
      return EXIT_FAILURE;
    }
    if (words.length === 2 && (words[1] === 'create' || words[1] === 'destroy')) return createOrDestroy(sys, fd, first, words[1]);
    return configure(sys, fd, first, words.slice(1), usage);
  }),
});

/**
 * FreeBSD's `ifconfig bridge/0 create` and `... destroy` (Haiku has no bridges; tunlab takes the
 * words from the system that has them). tun/N and tap/N may be created the same way.
 */
async function createOrDestroy(sys: Sys, fd: number, name: string, what: 'create' | 'destroy'): Promise<number> {
  const bridge = name.startsWith('bridge/');
  const err =
    what === 'create'
      ? await tryIoctl(sys, fd, bridge ? SIOCBRADDBR : SIOCAIFADDR, ifr(name))
      : await tryIoctl(sys, fd, bridge ? SIOCBRDELBR : SIOCDIFADDR, ifr(name));
  if (err === null) return 0;
  await eprint(sys, `${NAME}: ${what === 'create' ? 'Could not create' : 'Could not destroy'} interface ${name}: ${strerror(err)}\n`);
  return EXIT_FAILURE;
}

async function tooLong(sys: Sys, name: string): Promise<number> {
  await eprint(sys, `${NAME}: interface name "${name}" is too long.\n`);
  return EXIT_USAGE;
}

// ------------------------------------------------------------------ listing

async function listAll(sys: Sys, fd: number): Promise<number> {
  let out = '';
  for (const name of await interfaceNames(sys, fd)) out += (await describe(sys, fd, name)) ?? '';
  await print(sys, out);
  return 0;
}

/** One interface in Haiku's layout (list_interface), or null when it does not exist. */
async function describe(sys: Sys, fd: number, name: string): Promise<string | null> {
  const flagsReq = ifr(name);
  if ((await tryIoctl(sys, fd, SIOCGIFFLAGS, flagsReq)) !== null) return null;
  const flags = flagsReq.ifr_flags ?? 0;
  let s = `${name}${name.length < 8 ? '\t' : '\n\t'}`;

  const typeReq = ifr(name);
  const hwReq = ifr(name);
  const typeErr = await tryIoctl(sys, fd, SIOCGIFTYPE, typeReq);
  const hwErr = await tryIoctl(sys, fd, SIOCGIFHWADDR, hwReq);
  if (typeErr === null && hwErr === null) {
    // A bridge is an Ethernet device as far as its frames go (Linux reports it as ARPHRD_ETHER).
    const type = typeReq.ifr_type === IFT_ETHER || typeReq.ifr_type === IFT_BRIDGE ? 'Ethernet' : typeReq.ifr_type === IFT_LOOP ? 'Local Loopback' : 'unknown';
    const hw = hwReq.ifr_hwaddr;
    const address = hw && hw.sa_family === ARPHRD_ETHER ? [...hw.sa_data.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':') : 'none';
    s += `Hardware type: ${type}, Address: ${address}\n`;
  } else {
    s += `No link level: ${strerror((typeErr ?? hwErr)!)}\n`;
  }

  const mediaReq = ifr(name);
  if ((await tryIoctl(sys, fd, SIOCGIFMEDIA, mediaReq)) === null && mediaReq.ifr_media) s += `\tMedia type: ${mediaReq.ifr_media}\n`;

  const addrReq: Ifreq & { addrs?: IfAddrInfo[] } = ifr(name);
  if ((await tryIoctl(sys, fd, SIOCGIFADDRS, addrReq)) === null) {
    for (const a of addrReq.addrs ?? []) {
      s += `\tinet addr: ${a.address}`;
      if (flags & IFF_BROADCAST) s += `, Bcast: ${a.broadcast ?? '--'}`;
      // Haiku's list_interface_addresses() prints address, broadcast and mask, never a peer
      // (`route` and SIOCGIFDSTADDR show it).
      s += `, Mask: ${a.netmask}\n`;
    }
  }

  const mtuReq = ifr(name);
  const metricReq = ifr(name);
  await tryIoctl(sys, fd, SIOCGIFMTU, mtuReq);
  await tryIoctl(sys, fd, SIOCGIFMETRIC, metricReq);
  s += `\tMTU: ${mtuReq.ifr_mtu ?? 0}, Metric: ${metricReq.ifr_metric ?? 0}`;
  const names = FLAG_NAMES.filter(([bit]) => flags & bit).map(([, n]) => n);
  if (names.length > 0) s += `, ${names.join(' ')}`;
  s += '\n';

  const statsReq: Ifreq & { ifr_stats?: IfStats } = ifr(name);
  if ((await tryIoctl(sys, fd, SIOCGIFSTATS, statsReq)) === null && statsReq.ifr_stats) {
    const { receive: rx, send: tx, collisions } = statsReq.ifr_stats;
    s += `\tReceive: ${rx.packets} packets, ${rx.errors} errors, ${rx.bytes} bytes, ${rx.multicast} mcasts, ${rx.dropped} dropped\n`;
    s += `\tTransmit: ${tx.packets} packets, ${tx.errors} errors, ${tx.bytes} bytes, ${tx.multicast} mcasts, ${tx.dropped} dropped\n`;
    s += `\tCollisions: ${collisions}\n`;
  }
  return `${s}\n`;
}

// ------------------------------------------------------------------ deleting

async function deleteInterface(sys: Sys, fd: number, name: string, args: string[]): Promise<number> {
  let status = 0;
  for (let i = 0; i < args.length; i++) {
    const family = familyOf(args[i]);
    if (family !== null) i++;
    const word = args[i];
    const address = family === 'inet6' ? null : inetAddress(word);
    if (address === null) {
      await eprint(sys, `${NAME}: Could not parse address "${word ?? ''}".\n`);
      return EXIT_USAGE;
    }
    const err = await tryIoctl(sys, fd, SIOCDIFADDR, { ifr_name: name, ifr_addr: sockaddrIn(address) });
    if (err !== null) {
      await eprint(sys, `${NAME}: Could not delete address ${word} from interface ${name}: ${strerror(err)}\n`);
      status = EXIT_FAILURE;
    }
  }
  if (args.length === 0) {
    const err = await tryIoctl(sys, fd, SIOCDIFADDR, ifr(name));
    if (err !== null) {
      await eprint(sys, `${NAME}: Could not delete interface ${name}: ${strerror(err)}\n`);
      status = EXIT_FAILURE;
    }
  }
  return status;
}

// ------------------------------------------------------------------ configuring

interface Changes {
  address: string | null;
  mask: string | null;
  broadcast: string | null;
  peer: string | null;
  mtu: number | null;
  metric: number | null;
  media: string | null;
  addFlags: number;
  removeFlags: number;
  autoConfig: boolean;
  /** Bridge ports to add (`addm IF`) and remove (`deletem IF`), FreeBSD's words. */
  addMembers: string[];
  removeMembers: string[];
}

/** Parse Haiku's configure_interface() grammar; a string is the error to print (status 2). */
function parseChanges(args: string[]): Changes | { error: string; usage?: boolean } {
  const c: Changes = {
    address: null,
    mask: null,
    broadcast: null,
    peer: null,
    mtu: null,
    metric: null,
    media: null,
    addFlags: 0,
    removeFlags: 0,
    autoConfig: false,
    addMembers: [],
    removeMembers: [],
  };
  let i = 0;
  const family = familyOf(args[0]);
  if (family !== null) i++;
  if (family === 'inet6') return { error: 'Address family inet6 is not supported' };
  const addr = inetAddress(args[i]);
  if (addr !== null) {
    c.address = addr;
    i++;
    const mask = inetAddress(args[i]);
    if (mask !== null) {
      c.mask = mask;
      i++;
    }
  }
  for (; i < args.length; i++) {
    const word = args[i]!;
    const value = args[i + 1];
    switch (word) {
      case 'peer':
        c.peer = inetAddress(value);
        if (c.peer === null) return { error: "Option 'peer' needs valid address parameter" };
        i++;
        break;
      case 'nm':
      case 'netmask':
        if (c.mask !== null) return { error: 'Netmask or prefix length is specified twice' };
        c.mask = inetAddress(value);
        if (c.mask === null) return { error: "Option 'netmask' needs valid address parameter" };
        i++;
        break;
      case 'prefixlen':
      case 'plen':
      case 'prefix-length': {
        if (c.mask !== null) return { error: 'Netmask or prefix length is specified twice' };
        if (value === undefined) return { error: `Option '${word}' expected parameter` };
        const len = prefixLength(value);
        if (len === null || len > 32) return { error: `Option 'prefix-length ${value}' is invalid for this address family` };
        c.mask = formatIpv4(maskFromPrefix(len));
        i++;
        break;
      }
      case 'bc':
      case 'broadcast':
        if (c.broadcast !== null) return { error: 'broadcast address is specified twice' };
        c.broadcast = inetAddress(value);
        if (c.broadcast === null) return { error: "Option 'broadcast' needs valid address parameter" };
        c.addFlags |= IFF_BROADCAST;
        i++;
        break;
      case 'mtu':
        c.mtu = strtol(value);
        if (c.mtu <= 500) return { error: "Option 'mtu' expected valid max transfer unit size" };
        i++;
        break;
      case 'metric':
        if (value === undefined) return { error: "Option 'metric' expected parameter" };
        c.metric = strtol(value);
        i++;
        break;
      case 'media':
        if (value === undefined) return { error: "Option 'media' expected parameter" };
        if (value !== 'auto' && !(value in MEDIA_NAMES)) return { error: `Invalid parameter for option 'media': '${value}'` };
        c.media = value;
        i++;
        break;
      case 'up':
      case '-down':
        c.addFlags |= IFF_UP;
        break;
      case 'down':
      case '-up':
        c.removeFlags |= IFF_UP;
        break;
      case 'bcast':
        c.addFlags |= IFF_BROADCAST;
        break;
      case '-bcast':
        c.removeFlags |= IFF_BROADCAST;
        break;
      case 'promisc':
        c.addFlags |= IFF_PROMISC;
        break;
      case '-promisc':
        c.removeFlags |= IFF_PROMISC;
        break;
      case 'allmulti':
        c.addFlags |= IFF_ALLMULTI;
        break;
      case '-allmulti':
        c.removeFlags |= IFF_ALLMULTI;
        break;
      case 'loopback':
        c.addFlags |= IFF_LOOPBACK;
        break;
      case 'addm':
      case 'deletem':
        if (value === undefined) return { error: `Option "${word}" needs an interface`, usage: true };
        (word === 'addm' ? c.addMembers : c.removeMembers).push(value);
        i++;
        break;
      case 'auto-config':
        c.autoConfig = true;
        break;
      default:
        if (/^[0-9.]+$/.test(word)) return { error: `"${word}" is not a valid address`, usage: true };
        return { error: `Unknown option or flag "${word}"`, usage: true };
    }
  }
  if (c.addFlags & c.removeFlags) return { error: 'Contradicting flags specified' };
  if (c.autoConfig && (c.address ?? c.mask ?? c.broadcast ?? c.peer) !== null) return { error: 'Contradicting changes specified' };
  return c;
}

async function configure(
  sys: Sys,
  fd: number,
  name: string,
  args: string[],
  usage: (message: string | null) => Promise<number>,
): Promise<number> {
  const c = parseChanges(args);
  if ('error' in c) {
    if (c.usage) return usage(c.error);
    await eprint(sys, `${NAME}: ${c.error}\n`);
    return EXIT_USAGE;
  }
  const fail = async (what: string, err: ErrnoName | null): Promise<boolean> => {
    if (err === null) return false;
    await eprint(sys, `${NAME}: ${what}: ${strerror(err)}\n`);
    return true;
  };

  // A missing interface is added first (Haiku: BNetworkRoster::AddInterface; tun/N and tap/N
  // spring into being, a deleted NIC comes back, anything else is "No such device").
  if ((await tryIoctl(sys, fd, SIOCGIFFLAGS, ifr(name))) === 'ENODEV') {
    if (await fail('Could not add interface', await tryIoctl(sys, fd, SIOCAIFADDR, ifr(name)))) return EXIT_FAILURE;
  }

  let status = 0;
  if (c.address !== null || c.mask !== null || c.broadcast !== null || c.peer !== null) {
    let err: ErrnoName | null = null;
    if (c.address !== null) err = await tryIoctl(sys, fd, SIOCSIFADDR, { ifr_name: name, ifr_addr: sockaddrIn(c.address) });
    if (err === null && c.mask !== null) err = await tryIoctl(sys, fd, SIOCSIFNETMASK, { ifr_name: name, ifr_netmask: sockaddrIn(c.mask) });
    // As Haiku's SetAddress: a broadcast address, or else the peer (they share one slot).
    if (err === null && c.broadcast !== null) err = await tryIoctl(sys, fd, SIOCSIFBRDADDR, { ifr_name: name, ifr_broadaddr: sockaddrIn(c.broadcast) });
    else if (err === null && c.peer !== null) err = await tryIoctl(sys, fd, SIOCSIFDSTADDR, { ifr_name: name, ifr_dstaddr: sockaddrIn(c.peer) });
    if (await fail('Setting address failed', err)) return EXIT_FAILURE;
  }

  if (c.addFlags || c.removeFlags) {
    const cur = ifr(name);
    let err = await tryIoctl(sys, fd, SIOCGIFFLAGS, cur);
    if (err === null) err = await tryIoctl(sys, fd, SIOCSIFFLAGS, { ifr_name: name, ifr_flags: ((cur.ifr_flags ?? 0) & ~c.removeFlags) | c.addFlags });
    if (await fail('Setting flags failed', err)) status = EXIT_FAILURE;
  }
  if (c.mtu !== null && (await fail('Setting MTU failed', await tryIoctl(sys, fd, SIOCSIFMTU, { ifr_name: name, ifr_mtu: c.mtu })))) status = EXIT_FAILURE;
  if (c.metric !== null && (await fail('Setting metric failed', await tryIoctl(sys, fd, SIOCSIFMETRIC, { ifr_name: name, ifr_metric: c.metric }))))
    status = EXIT_FAILURE;
  if (c.media !== null) {
    const cur = ifr(name);
    if ((await tryIoctl(sys, fd, SIOCGIFMEDIA, cur)) !== null) {
      await eprint(sys, `${NAME}: Unable to detect media type\n`);
      return EXIT_FAILURE;
    }
    // The emulated cards run at one speed: "auto" or their own media are all they accept.
    if (c.media !== 'auto' && MEDIA_NAMES[c.media] !== cur.ifr_media && (await fail('Setting media failed', 'EOPNOTSUPP'))) status = EXIT_FAILURE;
  }
  for (const [members, op] of [
    [c.addMembers, SIOCBRADDIF],
    [c.removeMembers, SIOCBRDELIF],
  ] as const) {
    for (const m of members) {
      const idx = ifr(m);
      let err = await tryIoctl(sys, fd, SIOCGIFINDEX, idx);
      if (err === null) err = await tryIoctl(sys, fd, op, { ifr_name: name, ifr_ifindex: idx.ifr_ifindex });
      if (await fail(`${op === SIOCBRADDIF ? 'Adding' : 'Removing'} bridge member ${m} failed`, err)) status = EXIT_FAILURE;
    }
  }
  if (c.autoConfig) {
    await eprint(sys, `${NAME}: The net_server needs to run for the auto configuration!\n`);
    status = EXIT_FAILURE;
  }
  return status;
}
