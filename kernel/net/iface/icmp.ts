// ICMP: answering echo requests, counting what arrives, telling sockets about errors, and sending
// errors about packets this host could not deliver, within RFC 1122's rules (never about an ICMP
// error, a broadcast, a non-first fragment, or a packet from no one in particular).

import { isLimitedBroadcast, isMulticastIpv4 } from '../../abi/wire/address.js';
import { isWireError } from '../../abi/wire/error.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_ECHO_REPLY,
  ICMP_TIME_EXCEEDED,
  IcmpPacket,
  IcmpRepr,
} from '../../abi/wire/icmp.js';
import { IPPROTO_ICMP, Ipv4Packet, type Ipv4Repr } from '../../abi/wire/ipv4.js';
import type { IpStack } from './ip-stack.js';
import type { NetInterface } from './interface.js';
import { ipSend, withIpHeadroom } from './ipv4.js';

export function icmpInput(stack: IpStack, iface: NetInterface, packet: Uint8Array, ip: Ipv4Repr, payload: Uint8Array): void {
  const view = IcmpPacket.checked(payload);
  const repr = isWireError(view) ? view : IcmpRepr.parse(view);
  if (isWireError(repr) || isWireError(view)) {
    stack.icmp.InErrors++;
    if (stack.tracing) {
      const why = isWireError(repr) ? repr.reason : 'bad ICMP';
      stack.trace('ip', iface.name, 'drop', 'ip', packet, { reason: /checksum/i.test(why) ? 'bad-checksum' : 'malformed', counter: 'Icmp InErrors', decision: why });
    }
    return;
  }
  stack.icmp.InMsgs++;
  switch (repr.kind) {
    case 'echo-request': {
      stack.icmp.InEchos++;
      // Like Linux (icmp_echo_ignore_broadcasts), a broadcast ping gets no answer.
      if (stack.isBroadcastFor(iface, ip.dst) || isMulticastIpv4(ip.dst)) return;
      // In a slab: a reader of a tun copies it out, and sockets keep copies of their own.
      const reply = withIpHeadroom(payload.length, stack.frags.alloc);
      view.echoReplyInto(reply);
      if (stack.tracing) {
        stack.trace('ip', iface.name, 'deliver', 'ip', packet, { event: 'icmp', decision: 'echo request: reply sent' });
        stack.journeys.answer(packet, reply);
      }
      icmpOutCount(stack, 0);
      ipSend(stack, { src: ip.dst, dst: ip.src, protocol: IPPROTO_ICMP, payload: reply, tos: ip.tos, inPlace: true });
      return;
    }
    case 'echo-reply':
      stack.icmp.InEchoReps++;
      stack.raw?.echoReply(packet, ip, payload);
      return;
    case 'dst-unreachable':
      stack.icmp.InDestUnreachs++;
      toProtocol(stack, ICMP_DEST_UNREACH, repr.code, repr.original, repr.nextHopMtu);
      return;
    case 'time-exceeded':
      stack.icmp.InTimeExcds++;
      toProtocol(stack, ICMP_TIME_EXCEEDED, repr.code, repr.original);
      return;
    default:
      return;
  }
}

/** An ICMP error goes to the protocol of the packet it quotes (Linux's icmp_unreach). */
function toProtocol(stack: IpStack, type: number, code: number, original: Uint8Array, mtu?: number): void {
  if (original.length < 20) return;
  stack.protocols.get(original[9]!)?.icmpError(type, code, original, mtu);
}

/** Is an ICMP error allowed about this packet? */
function mayReport(stack: IpStack, original: Uint8Array): boolean {
  const v = Ipv4Packet.checked(original.length >= 20 ? original : new Uint8Array(0));
  if (isWireError(v) && original.length < 20) return false;
  const p = new Ipv4Packet(original);
  if (p.fragmentOffset !== 0) return false;
  const src = p.src;
  if (src === 0 || isLimitedBroadcast(src) || isMulticastIpv4(src)) return false;
  if (isLimitedBroadcast(p.dst) || isMulticastIpv4(p.dst)) return false;
  for (const i of stack.interfaces.values()) if (stack.isBroadcastFor(i, p.dst)) return false;
  if (p.protocol === IPPROTO_ICMP && original.length >= p.headerLen + 1) {
    const type = original[p.headerLen]!;
    if (type !== ICMP_ECHO && type !== ICMP_ECHO_REPLY && type !== 13 && type !== 14) return false;
  }
  return true;
}

/**
 * Send an ICMP error about `original` back to its source: destination unreachable (type 3) or time
 * exceeded (11). It quotes the original header and its first 8 payload bytes.
 */
export function icmpError(stack: IpStack, original: Uint8Array, type: 3 | 11, code: number, nextHopMtu?: number): void {
  if (!mayReport(stack, original)) return;
  const p = new Ipv4Packet(original);
  const quoted = original.slice(0, Math.min(original.length, p.headerLen + 8));
  const repr: IcmpRepr =
    type === 3
      ? { kind: 'dst-unreachable', code, original: quoted, ...(nextHopMtu !== undefined ? { nextHopMtu } : {}) }
      : { kind: 'time-exceeded', code, original: quoted };
  const buf = new Uint8Array(IcmpRepr.bufferLen(repr));
  IcmpRepr.emit(repr, new IcmpPacket(buf));
  if (stack.tracing) stack.journeys.answer(original, buf);
  icmpOutCount(stack, type);
  // The error leaves from this host's address on the way back to the sender.
  const err = ipSend(stack, { dst: p.src, protocol: IPPROTO_ICMP, payload: buf });
  if (err) stack.icmp.OutErrors++;
}

/**
 * Count an ICMP message going out, by type, as Linux's icmp_out_count() does for the kernel's own
 * messages and for those a raw socket sends (ping's echo requests).
 */
export function icmpOutCount(stack: IpStack, type: number): void {
  stack.icmp.OutMsgs++;
  if (type === 0) stack.icmp.OutEchoReps++;
  else if (type === 3) stack.icmp.OutDestUnreachs++;
  else if (type === 8) stack.icmp.OutEchos++;
  else if (type === 11) stack.icmp.OutTimeExcds++;
}
