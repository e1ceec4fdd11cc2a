// Congestion control behind one interface (Linux's tcp_congestion_ops): the algorithms register
// here, a socket picks one by name (TCP_CONGESTION, or net.ipv4.tcp_congestion_control for new
// sockets), and the shared building blocks live here: slow start, additive increase, and whether
// the window is the limit at all.

import type { CongestionControl, TcpSock } from './sock.js';
import { cubic } from './cubic.js';
import { reno } from './reno.js';

const ALGORITHMS: ReadonlyMap<string, CongestionControl> = new Map<string, CongestionControl>([
  [reno.name, reno],
  [cubic.name, cubic],
]);

export function congestionControl(name: string): CongestionControl | undefined {
  return ALGORITHMS.get(name);
}

export function congestionNames(): string[] {
  return [...ALGORITHMS.keys()];
}

/** Switch `sk` to `ca`, starting it afresh (tcp_set_congestion_control). */
export function setCongestionControl(sk: TcpSock, ca: CongestionControl): void {
  sk.ca = ca;
  sk.caPriv = null;
  ca.init(sk);
}
