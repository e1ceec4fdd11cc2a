// Routes as SIOCADDRT/SIOCDELRT take them and SIOCGRTTABLE lists them. Flag values are Haiku's
// RTF_* (net/route.h), which `route` prints as its D R H L D M columns.

import type { SockaddrIn } from './socket.js';

export const RTF_UP = 0x1;
export const RTF_GATEWAY = 0x2;
export const RTF_HOST = 0x4;
export const RTF_REJECT = 0x8;
export const RTF_DYNAMIC = 0x10;
export const RTF_MODIFIED = 0x20;
export const RTF_DEFAULT = 0x80;
export const RTF_STATIC = 0x800;
export const RTF_LOCAL = 0x20_0000;

export interface Rtentry {
  rt_dst: SockaddrIn;
  rt_genmask: SockaddrIn;
  rt_gateway?: SockaddrIn;
  rt_flags: number;
  rt_metric?: number;
  rt_mtu?: number;
  /** Interface name, as `route add <interface> ...` names it. */
  rt_dev?: string;
}

export const RTF_NAMES: ReadonlyArray<readonly [number, string]> = [
  [RTF_UP, 'RTF_UP'],
  [RTF_GATEWAY, 'RTF_GATEWAY'],
  [RTF_HOST, 'RTF_HOST'],
  [RTF_REJECT, 'RTF_REJECT'],
  [RTF_DYNAMIC, 'RTF_DYNAMIC'],
  [RTF_MODIFIED, 'RTF_MODIFIED'],
  [RTF_DEFAULT, 'RTF_DEFAULT'],
  [RTF_STATIC, 'RTF_STATIC'],
  [RTF_LOCAL, 'RTF_LOCAL'],
];

/** An ARP cache entry, for `arp -a` (SIOCGARPTABLE) and `arp -s/-d` (SIOCSARP/SIOCDARP). */
export interface ArpEntry {
  ip: string;
  mac: string | null; // null while incomplete
  iface: string;
  permanent: boolean;
  /** Seconds until it expires (0 for permanent). */
  expiresIn: number;
}
