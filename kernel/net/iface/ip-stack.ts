// The stack as its own parts see it: what IPv4, ICMP, Ethernet and the loopback device use of the
// host's NetStack (stack.ts), which implements this. They take this interface, not the class, so
// the stack can wire its parts without the parts depending back on it.

import type { Ipv4Repr } from '../../abi/wire/ipv4.js';
import type { PacketEvent, PacketLayer, TraceDetail } from '../../obs/events.js';
import type { PacketJourneys } from '../../obs/journey.js';
import type { ArpCache } from './arp.js';
import type { IcmpCounters, IpCounters } from './counters.js';
import type { Reassembler } from './fragment.js';
import type { NetInterface } from './interface.js';
import type { IpProtocol, RawDelivery } from './protocol.js';
import type { RouteTable } from './routes.js';
import type { PageFrags } from './page-frag.js';

export interface IpStack {
  readonly interfaces: ReadonlyMap<string, NetInterface>;
  readonly routes: RouteTable;
  readonly loop: NetInterface;
  readonly forwarding: boolean;
  /** Reassemble fragments before forwarding them (a NAT needs whole datagrams); off on a host. */
  readonly defragBeforeForward: boolean;
  readonly ip: IpCounters;
  readonly icmp: IcmpCounters;
  readonly reassembler: Reassembler;
  /** Packet memory (page-frag.ts). */
  readonly frags: PageFrags;
  readonly protocols: ReadonlyMap<number, IpProtocol>;
  readonly raw: RawDelivery | null;
  /**
   * Whether anyone records packets or wants their identities: callers check it before building
   * what trace() names or carrying a packet's identity to a copy.
   */
  readonly tracing: boolean;
  readonly journeys: PacketJourneys;
  arp(iface: NetInterface): ArpCache | undefined;
  isLocal(a: number): boolean;
  isBroadcastFor(iface: NetInterface, a: number): boolean;
  nextIdent(): number;
  /** Reserve `n` consecutive IP IDs (a GSO packet's segments), returning the first. */
  nextIdents?(n: number): number;
  linkInput(iface: NetInterface, data: Uint8Array, gsoSize?: number): void;
  /** A frame crossing an interface: captures and packet events. */
  tap(iface: NetInterface, dir: 'in' | 'out', data: Uint8Array): void;
  /**
   * The protocol layers reach each other through the stack, so that none imports the one above
   * it: Ethernet hands packets up to IP, IP to ICMP, and IP asks ICMP for its error messages.
   */
  ipInput(iface: NetInterface, data: Uint8Array, gsoSize?: number): void;
  icmpInput(iface: NetInterface, packet: Uint8Array, ip: Ipv4Repr, payload: Uint8Array): void;
  /** Report a packet this host could not deliver (type 3 or 11), within RFC 1122's rules. */
  icmpError(original: Uint8Array, type: 3 | 11, code: number, nextHopMtu?: number): void;
  trace(layer: PacketLayer, where: string, dir: PacketEvent['dir'], link: PacketEvent['link'], bytes: Uint8Array, detail?: TraceDetail): void;
}
