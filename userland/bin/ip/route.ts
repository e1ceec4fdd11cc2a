// ip route and ip neigh, as iproute2 prints and takes them, over the routing-table and ARP ioctls
// route(8) and arp(8) use. The main table leaves out what Linux keeps in its local table (the
// host's own addresses and the loopback network).

import { IFF_LOOPBACK, IFF_RUNNING, type IfAddrInfo, type Ifreq } from '../../../kernel/abi/if.js';
import { SIOCADDRT, SIOCDARP, SIOCDELRT, SIOCGARPTABLE, SIOCGETRT, SIOCGIFADDR, SIOCGIFADDRS, SIOCGIFCONF, SIOCGIFFLAGS, SIOCGRTTABLE, SIOCSARP } from '../../../kernel/abi/ioctl.js';
import { type ArpEntry, RTF_GATEWAY, RTF_HOST, RTF_LOCAL, RTF_STATIC, type Rtentry } from '../../../kernel/abi/route.js';
import { sockaddrIn } from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { parseIpv4, parseMac } from '../../../kernel/abi/wire/index.js';
import { out } from '../../lib/guard.js';
import { tryIoctl } from '../../lib/netconf.js';
import { fail, type IpOptions, matches, parsePrefix, rtnl } from './common.js';
import { prefixLen } from './info.js';

async function flagsOf(sys: Sys, fd: number, name: string): Promise<number> {
  const r: Ifreq = { ifr_name: name };
  await tryIoctl(sys, fd, SIOCGIFFLAGS, r);
  return r.ifr_flags ?? 0;
}

/** The interface address an address route belongs to (its "src"). */
async function sourceFor(sys: Sys, fd: number, r: Rtentry): Promise<string | null> {
  const q: Ifreq & { addrs?: IfAddrInfo[] } = { ifr_name: r.rt_dev ?? '' };
  if ((await tryIoctl(sys, fd, SIOCGIFADDRS, q)) !== null) return null;
  const dst = parseIpv4(r.rt_dst.sin_addr)!;
  const mask = parseIpv4(r.rt_genmask.sin_addr)!;
  const hit = (q.addrs ?? []).find((a) => (a.peer !== undefined ? a.peer === r.rt_dst.sin_addr : ((parseIpv4(a.address)! & mask) >>> 0) === dst));
  return hit?.address ?? null;
}

function destText(r: Rtentry): string {
  if (r.rt_genmask.sin_addr === '0.0.0.0' && r.rt_dst.sin_addr === '0.0.0.0') return 'default';
  if (r.rt_flags & RTF_HOST) return r.rt_dst.sin_addr;
  return `${r.rt_dst.sin_addr}/${prefixLen(r.rt_genmask.sin_addr)}`;
}

async function routeShow(sys: Sys, fd: number): Promise<number> {
  const table: { routes: Rtentry[] } = { routes: [] };
  await sys.ioctl(fd, SIOCGRTTABLE, table);
  const lines: Array<[string, string]> = [];
  for (const r of table.routes) {
    if (r.rt_flags & RTF_LOCAL) continue;
    const flags = await flagsOf(sys, fd, r.rt_dev ?? '');
    const isStatic = (r.rt_flags & RTF_STATIC) !== 0;
    if (flags & IFF_LOOPBACK && !isStatic) continue;
    let s = destText(r);
    if (r.rt_flags & RTF_GATEWAY && r.rt_gateway) s += ` via ${r.rt_gateway.sin_addr}`;
    s += ` dev ${r.rt_dev}`;
    if (!isStatic) {
      const src = await sourceFor(sys, fd, r);
      s += ` proto kernel scope link${src ? ` src ${src}` : ''}`;
    } else if (!(r.rt_flags & RTF_GATEWAY)) s += ' scope link';
    if (r.rt_metric) s += ` metric ${r.rt_metric}`;
    if (!(flags & IFF_RUNNING)) s += ' linkdown';
    lines.push([r.rt_dst.sin_addr === '0.0.0.0' && r.rt_genmask.sin_addr === '0.0.0.0' ? '' : s, `${s} \n`]);
  }
  // As the kernel's FIB dumps them: the default route first, then by destination.
  const key = (d: string) => (d === '' ? -1 : parseIpv4(d.split(/[ /]/)[0]!)!);
  lines.sort((a, b) => key(a[0]) - key(b[0]));
  await out(sys, lines.map((l) => l[1]).join(''));
  return 0;
}

async function routeChange(sys: Sys, fd: number, verb: 'add' | 'del' | 'replace', args: string[]): Promise<number> {
  const a = [...args];
  let dest: { addr: string; mask: string; len: number } | null = null;
  let via: string | null = null;
  let dev: string | null = null;
  let metric = 0;
  while (a.length > 0) {
    const w = a.shift()!;
    if (w === 'via') {
      via = a.shift() ?? '';
      if (parseIpv4(via) === null) return fail(sys, `Error: inet address is expected rather than "${via}".`, 1);
    } else if (w === 'dev' || w === 'oif') dev = a.shift() ?? null;
    else if (w === 'metric' || w === 'priority' || w === 'preference') {
      const v = a.shift() ?? '';
      if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) return fail(sys, `Error: argument "${v}" is wrong: "metric" value is invalid`, 255);
      metric = Number(v);
    } else if (w === 'proto' || w === 'scope' || w === 'table' || w === 'src') a.shift();
    else if (dest === null) {
      const text = w === 'to' ? (a.shift() ?? '') : w;
      dest = text === 'default' ? { addr: '0.0.0.0', mask: '0.0.0.0', len: 0 } : parsePrefix(text);
      if (!dest) return fail(sys, `Error: any valid prefix is expected rather than "${text}".`, 1);
    } else return fail(sys, `Error: either "to" is duplicate, or "${w}" is a garbage.`, 255);
  }
  if (dest === null) return fail(sys, 'Error: any valid prefix is expected rather than "".', 1);
  if (verb !== 'del' && via === null && dev === null) return fail(sys, 'Error: Device for nexthop is not up.', 2);
  const rt: Rtentry = {
    rt_dst: sockaddrIn(dest.addr),
    rt_genmask: sockaddrIn(dest.mask),
    rt_flags: (dest.len === 32 ? RTF_HOST : 0) | RTF_STATIC,
    rt_metric: metric,
    ...(via !== null ? { rt_gateway: sockaddrIn(via) } : {}),
    ...(dev !== null ? { rt_dev: dev } : {}),
  };
  if (verb === 'replace') await tryIoctl(sys, fd, SIOCDELRT, { ...rt, rt_gateway: undefined });
  const err = await tryIoctl(sys, fd, verb === 'del' ? SIOCDELRT : SIOCADDRT, rt);
  if (err === null) return 0;
  if (err === 'ENETUNREACH') return fail(sys, 'Error: Nexthop has invalid gateway.', 2);
  if (err === 'ENODEV') return fail(sys, `Cannot find device "${dev}"`, 1);
  return rtnl(sys, err, 'route');
}

async function routeGet(sys: Sys, fd: number, args: string[]): Promise<number> {
  const a = args.filter((w) => w !== 'to');
  const p = a[0] === undefined ? null : parsePrefix(a[0]);
  if (!p) return fail(sys, `Error: any valid prefix is expected rather than "${a[0] ?? ''}".`, 1);
  const q: Rtentry = { rt_dst: sockaddrIn(p.addr), rt_genmask: sockaddrIn('0.0.0.0'), rt_flags: 0 };
  const err = await tryIoctl(sys, fd, SIOCGETRT, q);
  if (err !== null) return rtnl(sys, err, 'route');
  const uid = sys.getuid();
  if (q.rt_flags & RTF_LOCAL) {
    // Linux answers "dev lo": the loopback interface, here by its own name.
    const links: { ifc_req: Ifreq[] } = { ifc_req: [] };
    await sys.ioctl(fd, SIOCGIFCONF, links);
    let lo = 'lo';
    for (const l of links.ifc_req) if ((await flagsOf(sys, fd, l.ifr_name)) & IFF_LOOPBACK) lo = l.ifr_name;
    await out(sys, `local ${p.addr} dev ${lo} src ${p.addr} uid ${uid} \n    cache <local> \n`);
    return 0;
  }
  const src: Ifreq = { ifr_name: q.rt_dev ?? '' };
  const source = (await tryIoctl(sys, fd, SIOCGIFADDR, src)) === null && src.ifr_addr ? ` src ${src.ifr_addr.sin_addr}` : '';
  const gw = q.rt_flags & RTF_GATEWAY && q.rt_gateway ? ` via ${q.rt_gateway.sin_addr}` : '';
  await out(sys, `${p.addr}${gw} dev ${q.rt_dev}${source} uid ${uid} \n    cache \n`);
  return 0;
}

export async function routeCommand(sys: Sys, fd: number, args: string[], _o: IpOptions): Promise<number> {
  const verb = args[0];
  if (verb === undefined || matches(verb, 'show', 'list', 'lst')) return routeShow(sys, fd);
  if (matches(verb, 'add')) return routeChange(sys, fd, 'add', args.slice(1));
  if (matches(verb, 'delete', 'del')) return routeChange(sys, fd, 'del', args.slice(1));
  if (matches(verb, 'replace')) return routeChange(sys, fd, 'replace', args.slice(1));
  if (matches(verb, 'get')) return routeGet(sys, fd, args.slice(1));
  return fail(sys, `Command "${verb}" is unknown, try "ip route help".`, 255);
}

// ------------------------------------------------------------------ neighbours

async function neighShow(sys: Sys, fd: number, dev: string | null): Promise<number> {
  const t: { entries: ArpEntry[] } = { entries: [] };
  await sys.ioctl(fd, SIOCGARPTABLE, t);
  let s = '';
  for (const e of t.entries) {
    if (dev !== null && e.iface !== dev) continue;
    const state = e.mac === null ? 'INCOMPLETE' : e.permanent ? 'PERMANENT' : 'REACHABLE';
    s += `${e.ip}${dev === null ? ` dev ${e.iface}` : ''}${e.mac !== null ? ` lladdr ${e.mac}` : ''} ${state} \n`;
  }
  await out(sys, s);
  return 0;
}

export async function neighCommand(sys: Sys, fd: number, args: string[], _o: IpOptions): Promise<number> {
  const verb = args[0];
  const rest = args.slice(1);
  const opt = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? (rest[i + 1] ?? null) : null;
  };
  if (verb === undefined || matches(verb, 'show', 'list', 'lst')) return neighShow(sys, fd, opt('dev'));
  if (matches(verb, 'flush')) {
    const dev = opt('dev');
    if (dev === null && !rest.includes('all')) return fail(sys, 'Flush requires arguments.', 255);
    const t: { entries: ArpEntry[] } = { entries: [] };
    await sys.ioctl(fd, SIOCGARPTABLE, t);
    for (const e of t.entries) {
      if ((dev !== null && e.iface !== dev) || e.permanent) continue;
      const err = await tryIoctl(sys, fd, SIOCDARP, { ip: e.ip, iface: e.iface });
      if (err !== null) return rtnl(sys, err, 'neigh');
    }
    return 0;
  }
  const add = matches(verb, 'add', 'replace', 'change');
  if (!add && !matches(verb, 'delete', 'del')) return fail(sys, `Command "${verb}" is unknown, try "ip neigh help".`, 255);
  const ip = rest.find((w, i) => !['dev', 'lladdr', 'nud', 'to'].includes(w) && !['dev', 'lladdr', 'nud'].includes(rest[i - 1] ?? ''));
  if (ip === undefined || parseIpv4(ip) === null) return fail(sys, `Error: any valid address is expected rather than "${ip ?? ''}".`, 1);
  const dev = opt('dev');
  if (dev === null) return fail(sys, 'Device and destination are required arguments.', 255);
  if (!add) {
    const err = await tryIoctl(sys, fd, SIOCDARP, { ip, iface: dev });
    if (err === 'ENXIO') return fail(sys, 'RTNETLINK answers: No such file or directory', 2);
    return err === null ? 0 : rtnl(sys, err, 'neigh');
  }
  const mac = opt('lladdr');
  // The ARP cache takes only complete entries, so an entry without lladdr is EINVAL.
  if (mac === null) return rtnl(sys, 'EINVAL', 'neigh');
  if (parseMac(mac) === null) return fail(sys, `"${mac}" is invalid lladdr.`, 255);
  const err = await tryIoctl(sys, fd, SIOCSARP, { ip, mac, iface: dev });
  return err === null ? 0 : rtnl(sys, err, 'neigh');
}
