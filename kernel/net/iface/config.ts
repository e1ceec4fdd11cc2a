// Configuring a host's network: the operations behind the configuration ioctls (SIOCSIF*,
// SIOCADDRT, SIOCDELRT, SIOCSARP, SIOCSIPFORWARD). The socket ioctls decode their arguments and
// check the caller's rights, then call these; a world file configures its hosts through these
// same calls, as a script of what `ifconfig` and `route` would do. There is one way to change
// an interface or a route.

import { SysError } from '../../abi/errno.js';
import { IFF_ALLMULTI, IFF_BROADCAST, IFF_MULTICAST, IFF_NOARP, IFF_POINTOPOINT, IFF_PROMISC, IFF_UP, type QdiscOptions } from '../../abi/if.js';
import { RTF_HOST, RTF_REJECT, RTF_STATIC } from '../../abi/route.js';
import { isMulticastMac } from '../../abi/wire/address.js';
import type { NetInterface } from './interface.js';
import { createQdisc } from './qdisc.js';
import { defaultMask, type NetStack } from './stack.js';

/** Does the mask have its ones first, as a netmask must? */
export function isContiguous(m: number): boolean {
  const inv = ~m >>> 0;
  return (inv & (inv + 1)) === 0;
}

/**
 * The flags SIOCSIFFLAGS sets and clears as given, as Linux's __dev_change_flags() does (it also
 * lets DEBUG, NOTRAILERS, PORTSEL, AUTOMEDIA and DYNAMIC through, which tunlab has no use for).
 * So `SIOCSIFFLAGS IFF_UP` alone clears a tun's NOARP and MULTICAST, as on Linux: a program that
 * means to keep them reads the flags first, as ifconfig does.
 */
const CHANGEABLE = IFF_NOARP | IFF_MULTICAST;

/** SIOCSIFFLAGS: up or down, PROMISC, ALLMULTI, NOARP, MULTICAST; the rest is the device's. */
export function setFlags(stack: NetStack, iface: NetInterface, flags: number): void {
  const given = IFF_PROMISC | IFF_ALLMULTI | CHANGEABLE;
  iface.adminFlags = (iface.adminFlags & ~given) | (flags & given);
  iface.clearedFlags = CHANGEABLE & ~flags;
  stack.setUp(iface, (flags & IFF_UP) !== 0);
}

/**
 * SIOCSIFADDR: the primary address. As Linux's devinet does, a new address gets the classful mask
 * (all ones on a point-to-point link); the real netmask is set right after (setNetmask).
 */
export function setAddress(stack: NetStack, iface: NetInterface, addr: number): void {
  const ptp = (iface.flags & IFF_POINTOPOINT) !== 0;
  stack.replacePrimary(iface, { addr, mask: ptp ? 0xffff_ffff : defaultMask(addr) });
}

/** SIOCSIFNETMASK: EINVAL for a mask with holes, EADDRNOTAVAIL with no address to apply it to. */
export function setNetmask(stack: NetStack, iface: NetInterface, mask: number): void {
  if (!isContiguous(mask)) throw new SysError('EINVAL');
  if (!iface.primary) throw new SysError('EADDRNOTAVAIL');
  stack.replacePrimary(iface, { mask });
}

/**
 * SIOCAIFADDR with an address: one more address on the interface. Without a mask it gets the
 * classful one (all ones on a point-to-point link); without a broadcast address, the network's.
 */
export function addAlias(stack: NetStack, iface: NetInterface, a: { addr: number; mask: number | null; peer: number | null; broadcast: number | null }): void {
  if (iface.addresses.some((x) => x.addr === a.addr)) throw new SysError('EEXIST');
  const ptp = (iface.flags & IFF_POINTOPOINT) !== 0;
  const mask = a.mask ?? (ptp ? 0xffff_ffff : defaultMask(a.addr));
  if (!isContiguous(mask)) throw new SysError('EINVAL');
  const broadcast = a.broadcast ?? (iface.flags & IFF_BROADCAST && a.peer === null ? (a.addr | ~mask) >>> 0 : null);
  stack.addAddress(iface, { addr: a.addr, mask, broadcast, peer: a.peer });
}

/** SIOCSIFDSTADDR: the other end of a point-to-point link. */
export function setPeer(stack: NetStack, iface: NetInterface, peer: number): void {
  if (!(iface.flags & IFF_POINTOPOINT)) throw new SysError('EINVAL');
  if (!iface.primary) throw new SysError('EADDRNOTAVAIL');
  stack.replacePrimary(iface, { peer });
}

/** SIOCSIFBRDADDR. */
export function setBroadcast(iface: NetInterface, broadcast: number): void {
  if (!(iface.flags & IFF_BROADCAST)) throw new SysError('EINVAL');
  if (!iface.primary) throw new SysError('EADDRNOTAVAIL');
  iface.primary.broadcast = broadcast;
}

/**
 * SIOCDIFADDR with an address. The last address takes every route through the interface with it:
 * Haiku binds each route to an interface address and invalidate_routes() drops them together;
 * Linux's fib_disable_ip() does the same when a device loses its last address. Left behind, a
 * gateway route would send packets from 0.0.0.0 instead of failing with ENETUNREACH.
 */
export function deleteAddress(stack: NetStack, iface: NetInterface, addr: number): void {
  if (!stack.removeAddress(iface, addr)) throw new SysError('EADDRNOTAVAIL');
  if (iface.addresses.length === 0) stack.routes.removeInterface(iface);
}

/** SIOCDIFADDR with no address: Haiku's `ifconfig --delete IF`, the interface itself goes. */
export function deleteInterface(stack: NetStack, iface: NetInterface): void {
  if (iface === stack.loop) throw new SysError('EBUSY');
  stack.removeInterface(iface);
}

/** SIOCAIFADDR (Haiku): make an interface that springs into being when named (tun/N, bridge/N). */
export function createInterface(stack: NetStack, name: string): NetInterface {
  if (stack.byName(name)) throw new SysError('EEXIST');
  const f = stack.factories.find((x) => x.matches(name));
  if (!f) throw new SysError('ENODEV');
  return f.create(name);
}

/** SIOCBRADDIF: make an interface a port of a bridge (bridge.ts). */
export function addBridgeMember(stack: NetStack, bridge: string, member: NetInterface): void {
  if (!stack.bridges) throw new SysError('EOPNOTSUPP');
  stack.bridges.addMember(bridge, member);
}

/** SIOCBRDELIF. */
export function removeBridgeMember(stack: NetStack, bridge: string, member: NetInterface): void {
  if (!stack.bridges) throw new SysError('EOPNOTSUPP');
  stack.bridges.removeMember(bridge, member);
}

export function setMtu(iface: NetInterface, mtu: number): void {
  if (!Number.isInteger(mtu) || mtu < iface.device.minMtu || mtu > iface.device.maxMtu) throw new SysError('EINVAL');
  iface.mtu = mtu;
}

export function setMetric(iface: NetInterface, metric: number): void {
  if (!Number.isInteger(metric)) throw new SysError('EINVAL');
  iface.metric = metric;
}

export function setTxQueueLen(iface: NetInterface, len: number): void {
  if (!Number.isInteger(len) || len < 0) throw new SysError('EINVAL');
  iface.txQueueLen = len;
}

/** A u32 netlink attribute. */
function u32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff;
}

/** The options of a qdisc the kernel has, checked as the qdiscs' change functions check them. */
function qdiscOptions(q: QdiscOptions): QdiscOptions {
  const o = q as unknown as Record<string, unknown>;
  switch (q.kind) {
    case 'pfifo':
      if (!u32(o.limit)) throw new SysError('EINVAL');
      return { kind: 'pfifo', limit: q.limit };
    case 'netem': {
      const keys = ['limit', 'delayNs', 'jitterNs', 'loss', 'duplicate', 'reorder', 'gap', 'corrupt'] as const;
      if (!keys.every((k) => u32(o[k])) || !Number.isSafeInteger(q.rate) || q.rate < 0) throw new SysError('EINVAL');
      const n = q;
      return { kind: 'netem', limit: n.limit, delayNs: n.delayNs, jitterNs: n.jitterNs, loss: n.loss, duplicate: n.duplicate, reorder: n.reorder, gap: n.gap, corrupt: n.corrupt, rate: n.rate };
    }
    case 'tbf':
      // sch_tbf refuses a zero rate or bucket.
      if (!Number.isSafeInteger(q.rate) || q.rate <= 0 || !u32(o.burst) || q.burst === 0 || !u32(o.limit)) throw new SysError('EINVAL');
      return { kind: 'tbf', rate: q.rate, burst: q.burst, limit: q.limit };
    default:
      throw new SysError('ENOENT');
  }
}

/**
 * SIOCSIFQDISC: install (or, with null, remove) the root qdisc. Its handle is the caller's, or with
 * 0 the next free one (8001:, 8002: ... as Linux's autohandle). A qdisc of the same kind and handle
 * is changed in place (tc qdisc change): its queue and counters stay; anything else replaces it.
 */
export function setQdisc(stack: NetStack, iface: NetInterface, q: (QdiscOptions & { handle: number }) | null): void {
  if (q === null) {
    iface.qdisc?.destroy();
    iface.qdisc = null;
    return;
  }
  const options = qdiscOptions(q);
  if (!Number.isInteger(q.handle) || q.handle < 0 || q.handle > 0xffff) throw new SysError('EINVAL');
  const cur = iface.qdisc;
  if (cur && cur.handle === q.handle && cur.options.kind === options.kind) {
    cur.change(options);
    return;
  }
  let handle = q.handle;
  if (handle === 0) {
    stack.qdiscHandle = stack.qdiscHandle >= 0xffff ? 0x8001 : stack.qdiscHandle + 1;
    handle = stack.qdiscHandle;
  }
  cur?.destroy();
  iface.qdisc = createQdisc(options, handle, iface, stack.env.timers, stack.env.random.fork(`qdisc ${iface.name} ${handle}`));
}

/** SIOCSIFHWADDR on an Ethernet interface: a unicast, non-zero MAC. */
export function setHardwareAddress(iface: NetInterface, mac: number): void {
  if (iface.device.link !== 'ether') throw new SysError('EOPNOTSUPP');
  if (isMulticastMac(mac) || mac === 0) throw new SysError('EADDRNOTAVAIL');
  iface.device.mac = mac;
}

export interface RouteRequest {
  dest: number;
  mask: number;
  gateway: number | null;
  /** The interface named (rt_dev); without one it comes from the gateway's route. */
  iface: NetInterface | null;
  /** RTF_REJECT and RTF_HOST are taken from here; the rest is derived. */
  flags: number;
  metric: number;
  mtu: number;
}

/**
 * SIOCADDRT: the gateway must be a neighbour (reachable without another gateway), on the named
 * interface if one is named; ENETUNREACH otherwise. EEXIST for a route already there.
 */
export function addRoute(stack: NetStack, r: RouteRequest): void {
  if (!isContiguous(r.mask)) throw new SysError('EINVAL');
  let iface = r.iface;
  const gateway = r.gateway;
  if (gateway !== null) {
    const via = stack.routes.lookup(gateway);
    if (!iface) {
      if (!via || via.gateway !== null) throw new SysError('ENETUNREACH');
      iface = via.iface;
    } else {
      const onLink = iface.addresses.some((a) => ((a.addr ^ gateway) & a.mask) === 0 || a.peer === gateway);
      if (!onLink && (!via || via.iface !== iface || via.gateway !== null)) throw new SysError('ENETUNREACH');
    }
  }
  if (!iface) throw new SysError('ENODEV');
  stack.routes.add({ dest: r.dest, mask: r.mask, gateway, iface, flags: (r.flags & (RTF_REJECT | RTF_HOST)) | RTF_STATIC, metric: r.metric, mtu: r.mtu });
}

/** SIOCDELRT: every route matching the fields given; ESRCH when none does. */
export function deleteRoute(stack: NetStack, r: { dest: number; mask: number; gateway: number | null; iface: NetInterface | null }): void {
  if (!isContiguous(r.mask)) throw new SysError('EINVAL');
  stack.routes.delete({ dest: r.dest, mask: r.mask, ...(r.gateway !== null ? { gateway: r.gateway } : {}), ...(r.iface ? { iface: r.iface } : {}) });
}

/** SIOCSIPFORWARD: whether the host routes packets that are not for it. */
export function setForwarding(stack: NetStack, on: boolean): void {
  stack.forwarding = on;
}
