// Checking the addresses programs pass in: a wrong family is EAFNOSUPPORT, a malformed struct
// EFAULT, an address that does not parse EINVAL.

import { SysError } from '../../abi/errno.js';
import { AF_INET, type SockaddrIn } from '../../abi/socket.js';
import { IPV4_LOOPBACK, parseIpv4 } from '../../abi/wire/address.js';
import { chooseSource, routeFor } from '../iface/ipv4.js';
import type { NetStack } from '../iface/stack.js';

export function addrOf(sa: SockaddrIn | null | undefined): number {
  if (typeof sa !== 'object' || sa === null) throw new SysError('EFAULT');
  if (sa.sin_family !== AF_INET) throw new SysError('EAFNOSUPPORT');
  if (typeof sa.sin_addr !== 'string') throw new SysError('EFAULT');
  const a = parseIpv4(sa.sin_addr);
  if (a === null) throw new SysError('EINVAL');
  return a;
}

/**
 * The destination a program names, as routing makes it (ip_route_output_key_hash_rcu): 0.0.0.0 is
 * this host, the socket's bound address or else 127.0.0.1, so what is sent there, or connected to,
 * goes out on the loopback and the peer a socket reports is that address.
 */
export function destinationOf(sa: SockaddrIn | null | undefined, bound: number): number {
  const a = addrOf(sa);
  return a === 0 ? bound || IPV4_LOOPBACK : a;
}

/**
 * connect() of a datagram socket (ip4_datagram_connect): `addr` checked, its port in `minPort`..65535
 * (EINVAL), a route to it (ENETUNREACH ...); the destination and the source address it would use.
 */
export function datagramPeer(stack: NetStack, addr: SockaddrIn, minPort: number, bound: number): { dst: number; src: number } {
  const dst = destinationOf(addr, bound);
  if (!Number.isInteger(addr.sin_port) || addr.sin_port < minPort || addr.sin_port > 65535) throw new SysError('EINVAL');
  const where = routeFor(stack, dst);
  if (typeof where === 'string') throw new SysError(where);
  return { dst, src: chooseSource(stack, where.iface, dst) };
}
