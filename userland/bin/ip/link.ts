// ip link and ip addr, as iproute2 prints and takes them: show (all, or [dev] IF), link set IF
// up|down|mtu N|address MAC|txqueuelen N|promisc on|off|allmulticast on|off, addr add|del
// A[/N] [peer P] [brd B] dev IF, addr flush dev IF; -o, -br, -4 and -s shape the output.

import { ARPHRD_ETHER, IFF_ALLMULTI, IFF_PROMISC, IFF_UP, type Ifreq } from '../../../kernel/abi/if.js';
import { SIOCAIFADDR, SIOCDIFADDR, SIOCGIFFLAGS, SIOCSIFFLAGS, SIOCSIFHWADDR, SIOCSIFMTU, SIOCSIFTXQLEN } from '../../../kernel/abi/ioctl.js';
import { sockaddrIn } from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { parseMac } from '../../../kernel/abi/wire/index.js';
import { out } from '../../lib/guard.js';
import { tryIoctl } from '../../lib/netconf.js';
import { addrText, allLinks, flagList, type Link, linkInfo, linkLine, operState, qdisc, scopeOf } from './info.js';
import { fail, type IpOptions, matches, parsePrefix, rtnl } from './common.js';

function statsLines(l: Link, nl: string): string {
  if (!l.stats) return '';
  const { receive: rx, send: tx, collisions } = l.stats;
  const row = (a: number, b: number, c: number, d: number, e: number, f: number) =>
    `    ${String(a).padStart(10)} ${String(b).padStart(7)} ${String(c).padStart(6)} ${String(d).padStart(7)} ${String(e).padStart(7)} ${String(f).padStart(7)} ${nl}`;
  return (
    `    RX:  bytes packets errors dropped  missed   mcast           ${nl}` +
    row(rx.bytes, rx.packets, rx.errors, rx.dropped, 0, rx.multicast) +
    `    TX:  bytes packets errors dropped carrier collsns           ${nl}` +
    row(tx.bytes, tx.packets, tx.errors, tx.dropped, 0, collisions)
  );
}

/** The first line of an interface, and its link line, as ip link / ip addr print them. */
function header(l: Link, o: IpOptions, withMode: boolean): string {
  const nl = o.oneline ? '\\' : '\n';
  let s = `${l.index}: ${l.name}: ${flagList(l.flags)} mtu ${l.mtu} qdisc ${qdisc(l)} state ${operState(l)} ${withMode ? 'mode DEFAULT ' : ''}group default qlen ${l.qlen}${nl}`;
  if (!(o.family4 && !withMode)) s += `    ${linkLine(l)}${nl}`;
  if (o.stats) s += statsLines(l, nl);
  return s;
}

function brief(l: Link, addrs: boolean): string {
  const head = `${l.name.padEnd(16)} ${operState(l).padEnd(14)} `;
  if (addrs) return `${head}${l.addrs.map((a) => `${addrText(a)} `).join('')}\n`;
  return `${head}${l.hwType === ARPHRD_ETHER || l.mac ? `${l.mac} ` : ''}${flagList(l.flags)} \n`;
}

/** Finish a oneline record: its continuation marks become "\", and one newline ends it. */
const finish = (s: string, o: IpOptions) => (o.oneline ? `${s.replace(/\\$/, '')}\n` : s);

async function selected(sys: Sys, fd: number, name: string | undefined): Promise<Link[] | null> {
  if (name === undefined) return allLinks(sys, fd);
  const l = await linkInfo(sys, fd, name);
  return l ? [l] : null;
}

/** The device a show command names: "[dev] IF" as its only words. */
function showTarget(args: string[]): { name?: string; bad?: string } {
  const a = [...args];
  if (a[0] !== undefined && matches(a[0], 'show', 'list', 'lst')) a.shift();
  if (a[0] === 'dev') a.shift();
  if (a.length > 1) return { bad: a[1] };
  return a.length === 1 ? { name: a[0] } : {};
}

export async function linkCommand(sys: Sys, fd: number, args: string[], o: IpOptions): Promise<number> {
  const verb = args[0];
  if (verb !== undefined && matches(verb, 'set')) return linkSet(sys, fd, args.slice(1));
  if (verb !== undefined && !matches(verb, 'show', 'list', 'lst') && verb !== 'dev') return fail(sys, `Command "${verb}" is unknown, try "ip link help".`, 255);
  const t = showTarget(args);
  if (t.bad !== undefined) return fail(sys, `Error: either "dev" is duplicate, or "${t.bad}" is a garbage.`, 255);
  const links = await selected(sys, fd, t.name);
  if (!links) return fail(sys, `Device "${t.name}" does not exist.`, 1);
  let s = '';
  for (const l of links) s += o.brief ? brief(l, false) : finish(header(l, o, true), o);
  await out(sys, s);
  return 0;
}

async function linkSet(sys: Sys, fd: number, args: string[]): Promise<number> {
  const a = [...args];
  if (a[0] === 'dev') a.shift();
  const name = a.shift();
  if (name === undefined) return fail(sys, 'Not enough information: "dev" argument is required.', 255);
  const cur: Ifreq = { ifr_name: name };
  if ((await tryIoctl(sys, fd, SIOCGIFFLAGS, cur)) !== null) return fail(sys, `Cannot find device "${name}"`, 1);
  let flags = cur.ifr_flags ?? 0;
  const changes: Array<[number, Ifreq, string]> = [];
  const onOff = (w: string | undefined, what: string): boolean | string => (w === 'on' ? true : w === 'off' ? false : `Error: argument of "${what}" must be "on" or "off"`);
  while (a.length > 0) {
    const w = a.shift()!;
    if (w === 'up' || w === 'down') flags = w === 'up' ? flags | IFF_UP : flags & ~IFF_UP;
    else if (w === 'mtu' || w === 'txqueuelen' || w === 'qlen' || w === 'txqlen') {
      const v = a.shift();
      if (v === undefined || !/^\d+$/.test(v)) return fail(sys, `Error: argument "${v ?? ''}" is wrong: Invalid ${w === 'mtu' ? 'MTU' : '"txqueuelen" value'}`, 255);
      if (w === 'mtu') changes.push([SIOCSIFMTU, { ifr_name: name, ifr_mtu: Number(v) }, 'mtu']);
      else changes.push([SIOCSIFTXQLEN, { ifr_name: name, ifr_qlen: Number(v) }, 'txqueuelen']);
    } else if (w === 'address') {
      const v = a.shift() ?? '';
      const mac = parseMac(v);
      if (mac === null) return fail(sys, `"${v}" is invalid lladdr.`, 255);
      const data = new Uint8Array(6);
      for (let i = 0; i < 6; i++) data[i] = Math.floor(mac / 2 ** (8 * (5 - i))) & 0xff;
      changes.push([SIOCSIFHWADDR, { ifr_name: name, ifr_hwaddr: { sa_family: ARPHRD_ETHER, sa_data: data } }, 'address']);
    } else if (w === 'promisc' || w === 'allmulticast') {
      const on = onOff(a.shift(), w);
      if (typeof on === 'string') return fail(sys, on, 255);
      const bit = w === 'promisc' ? IFF_PROMISC : IFF_ALLMULTI;
      flags = on ? flags | bit : flags & ~bit;
    } else if (w === 'dev' || w === 'name') return fail(sys, `Error: either "dev" is duplicate, or "${w}" is a garbage.`, 255);
    else return fail(sys, `Error: either "dev" is duplicate, or "${w}" is a garbage.`, 255);
  }
  // As iproute2: the other attributes first, then the flags.
  for (const [op, req, what] of changes) {
    const err = await tryIoctl(sys, fd, op, req);
    if (err !== null) return rtnl(sys, err, what);
  }
  if (flags !== (cur.ifr_flags ?? 0)) {
    const err = await tryIoctl(sys, fd, SIOCSIFFLAGS, { ifr_name: name, ifr_flags: flags });
    if (err !== null) return rtnl(sys, err, 'flags');
  }
  return 0;
}

export async function addrCommand(sys: Sys, fd: number, args: string[], o: IpOptions): Promise<number> {
  const verb = args[0];
  if (verb !== undefined && matches(verb, 'add', 'delete', 'del')) return addrChange(sys, fd, matches(verb, 'add'), args.slice(1));
  if (verb !== undefined && matches(verb, 'flush')) return addrFlush(sys, fd, args.slice(1));
  if (verb !== undefined && !matches(verb, 'show', 'list', 'lst') && verb !== 'dev') return fail(sys, `Command "${verb}" is unknown, try "ip address help".`, 255);
  const t = showTarget(args);
  if (t.bad !== undefined) return fail(sys, `Error: either "dev" is duplicate, or "${t.bad}" is a garbage.`, 255);
  const links = await selected(sys, fd, t.name);
  if (!links) return fail(sys, `Device "${t.name}" does not exist.`, 1);
  let s = '';
  for (const l of links) {
    if (o.family4 && l.addrs.length === 0) continue;
    if (o.brief) {
      s += brief(l, true);
      continue;
    }
    const lines = l.addrs.map((a) => {
      const brd = a.broadcast !== undefined && a.peer === undefined ? ` brd ${a.broadcast}` : '';
      return `    inet ${addrText(a)}${brd} scope ${scopeOf(a.address)} ${l.name}`;
    });
    if (o.oneline) {
      for (const line of lines) s += `${l.index}: ${l.name}${line}\\       valid_lft forever preferred_lft forever\n`;
      continue;
    }
    s += header(l, o, false);
    for (const line of lines) s += `${line}\n       valid_lft forever preferred_lft forever\n`;
  }
  await out(sys, s);
  return 0;
}

async function addrChange(sys: Sys, fd: number, add: boolean, args: string[]): Promise<number> {
  const a = [...args];
  let local: { addr: string; mask: string } | null = null;
  let peer: string | null = null;
  let brd: string | null = null;
  let dev: string | null = null;
  while (a.length > 0) {
    const w = a.shift()!;
    if (w === 'dev') dev = a.shift() ?? null;
    else if (w === 'peer' || w === 'remote') {
      const p = parsePrefix(a.shift() ?? '');
      if (!p) return fail(sys, `Error: any valid prefix is expected rather than "${args[args.indexOf(w) + 1] ?? ''}".`, 1);
      peer = p.addr;
    } else if (w === 'broadcast' || w === 'brd') brd = a.shift() ?? null;
    else if (w === 'local' || local === null) {
      const text = w === 'local' ? (a.shift() ?? '') : w;
      const p = parsePrefix(text);
      if (!p) return fail(sys, `Error: any valid prefix is expected rather than "${text}".`, 1);
      local = p;
    } else if (w === 'label' || w === 'scope' || w === 'valid_lft' || w === 'preferred_lft') a.shift();
    else return fail(sys, `Error: either "local" is duplicate, or "${w}" is a garbage.`, 255);
  }
  if (local === null) return fail(sys, 'Not enough information: "local" argument is required.', 255);
  if (dev === null) return fail(sys, 'Not enough information: "dev" argument is required.', 255);
  if ((await linkInfo(sys, fd, dev)) === null) return fail(sys, `Cannot find device "${dev}"`, 1);
  const req: Ifreq = { ifr_name: dev, ifr_addr: sockaddrIn(local.addr), ifr_netmask: sockaddrIn(local.mask) };
  if (peer !== null) req.ifr_dstaddr = sockaddrIn(peer);
  if (brd !== null && brd !== '+') req.ifr_broadaddr = sockaddrIn(brd);
  const err = await tryIoctl(sys, fd, add ? SIOCAIFADDR : SIOCDIFADDR, add ? req : { ifr_name: dev, ifr_addr: req.ifr_addr });
  if (err === 'EEXIST') return fail(sys, 'Error: ipv4: Address already assigned.', 2);
  if (err === 'EADDRNOTAVAIL') return fail(sys, 'Error: ipv4: Address not found.', 2);
  if (err !== null) return rtnl(sys, err, 'address');
  return 0;
}

async function addrFlush(sys: Sys, fd: number, args: string[]): Promise<number> {
  const a = [...args];
  if (a[0] === 'dev') a.shift();
  const name = a[0];
  if (name === undefined) return fail(sys, 'Flush requires arguments.', 255);
  const l = await linkInfo(sys, fd, name);
  if (!l) return fail(sys, `Device "${name}" does not exist.`, 1);
  for (const x of l.addrs) {
    const err = await tryIoctl(sys, fd, SIOCDIFADDR, { ifr_name: name, ifr_addr: sockaddrIn(x.address) });
    if (err !== null) return rtnl(sys, err, 'address');
  }
  return 0;
}
