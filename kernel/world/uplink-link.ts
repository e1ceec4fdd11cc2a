// The uplink's gateway is a small host of its own: a NetStack without processes, with two
// interfaces. Its Ethernet card (UPLINK_MAC, 10.0.2.2) is plugged into the uplink segment like any
// host's NIC, so ARP, echo replies, TTL expiry, reassembly and ICMP errors are the stack's code and
// counters. Its other interface, "uplink", is a link of its own kind: it carries bare IP packets,
// and what the gateway routes out of it (its default route) goes to the NAT (uplink.ts), which
// turns them into real sockets. The gateway forwards, and reassembles before it forwards, as a
// Linux NAT does under conntrack: real sockets take whole datagrams.

import { IFF_NOARP, IFF_POINTOPOINT, IFF_BROADCAST, IFF_MULTICAST, IFT_ETHER, IFT_OTHER } from '../abi/if.js';
import type { NetDevice, NetInterface } from '../net/iface/interface.js';
import { NetStack } from '../net/iface/stack.js';
import type { Port, Segment } from './segment.js';
import type { World } from './world.js';

/** QEMU's user-mode gateway MAC. */
export const UPLINK_MAC = 0x5255_0a00_0202;
/** The name the gateway stack goes by in packet events and journeys. */
export const GATEWAY_HOST = 'uplink';

/** The gateway's Ethernet card: a port of the uplink segment. */
class GatewayNic implements NetDevice, Port {
  readonly link = 'ether';
  readonly ifType = IFT_ETHER;
  readonly deviceFlags = IFF_BROADCAST | IFF_MULTICAST;
  readonly defaultMtu = 1500;
  readonly minMtu = 68;
  readonly maxMtu = 1500;
  /** The segment's port label, as the topology and journeys name it. */
  readonly label = 'uplink';
  mac: number | null = UPLINK_MAC;
  carrier = true;
  iface: NetInterface | null = null;

  constructor(
    private readonly stack: NetStack,
    private readonly segment: Segment,
  ) {
    segment.addPort(this);
  }

  transmit(iface: NetInterface, frame: Uint8Array): void {
    iface.counters.txPackets++;
    iface.counters.txBytes += frame.length;
    this.segment.forward(this, frame);
  }

  /** A frame from the segment. */
  deliver(frame: Uint8Array): void {
    const iface = this.iface;
    if (!iface) return;
    iface.counters.rxPackets++;
    iface.counters.rxBytes += frame.length;
    this.stack.linkInput(iface, frame);
  }
}

/** The link to the real network: what is routed out of it is the NAT's. */
class UplinkLink implements NetDevice {
  readonly link = 'ip';
  readonly ifType = IFT_OTHER;
  readonly deviceFlags = IFF_POINTOPOINT | IFF_NOARP;
  /** Whole datagrams (the stack reassembled them): a real socket takes up to 64 KiB. */
  readonly defaultMtu = 65535;
  readonly minMtu = 68;
  readonly maxMtu = 65535;
  mac: number | null = null;
  carrier = true;

  constructor(private readonly nat: (packet: Uint8Array) => void) {}

  transmit(iface: NetInterface, packet: Uint8Array): void {
    iface.counters.txPackets++;
    iface.counters.txBytes += packet.length;
    this.nat(packet);
  }
}

export interface Gateway {
  stack: NetStack;
  /** The card on the uplink segment. */
  nic: NetInterface;
  /** The link to the real network. */
  uplink: NetInterface;
}

/**
 * Build the gateway: `addr/mask` on its card, the default route out of the uplink link, whose
 * packets go to `nat`. Its log lines go to the guest host's log (`log`), where the NAT's go.
 */
export function buildGateway(world: World, segment: Segment, addr: number, mask: number, log: (line: string) => void, nat: (packet: Uint8Array) => void): Gateway {
  const stack = new NetStack({ host: GATEWAY_HOST, timers: world.sched, random: world.random.fork('uplink gateway'), log: { write: log }, events: world.events });
  stack.forwarding = true;
  stack.defragBeforeForward = true;
  const card = new GatewayNic(stack, segment);
  const nic = stack.addInterface('eth0', card);
  card.iface = nic;
  stack.addAddress(nic, { addr, mask, broadcast: (addr | ~mask) >>> 0, peer: null });
  stack.setUp(nic, true);
  const uplink = stack.addInterface('uplink', new UplinkLink(nat));
  stack.setUp(uplink, true);
  stack.routes.add({ dest: 0, mask: 0, gateway: null, iface: uplink });
  return { stack, nic, uplink };
}
