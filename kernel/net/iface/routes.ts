// The IPv4 routing table, with Haiku's habits: an address brings its network route and a local host
// route; routes are listed in the order they were added; lookups take the longest prefix, then
// the lowest metric, among routes whose interface is administratively up.

import { SysError } from '../../abi/errno.js';
import { RTF_DEFAULT, RTF_GATEWAY, RTF_HOST, RTF_LOCAL, RTF_REJECT, RTF_STATIC, RTF_UP } from '../../abi/route.js';
import type { NetInterface } from './interface.js';

export interface Route {
  dest: number;
  mask: number;
  gateway: number | null;
  iface: NetInterface;
  flags: number;
  metric: number;
  mtu: number;
}

function prefixLen(mask: number): number {
  let n = 0;
  for (let m = mask >>> 0; m & 0x8000_0000; m = (m << 1) >>> 0) n++;
  return n;
}

export class RouteTable {
  private routes: Route[] = [];
  /** Bumped on every change; lets the output path cache its last lookup. */
  generation = 0;

  list(): readonly Route[] {
    return this.routes;
  }

  add(r: Omit<Route, 'flags' | 'metric' | 'mtu'> & Partial<Pick<Route, 'flags' | 'metric' | 'mtu'>>): Route {
    const dest = (r.dest & r.mask) >>> 0;
    let flags = (r.flags ?? 0) | RTF_UP;
    if (r.gateway !== null) flags |= RTF_GATEWAY;
    if (r.mask >>> 0 === 0xffff_ffff) flags |= RTF_HOST;
    if (r.mask === 0) flags |= RTF_DEFAULT;
    const route: Route = { dest, mask: r.mask >>> 0, gateway: r.gateway, iface: r.iface, flags, metric: r.metric ?? 0, mtu: r.mtu ?? 0 };
    const dup = this.routes.find(
      (x) => x.dest === route.dest && x.mask === route.mask && x.metric === route.metric && x.gateway === route.gateway && x.iface === route.iface,
    );
    if (dup) throw new SysError('EEXIST');
    this.routes.push(route);
    this.generation++;
    return route;
  }

  /** Remove the routes matching every given field; ESRCH when none does, as route(8) reports. */
  delete(match: { dest: number; mask: number; gateway?: number | null; iface?: NetInterface }): number {
    const dest = (match.dest & match.mask) >>> 0;
    const before = this.routes.length;
    this.routes = this.routes.filter(
      (r) =>
        !(
          r.dest === dest &&
          r.mask === match.mask >>> 0 &&
          (match.gateway === undefined || r.gateway === match.gateway) &&
          (match.iface === undefined || r.iface === match.iface)
        ),
    );
    const removed = before - this.routes.length;
    if (removed === 0) throw new SysError('ESRCH');
    this.generation++;
    return removed;
  }

  /** The route a packet to `dst` takes, or undefined (ENETUNREACH). */
  lookup(dst: number): Route | undefined {
    let best: Route | undefined;
    let bestLen = -1;
    for (const r of this.routes) {
      if (((dst & r.mask) >>> 0) !== r.dest || !r.iface.up) continue;
      const len = prefixLen(r.mask);
      if (len > bestLen || (len === bestLen && r.metric < best!.metric)) {
        best = r;
        bestLen = len;
      }
    }
    return best;
  }

  /** Routes an interface address brings with it (Haiku's AddDefaultRoutes). */
  addAddressRoutes(iface: NetInterface, addr: number, mask: number, peer: number | null): void {
    this.tryAdd({ dest: addr, mask: 0xffff_ffff, gateway: null, iface, flags: RTF_LOCAL | RTF_HOST });
    if (peer !== null) this.tryAdd({ dest: peer, mask: 0xffff_ffff, gateway: null, iface });
    if (mask !== 0xffff_ffff) this.tryAdd({ dest: addr & mask, mask, gateway: null, iface });
  }

  private tryAdd(r: Parameters<RouteTable['add']>[0]): void {
    try {
      this.add(r);
    } catch {
      // already there (a second address in the same network)
    }
  }

  /** Drop what an address brought, and any route left without its interface address. */
  removeAddressRoutes(iface: NetInterface, addr: number, mask: number, peer: number | null): void {
    this.routes = this.routes.filter((r) => {
      if (r.iface !== iface) return true;
      if (r.dest === addr && r.mask === 0xffff_ffff && r.flags & RTF_LOCAL) return false;
      if (peer !== null && r.dest === peer && r.mask === 0xffff_ffff && r.gateway === null) return false;
      if (r.gateway === null && r.mask === mask && r.dest === ((addr & mask) >>> 0) && !(r.flags & RTF_STATIC)) {
        // Keep the network route if another address of the interface still covers it.
        return iface.addresses.some((a) => a.addr !== addr && ((a.addr & mask) >>> 0) === r.dest);
      }
      return true;
    });
    this.generation++;
  }

  removeInterface(iface: NetInterface): void {
    this.routes = this.routes.filter((r) => r.iface !== iface);
    this.generation++;
  }
}

export function isReject(r: Route): boolean {
  return (r.flags & RTF_REJECT) !== 0;
}
