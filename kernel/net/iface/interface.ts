// A network interface: what `ifconfig` shows. It joins a device (a NIC on a segment, the loopback,
// a tun or tap, a bridge) to the stack: name, index, flags, MTU, addresses and counters.
//
// The device says how bytes leave (transmit) and what kind of link it is; the interface keeps the
// administrative state. IFF_RUNNING and IFF_LOWER_UP ("link") are derived, never stored: running
// means administratively up with the carrier on, as Linux's dev_get_flags() reports it.

import type { ErrnoName } from '../../abi/errno.js';
import {
  IFF_LOWER_UP,
  IFF_RUNNING,
  IFF_UP,
  type IfStats,
  type QdiscOptions,
  type QdiscStats,
} from '../../abi/if.js';

import type { TunInfo } from '../../abi/ioctl.js';
import type { NetFeatures } from './offload/features.js';
export type LinkKind = 'ether' | 'ip' | 'loop';

/** The driver side of an interface. */
export interface NetDevice {
  readonly link: LinkKind;
  /** IFT_* type, for SIOCGIFTYPE and ifconfig's "Hardware type". */
  readonly ifType: number;
  /** Flags the device always contributes (POINTOPOINT|NOARP for a tun, BROADCAST for Ethernet). */
  readonly deviceFlags: number;
  readonly defaultMtu: number;
  readonly minMtu: number;
  readonly maxMtu: number;
  /** 48-bit MAC, or null for links without one. */
  mac: number | null;
  carrier: boolean;
  /** "1 GBit, 1000BASE-T" for ifconfig's Media line; undefined when the link has none. */
  readonly media?: string;
  /**
   * Take one outgoing frame (ether) or packet (ip). It never blocks the stack: a device that
   * cannot take it drops and counts it. `gsoSize`: a TCP super-packet of segments that size (only
   * to a device whose features include TSO).
   */
  transmit(iface: NetInterface, data: Uint8Array, gsoSize?: number): void;
  /** Its offload features (`ethtool -k`); none for a device that offloads nothing. */
  readonly features?: NetFeatures;
  /** The administrative state changed (IFF_UP set or cleared). */
  adminChanged?(iface: NetInterface, up: boolean): void;
  /** The interface is being deleted. */
  detach?(iface: NetInterface): void;
  /** Its addresses or bridge membership changed: what a received frame leads to may differ. */
  configChanged?(iface: NetInterface): void;
  /** The interface's ARP cache made an entry for `ip` (an ARP packet from `ip` now refreshes it). */
  neighbourAdded?(iface: NetInterface, ip: number): void;
  /** Further unicast MACs that are this host's on this link (a bridge: its members' own). */
  acceptsMac?(mac: number): boolean;
  /** Interfaces a device may decline to lose (a NIC belongs to its segment). */
  readonly deletable?: boolean;
  /** A tun/tap device's state, for SIOCGIFTUNINFO. */
  tunInfo?(): TunInfo;
}

/** The root qdisc tc installed (qdisc.ts), as the interface holds it. */
export interface InterfaceQdisc {
  readonly handle: number;
  readonly options: QdiscOptions;
  readonly stats: QdiscStats;
  /** Take one frame, to `send` to the driver now or later; an errno when it is refused. */
  enqueue(data: Uint8Array, send: (data: Uint8Array) => void): ErrnoName | null;
  /** tc qdisc change: new options, the same queue and counters. */
  change(o: QdiscOptions): void;
  /** Deleted or replaced: its frames and its timer go with it. */
  destroy(): void;
}

export interface IfAddress {
  addr: number;
  mask: number;
  broadcast: number | null;
  /** The other end of a point-to-point link. */
  peer: number | null;
}

export class IfCounters {
  rxPackets = 0;
  rxBytes = 0;
  rxErrors = 0;
  rxDropped = 0;
  /**
   * Received and accepted by the device, then dropped because no protocol handles it (an IPv6 packet
   * or an unknown packet-info protocol on a TUN, an unknown EtherType): Linux's rx_nohandler. With
   * it, a TUN's accepted writes add up to what the stack saw. Kernel-only, like Linux's extended
   * stats.
   */
  rxNoHandler = 0;
  /** Unicast frames for another MAC, dropped (Linux's rx_otherhost_dropped); kernel-only too. */
  rxOtherHost = 0;
  rxMulticast = 0;
  txPackets = 0;
  txBytes = 0;
  txErrors = 0;
  txDropped = 0;
  txMulticast = 0;
  collisions = 0;
  /** Brings the counters up to date before they are read (a segment counts broadcasts lazily). */
  sync: (() => void) | null = null;

  toStats(): IfStats {
    this.sync?.();
    return {
      receive: { packets: this.rxPackets, errors: this.rxErrors, bytes: this.rxBytes, multicast: this.rxMulticast, dropped: this.rxDropped },
      send: { packets: this.txPackets, errors: this.txErrors, bytes: this.txBytes, multicast: this.txMulticast, dropped: this.txDropped },
      collisions: this.collisions,
    };
  }
}

export class NetInterface {
  /** Administrative flags: IFF_UP, PROMISC, ALLMULTI, and NOARP/MULTICAST once set (the rest come from the device). */
  adminFlags = 0;
  /** The device's own flags SIOCSIFFLAGS turned off (Linux lets NOARP and MULTICAST be cleared). */
  clearedFlags = 0;
  mtu: number;
  metric = 0;
  txQueueLen: number;
  /** The root qdisc tc installed, with its counters; null: none (noqueue). */
  qdisc: InterfaceQdisc | null = null;
  readonly addresses: IfAddress[] = [];
  /** The bridge this interface is a port of: its frames go there, not up the stack. */
  master: { input(port: NetInterface, frame: Uint8Array): void; removeMember(m: NetInterface): void } | null = null;
  readonly counters = new IfCounters();

  constructor(
    readonly name: string,
    readonly index: number,
    readonly device: NetDevice,
    txQueueLen = 1000,
  ) {
    this.mtu = device.defaultMtu;
    this.txQueueLen = txQueueLen;
  }

  get up(): boolean {
    return (this.adminFlags & IFF_UP) !== 0;
  }

  /** Up and with a carrier: able to pass packets. */
  get running(): boolean {
    return this.up && this.device.carrier;
  }

  get flags(): number {
    let f = this.adminFlags | (this.device.deviceFlags & ~this.clearedFlags);
    if (this.running) f |= IFF_RUNNING | IFF_LOWER_UP;
    return f;
  }

  get primary(): IfAddress | undefined {
    return this.addresses[0];
  }

  hasAddress(a: number): boolean {
    return this.addresses.some((x) => x.addr === a);
  }
}
