// ARP for one Ethernet interface: a cache of IPv4-to-MAC mappings with lifetimes, a bounded queue
// of packets waiting for a resolution, request retries, and a "failed" state that makes further
// sends fail fast with EHOSTUNREACH for a while (Haiku's ARP_STATE_REQUEST_FAILED, BSD's arpt_down).

import { ArpPacket, ArpRepr } from '../../abi/wire/arp.js';
import { BROADCAST_MAC } from '../../abi/wire/address.js';
import { ETHERTYPE_ARP } from '../../abi/wire/ethernet.js';
import type { Timer } from '../../sched/timers.js';
import type { NetInterface } from './interface.js';

// Haiku's arp.cpp: an entry lives 30 minutes (ARP_STALE_TIMEOUT); a resolution sends five requests
// a second apart (ARP_STATE_REQUEST .. ARP_STATE_LAST_REQUEST, ARP_REQUEST_TIMEOUT), then the
// neighbour is held as failed for 20 seconds (ARP_REJECT_TIMEOUT).
export const ARP_REACHABLE_NS = 1800e9;
export const ARP_RETRY_NS = 1e9;
export const ARP_MAX_REQUESTS = 5;
export const ARP_FAILED_HOLD_NS = 20e9;
/**
 * Packets held per unresolved neighbour; older ones are dropped first. Enough for every fragment of
 * the largest datagram (45 at MTU 1500), as Linux's byte limit (unres_qlen_bytes) allows: a first
 * `ping -s 65507` to a neighbour not yet resolved must not lose a fragment.
 */
export const ARP_QUEUE_LEN = 64;

export type ArpState = 'incomplete' | 'reachable' | 'failed' | 'permanent';

export interface ArpEntry {
  ip: number;
  mac: number | null;
  state: ArpState;
  /** Clock time (ns) at which the entry expires or, while incomplete, the next request is due. */
  deadline: number;
  requests: number;
  queue: Uint8Array[];
  timer: Timer | null;
}

/** What the link layer needs from the stack to run ARP. */
export interface ArpHost {
  now(): number;
  at(when: number, fn: () => void): Timer;
  cancel(t: Timer | null): void;
  /** Send an Ethernet frame out of the interface. */
  sendFrame(iface: NetInterface, dst: number, ethertype: number, payload: Uint8Array): void;
  /** The queued packets will never go: tell their senders (ICMP host unreachable, socket errors). */
  unreachable(iface: NetInterface, ip: number, packets: Uint8Array[]): void;
  /** An entry for `ip` was made: from now on an ARP packet from `ip` refreshes it (see input). */
  added(iface: NetInterface, ip: number): void;
  /** Packets given up on: pushed out of a full queue, or held for an entry that went away. */
  dropped(iface: NetInterface, packets: Uint8Array[], reason: 'neigh-queue-full' | 'neigh-failed' | 'iface-down'): void;
}

export class ArpCache {
  private readonly entries = new Map<number, ArpEntry>();
  requestsSent = 0;
  repliesSent = 0;

  constructor(
    private readonly host: ArpHost,
    private readonly iface: NetInterface,
  ) {}

  list(): ArpEntry[] {
    // Entries past their lifetime (reachable) or hold time (failed) are otherwise removed only when
    // next used; Haiku's timers remove them (ARP_STATE_STALE, ARP_STATE_REMOVE_FAILED), so the table
    // must not show them either.
    const now = this.host.now();
    for (const e of [...this.entries.values()]) {
      if ((e.state === 'reachable' || e.state === 'failed') && e.deadline <= now) this.remove(e);
    }
    return [...this.entries.values()].sort((a, b) => a.ip - b.ip);
  }

  get(ip: number): ArpEntry | undefined {
    return this.entries.get(ip);
  }

  /** Whether send() would hand a packet for `ip` over at once (an entry that is usable now). */
  resolved(ip: number): boolean {
    const e = this.entries.get(ip);
    return e !== undefined && (e.state === 'permanent' || (e.state === 'reachable' && e.deadline > this.host.now()));
  }

  /**
   * Send `packet` (an IPv4 packet) to `nextHop`: at once if its MAC is known, else after a
   * resolution. Returns 'failed' when the neighbour is known not to answer.
   */
  send(nextHop: number, packet: Uint8Array, deliver: (mac: number, packet: Uint8Array) => void): 'sent' | 'queued' | 'failed' {
    const now = this.host.now();
    let e = this.entries.get(nextHop);
    if (e && (e.state === 'reachable' || e.state === 'failed') && e.deadline <= now) {
      this.remove(e);
      e = undefined;
    }
    if (e?.state === 'reachable' || e?.state === 'permanent') {
      deliver(e.mac!, packet);
      return 'sent';
    }
    if (e?.state === 'failed') return 'failed';
    if (!e) {
      e = { ip: nextHop, mac: null, state: 'incomplete', deadline: now, requests: 0, queue: [], timer: null };
      this.entries.set(nextHop, e);
      this.host.added(this.iface, nextHop);
      this.request(e);
    }
    e.queue.push(packet);
    if (e.queue.length > ARP_QUEUE_LEN) this.host.dropped(this.iface, [e.queue.shift()!], 'neigh-queue-full');
    return 'queued';
  }

  private request(e: ArpEntry): void {
    const src = this.iface.primary?.addr ?? 0;
    const repr: ArpRepr = {
      operation: 1,
      senderMac: this.iface.device.mac!,
      senderIp: src,
      targetMac: 0,
      targetIp: e.ip,
    };
    this.emit(BROADCAST_MAC, repr);
    this.requestsSent++;
    e.requests++;
    e.deadline = this.host.now() + ARP_RETRY_NS;
    e.timer = this.host.at(e.deadline, () => this.retry(e));
  }

  private retry(e: ArpEntry): void {
    e.timer = null;
    if (this.entries.get(e.ip) !== e || e.state !== 'incomplete') return;
    if (e.requests < ARP_MAX_REQUESTS && this.iface.running) {
      this.request(e);
      return;
    }
    const queued = e.queue;
    e.queue = [];
    e.state = 'failed';
    e.deadline = this.host.now() + ARP_FAILED_HOLD_NS;
    this.host.unreachable(this.iface, e.ip, queued);
  }

  private emit(dstMac: number, repr: ArpRepr): void {
    const buf = new Uint8Array(ArpRepr.bufferLen(repr));
    ArpRepr.emit(repr, new ArpPacket(buf));
    this.host.sendFrame(this.iface, dstMac, ETHERTYPE_ARP, buf);
  }

  /** An ARP packet arrived on the interface. */
  input(payload: Uint8Array): 'ok' | 'malformed' {
    const pkt = ArpPacket.checked(payload);
    if (!(pkt instanceof ArpPacket)) return 'malformed';
    const repr = ArpRepr.parse(pkt);
    if (!('operation' in repr)) return 'malformed';
    const forUs = this.iface.hasAddress(repr.targetIp);
    // RFC 826: refresh an entry we have; create one only when the packet was meant for us.
    const known = this.entries.get(repr.senderIp);
    if (repr.senderIp !== 0 && (known || forUs)) this.learn(repr.senderIp, repr.senderMac);
    if (repr.operation === 1 && forUs) {
      this.emit(repr.senderMac, {
        operation: 2,
        senderMac: this.iface.device.mac!,
        senderIp: repr.targetIp,
        targetMac: repr.senderMac,
        targetIp: repr.senderIp,
      });
      this.repliesSent++;
    }
    return 'ok';
  }

  private learn(ip: number, mac: number): void {
    let e = this.entries.get(ip);
    if (e?.state === 'permanent') return;
    if (!e) {
      e = { ip, mac, state: 'reachable', deadline: 0, requests: 0, queue: [], timer: null };
      this.entries.set(ip, e);
      this.host.added(this.iface, ip);
    }
    this.host.cancel(e.timer);
    e.timer = null;
    e.mac = mac;
    e.state = 'reachable';
    e.deadline = this.host.now() + ARP_REACHABLE_NS;
    const waiting = e.queue;
    e.queue = [];
    for (const p of waiting) this.sendResolved(mac, p);
  }

  /** Set by the link layer: how a resolved packet leaves. */
  sendResolved: (mac: number, packet: Uint8Array) => void = () => {};

  setPermanent(ip: number, mac: number): void {
    const old = this.entries.get(ip);
    if (old) this.remove(old);
    this.entries.set(ip, { ip, mac, state: 'permanent', deadline: 0, requests: 0, queue: [], timer: null });
  }

  delete(ip: number): boolean {
    const e = this.entries.get(ip);
    if (!e) return false;
    this.remove(e);
    return true;
  }

  private remove(e: ArpEntry): void {
    this.host.cancel(e.timer);
    if (e.queue.length) this.host.dropped(this.iface, e.queue, this.iface.running ? 'neigh-failed' : 'iface-down');
    this.entries.delete(e.ip);
  }

  flush(): void {
    for (const e of [...this.entries.values()]) if (e.state !== 'permanent') this.remove(e);
  }
}
