// What `ip` knows of an interface, gathered through the same socket ioctls as ifconfig (index,
// flags, MTU, hardware address, queue length, addresses, counters), and iproute2's ways of
// printing it: the <FLAGS> list, the operational state, the link line.

import { ARPHRD_ETHER, ARPHRD_LOOPBACK, IFF_ALLMULTI, IFF_BROADCAST, IFF_LOOPBACK, IFF_LOWER_UP, IFF_MULTICAST, IFF_NOARP, IFF_POINTOPOINT, IFF_PROMISC, IFF_RUNNING, IFF_UP, type IfAddrInfo, type Ifreq, type IfStats, type Qdisc } from '../../../kernel/abi/if.js';
import { SIOCGIFADDRS, SIOCGIFFLAGS, SIOCGIFHWADDR, SIOCGIFINDEX, SIOCGIFMTU, SIOCGIFQDISC, SIOCGIFSTATS, SIOCGIFTXQLEN } from '../../../kernel/abi/ioctl.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { interfaceNames, tryIoctl } from '../../lib/netconf.js';

export interface Link {
  index: number;
  name: string;
  flags: number;
  mtu: number;
  qlen: number;
  /** ARPHRD_* */
  hwType: number;
  mac: string | null;
  addrs: IfAddrInfo[];
  stats: IfStats | null;
  /** The root qdisc tc installed, if any. */
  rootQdisc: Qdisc | null;
}

const hex = (d: Uint8Array) => [...d.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');

/** One interface, or null when there is no such device. */
export async function linkInfo(sys: Sys, fd: number, name: string): Promise<Link | null> {
  const r = (): Ifreq => ({ ifr_name: name });
  const flags = r();
  if ((await tryIoctl(sys, fd, SIOCGIFFLAGS, flags)) !== null) return null;
  const index = r();
  const mtu = r();
  const hw = r();
  const qlen = r();
  const addrs: Ifreq & { addrs?: IfAddrInfo[] } = r();
  const stats: Ifreq & { ifr_stats?: IfStats } = r();
  const q = r();
  await tryIoctl(sys, fd, SIOCGIFINDEX, index);
  await tryIoctl(sys, fd, SIOCGIFMTU, mtu);
  await tryIoctl(sys, fd, SIOCGIFHWADDR, hw);
  await tryIoctl(sys, fd, SIOCGIFTXQLEN, qlen);
  await tryIoctl(sys, fd, SIOCGIFADDRS, addrs);
  await tryIoctl(sys, fd, SIOCGIFSTATS, stats);
  await tryIoctl(sys, fd, SIOCGIFQDISC, q);
  const hwType = hw.ifr_hwaddr?.sa_family ?? 0;
  return {
    index: index.ifr_ifindex ?? 0,
    name,
    flags: flags.ifr_flags ?? 0,
    mtu: mtu.ifr_mtu ?? 0,
    qlen: qlen.ifr_qlen ?? 0,
    hwType,
    mac: hw.ifr_hwaddr && (hwType === ARPHRD_ETHER || hwType === ARPHRD_LOOPBACK) ? hex(hw.ifr_hwaddr.sa_data) : null,
    addrs: addrs.addrs ?? [],
    stats: stats.ifr_stats ?? null,
    rootQdisc: q.ifr_qdisc ?? null,
  };
}

export async function allLinks(sys: Sys, fd: number): Promise<Link[]> {
  const links: Link[] = [];
  for (const n of await interfaceNames(sys, fd)) {
    const l = await linkInfo(sys, fd, n);
    if (l) links.push(l);
  }
  return links.sort((a, b) => a.index - b.index);
}

/** iproute2's print_link_flags(): NO-CARRIER first when up without a carrier, then its fixed order. */
export function flagList(flags: number): string {
  const names: string[] = [];
  if (flags & IFF_UP && !(flags & IFF_RUNNING)) names.push('NO-CARRIER');
  for (const [bit, n] of [
    [IFF_LOOPBACK, 'LOOPBACK'],
    [IFF_BROADCAST, 'BROADCAST'],
    [IFF_POINTOPOINT, 'POINTOPOINT'],
    [IFF_MULTICAST, 'MULTICAST'],
    [IFF_NOARP, 'NOARP'],
    [IFF_ALLMULTI, 'ALLMULTI'],
    [IFF_PROMISC, 'PROMISC'],
    [IFF_UP, 'UP'],
    [IFF_LOWER_UP, 'LOWER_UP'],
  ] as const) {
    if (flags & bit) names.push(n);
  }
  return `<${names.join(',')}>`;
}

/**
 * The operational state (RFC 2863, as Linux reports it): DOWN unless up with a carrier; UNKNOWN
 * for the devices that do not track one (loopback, tun/tap), UP for the others.
 */
export function operState(l: Link): string {
  if (!(l.flags & IFF_UP) || !(l.flags & IFF_RUNNING)) return 'DOWN';
  return l.flags & IFF_LOOPBACK || l.hwType !== ARPHRD_ETHER || l.name.startsWith('tap/') ? 'UNKNOWN' : 'UP';
}

/**
 * The queueing discipline column: the root qdisc tc installed (pfifo); without one, "noop" for a
 * device that is down, as Linux shows one never brought up, "noqueue" otherwise.
 */
export function qdisc(l: Link): string {
  if (l.rootQdisc) return l.rootQdisc.kind;
  return l.flags & IFF_UP ? 'noqueue' : 'noop';
}

/** "link/ether MAC brd ff:..", "link/loopback ...", "link/none " (iproute2 prints that space too). */
export function linkLine(l: Link): string {
  if (l.hwType === ARPHRD_ETHER) return `link/ether ${l.mac} brd ff:ff:ff:ff:ff:ff`;
  if (l.hwType === ARPHRD_LOOPBACK) return 'link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00';
  return 'link/none ';
}

export function prefixLen(mask: string): number {
  return mask.split('.').reduce((n, o) => n + (Number(o).toString(2).match(/1/g)?.length ?? 0), 0);
}

/** An address as ip addr prints it: "10.1.0.5/24" or "10.8.0.2 peer 10.8.0.1/32". */
export function addrText(a: IfAddrInfo): string {
  return a.peer !== undefined ? `${a.address} peer ${a.peer}/${prefixLen(a.netmask)}` : `${a.address}/${prefixLen(a.netmask)}`;
}

export function scopeOf(address: string): string {
  return address.startsWith('127.') ? 'host' : 'global';
}
