// The root qdisc of an interface: what Linux's dev_queue_xmit hands a frame to before the driver.
// Every frame the stack sends out of an interface (IP packets, ARP, a bridge's forwarding) passes
// here, with its link-layer header, so `tc -s` counts what Linux counts. tcpdump's tap sees a frame
// when it leaves the qdisc, as Linux's packet taps do (dev_hard_start_xmit): a netem loss never
// shows, a netem delay shows as a later timestamp.
//
// Three kinds: pfifo (the device takes every frame at once, so only a limit of 0 refuses), netem
// (sch_netem.c: loss, duplication, corruption, delay with uniform jitter, reordering, a rate) and
// tbf (sch_tbf.c: a token bucket). Their randomness is a sub-stream of the host's seeded source and
// their delays are kernel timers: in virtual time a run is the same every time.

import type { ErrnoName } from '../../abi/errno.js';
import type { NetemOptions, QdiscOptions, QdiscStats, TbfOptions } from '../../abi/if.js';
import type { Random } from '../../sched/random.js';
import type { Timer } from '../../sched/timers.js';
import type { StackTimers } from './env.js';
import type { InterfaceQdisc, NetInterface } from './interface.js';

/** Hand one frame to the driver (and tcpdump's tap). */
export type DeviceSend = (data: Uint8Array) => void;

const NS_PER_SEC = 1_000_000_000;

export function emptyStats(): QdiscStats {
  return { sentBytes: 0, sentPackets: 0, drops: 0, overlimits: 0, requeues: 0, backlogBytes: 0, backlogPackets: 0 };
}

/** One frame waiting in a qdisc, and where it goes when it leaves. */
interface Queued {
  data: Uint8Array;
  send: DeviceSend;
  /** netem: when it may leave (ns). */
  due: number;
}

export abstract class RootQdisc implements InterfaceQdisc {
  readonly stats = emptyStats();
  protected readonly queue: Queued[] = [];
  private timer: Timer | null = null;

  constructor(
    public handle: number,
    protected readonly iface: NetInterface,
    protected readonly timers: StackTimers,
  ) {}

  abstract get options(): QdiscOptions;
  /** tc qdisc change: new options, the same queue and counters. */
  abstract change(o: QdiscOptions): void;
  /** Take one frame; an errno when it is refused (the sender sees local congestion). */
  abstract enqueue(data: Uint8Array, send: DeviceSend): ErrnoName | null;
  /** The next frame may leave now: remove and return it; or null, with the time to try again (or null: empty). */
  protected abstract dequeue(now: number): Queued | { retryAt: number | null };

  protected count(q: Queued, sign: 1 | -1): void {
    this.stats.backlogBytes += sign * q.data.length;
    this.stats.backlogPackets += sign;
  }

  /** A FIFO's enqueue: a drop that the sender sees (ENOBUFS) when it does not fit, else queued and run. */
  protected enqueueTail(data: Uint8Array, send: DeviceSend, fits: boolean): ErrnoName | null {
    if (!fits) {
      this.stats.drops++;
      return 'ENOBUFS';
    }
    const q = { data, send, due: 0 };
    this.queue.push(q);
    this.count(q, 1);
    this.run();
    return null;
  }

  /** qdisc_run: send every frame that may leave, then wait for the next one's time. */
  protected run(): void {
    this.timers.cancel(this.timer);
    this.timer = null;
    for (;;) {
      const r = this.dequeue(this.timers.now());
      if ('retryAt' in r) {
        if (r.retryAt !== null) this.timer = this.timers.at(r.retryAt, () => this.run());
        return;
      }
      this.count(r, -1);
      // A device taken down meanwhile: Linux resets its qdisc, and what was queued is gone.
      if (!this.iface.up) {
        this.stats.drops++;
        continue;
      }
      this.stats.sentPackets++;
      this.stats.sentBytes += r.data.length;
      r.send(r.data);
    }
  }

  /** The qdisc is deleted or replaced: its frames and its timer go with it. */
  destroy(): void {
    this.timers.cancel(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }
}

class Pfifo extends RootQdisc {
  constructor(
    handle: number,
    iface: NetInterface,
    timers: StackTimers,
    private limit: number,
  ) {
    super(handle, iface, timers);
  }

  get options(): QdiscOptions {
    return { kind: 'pfifo', limit: this.limit };
  }

  change(o: QdiscOptions): void {
    if (o.kind === 'pfifo') this.limit = o.limit;
  }

  enqueue(data: Uint8Array, send: DeviceSend): ErrnoName | null {
    return this.enqueueTail(data, send, this.queue.length < this.limit);
  }

  protected dequeue(): Queued | { retryAt: number | null } {
    return this.queue.shift() ?? { retryAt: null };
  }
}

/** Does an event of netem probability `p` (a fraction of 2^32 - 1) happen? As get_crandom without correlation. */
function happens(random: Random, p: number): boolean {
  return p !== 0 && p >= random.nextU32();
}

class Netem extends RootQdisc {
  /** Packets since the last reordered one (netem's counter). */
  private counter = 0;

  constructor(
    handle: number,
    iface: NetInterface,
    timers: StackTimers,
    private o: NetemOptions,
    private readonly random: Random,
  ) {
    super(handle, iface, timers);
  }

  get options(): QdiscOptions {
    return { ...this.o };
  }

  change(o: QdiscOptions): void {
    if (o.kind === 'netem') this.o = { ...o };
  }

  enqueue(data: Uint8Array, send: DeviceSend): ErrnoName | null {
    return this.enqueueOne(data, send, this.o.duplicate);
  }

  /** netem_enqueue; a duplicate re-enters with duplication off, as netem does at the root. */
  private enqueueOne(data: Uint8Array, send: DeviceSend, duplicate: number): ErrnoName | null {
    const o = this.o;
    let count = 1;
    if (happens(this.random, duplicate)) count++;
    if (happens(this.random, o.loss)) count--;
    if (count === 0) {
      // Lost: counted as a drop, yet the sender is told it went (NET_XMIT_SUCCESS | BYPASS).
      this.stats.drops++;
      return null;
    }
    const copy = count > 1 ? data.slice() : null;
    if (happens(this.random, o.corrupt) && data.length > 0) {
      data = data.slice();
      data[this.random.int(data.length)]! ^= 1 << this.random.int(8);
    }
    if (this.queue.length >= o.limit) {
      this.stats.drops++;
      return 'ENOBUFS';
    }
    const now = this.timers.now();
    const q: Queued = { data, send, due: now };
    if (o.gap === 0 || this.counter < o.gap - 1 || o.reorder < this.random.nextU32()) {
      let delay = o.delayNs;
      if (o.jitterNs > 0) delay += (this.random.nextU32() % (2 * o.jitterNs)) - o.jitterNs;
      let from = now;
      if (o.rate > 0) {
        // Frames leave one after another at the rate: the last queued one's time is the reference.
        const last = this.queue.at(-1);
        if (last) {
          delay = Math.max(0, delay - (last.due - now));
          from = last.due;
        }
        delay += Math.floor((data.length * NS_PER_SEC) / o.rate);
      }
      q.due = from + delay;
      this.counter++;
      this.insertByTime(q);
    } else {
      // Reordered: this one goes first, now (netem puts it at the head and counts a requeue).
      this.counter = 0;
      this.queue.unshift(q);
      this.stats.requeues++;
    }
    this.count(q, 1);
    if (copy) this.enqueueOne(copy, send, 0);
    this.run();
    return null;
  }

  /** tfifo: in time order, after frames due at the same moment. */
  private insertByTime(q: Queued): void {
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.queue[mid]!.due <= q.due) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, q);
  }

  protected dequeue(now: number): Queued | { retryAt: number | null } {
    const head = this.queue[0];
    if (!head) return { retryAt: null };
    if (head.due > now) return { retryAt: head.due };
    return this.queue.shift()!;
  }
}

class Tbf extends RootQdisc {
  /** Tokens in ns of sending time at the rate, at most the bucket (`burst` bytes' worth). */
  private tokens: number;
  private checkpoint: number;

  constructor(
    handle: number,
    iface: NetInterface,
    timers: StackTimers,
    private o: TbfOptions,
  ) {
    super(handle, iface, timers);
    this.tokens = this.bucketNs();
    this.checkpoint = timers.now();
  }

  get options(): QdiscOptions {
    return { ...this.o };
  }

  change(o: QdiscOptions): void {
    if (o.kind !== 'tbf') return;
    this.o = { ...o };
    this.tokens = this.bucketNs();
    this.checkpoint = this.timers.now();
  }

  private lengthNs(bytes: number): number {
    return Math.floor((bytes * NS_PER_SEC) / this.o.rate);
  }

  private bucketNs(): number {
    return this.lengthNs(this.o.burst);
  }

  enqueue(data: Uint8Array, send: DeviceSend): ErrnoName | null {
    // A frame bigger than the bucket could never leave; the byte FIFO holds `limit` bytes.
    return this.enqueueTail(data, send, data.length <= this.o.burst && this.stats.backlogBytes + data.length <= this.o.limit);
  }

  protected dequeue(now: number): Queued | { retryAt: number | null } {
    const head = this.queue[0];
    if (!head) return { retryAt: null };
    const bucket = this.bucketNs();
    const toks = Math.min(this.tokens + Math.min(now - this.checkpoint, bucket), bucket) - this.lengthNs(head.data.length);
    if (toks >= 0) {
      this.checkpoint = now;
      this.tokens = toks;
      return this.queue.shift()!;
    }
    this.stats.overlimits++;
    return { retryAt: now - toks };
  }
}

/** A new root qdisc of these options. */
export function createQdisc(o: QdiscOptions, handle: number, iface: NetInterface, timers: StackTimers, random: Random): RootQdisc {
  switch (o.kind) {
    case 'pfifo':
      return new Pfifo(handle, iface, timers, o.limit);
    case 'netem':
      return new Netem(handle, iface, timers, { ...o }, random);
    case 'tbf':
      return new Tbf(handle, iface, timers, { ...o });
  }
}

/** dev_queue_xmit: through the root qdisc when there is one, else straight to the driver. */
export function devQueueXmit(iface: NetInterface, data: Uint8Array, send: DeviceSend): ErrnoName | null {
  if (!iface.qdisc) {
    send(data);
    return null;
  }
  return iface.qdisc.enqueue(data, send);
}
