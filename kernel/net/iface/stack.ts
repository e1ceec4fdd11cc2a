// One host's IPv4 stack: its interfaces, routes, neighbours and counters, the transport protocols
// registered with it, and the backlog through which every received frame enters. Devices hand
// frames to linkInput(); a soft interrupt then takes them through the link layer (ethernet.ts) and
// IP (ipv4.ts) up to the protocol engines. It needs only its StackEnv (env.ts).

import { SysError, type ErrnoName } from '../../abi/errno.js';
import { IFF_UP } from '../../abi/if.js';
import { formatMac, IPV4_LOOPBACK, isLoopbackIpv4 } from '../../abi/wire/address.js';
import { ETHERNET_HEADER_LEN } from '../../abi/wire/ethernet.js';
import type { PacketEvent, PacketLayer, TraceDetail } from '../../obs/events.js';
import type { PacketJourneys } from '../../obs/journey.js';
import { ArpCache } from './arp.js';
import { IcmpCounters, IpCounters } from './counters.js';
import type { StackEnv } from './env.js';
import { etherInput, etherOutput, sendFrame } from './ethernet.js';
import { Reassembler } from './fragment.js';
import { icmpError, icmpInput } from './icmp.js';
import { type IfAddress, type NetDevice, NetInterface } from './interface.js';
import { ipInput } from './ipv4.js';
import type { Ipv4Repr } from '../../abi/wire/ipv4.js';
import { LoopbackDevice } from './loopback.js';
import type { IpProtocol, RawDelivery } from './protocol.js';
import { PacketQueue } from './packet-queue.js';
import { groMerge } from './offload/gro.js';
import { gsoSegment } from './offload/gso.js';
import { RouteTable } from './routes.js';
import type { IpStack } from './ip-stack.js';
import { PageFrags } from './page-frag.js';

/** Makes interfaces that spring into being when named (tun/N, tap/N, bridge/N, a deleted NIC). */
export interface InterfaceFactory {
  /** Does this factory make interfaces with this name ("tun/3")? */
  matches(name: string): boolean;
  create(name: string): NetInterface;
}

/** Frames waiting for the stack, as Linux's netdev_max_backlog bounds them. */
export const BACKLOG_LEN = 1000;

/**
 * A device that hands the host frames in bulk without queueing them one by one (a segment's
 * broadcast that concerns this host only by its counters: see Segment). Those frames still occupy
 * the backlog until it next drains, as they would have, so a full backlog drops what it would drop.
 */
export interface BacklogWatcher {
  /**
   * The backlog starts filling: how many frames are already owed to it in this instant, and
   * whether the watcher placed `drain` among the soft events itself (where the first of those
   * frames would have queued it).
   */
  active(drain: () => void): { owed: number; placed: boolean };
  /** The backlog drained. */
  idle(): void;
}

export class NetStack implements IpStack {
  readonly interfaces = new Map<string, NetInterface>();
  readonly routes = new RouteTable();
  readonly ip = new IpCounters();
  readonly icmp = new IcmpCounters();
  readonly reassembler: Reassembler;
  /** Transport protocols by IP protocol number (udp; tcp). */
  readonly protocols = new Map<number, IpProtocol>();
  /** Raw sockets, when the socket layer is there. */
  raw: RawDelivery | null = null;
  /** Told when an interface goes away (a capture on it ends). */
  readonly interfaceRemoved = new Set<(iface: NetInterface) => void>();
  readonly loop: NetInterface;
  forwarding = false;
  /** Reassemble forwarded fragments before routing them, as Linux does under conntrack (the uplink's NAT). */
  defragBeforeForward = false;
  /** The last qdisc handle handed out (Linux's autohandle: 8001:, 8002: ...). */
  qdiscHandle = 0x8000;
  /** Bridge management, installed by the bridge code (SIOCBR* ioctls). */
  bridges: {
    create(name: string): NetInterface;
    destroy(name: string): void;
    addMember(bridge: string, member: NetInterface): void;
    removeMember(bridge: string, member: NetInterface): void;
  } | null = null;
  /** Makers of interfaces that spring into being when named (tun/N, tap/N, bridge/N). */
  readonly factories: InterfaceFactory[] = [];
  /** Frames waiting for the soft interrupt, bounded like Linux's netdev_max_backlog. */
  private readonly backlog = new PacketQueue<readonly [NetInterface, Uint8Array, number]>({ name: 'backlog', limit: () => BACKLOG_LEN - this.owed });
  /** Frames BacklogWatchers handed over without queueing, until the backlog drains. */
  private owed = 0;
  readonly backlogWatchers = new Set<BacklogWatcher>();
  readonly frags = new PageFrags();
  private readonly arps = new Map<NetInterface, ArpCache>();
  private nextIndex = 1;
  private ipIdent: number;
  private backlogScheduled = false;
  /** Taps: called for every frame an interface sends or receives (capture sockets). */
  readonly taps = new Map<NetInterface, Set<(dir: 'in' | 'out', data: Uint8Array) => void>>();
  /** Taps on every interface, present and future (a capture on "any"). */
  readonly anyTaps = new Set<(iface: NetInterface, dir: 'in' | 'out', data: Uint8Array) => void>();

  constructor(readonly env: StackEnv) {
    this.ipIdent = env.random.int(0x10000);
    const timers = env.timers;
    this.reassembler = new Reassembler({
      at: (when, fn) => timers.at(when, fn),
      cancel: (t) => timers.cancel(t),
      now: () => timers.now(),
      timedOut: (first) => {
        this.ip.ReasmTimeout++;
        // RFC 792: time exceeded, fragment reassembly, when the first fragment had come in.
        if (first) this.icmpError(first, 11, 1);
      },
    });
    this.loop = this.addInterface('loop', new LoopbackDevice(this));
    this.addAddress(this.loop, { addr: IPV4_LOOPBACK, mask: 0xff00_0000, broadcast: null, peer: null });
    this.setUp(this.loop, true);
  }

  get name(): string {
    return this.env.host;
  }

  now(): number {
    return this.env.timers.now();
  }

  /** A transport protocol takes its datagrams from now on. */
  register(p: IpProtocol): void {
    this.protocols.set(p.protocol, p);
  }

  nextIdent(): number {
    this.ipIdent = (this.ipIdent + 1) & 0xffff;
    return this.ipIdent;
  }

  nextIdents(n: number): number {
    const first = this.nextIdent();
    this.ipIdent = (this.ipIdent + n - 1) & 0xffff;
    return first;
  }

  // ---------------------------------------------------------------- interfaces

  addInterface(name: string, device: NetDevice, txQueueLen = 1000, index?: number): NetInterface {
    if (this.interfaces.has(name)) throw new SysError('EEXIST');
    if (index !== undefined && this.byIndex(index)) throw new SysError('EBUSY');
    const iface = new NetInterface(name, index ?? this.nextIndex++, device, txQueueLen);
    this.interfaces.set(name, iface);
    if (device.link === 'ether') {
      const arp = new ArpCache(
        {
          now: () => this.now(),
          at: (when, fn) => this.env.timers.at(when, fn),
          cancel: (t) => this.env.timers.cancel(t),
          sendFrame: (i, dst, type, payload) => sendFrame(this, i, dst, type, payload),
          unreachable: (i, ip, packets) => this.neighbourUnreachable(i, ip, packets),
          added: (i, ip) => i.device.neighbourAdded?.(i, ip),
          dropped: (i, packets, reason) => {
            i.counters.txDropped += packets.length;
            if (this.tracing) for (const p of packets) this.trace('arp', i.name, 'drop', 'ip', p, { reason, counter: `${i.name} tx_dropped` });
          },
        },
        iface,
      );
      arp.sendResolved = (mac, packet) => {
        if (this.tracing) this.trace('arp', iface.name, 'out', 'ip', packet, { event: 'resolved', decision: `sent to ${formatMac(mac)}` });
        etherOutput(this, iface, mac, packet);
      };
      this.arps.set(iface, arp);
    }
    return iface;
  }

  /** Delete an interface with its addresses and routes; its device is told to let go. */
  removeInterface(iface: NetInterface): void {
    if (iface === this.loop) throw new SysError('EBUSY');
    iface.master?.removeMember(iface);
    iface.adminFlags &= ~IFF_UP;
    for (const a of [...iface.addresses]) this.removeAddress(iface, a.addr);
    this.routes.removeInterface(iface);
    this.arps.get(iface)?.flush();
    this.arps.delete(iface);
    this.taps.delete(iface);
    this.interfaces.delete(iface.name);
    for (const fn of this.interfaceRemoved) fn(iface);
    iface.device.detach?.(iface);
  }

  byName(name: string): NetInterface | undefined {
    return this.interfaces.get(name);
  }

  byIndex(index: number): NetInterface | undefined {
    for (const i of this.interfaces.values()) if (i.index === index) return i;
    return undefined;
  }

  arp(iface: NetInterface): ArpCache | undefined {
    return this.arps.get(iface);
  }

  setUp(iface: NetInterface, up: boolean): void {
    const was = iface.up;
    if (up) iface.adminFlags |= IFF_UP;
    else iface.adminFlags &= ~IFF_UP;
    if (was !== up) {
      if (!up) this.arps.get(iface)?.flush();
      this.routes.generation++;
      iface.device.adminChanged?.(iface, up);
    }
  }

  /** Add an address and the routes it brings (network route, local host route, peer route). */
  addAddress(iface: NetInterface, a: IfAddress): void {
    const existing = iface.addresses.findIndex((x) => x.addr === a.addr);
    if (existing >= 0) this.removeAddress(iface, a.addr);
    iface.addresses.push({ ...a });
    this.routes.addAddressRoutes(iface, a.addr, a.mask, a.peer);
    this.routes.generation++;
    iface.device.configChanged?.(iface);
  }

  removeAddress(iface: NetInterface, addr: number): boolean {
    const i = iface.addresses.findIndex((x) => x.addr === addr);
    if (i < 0) return false;
    const [a] = iface.addresses.splice(i, 1);
    this.routes.removeAddressRoutes(iface, a!.addr, a!.mask, a!.peer);
    iface.device.configChanged?.(iface);
    return true;
  }

  /** Change the primary address in place (SIOCSIFADDR), keeping its mask and peer. */
  replacePrimary(iface: NetInterface, update: Partial<IfAddress>): void {
    const cur = iface.addresses[0];
    const next: IfAddress = {
      addr: update.addr ?? cur?.addr ?? 0,
      mask: update.mask ?? cur?.mask ?? defaultMask(update.addr ?? 0),
      broadcast: null,
      peer: update.peer !== undefined ? update.peer : (cur?.peer ?? null),
    };
    if (update.broadcast !== undefined) next.broadcast = update.broadcast;
    else if (iface.flags & 0x2 && next.peer === null) next.broadcast = (next.addr | ~next.mask) >>> 0;
    if (cur) {
      iface.addresses.splice(0, 1);
      this.routes.removeAddressRoutes(iface, cur.addr, cur.mask, cur.peer);
    }
    iface.addresses.unshift(next);
    if (next.addr !== 0) this.routes.addAddressRoutes(iface, next.addr, next.mask, next.peer);
    iface.device.configChanged?.(iface);
  }

  /** Is `a` one of this host's addresses (any interface: the weak host model)? */
  isLocal(a: number): boolean {
    if (isLoopbackIpv4(a)) return true;
    // Asked for every packet, in and out: answered from a set the address calls keep current.
    if (this.localGeneration !== this.routes.generation) {
      this.localAddrs.clear();
      for (const i of this.interfaces.values()) for (const x of i.addresses) this.localAddrs.add(x.addr);
      this.localGeneration = this.routes.generation;
    }
    return this.localAddrs.has(a);
  }

  private readonly localAddrs = new Set<number>();
  private localGeneration = -1;

  /** Is `a` a broadcast address of this interface? */
  isBroadcastFor(iface: NetInterface, a: number): boolean {
    if (a === 0xffff_ffff) return true;
    const list = iface.addresses;
    for (let i = 0; i < list.length; i++) {
      const x = list[i]!;
      if (x.broadcast === a) return true;
      if (x.peer === null && x.mask !== 0xffff_ffff && ((x.addr | ~x.mask) >>> 0) === a) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- receive path

  /**
   * A device received a frame (ether) or packet (ip, loop). It waits in the backlog until the
   * stack's soft interrupt runs; a full backlog drops and counts.
   */
  linkInput(iface: NetInterface, data: Uint8Array, gsoSize = 0): void {
    if (!this.backlogScheduled) {
      this.backlogScheduled = true;
      let placed = false;
      for (const w of this.backlogWatchers) {
        const r = w.active(this.processBacklog);
        this.owed += r.owed;
        placed ||= r.placed;
      }
      if (!placed) this.env.timers.soon(this.processBacklog);
    }
    if (!this.backlog.push([iface, data, gsoSize])) {
      iface.counters.rxDropped++;
      if (this.tracing) this.trace('queue', iface.name, 'drop', linkOf(iface), data, { reason: 'backlog-full', counter: `${iface.name} rx_dropped` });
    }
  }

  private readonly processBacklog = (): void => {
    this.backlogScheduled = false;
    this.owed = 0;
    for (const w of this.backlogWatchers) w.idle();
    const batch = this.backlog.takeAll();
    // GRO merges what one poll of the backlog holds, flow by flow, before anything looks at it.
    for (const [iface, data, gso] of groMerge(batch, this.tracing ? this.groTrace : undefined)) {
      if (!this.interfaces.has(iface.name)) continue;
      if (gso && iface.master) {
        // A bridge passes frames on one by one: the super-frame is cut as its ports' wire would.
        for (const f of gsoSegment(data, ETHERNET_HEADER_LEN, gso)) this.receiveOne(iface, f, 0);
      } else this.receiveOne(iface, data, gso);
    }
  };

  /** A packet GRO made of several is the first of them, as far as a journey goes. */
  private readonly groTrace = (iface: NetInterface, first: Uint8Array, packet: Uint8Array, segments: number): void => {
    this.journeys.carry(first, packet);
    this.trace('nic', iface.name, 'in', 'ether', packet, { event: 'gro', decision: `${segments} segments merged` });
  };

  private receiveOne(iface: NetInterface, data: Uint8Array, gso: number): void {
    this.tap(iface, 'in', data);
    if (iface.master) iface.master.input(iface, data);
    else if (iface.device.link === 'ether') etherInput(this, iface, data, gso);
    else this.ipInput(iface, data, gso);
  }

  ipInput(iface: NetInterface, data: Uint8Array, gsoSize = 0): void {
    ipInput(this, iface, data, gsoSize);
  }

  icmpInput(iface: NetInterface, packet: Uint8Array, ip: Ipv4Repr, payload: Uint8Array): void {
    icmpInput(this, iface, packet, ip, payload);
  }

  icmpError(original: Uint8Array, type: 3 | 11, code: number, nextHopMtu?: number): void {
    icmpError(this, original, type, code, nextHopMtu);
  }

  // ---------------------------------------------------------------- observation

  tap(iface: NetInterface, dir: 'in' | 'out', data: Uint8Array): void {
    const taps = this.taps.get(iface);
    if (taps) for (const t of taps) t(dir, data);
    for (const t of this.anyTaps) t(iface, dir, data);
    if (this.env.events.listening('packet')) {
      this.trace('nic', iface.name, dir, iface.device.link === 'ether' ? 'ether' : 'ip', data);
    }
  }

  /** Frames dropped because the backlog was full. */
  get backlogDrops(): number {
    return this.backlog.drops;
  }

  /** A BacklogWatcher's frames that found the backlog full. */
  countBacklogDrops(n: number): void {
    this.backlog.drops += n;
  }

  /** Whether anyone records packets or wants their identities (see IpStack.tracing). */
  get tracing(): boolean {
    return this.env.events.journeys.active;
  }

  get journeys(): PacketJourneys {
    return this.env.events.journeys;
  }

  /** Report a packet crossing a layer boundary; free when nobody listens. */
  trace(layer: PacketLayer, where: string, dir: PacketEvent['dir'], link: PacketEvent['link'], bytes: Uint8Array, detail?: TraceDetail): void {
    this.env.events.packet(this.name, layer, where, dir, link, bytes, this.now(), detail);
  }

  // ---------------------------------------------------------------- errors from below

  /** ARP gave up on a neighbour: the packets held for it are lost; their senders hear of it. */
  private neighbourUnreachable(iface: NetInterface, _ip: number, packets: Uint8Array[]): void {
    iface.counters.txDropped += packets.length;
    if (this.tracing) for (const p of packets) this.trace('arp', iface.name, 'drop', 'ip', p, { reason: 'neigh-failed', counter: `${iface.name} tx_dropped` });
    for (const p of packets) this.icmpError(p, 3, 1);
  }

  /** The IP and ICMP counters (the transport protocols keep their own). */
  ipStats(): { ip: Record<string, number>; icmp: Record<string, number> } {
    this.ip.ReasmReqds = this.reassembler.stats.reqds;
    this.ip.ReasmOKs = this.reassembler.stats.oks;
    this.ip.ReasmFails = this.reassembler.stats.fails;
    return { ip: { ...this.ip }, icmp: { ...this.icmp } };
  }
}

/** What an interface's frames start with. */
export function linkOf(iface: NetInterface): 'ether' | 'ip' {
  return iface.device.link === 'ether' ? 'ether' : 'ip';
}

/** The classful default mask ifconfig assumes when none is given. */
export function defaultMask(addr: number): number {
  const top = addr >>> 24;
  if (top < 128) return 0xff00_0000;
  if (top < 192) return 0xffff_0000;
  return 0xffff_ff00;
}

export type SendError = ErrnoName;
