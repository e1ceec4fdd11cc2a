// The IPv4 layer: input (checks, reassembly, local delivery), output (routing, source address
// selection, fragmentation) and forwarding (TTL, ICMP errors) of one host.

import type { ErrnoName } from '../../abi/errno.js';
import { RTF_LOCAL, RTF_REJECT } from '../../abi/route.js';
import { BROADCAST_MAC, formatIpv4, IPV4_LOOPBACK, formatMac, isLimitedBroadcast, isLoopbackIpv4, isMulticastIpv4, prefixFromMask } from '../../abi/wire/address.js';
import { IPPROTO_ICMP, IPV4_HEADER_LEN, Ipv4Packet, Ipv4Repr } from '../../abi/wire/ipv4.js';
import { isWireError } from '../../abi/wire/error.js';
import type { IpStack } from './ip-stack.js';
import { etherOutput } from './ethernet.js';
import { fragment } from './fragment.js';
import { gsoSegment, tcpHeaders } from './offload/gso.js';
import { TCP_CWR } from '../../abi/wire/tcp.js';
import { devQueueXmit } from './qdisc.js';
import type { NetInterface } from './interface.js';
import type { Route } from './routes.js';

export const DEFAULT_TTL = 64;

export interface IpSendOptions {
  /** 0 (or absent) lets the stack choose from the outgoing interface. */
  src?: number;
  dst: number;
  protocol: number;
  payload: Uint8Array;
  ttl?: number;
  tos?: number;
  dontFragment?: boolean;
  /** SO_BROADCAST: sending to a broadcast address is allowed. */
  broadcast?: boolean;
  /** The IP ID to use instead of the host's counter (Linux sends SYN-ACKs and resets with 0). */
  ident?: number;
  /**
   * The payload was made by withIpHeadroom() for this packet alone: the header is written into the
   * room in front of it, and the payload is not copied.
   */
  inPlace?: boolean;
  /**
   * A TCP super-packet of segments of this many payload bytes (its TCP checksum partial): it takes
   * one IP ID per segment, and is cut in software where the device cannot carry it whole.
   */
  gsoSize?: number;
}

/** Room a link layer may put its header in, in front of a packet made with withIpHeadroom (Ethernet's 14 bytes). */
export const LINK_HEADROOM = 14;

/** The room withIpHeadroom leaves in front of a payload: a link header and an IP header. */
export const IP_HEADROOM = LINK_HEADROOM + IPV4_HEADER_LEN;

/**
 * A buffer for an IPv4 payload of `length` bytes with room in front for the IP header and a link
 * header, so that ipSend (inPlace) and the Ethernet output put their headers there: one allocation
 * and no copy from the payload to the frame. `alloc` may carve it from a slab (page-frag.ts) when
 * the packet goes nowhere a program could see it uncopied.
 */
export function withIpHeadroom(length: number, alloc: (n: number) => Uint8Array = (n) => new Uint8Array(n)): Uint8Array {
  return alloc(IP_HEADROOM + length).subarray(IP_HEADROOM);
}

/** Where a packet to `dst` goes: the route, the interface and the next hop, or why not. */
export function routeFor(stack: IpStack, dst: number): { route: Route | null; iface: NetInterface; nextHop: number } | ErrnoName {
  if (isLimitedBroadcast(dst)) {
    // No route covers 255.255.255.255: it leaves by the first broadcast-capable interface.
    for (const i of stack.interfaces.values()) if (i.up && i.flags & 0x2 && i.primary) return { route: null, iface: i, nextHop: dst };
    return 'ENETUNREACH';
  }
  if (stack.isLocal(dst)) return { route: null, iface: stack.loop, nextHop: dst };
  const route = stack.routes.lookup(dst);
  if (!route) return 'ENETUNREACH';
  if (route.flags & RTF_REJECT) return route.mask === 0xffff_ffff ? 'EHOSTUNREACH' : 'ENETUNREACH';
  if (route.flags & RTF_LOCAL) return { route, iface: stack.loop, nextHop: dst };
  return { route, iface: route.iface, nextHop: route.gateway ?? dst };
}

/** The source address for a packet leaving by `iface` towards `dst`. */
export function chooseSource(stack: IpStack, iface: NetInterface, dst: number): number {
  if (iface === stack.loop) return isLoopbackIpv4(dst) ? IPV4_LOOPBACK : dst;
  const onLink = iface.addresses.find((a) => ((a.addr & a.mask) >>> 0) === ((dst & a.mask) >>> 0));
  return (onLink ?? iface.primary)?.addr ?? 0;
}

/** The routing decision as the journey view shows it: "10.10.0.0/24 via 10.8.0.1 dev tun/0". */
export function describeRoute(stack: IpStack, where: { route: Route | null; iface: NetInterface; nextHop: number }, dst: number): string {
  const r = where.route;
  if (where.iface === stack.loop) return `local ${formatIpv4(dst)} dev loop`;
  const net = r ? (r.mask === 0 ? 'default' : `${formatIpv4(r.dest)}/${prefixFromMask(r.mask) ?? formatIpv4(r.mask)}`) : formatIpv4(dst);
  return `${net}${where.nextHop !== dst ? ` via ${formatIpv4(where.nextHop)}` : ''} dev ${where.iface.name}`;
}

/** Send a locally generated packet. Returns the errno a socket call should fail with, or null. */
export function ipSend(stack: IpStack, opts: IpSendOptions): ErrnoName | null {
  const where = routeFor(stack, opts.dst);
  if (typeof where === 'string') {
    stack.ip.OutNoRoutes++;
    if (stack.tracing) stack.trace('ip', formatIpv4(opts.dst), 'drop', 'data', opts.payload, { reason: 'no-route', counter: 'Ip OutNoRoutes', decision: where });
    return where;
  }
  const { route, iface, nextHop } = where;
  if (stack.isBroadcastFor(iface, opts.dst) && !opts.broadcast) return 'EACCES';
  const src = opts.src || chooseSource(stack, iface, opts.dst);
  if (IPV4_HEADER_LEN + opts.payload.length > 0xffff) return 'EMSGSIZE';
  const p = opts.payload;
  const gso = opts.gsoSize ?? 0;
  const inPlace = opts.inPlace === true && p.byteOffset >= IPV4_HEADER_LEN;
  const packet = inPlace ? new Uint8Array(p.buffer, p.byteOffset - IPV4_HEADER_LEN, IPV4_HEADER_LEN + p.length) : new Uint8Array(IPV4_HEADER_LEN + p.length);
  Ipv4Repr.emit(
    {
      src,
      dst: opts.dst,
      protocol: opts.protocol,
      ttl: opts.ttl ?? DEFAULT_TTL,
      ident: opts.ident ?? (gso && stack.nextIdents ? stack.nextIdents(Math.ceil((p.length - tcpHeaderLen(p)) / gso)) : stack.nextIdent()),
      tos: opts.tos ?? 0,
      dontFragment: opts.dontFragment ?? false,
      moreFragments: false,
      fragmentOffset: 0,
      payloadLen: opts.payload.length,
    },
    new Ipv4Packet(packet),
  );
  if (!inPlace) packet.set(p, IPV4_HEADER_LEN);
  stack.ip.OutRequests++;
  if (stack.tracing) {
    stack.journeys.carry(opts.payload, packet);
    stack.trace('ip', iface.name, 'out', 'ip', packet, { event: 'output', decision: `route ${describeRoute(stack, where, opts.dst)}` });
  }
  const mtu = route?.mtu || iface.mtu;
  if (packet.length > mtu && !(gso && gsoFits(packet, gso, mtu))) {
    if (opts.dontFragment) {
      stack.ip.FragFails++;
      if (stack.tracing) stack.trace('ip', iface.name, 'drop', 'ip', packet, { reason: 'too-big', counter: 'Ip FragFails', decision: `MTU ${mtu}` });
      return 'EMSGSIZE';
    }
    const frags = fragmentForMtu(stack, packet, gso, mtu);
    if (stack.tracing) traceFragments(stack, iface, packet, frags, mtu);
    for (const f of frags) {
      const err = linkOutput(stack, iface, nextHop, f);
      if (err) return err;
    }
    return null;
  }
  // A packet in the room withIpHeadroom left owns the bytes before it too: the frame can go there.
  return linkOutput(stack, iface, nextHop, packet, inPlace && packet.byteOffset >= LINK_HEADROOM, gso);
}

/** The TCP header length of a TCP segment (its data offset). */
function tcpHeaderLen(segment: Uint8Array): number {
  return segment.length > 12 ? (segment[12]! >> 4) * 4 : 0;
}

/**
 * The fragments of a packet too big for `mtu`, counted. A super-packet is cut into its segments
 * first and only those still too big are fragmented (ip_finish_output_gso's slow path): fragmented
 * whole, it would carry its partial checksum to a receiver that cannot complete it.
 */
function fragmentForMtu(stack: IpStack, packet: Uint8Array, gso: number, mtu: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const s of gso ? gsoSegment(packet, 0, gso, LINK_HEADROOM) : [packet]) {
    if (s.length <= mtu) {
      out.push(s);
      continue;
    }
    const frags = fragment(s, mtu);
    stack.ip.FragOKs++;
    stack.ip.FragCreates += frags.length;
    out.push(...frags);
  }
  return out;
}

/** Whether each segment a super-packet is cut into fits `mtu` (skb_gso_validate_network_len). */
function gsoFits(packet: Uint8Array, gso: number, mtu: number): boolean {
  const h = tcpHeaders(packet, 0);
  return h !== null && h.ihl + h.thl + gso <= mtu;
}

/**
 * Whether the device of `iface` takes this super-packet whole: it has TSO (and TSO with ECN for
 * one that carries CWR), no qdisc counts it (tunlab's qdiscs see wire packets), and its neighbour is
 * resolved (the ARP queue holds wire packets too).
 */
function deviceTakesGso(stack: IpStack, iface: NetInterface, nextHop: number, packet: Uint8Array): boolean {
  const f = iface.device.features;
  if (!f?.tso || iface.qdisc || iface.device.link !== 'ether') return false;
  const h = tcpHeaders(packet, 0);
  if (!h || (packet[h.ihl + 13]! & TCP_CWR && !f.tsoEcn)) return false;
  return stack.isBroadcastFor(iface, nextHop) || isMulticastIpv4(nextHop) || stack.arp(iface)?.resolved(nextHop) === true;
}

/** Fragments are the packet they were cut from: one journey, one event saying how it was cut. */
function traceFragments(stack: IpStack, iface: NetInterface, packet: Uint8Array, frags: Uint8Array[], mtu: number): void {
  for (const f of frags) stack.journeys.carry(packet, f);
  stack.trace('ip', iface.name, 'out', 'ip', packet, { event: 'fragment', decision: `${frags.length} fragments for MTU ${mtu}` });
}

/**
 * Hand one IP packet to an interface for `nextHop`. `headroom`: the LINK_HEADROOM bytes in front of
 * `packet` are its own (withIpHeadroom), so a link header may be written there instead of copying.
 */
export function linkOutput(stack: IpStack, iface: NetInterface, nextHop: number, packet: Uint8Array, headroom = false, gsoSize = 0): ErrnoName | null {
  if (!iface.up) {
    stack.ip.OutDiscards++;
    if (stack.tracing) stack.trace('ip', iface.name, 'drop', 'ip', packet, { reason: 'iface-down', counter: 'Ip OutDiscards' });
    return 'ENETDOWN';
  }
  if (gsoSize && !deviceTakesGso(stack, iface, nextHop, packet)) return softwareGso(stack, iface, nextHop, packet, gsoSize);
  // The root qdisc sees every packet (frame, on Ethernet) as the driver would; when it refuses
  // one, the sender sees local congestion (ENOBUFS).
  switch (iface.device.link) {
    case 'loop':
    case 'ip':
      return devQueueXmit(iface, packet, (p) => {
        if (iface.device.link === 'ip') stack.tap(iface, 'out', p);
        iface.device.transmit(iface, p);
      });
    case 'ether': {
      if (stack.isBroadcastFor(iface, nextHop) || isMulticastIpv4(nextHop)) return etherOutput(stack, iface, BROADCAST_MAC, packet, headroom, gsoSize);
      const arp = stack.arp(iface)!;
      const resolving = stack.tracing && arp.get(nextHop)?.state === 'incomplete';
      // A resolved neighbour sends at once, and the qdisc's answer is the sender's.
      let err: ErrnoName | null = null;
      const r = arp.send(nextHop, packet, (mac, p) => {
        if (stack.tracing) stack.trace('arp', iface.name, 'out', 'ip', p, { event: 'hit', decision: `${formatIpv4(nextHop)} is-at ${formatMac(mac)}` });
        err = etherOutput(stack, iface, mac, p, headroom, gsoSize);
      });
      if (r === 'failed') {
        iface.counters.txDropped++;
        if (stack.tracing) stack.trace('arp', iface.name, 'drop', 'ip', packet, { reason: 'neigh-failed', counter: `${iface.name} tx_dropped`, decision: `${formatIpv4(nextHop)} failed` });
        return 'EHOSTUNREACH';
      }
      if (r === 'queued' && stack.tracing) {
        const decision = resolving ? `queued: ${formatIpv4(nextHop)} is being resolved` : `queued: who-has ${formatIpv4(nextHop)} sent`;
        stack.trace('arp', iface.name, 'out', 'ip', packet, { event: 'miss', decision });
      }
      return err;
    }
  }
}

/**
 * validate_xmit_skb's software GSO: the device cannot carry the super-packet, so its segments go
 * out one by one. The sender hears of a failure only if the first one could not go (what went
 * before a later failure is on its way, as the rest of a GSO packet a qdisc half took).
 */
function softwareGso(stack: IpStack, iface: NetInterface, nextHop: number, packet: Uint8Array, gsoSize: number): ErrnoName | null {
  const pieces = gsoSegment(packet, 0, gsoSize, LINK_HEADROOM);
  if (stack.tracing) {
    for (const p of pieces) stack.journeys.carry(packet, p);
    stack.trace('ip', iface.name, 'out', 'ip', packet, { event: 'gso', decision: `${pieces.length} segments of ${gsoSize} bytes for ${iface.name}` });
  }
  for (let i = 0; i < pieces.length; i++) {
    const err = linkOutput(stack, iface, nextHop, pieces[i]!, true);
    if (err) return i === 0 ? err : null;
  }
  return null;
}

/** An IP packet arrived on `iface` (after the link layer); `gsoSize` as IpProtocol.input's. */
export function ipInput(stack: IpStack, iface: NetInterface, data: Uint8Array, gsoSize = 0): void {
  stack.ip.InReceives++;
  const view = Ipv4Packet.checked(data);
  const repr = isWireError(view) ? view : Ipv4Repr.parse(view);
  if (isWireError(repr) || isWireError(view)) {
    stack.ip.InHdrErrors++;
    if (stack.tracing) {
      const why = isWireError(repr) ? repr.reason : 'malformed';
      stack.trace('ip', iface.name, 'drop', 'ip', data, { reason: /checksum/i.test(why) ? 'bad-checksum' : 'malformed', counter: 'Ip InHdrErrors', decision: why });
    }
    return;
  }
  // Ethernet pads short frames: the IP total length is what counts.
  let packet = data.length > view.totalLen ? data.subarray(0, view.totalLen) : data;
  const forUs =
    iface === stack.loop || stack.isLocal(repr.dst) || stack.isBroadcastFor(iface, repr.dst) || isMulticastIpv4(repr.dst);
  if (stack.tracing) stack.trace('ip', iface.name, 'in', 'ip', packet, { event: 'input', decision: forUs ? 'local' : 'not local' });
  // A router passes fragments on as they are, unless it reassembles before routing (a NAT's
  // stack, as Linux's nf_defrag_ipv4 does once conntrack is loaded).
  if (!forUs && !stack.defragBeforeForward) {
    forward(stack, iface, packet, repr, gsoSize);
    return;
  }
  let r = repr;
  let v = view;
  if (repr.moreFragments || repr.fragmentOffset > 0) {
    const whole = stack.reassembler.add(packet, repr, view);
    if (!whole) return;
    if (stack.tracing) {
      stack.journeys.carry(packet, whole);
      stack.trace('ip', iface.name, 'in', 'ip', whole, { event: 'reassembled' });
    }
    packet = whole;
    v = new Ipv4Packet(packet);
    const again = Ipv4Repr.parse(v);
    if (isWireError(again)) return;
    r = again;
  }
  if (forUs) deliver(stack, iface, packet, r, v.payload, gsoSize);
  else forward(stack, iface, packet, r, gsoSize);
}

function deliver(stack: IpStack, iface: NetInterface, packet: Uint8Array, repr: Ipv4Repr, payload: Uint8Array, gsoSize: number): void {
  stack.ip.InDelivers++;
  stack.raw?.deliver(repr.protocol, packet);
  if (repr.protocol === IPPROTO_ICMP) return stack.icmpInput(iface, packet, repr, payload);
  const engine = stack.protocols.get(repr.protocol);
  if (engine) return engine.input(iface, packet, repr, payload, gsoSize);
  if (!stack.raw?.has(repr.protocol)) {
    stack.ip.InUnknownProtos++;
    if (stack.tracing) stack.trace('ip', iface.name, 'drop', 'ip', packet, { reason: 'no-handler', counter: 'Ip InUnknownProtos', decision: `protocol ${repr.protocol}` });
    stack.icmpError(packet, 3, 2);
  }
}

/** A packet for someone else: routers pass it on, other hosts drop and count it. */
function forward(stack: IpStack, inIface: NetInterface, packet: Uint8Array, repr: Ipv4Repr, gsoSize = 0): void {
  if (!stack.forwarding) {
    stack.ip.InAddrErrors++;
    if (stack.tracing) stack.trace('ip', inIface.name, 'drop', 'ip', packet, { reason: 'not-for-us', counter: 'Ip InAddrErrors' });
    return;
  }
  // The route first, as Linux looks it up on input (ip_route_input) before ip_forward() sees the
  // TTL: a packet no route covers is net unreachable whatever its TTL. Linux's ip_error() counts
  // only the net-unreachable case, in IpExt InNoRoutes (a reject route's host unreachable in none).
  const where = routeFor(stack, repr.dst);
  if (typeof where === 'string') {
    const counted = where === 'ENETUNREACH';
    if (counted) stack.ip.InNoRoutes++;
    if (stack.tracing) stack.trace('ip', inIface.name, 'drop', 'ip', packet, { reason: 'no-route', ...(counted ? { counter: 'IpExt InNoRoutes' } : {}), decision: where });
    stack.icmpError(packet, 3, where === 'EHOSTUNREACH' ? 1 : 0);
    return;
  }
  if (repr.ttl <= 1) {
    // Counted as Linux's ip_forward() counts it ("too_many_hops": InHdrErrors), whether or not
    // RFC 1122 lets an ICMP error go back.
    stack.ip.InHdrErrors++;
    if (stack.tracing) stack.trace('ip', inIface.name, 'drop', 'ip', packet, { reason: 'ttl', counter: 'Ip InHdrErrors', decision: `TTL ${repr.ttl}` });
    stack.icmpError(packet, 11, 0);
    return;
  }
  const out = packet.slice();
  if (stack.tracing) stack.journeys.carry(packet, out);
  const v = new Ipv4Packet(out);
  v.ttl = repr.ttl - 1;
  v.fillChecksum();
  const mtu = where.route?.mtu || where.iface.mtu;
  if (out.length > mtu && !(gsoSize && gsoFits(out, gsoSize, mtu))) {
    if (repr.dontFragment) {
      stack.ip.FragFails++;
      if (stack.tracing) stack.trace('ip', where.iface.name, 'drop', 'ip', out, { reason: 'too-big', counter: 'Ip FragFails', decision: `MTU ${mtu}` });
      stack.icmpError(packet, 3, 4, mtu);
      return;
    }
    const frags = fragmentForMtu(stack, out, gsoSize, mtu);
    stack.ip.ForwDatagrams++;
    if (stack.tracing) {
      stack.trace('ip', where.iface.name, 'out', 'ip', out, { event: 'forward', decision: `${describeRoute(stack, where, repr.dst)}, TTL ${repr.ttl}->${repr.ttl - 1}` });
      traceFragments(stack, where.iface, out, frags, mtu);
    }
    for (const f of frags) if (linkOutput(stack, where.iface, where.nextHop, f) === 'EHOSTUNREACH') return void stack.icmpError(packet, 3, 1);
    return;
  }
  stack.ip.ForwDatagrams++;
  if (stack.tracing) stack.trace('ip', where.iface.name, 'out', 'ip', out, { event: 'forward', decision: `${describeRoute(stack, where, repr.dst)}, TTL ${repr.ttl}->${repr.ttl - 1}` });
  if (linkOutput(stack, where.iface, where.nextHop, out, false, gsoSize) === 'EHOSTUNREACH') stack.icmpError(packet, 3, 1);
}
