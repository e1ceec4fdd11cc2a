// The one bounded packet queue of the kernel: a FIFO with a limit (in packets, or in bytes through
// a cost per packet), a drop counter for what did not fit, a wait queue its readers sleep on and a
// hook for select. A tun/tap fd's queue, a socket's receive queue and the stack's backlog are each
// one of these: nothing in the kernel buffers without bound, and every drop is counted.

import { WaitQueue } from '../../sched/scheduler.js';

export interface PacketQueueOptions<T> {
  /** Names the wait channel readers sleep on ("/dev/tun/0 (waiting for a packet)"). */
  readonly name: string;
  /** The limit, asked at each push: it may change under a full queue (SIOCSIFTXQLEN, SO_RCVBUF). */
  readonly limit: () => number;
  /** What one item counts against the limit (1 unless said: a limit in packets). */
  readonly cost?: (item: T) => number;
}

export class PacketQueue<T> {
  /** Readers waiting for an item; woken by every push. */
  readonly readers: WaitQueue;
  /** Items refused because the queue was full. */
  drops = 0;
  /** Called after an item was queued (select notification). */
  onPush: (() => void) | null = null;
  private items: Array<T | undefined> = [];
  private head = 0;
  private used = 0;
  private readonly cost: (item: T) => number;

  constructor(private readonly opts: PacketQueueOptions<T>) {
    this.readers = new WaitQueue(opts.name);
    this.cost = opts.cost ?? (() => 1);
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** What the queued items count against the limit. */
  get size(): number {
    return this.used;
  }

  /** Queue an item, or drop and count it when it does not fit. */
  push(item: T): boolean {
    const cost = this.cost(item);
    if (this.used + cost > this.opts.limit()) {
      this.drops++;
      return false;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.items.push(item);
    this.used += cost;
    this.readers.wakeAll();
    this.onPush?.();
    return true;
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    this.used -= this.cost(item);
    return item;
  }

  /** Take every item at once, oldest first (a soft interrupt's batch). */
  takeAll(): T[] {
    const out = this.items.slice(this.head) as T[];
    this.clear();
    return out;
  }

  /** Every item, oldest first, without taking them. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }

  /** Empty the queue (its items are discarded, not counted as drops). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.used = 0;
  }
}
