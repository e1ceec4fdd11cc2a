// The socket ioctls that configure the network: interfaces (flags, addresses, MTU, hardware
// address, counters), routes, the ARP cache, forwarding, and the tables `netstat` reads. They work
// on any socket, as on Linux and Haiku. Changing anything needs uid 0 (EPERM otherwise).

import { SysError } from '../../abi/errno.js';
import {
  ARPHRD_ETHER,
  ARPHRD_LOOPBACK,
  ARPHRD_NONE,
  IFF_BROADCAST,
  IFF_POINTOPOINT,
  IF_NAMESIZE,
  type IfAddrInfo,
  type Ifconf,
  type Ifreq,
  type IfStats,
} from '../../abi/if.js';
import * as io from '../../abi/ioctl.js';
import { ETHTOOL_GFEATURES, ETHTOOL_SFEATURES, type EthtoolFeatures, NETDEV_FEATURES } from '../../abi/ethtool.js';
import { RTF_HOST, type ArpEntry, type Rtentry } from '../../abi/route.js';
import { type ProtoStats, sockaddrIn, type SockaddrIn, type SocketInfo } from '../../abi/socket.js';
import { TCP_STATE_NAMES, type TcpMetricsInfo } from '../../abi/tcp.js';
import type { IoContext } from '../../vfs/file.js';
import { formatIpv4, formatMac, parseIpv4 } from '../../abi/wire/address.js';
import type { NetInterface } from '../iface/interface.js';
import { routeFor } from '../iface/ipv4.js';
import * as config from '../iface/config.js';
import type { NetStack } from '../iface/stack.js';
import { addrOf } from './sockaddr.js';
import type { Socket } from './socket.js';
import type { TcpEndpointInfo } from '../tcp/engine.js';
import type { TcpMetrics } from '../tcp/metrics.js';

function obj<T>(arg: unknown): T {
  if (typeof arg !== 'object' || arg === null) throw new SysError('EFAULT');
  return arg as T;
}

function ifreqOf(arg: unknown): Ifreq {
  const r = obj<Ifreq>(arg);
  if (typeof r.ifr_name !== 'string') throw new SysError('EFAULT');
  if (r.ifr_name.length >= IF_NAMESIZE) throw new SysError('ENAMETOOLONG');
  return r;
}

function root(ctx: IoContext): void {
  if (ctx.uid !== 0) throw new SysError('EPERM');
}

function need(stack: NetStack, r: Ifreq): NetInterface {
  const iface = stack.byName(r.ifr_name);
  if (!iface) throw new SysError('ENODEV');
  return iface;
}

const sa = (a: number): SockaddrIn => sockaddrIn(formatIpv4(a));

function hwaddrOf(iface: NetInterface): { sa_family: number; sa_data: Uint8Array } {
  const mac = iface.device.mac;
  const family = iface.device.link === 'ether' ? ARPHRD_ETHER : iface.device.link === 'loop' ? ARPHRD_LOOPBACK : ARPHRD_NONE;
  const data = new Uint8Array(6);
  if (mac !== null) for (let i = 0; i < 6; i++) data[i] = Math.floor(mac / 2 ** (8 * (5 - i))) & 0xff;
  return { sa_family: family, sa_data: data };
}

function routeRow(r: { dest: number; mask: number; gateway: number | null; flags: number; metric: number; mtu: number; iface: NetInterface }): Rtentry {
  return {
    rt_dst: sa(r.dest),
    rt_genmask: sa(r.mask),
    ...(r.gateway !== null ? { rt_gateway: sa(r.gateway) } : {}),
    rt_flags: r.flags,
    rt_metric: r.metric,
    rt_mtu: r.mtu,
    rt_dev: r.iface.name,
  };
}

/** What the ioctls read beyond the stack: the host's sockets and counters (netstat). */
export interface SocketTables {
  readonly stack: NetStack;
  all(): Socket[];
  /** TCP's endpoints: listeners, connections, requests and time-wait records. */
  tcpEndpoints(): TcpEndpointInfo[];
  /** TCP's metrics cache. */
  readonly tcpMetrics: TcpMetrics;
  protoStats(): ProtoStats;
}

/** The host's sockets as `ss` and `netstat` list them (SIOCGSOCKTABLE), and `topology` pairs tunnels by. */
export function socketTable(tables: SocketTables): SocketInfo[] {
  const endpoint = (addr: number, port: number) => `${formatIpv4(addr)}:${port || '*'}`;
  const tcp: SocketInfo[] = tables.tcpEndpoints().map((e) => ({
    proto: 'tcp',
    state: TCP_STATE_NAMES[e.state] ?? String(e.state),
    local: endpoint(e.localAddr, e.localPort),
    remote: endpoint(e.remoteAddr, e.remotePort),
    recvQ: e.recvQ,
    sendQ: e.sendQ,
    drops: e.drops,
    received: 0,
    ...(e.ino ? { ino: e.ino } : {}),
  }));
  const rows: SocketInfo[] = tables.all().map((s) => {
    const peer = s.peerName();
    const local = s.localName();
    return {
      // A ping socket is listed as Linux lists it, in its own table (/proc/net/icmp), not as UDP.
      proto: s.domain === 4 ? 'link' : s.type === 3 ? 'raw' : s.protocol === 1 ? 'icmp' : 'udp',
      ino: s.id,
      local: 'sin_addr' in local ? `${local.sin_addr}:${local.sin_port || '*'}` : 'sdl_name' in local ? local.sdl_name : local.sun_path,
      remote: peer && 'sin_addr' in peer ? `${peer.sin_addr}:${peer.sin_port}` : '*:*',
      recvQ: s.pendingBytes,
      drops: s.drops,
      received: s.received,
    };
  });
  return [...tcp, ...rows];
}

export function socketIoctl(tables: SocketTables, ctx: IoContext, op: number, arg: unknown): number {
  const stack = tables.stack;
  switch (op) {
    case io.SIOCGIFCONF: {
      const c = obj<Ifconf>(arg);
      c.ifc_req = [...stack.interfaces.values()].map((i) => ({ ifr_name: i.name, ...(i.primary ? { ifr_addr: sa(i.primary.addr) } : {}) }));
      return 0;
    }
    case io.SIOCGIFNAME: {
      const r = obj<Ifreq>(arg);
      const iface = stack.byIndex(Number(r.ifr_ifindex));
      if (!iface) throw new SysError('ENODEV');
      r.ifr_name = iface.name;
      return 0;
    }
    case io.SIOCAIFADDR: {
      const r = ifreqOf(arg);
      root(ctx);
      const existing = stack.byName(r.ifr_name);
      if (existing && r.ifr_addr !== undefined) {
        // Haiku's ifaliasreq: one more address on an interface that exists.
        config.addAlias(stack, existing, {
          addr: addrOf(r.ifr_addr),
          mask: r.ifr_netmask !== undefined ? addrOf(r.ifr_netmask) : null,
          peer: r.ifr_dstaddr !== undefined ? addrOf(r.ifr_dstaddr) : null,
          broadcast: r.ifr_broadaddr !== undefined ? addrOf(r.ifr_broadaddr) : null,
        });
        return 0;
      }
      r.ifr_ifindex = config.createInterface(stack, r.ifr_name).index;
      return 0;
    }
    case io.SIOCBRADDBR:
    case io.SIOCBRDELBR: {
      const r = ifreqOf(arg);
      root(ctx);
      if (!stack.bridges) throw new SysError('EOPNOTSUPP');
      if (op === io.SIOCBRADDBR) r.ifr_ifindex = stack.bridges.create(r.ifr_name).index;
      else stack.bridges.destroy(r.ifr_name);
      return 0;
    }
    case io.SIOCBRADDIF:
    case io.SIOCBRDELIF: {
      const r = ifreqOf(arg);
      root(ctx);
      const member = stack.byIndex(Number(r.ifr_ifindex));
      if (!member) throw new SysError('ENODEV');
      if (op === io.SIOCBRADDIF) config.addBridgeMember(stack, r.ifr_name, member);
      else config.removeBridgeMember(stack, r.ifr_name, member);
      return 0;
    }
    case io.SIOCADDRT:
    case io.SIOCDELRT:
      return routeIoctl(stack, ctx, op, obj<Rtentry>(arg));
    case io.SIOCGRTTABLE: {
      obj<{ routes: Rtentry[] }>(arg).routes = stack.routes.list().map(routeRow);
      return 0;
    }
    case io.SIOCGETRT: {
      const q = obj<Rtentry>(arg);
      const dst = addrOf(q.rt_dst);
      // As Haiku's get_route_information(): the route the table holds for dst, reject and local
      // routes included; only an address no route covers falls back to how it would be reached.
      const held = stack.routes.lookup(dst);
      if (held) {
        Object.assign(q, routeRow(held));
        return 0;
      }
      const where = routeFor(stack, dst);
      if (typeof where === 'string') throw new SysError(where);
      const r = where.route ?? { dest: dst, mask: 0xffff_ffff, gateway: null, flags: RTF_HOST, metric: 0, mtu: 0, iface: where.iface };
      Object.assign(q, routeRow(r));
      return 0;
    }
    case io.SIOCGARPTABLE: {
      const out: ArpEntry[] = [];
      const now = stack.now();
      for (const iface of stack.interfaces.values()) {
        for (const e of stack.arp(iface)?.list() ?? []) {
          out.push({
            ip: formatIpv4(e.ip),
            mac: e.mac === null || e.state === 'incomplete' || e.state === 'failed' ? null : formatMac(e.mac),
            iface: iface.name,
            permanent: e.state === 'permanent',
            expiresIn: e.state === 'permanent' ? 0 : Math.max(0, Math.round((e.deadline - now) / 1e9)),
          });
        }
      }
      obj<{ entries: ArpEntry[] }>(arg).entries = out;
      return 0;
    }
    case io.SIOCSARP:
    case io.SIOCDARP: {
      const q = obj<{ ip: string; mac?: string; iface?: string }>(arg);
      root(ctx);
      const ip = addrOf(sockaddrIn(q.ip));
      const where = routeFor(stack, ip);
      // Without a named interface, only an on-link neighbour has one (Linux's arp_req_set looks the
      // address up with RT_SCOPE_LINK): an address reached through a gateway is ENETUNREACH.
      const onLink = typeof where !== 'string' && where.nextHop === ip;
      const iface = q.iface ? stack.byName(q.iface) : onLink ? where.iface : undefined;
      const arp = iface ? stack.arp(iface) : undefined;
      if (!iface || !arp) throw new SysError('ENETUNREACH');
      if (op === io.SIOCDARP) {
        if (!arp.delete(ip)) throw new SysError('ENXIO');
        return 0;
      }
      const macText = q.mac ?? '';
      const m = /^([0-9a-f]{1,2})(?::([0-9a-f]{1,2})){5}$/i.test(macText) ? macText.split(':').reduce((n, b) => n * 256 + parseInt(b, 16), 0) : null;
      if (m === null) throw new SysError('EINVAL');
      arp.setPermanent(ip, m);
      return 0;
    }
    case io.SIOCGSOCKTABLE: {
      obj<{ sockets: SocketInfo[] }>(arg).sockets = socketTable(tables);
      return 0;
    }
    case io.SIOCGTCPMETRICS: {
      const now = stack.env.timers.now();
      obj<{ metrics: TcpMetricsInfo[] }>(arg).metrics = tables.tcpMetrics.list().map((e) => ({
        daddr: formatIpv4(e.daddr),
        saddr: formatIpv4(e.saddr),
        ageMs: Math.floor((now - e.stampNs) / 1e6),
        rttUs: e.rtt >>> 3,
        rttvarUs: e.rttvar >>> 2,
        ssthresh: e.ssthresh,
        cwnd: e.cwnd,
        reordering: e.reordering,
      }));
      return 0;
    }
    case io.SIOCDTCPMETRICS: {
      root(ctx);
      const q = obj<{ daddr: string | null; deleted?: number }>(arg);
      const daddr = q.daddr === null ? null : parseIpv4(String(q.daddr));
      if (q.daddr !== null && daddr === null) throw new SysError('EINVAL');
      q.deleted = tables.tcpMetrics.delete(daddr);
      return 0;
    }
    case io.SIOCGPROTOSTATS:
      obj<{ stats: unknown }>(arg).stats = tables.protoStats();
      return 0;
    case io.SIOCGIPFORWARD:
      obj<io.IntRef>(arg).value = stack.forwarding ? 1 : 0;
      return 0;
    case io.SIOCSIPFORWARD:
      root(ctx);
      config.setForwarding(stack, obj<io.IntRef>(arg).value !== 0);
      return 0;
  }
  return interfaceIoctl(stack, ctx, op, arg);
}

function interfaceIoctl(stack: NetStack, ctx: IoContext, op: number, arg: unknown): number {
  const r = ifreqOf(arg);
  const iface = need(stack, r);
  switch (op) {
    case io.SIOCGIFINDEX:
      r.ifr_ifindex = iface.index;
      return 0;
    case io.SIOCGIFFLAGS:
      r.ifr_flags = iface.flags;
      return 0;
    case io.SIOCSIFFLAGS:
      root(ctx);
      config.setFlags(stack, iface, Number(r.ifr_flags ?? 0));
      return 0;
    case io.SIOCGIFADDR:
      if (!iface.primary) throw new SysError('EADDRNOTAVAIL');
      r.ifr_addr = sa(iface.primary.addr);
      return 0;
    case io.SIOCSIFADDR:
      root(ctx);
      config.setAddress(stack, iface, addrOf(r.ifr_addr));
      return 0;
    case io.SIOCGIFNETMASK:
      if (!iface.primary) throw new SysError('EADDRNOTAVAIL');
      r.ifr_netmask = sa(iface.primary.mask);
      return 0;
    case io.SIOCSIFNETMASK:
      root(ctx);
      config.setNetmask(stack, iface, addrOf(r.ifr_netmask));
      return 0;
    case io.SIOCGIFDSTADDR:
      if (!iface.primary || iface.primary.peer === null) throw new SysError('EADDRNOTAVAIL');
      r.ifr_dstaddr = sa(iface.primary.peer);
      return 0;
    case io.SIOCSIFDSTADDR: {
      root(ctx);
      if (!(iface.flags & IFF_POINTOPOINT)) throw new SysError('EINVAL');
      config.setPeer(stack, iface, addrOf(r.ifr_dstaddr));
      return 0;
    }
    case io.SIOCGIFBRDADDR:
      if (!iface.primary || iface.primary.broadcast === null) throw new SysError('EADDRNOTAVAIL');
      r.ifr_broadaddr = sa(iface.primary.broadcast);
      return 0;
    case io.SIOCSIFBRDADDR: {
      root(ctx);
      if (!(iface.flags & IFF_BROADCAST)) throw new SysError('EINVAL');
      config.setBroadcast(iface, addrOf(r.ifr_broadaddr));
      return 0;
    }
    case io.SIOCDIFADDR: {
      root(ctx);
      if (r.ifr_addr === undefined) config.deleteInterface(stack, iface);
      else config.deleteAddress(stack, iface, addrOf(r.ifr_addr));
      return 0;
    }
    case io.SIOCGIFADDRS: {
      const list: IfAddrInfo[] = iface.addresses.map((x) => ({
        address: formatIpv4(x.addr),
        netmask: formatIpv4(x.mask),
        ...(x.broadcast !== null ? { broadcast: formatIpv4(x.broadcast) } : {}),
        ...(x.peer !== null ? { peer: formatIpv4(x.peer) } : {}),
      }));
      (r as Ifreq & { addrs?: IfAddrInfo[] }).addrs = list;
      return 0;
    }
    case io.SIOCGIFMTU:
      r.ifr_mtu = iface.mtu;
      return 0;
    case io.SIOCSIFMTU:
      root(ctx);
      config.setMtu(iface, Number(r.ifr_mtu));
      return 0;
    case io.SIOCGIFMETRIC:
      r.ifr_metric = iface.metric;
      return 0;
    case io.SIOCSIFMETRIC:
      root(ctx);
      config.setMetric(iface, Number(r.ifr_metric));
      return 0;
    case io.SIOCGIFHWADDR:
      r.ifr_hwaddr = hwaddrOf(iface);
      return 0;
    case io.SIOCSIFHWADDR: {
      root(ctx);
      if (iface.device.link !== 'ether') throw new SysError('EOPNOTSUPP');
      const hw = r.ifr_hwaddr;
      if (!hw || !(hw.sa_data instanceof Uint8Array) || hw.sa_data.length < 6) throw new SysError('EFAULT');
      if (hw.sa_family !== ARPHRD_ETHER) throw new SysError('EINVAL');
      config.setHardwareAddress(iface, [...hw.sa_data.subarray(0, 6)].reduce((n, b) => n * 256 + b, 0));
      return 0;
    }
    case io.SIOCGIFTXQLEN:
      r.ifr_qlen = iface.txQueueLen;
      return 0;
    case io.SIOCSIFTXQLEN:
      root(ctx);
      config.setTxQueueLen(iface, Number(r.ifr_qlen));
      return 0;
    case io.SIOCGIFQDISC:
      r.ifr_qdisc = iface.qdisc ? { ...iface.qdisc.options, handle: iface.qdisc.handle, stats: { ...iface.qdisc.stats } } : null;
      return 0;
    case io.SIOCSIFQDISC: {
      root(ctx);
      const q = r.ifr_qdisc;
      if (q !== null && (typeof q !== 'object' || typeof q.kind !== 'string')) throw new SysError('EFAULT');
      config.setQdisc(stack, iface, q ?? null);
      return 0;
    }
    case io.SIOCGIFSTATS:
      (r as Ifreq & { ifr_stats?: IfStats }).ifr_stats = iface.counters.toStats();
      return 0;
    case io.SIOCGIFTYPE:
      r.ifr_type = iface.device.ifType;
      return 0;
    case io.SIOCGIFTUNINFO:
      if (!iface.device.tunInfo) throw new SysError('EINVAL');
      (r as Ifreq & { ifr_tun?: io.TunInfo }).ifr_tun = iface.device.tunInfo();
      return 0;
    case io.SIOCGIFMEDIA:
      if (!iface.device.media) throw new SysError('EINVAL');
      r.ifr_media = iface.device.media;
      return 0;
    case io.SIOCETHTOOL:
      return ethtoolIoctl(iface, ctx, r);
    default:
      throw new SysError('EINVAL');
  }
}

/**
 * SIOCETHTOOL's feature commands. Reading needs no privilege; setting needs root (EPERM), as
 * dev_ethtool asks CAP_NET_ADMIN for every command that changes something. A device without
 * offloads reports every feature off and fixed, and takes no change.
 */
function ethtoolIoctl(iface: NetInterface, ctx: IoContext, r: Ifreq): number {
  const cmd = obj<EthtoolFeatures>(r.ifr_data);
  const features = iface.device.features;
  switch (cmd.cmd) {
    case ETHTOOL_GFEATURES: {
      const g = features?.get();
      const none = NETDEV_FEATURES.map(() => false);
      cmd.available = g?.available ?? none;
      cmd.requested = g?.requested ?? [...none];
      cmd.active = g?.active ?? [...none];
      cmd.neverChanged = g?.neverChanged ?? [...none];
      return 0;
    }
    case ETHTOOL_SFEATURES: {
      root(ctx);
      if (!Array.isArray(cmd.valid) || !Array.isArray(cmd.requested)) throw new SysError('EFAULT');
      features?.set(cmd.valid.map((v) => v === true), cmd.requested.map((v) => v === true));
      return 0;
    }
    default:
      throw new SysError('EOPNOTSUPP');
  }
}

function routeIoctl(stack: NetStack, ctx: IoContext, op: number, rt: Rtentry): number {
  root(ctx);
  const dest = addrOf(rt.rt_dst);
  const mask = rt.rt_flags & RTF_HOST ? 0xffff_ffff : addrOf(rt.rt_genmask);
  if (!config.isContiguous(mask)) throw new SysError('EINVAL');
  const gateway = rt.rt_gateway ? addrOf(rt.rt_gateway) : null;
  const iface = rt.rt_dev ? stack.byName(rt.rt_dev) : null;
  if (rt.rt_dev && !iface) throw new SysError('ENODEV');
  if (op === io.SIOCDELRT) config.deleteRoute(stack, { dest, mask, gateway, iface: iface ?? null });
  else config.addRoute(stack, { dest, mask, gateway, iface: iface ?? null, flags: rt.rt_flags, metric: rt.rt_metric ?? 0, mtu: rt.rt_mtu ?? 0 });
  return 0;
}
