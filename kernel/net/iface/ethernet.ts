// The Ethernet link layer of an interface: frames in (accept ours, broadcast, multicast, or any in
// promiscuous mode; demultiplex ARP and IPv4), frames out (IPv4 through ARP resolution).

import { IFF_PROMISC } from '../../abi/if.js';
import { BROADCAST_MAC, isMulticastMac } from '../../abi/wire/address.js';
import { ETHERNET_HEADER_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, EthernetFrame, EthernetRepr } from '../../abi/wire/ethernet.js';
import type { ErrnoName } from '../../abi/errno.js';
import type { IpStack } from './ip-stack.js';
import { devQueueXmit } from './qdisc.js';
import type { NetInterface } from './interface.js';


export function etherInput(stack: IpStack, iface: NetInterface, frame: Uint8Array, gsoSize = 0): void {
  const f = EthernetFrame.checked(frame);
  if (!(f instanceof EthernetFrame)) {
    iface.counters.rxErrors++;
    if (stack.tracing) stack.trace('nic', iface.name, 'drop', 'ether', frame, { reason: 'malformed', counter: `${iface.name} rx_errors`, decision: f.reason });
    return;
  }
  const dst = f.dst;
  const mine = dst === iface.device.mac || iface.device.acceptsMac?.(dst) === true;
  const multicast = isMulticastMac(dst);
  // Frames for another host are counted as Linux counts them (rx_otherhost_dropped), so that every
  // accepted frame lands in some counter (see IfCounters.rxNoHandler).
  if (!mine && !multicast && !(iface.adminFlags & IFF_PROMISC)) {
    iface.counters.rxOtherHost++;
    if (stack.tracing) stack.trace('nic', iface.name, 'drop', 'ether', frame, { reason: 'not-for-us', counter: `${iface.name} rx_otherhost_dropped` });
    return;
  }
  if (multicast && dst !== BROADCAST_MAC) iface.counters.rxMulticast++;
  // A frame we sent ourselves, reflected back by a hub, is not news.
  if (f.src === iface.device.mac) return;
  switch (f.ethertype) {
    case ETHERTYPE_ARP: {
      if (stack.arp(iface)?.input(f.payload) === 'malformed') iface.counters.rxErrors++;
      return;
    }
    case ETHERTYPE_IPV4:
      if (!mine && !multicast) return void iface.counters.rxOtherHost++; // promiscuous capture only
      stack.ipInput(iface, f.payload, gsoSize);
      return;
    default:
      // Protocols this host does not speak (IPv6 ...) are ignored, as a BSD stack does, and
      // counted, as Linux's rx_nohandler.
      iface.counters.rxNoHandler++;
      if (stack.tracing) stack.trace('nic', iface.name, 'drop', 'ether', frame, { reason: 'no-handler', counter: `${iface.name} rx_nohandler` });
      return;
  }
}

/** Frame and send an IPv4 packet to a resolved MAC; `headroom` and `gsoSize` as linkOutput's. */
export function etherOutput(stack: IpStack, iface: NetInterface, dstMac: number, packet: Uint8Array, headroom = false, gsoSize = 0): ErrnoName | null {
  return sendFrame(stack, iface, dstMac, ETHERTYPE_IPV4, packet, headroom, gsoSize);
}

/**
 * One frame out through the root qdisc; ENOBUFS when the qdisc refuses it. With `headroom` the
 * 14 bytes before `payload` are the packet's own and the header is written there (no copy).
 */
export function sendFrame(stack: IpStack, iface: NetInterface, dst: number, ethertype: number, payload: Uint8Array, headroom = false, gsoSize = 0): ErrnoName | null {
  const inPlace = headroom && payload.byteOffset >= ETHERNET_HEADER_LEN;
  const frame = inPlace ? new Uint8Array(payload.buffer, payload.byteOffset - ETHERNET_HEADER_LEN, ETHERNET_HEADER_LEN + payload.length) : new Uint8Array(ETHERNET_HEADER_LEN + payload.length);
  EthernetRepr.emit({ dst, src: iface.device.mac!, ethertype }, new EthernetFrame(frame));
  if (!inPlace) frame.set(payload, ETHERNET_HEADER_LEN);
  if (stack.tracing) stack.journeys.carry(payload, frame);
  return devQueueXmit(iface, frame, (f) => {
    stack.tap(iface, 'out', f);
    iface.device.transmit(iface, f, gsoSize);
  });
}
