// The network stack alone, smoltcp style: one NetStack with test devices, a clock the test moves
// by hand, frames injected and the frames it emits collected. No world, no processes, no files:
// what a test asserts is exactly what the stack put on the wire.

import { ARPOP_REPLY, ARPOP_REQUEST, ArpPacket, ArpRepr, buildArpPacket } from '../../kernel/abi/wire/arp.js';
import { BROADCAST_MAC } from '../../kernel/abi/wire/address.js';
import { isWireError } from '../../kernel/abi/wire/error.js';
import { buildEthernetFrame, ETHERTYPE_ARP, ETHERTYPE_IPV4, EthernetFrame } from '../../kernel/abi/wire/ethernet.js';
import { buildIcmpPacket, IcmpPacket, IcmpRepr } from '../../kernel/abi/wire/icmp.js';
import { buildIpv4Packet, IPPROTO_ICMP, type Ipv4HeaderFields, Ipv4Packet, Ipv4Repr } from '../../kernel/abi/wire/ipv4.js';
import { IFF_BROADCAST, IFF_MULTICAST, IFF_NOARP, IFF_POINTOPOINT, IFT_ETHER, IFT_TUNNEL } from '../../kernel/abi/if.js';
import type { StackTimers } from '../../kernel/net/iface/env.js';
import type { LinkKind, NetDevice, NetInterface } from '../../kernel/net/iface/interface.js';
import { NetStack } from '../../kernel/net/iface/stack.js';
import { EventBus } from '../../kernel/obs/events.js';
import { Random } from '../../kernel/sched/random.js';
import { type Timer, TimerHeap } from '../../kernel/sched/timers.js';

/** Timers and soft interrupts on a clock that only the test moves. */
export class ManualTimers implements StackTimers {
  private t = 0;
  private readonly heap = new TimerHeap();
  private soft: Array<() => void> = [];

  now(): number {
    return this.t;
  }

  at(when: number, fire: () => void): Timer {
    return this.heap.add(when, fire);
  }

  cancel(t: Timer | null | undefined): void {
    if (t) this.heap.cancel(t);
  }

  soon(fn: () => void): void {
    this.soft.push(fn);
  }

  /** Run the soft interrupts queued so far (and those they queue). */
  flush(): void {
    while (this.soft.length > 0) {
      const batch = this.soft;
      this.soft = [];
      for (const fn of batch) fn();
    }
  }

  /** Move the clock forward, firing each timer due on the way at its own time. */
  advance(ns: number): void {
    const end = this.t + ns;
    this.flush();
    for (let next = this.heap.peek(); next && next.when <= end; next = this.heap.peek()) {
      this.heap.pop();
      this.t = Math.max(this.t, next.when);
      next.fire();
      this.flush();
    }
    this.t = end;
  }

  get pending(): number {
    return this.heap.size;
  }
}

/** A device whose wire is the test: what the stack transmits is kept in `sent`. */
export class TestDevice implements NetDevice {
  readonly sent: Uint8Array[] = [];
  readonly ifType: number;
  readonly deviceFlags: number;
  readonly defaultMtu = 1500;
  readonly minMtu = 68;
  readonly maxMtu = 65535;
  carrier = true;

  constructor(
    readonly link: LinkKind,
    public mac: number | null,
  ) {
    this.ifType = link === 'ether' ? IFT_ETHER : IFT_TUNNEL;
    this.deviceFlags = link === 'ether' ? IFF_BROADCAST | IFF_MULTICAST : IFF_POINTOPOINT | IFF_NOARP;
  }

  transmit(iface: NetInterface, data: Uint8Array): void {
    iface.counters.txPackets++;
    this.sent.push(data.slice());
  }

  /** Everything sent since the last call. */
  take(): Uint8Array[] {
    return this.sent.splice(0);
  }
}

export const MAC_US = 0x0200_0000_0001;
export const MAC_PEER = 0x0200_0000_0002;
export const MAC_OTHER = 0x0200_0000_0003;
export const ip = (s: string): number => s.split('.').reduce((n, b) => n * 256 + Number(b), 0) >>> 0;

export interface TestPort {
  iface: NetInterface;
  dev: TestDevice;
}

export interface TestStack {
  stack: NetStack;
  timers: ManualTimers;
  events: EventBus;
  log: string[];
  /** Add an interface on a test device, up, with an address (and a peer for a point-to-point one). */
  port(name: string, link: LinkKind, addr: string, prefix: number, opts?: { mac?: number; peer?: string }): TestPort;
  /** Hand a frame (or packet) to the stack as received on `port`, and let it run. */
  inject(port: TestPort, data: Uint8Array): void;
}

export function testStack(seed = 1): TestStack {
  const timers = new ManualTimers();
  const events = new EventBus();
  const log: string[] = [];
  const stack = new NetStack({ host: 'test', timers, random: new Random(seed), log: { write: (l) => void log.push(l) }, events });
  return {
    stack,
    timers,
    events,
    log,
    port(name, link, addr, prefix, opts = {}) {
      const dev = new TestDevice(link, link === 'ether' ? (opts.mac ?? MAC_US) : null);
      const iface = stack.addInterface(name, dev);
      const a = ip(addr);
      const mask = prefix === 0 ? 0 : (0xffff_ffff << (32 - prefix)) >>> 0;
      const peer = opts.peer !== undefined ? ip(opts.peer) : null;
      stack.addAddress(iface, { addr: a, mask, broadcast: link === 'ether' ? (a | ~mask) >>> 0 : null, peer });
      stack.setUp(iface, true);
      return { iface, dev };
    },
    inject(port, data) {
      stack.linkInput(port.iface, data);
      timers.flush();
    },
  };
}

// ------------------------------------------------------------------ building and reading frames

export function ipPacket(fields: Partial<Ipv4HeaderFields> & { src: number; dst: number; protocol: number }, payload: Uint8Array): Uint8Array {
  return buildIpv4Packet({ ttl: 64, ident: 1, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0, ...fields }, payload);
}

export function echoRequest(src: number, dst: number, opts: { ident?: number; seq?: number; data?: Uint8Array; ttl?: number; df?: boolean } = {}): Uint8Array {
  const icmp = buildIcmpPacket({ kind: 'echo-request', ident: opts.ident ?? 0x1234, seq: opts.seq ?? 1, data: opts.data ?? new Uint8Array(56) });
  return ipPacket({ src, dst, protocol: IPPROTO_ICMP, ttl: opts.ttl ?? 64, dontFragment: opts.df ?? false }, icmp);
}

export function ether(dst: number, src: number, type: number, payload: Uint8Array): Uint8Array {
  return buildEthernetFrame({ dst, src, ethertype: type }, payload);
}

export function arpFrame(op: 'request' | 'reply', senderMac: number, senderIp: number, targetIp: number, targetMac = 0): Uint8Array {
  const pkt = buildArpPacket({ operation: op === 'request' ? ARPOP_REQUEST : ARPOP_REPLY, senderMac, senderIp, targetMac, targetIp });
  return ether(op === 'request' ? BROADCAST_MAC : targetMac, senderMac, ETHERTYPE_ARP, pkt);
}

export interface Decoded {
  dstMac?: number;
  srcMac?: number;
  arp?: ArpRepr;
  ip?: Ipv4Repr;
  icmp?: IcmpRepr;
  /** The IP packet's bytes. */
  packet?: Uint8Array;
}

/** What a sent frame (ether) or packet (ip) holds, parsed with the wire views. */
export function decode(data: Uint8Array, link: LinkKind = 'ether'): Decoded {
  const out: Decoded = {};
  let packet = data;
  if (link === 'ether') {
    const f = EthernetFrame.checked(data);
    if (isWireError(f)) throw new Error(f.reason);
    out.dstMac = f.dst;
    out.srcMac = f.src;
    if (f.ethertype === ETHERTYPE_ARP) {
      const a = ArpRepr.parse(new ArpPacket(f.payload));
      if (isWireError(a)) throw new Error(a.reason);
      out.arp = a;
      return out;
    }
    if (f.ethertype !== ETHERTYPE_IPV4) return out;
    packet = f.payload;
  }
  const v = Ipv4Packet.checked(packet);
  if (isWireError(v)) throw new Error(v.reason);
  const r = Ipv4Repr.parse(v);
  if (isWireError(r)) throw new Error(r.reason);
  out.ip = r;
  out.packet = packet.subarray(0, v.totalLen);
  if (r.protocol === IPPROTO_ICMP && r.fragmentOffset === 0 && !r.moreFragments) {
    const ic = IcmpRepr.parse(new IcmpPacket(v.payload));
    if (!isWireError(ic)) out.icmp = ic;
  }
  return out;
}
