// The oracle of the input properties: where each packet must end up, decided from its bytes with
// the wire parsers alone (they have their own properties in test/unit/wire), so that a test can
// say which counter must count it.

import {
  ArpPacket,
  ArpRepr,
  IcmpPacket,
  IcmpRepr,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  Ipv4Packet,
  Ipv4Repr,
  isLoopbackIpv4,
  isMulticastIpv4,
  isWireError,
  TcpPacket,
  TcpRepr,
  UdpPacket,
  UdpRepr,
} from '../../kernel/abi/wire/index.js';
import { BOUND_PORT, type Net } from './packets.js';

/** Where the IP layer must put a packet, and so which counter must count it. */
export type IpFate =
  | 'InHdrErrors'
  | 'InAddrErrors'
  | 'ReasmReqds'
  | 'icmp.InMsgs'
  | 'icmp.InErrors'
  | 'udp.InDatagrams'
  | 'udp.InCsumErrors'
  | 'udp.InErrors'
  | 'udp.NoPorts'
  | 'tcp.InSegs'
  | 'tcp.InErrs'
  | 'InUnknownProtos'
  // a router's: passed on (fragmented or not), too big with DF, no route
  | 'ForwDatagrams'
  | 'FragFails'
  | 'InNoRoutes';

/** The MTU of the rig's TUN, the only way out of a router rig but the loopback. */
const TUN_MTU = 1500;

export function ipFate(packet: Uint8Array, net: Net, forwarding = false): IpFate {
  const view = Ipv4Packet.checked(packet);
  if (isWireError(view)) return 'InHdrErrors';
  const r = Ipv4Repr.parse(view);
  if (isWireError(r)) return 'InHdrErrors';
  const forUs = r.dst === net.local || isLoopbackIpv4(r.dst) || r.dst === 0xffff_ffff || r.dst === net.broadcast || isMulticastIpv4(r.dst);
  if (!forUs && !forwarding) return 'InAddrErrors';
  if (!forUs) {
    // The route first (ip_route_input: only the peer has one; none is ip_error's InNoRoutes),
    // then ip_forward()'s TTL, then the MTU.
    if (r.dst !== net.peer) return 'InNoRoutes';
    if (r.ttl <= 1) return 'InHdrErrors';
    return view.totalLen > TUN_MTU && r.dontFragment ? 'FragFails' : 'ForwDatagrams';
  }
  if (r.moreFragments || r.fragmentOffset > 0) return 'ReasmReqds';
  const payload = view.payload;
  if (r.protocol === IPPROTO_ICMP) {
    const icmp = IcmpPacket.checked(payload);
    return isWireError(icmp) || isWireError(IcmpRepr.parse(icmp)) ? 'icmp.InErrors' : 'icmp.InMsgs';
  }
  if (r.protocol === IPPROTO_UDP) {
    const udp = UdpPacket.checked(payload);
    if (isWireError(udp)) return 'udp.InErrors';
    const u = UdpRepr.parse(udp, r.src, r.dst);
    if (isWireError(u)) return /checksum/.test(u.reason) ? 'udp.InCsumErrors' : 'udp.InErrors';
    return u.dstPort === BOUND_PORT ? 'udp.InDatagrams' : 'udp.NoPorts';
  }
  if (r.protocol === IPPROTO_TCP) {
    // TCP takes in any segment with a sane header and a good checksum (its options are read
    // leniently), and counts the rest in InErrs.
    const tcp = TcpPacket.checked(payload);
    if (isWireError(tcp)) return 'tcp.InErrs';
    return isWireError(TcpRepr.parse(tcp, r.src, r.dst, { lenientOptions: true })) ? 'tcp.InErrs' : 'tcp.InSegs';
  }
  return 'InUnknownProtos';
}

/** Is this an ARP packet the neighbour cache refuses (counted in rx_errors)? */
export function arpMalformed(payload: Uint8Array): boolean {
  const p = ArpPacket.checked(payload);
  return isWireError(p) || isWireError(ArpRepr.parse(p));
}
