// How transport protocols plug into IPv4: each engine (udp, and tcp later) registers for its
// protocol number, receives the datagrams delivered to this host and the ICMP errors that quote
// one of its packets. Raw sockets see every protocol's packets through one hook. IPv4 calls them
// through these interfaces and imports none of them: engines sit above, as Linux's inet_protos.

import type { Ipv4Repr } from '../../abi/wire/ipv4.js';
import type { NetInterface } from './interface.js';

export interface IpProtocol {
  readonly protocol: number;
  /**
   * A datagram for this host: `packet` is the whole IP packet, `payload` the transport part.
   * `gsoSize`: a TCP super-packet of segments that size, its checksum already vouched for.
   */
  input(iface: NetInterface, packet: Uint8Array, ip: Ipv4Repr, payload: Uint8Array, gsoSize?: number): void;
  /**
   * An ICMP error quoting a packet this protocol sent: `original` is the quoted IP header and the
   * first bytes of its payload; `mtu` the next-hop MTU of a fragmentation-needed.
   */
  icmpError(type: number, code: number, original: Uint8Array, mtu?: number): void;
}

/**
 * Raw sockets (raw(7)): a copy of every delivered packet of their protocol; and ping sockets
 * (icmp(7)'s datagram sockets), the echo replies that carry their identifier.
 */
export interface RawDelivery {
  deliver(protocol: number, packet: Uint8Array): void;
  /** An echo reply for this host: `icmp` is the ICMP message, checksum verified. */
  echoReply(packet: Uint8Array, ip: Ipv4Repr, icmp: Uint8Array): void;
  /** Whether some raw socket takes this protocol (else an unknown one earns "protocol unreachable"). */
  has(protocol: number): boolean;
}
