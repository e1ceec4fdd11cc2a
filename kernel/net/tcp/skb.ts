// A segment of the send side, as Linux's sk_buff with its tcp_skb_cb: the bytes it carries, its
// sequence range, the flags it goes out with, its scoreboard marks (SACKed, retransmitted, lost)
// and the times and delivery counts that RACK and rate sampling read. A segment never exceeds one
// MSS and every count of segments is a count of these: a GSO super-packet is a run of them sent
// together (see `gso`), not one of its own.

import { TCP_FIN, TCP_PSH, TCP_SYN } from '../../abi/wire/tcp.js';

/** Scoreboard marks (Linux's TCPCB_*). */
export const SACKED_ACKED = 0x01;
export const SACKED_RETRANS = 0x02;
export const LOST = 0x04;
export const TAGBITS = 0x07;
export const EVER_RETRANS = 0x80;
/** TCPCB_RETRANS: retransmitted now or ever. */
export const RETRANS = SACKED_RETRANS | EVER_RETRANS;

export class TcpSkb {
  /** Payload bytes; `data.length` is the capacity, `len` the bytes in use. Segments cut from one
   * another share memory (views), and only a freshly queued one has room beyond `len`. */
  data: Uint8Array;
  len: number;
  seq: number;
  /** TCP flags this segment carries (SYN, FIN, PSH, ACK ... as set when queued). */
  flags: number;
  sacked = 0;
  /** MSG_EOR: nothing may be appended to this segment or merged with it. */
  eor = false;
  /** µs of the latest transmission (skb_mstamp_ns), 0 while never sent. */
  txUs = 0;
  /** µs of the first transmission (for the retrans_stamp and the connection's timeouts). */
  firstTxUs = 0;
  /** Rate sampling, as tcp_rate_skb_sent records them. */
  deliveredAtTx = 0;
  deliveredUsAtTx = 0;
  firstTxOfFlightUs = 0;
  appLimitedAtTx = false;
  /** How many times it was sent (1 after the first transmission). */
  txCount = 0;
  /** The GSO packet it first went out in (0: alone). Linux keeps each such packet as one skb in
   * the retransmit queue, so a run of its segments resent together is one GSO packet again. */
  gso = 0;

  constructor(seq: number, capacity: number, flags: number) {
    this.seq = seq;
    this.data = new Uint8Array(capacity);
    this.len = 0;
    this.flags = flags;
  }

  /** The sequence space this segment takes: its bytes, and one each for SYN and FIN. */
  get endSeq(): number {
    return (this.seq + this.len + (this.flags & TCP_SYN ? 1 : 0) + (this.flags & TCP_FIN ? 1 : 0)) >>> 0;
  }

  get payload(): Uint8Array {
    return this.data.subarray(0, this.len);
  }

  /** Append bytes (at most the room left); returns how many were taken. */
  append(bytes: Uint8Array, offset: number, max: number): number {
    const n = Math.min(max, this.data.length - this.len, bytes.length - offset);
    if (n <= 0) return 0;
    this.data.set(bytes.subarray(offset, offset + n), this.len);
    this.len += n;
    return n;
  }

  /** Room for more bytes up to `goal`, growing the buffer when the goal grew since allocation. */
  room(goal: number): number {
    if (goal > this.data.length) {
      const grown = new Uint8Array(goal);
      grown.set(this.data.subarray(0, this.len));
      this.data = grown;
    }
    return goal - this.len;
  }

  /**
   * Move up to `n` bytes from the front of `next` (the segment after this one, not yet sent) onto
   * this one (tcp_grow_skb / skb_shift). Returns the bytes moved; when `next` is emptied its flags
   * and EOR mark come along, and the caller unlinks it.
   */
  pullFrom(next: TcpSkb, n: number): number {
    const take = Math.min(n, next.len);
    if (take <= 0) return 0;
    this.room(this.len + take);
    this.data.set(next.data.subarray(0, take), this.len);
    this.len += take;
    next.data = next.data.subarray(take, next.len);
    next.len -= take;
    next.seq = (next.seq + take) >>> 0;
    if (next.len === 0) {
      this.flags |= next.flags;
      this.eor = next.eor;
    }
    return take;
  }

  /** Split after `n` payload bytes (tcp_fragment): this keeps the head, the tail is returned. */
  splitAt(n: number): TcpSkb {
    // Both halves become views of the bytes they hold (no copy); neither has spare room, so a
    // later append to either grows it into a buffer of its own (room()).
    const tail = new TcpSkb((this.seq + n) >>> 0, 0, this.flags & ~TCP_SYN);
    tail.data = this.data.subarray(n, this.len);
    tail.len = this.len - n;
    tail.sacked = this.sacked;
    tail.eor = this.eor;
    tail.txUs = this.txUs;
    tail.firstTxUs = this.firstTxUs;
    tail.txCount = this.txCount;
    tail.deliveredAtTx = this.deliveredAtTx;
    tail.deliveredUsAtTx = this.deliveredUsAtTx;
    tail.firstTxOfFlightUs = this.firstTxOfFlightUs;
    tail.appLimitedAtTx = this.appLimitedAtTx;
    tail.gso = this.gso;
    // The head keeps no FIN or PSH: they belong to the end of the data.
    this.flags &= ~(TCP_FIN | TCP_PSH);
    this.data = this.data.subarray(0, n);
    this.len = n;
    this.eor = false;
    return tail;
  }

  /** Whether `next` follows this segment in the GSO packet both first went out in. */
  sameGso(next: TcpSkb): boolean {
    return this.gso !== 0 && next.gso === this.gso && next.seq === this.endSeq;
  }

  /** Drop `n` acknowledged bytes from the front (a partial ACK of this segment, tcp_trim_head). */
  trimHead(n: number): void {
    this.data = this.data.subarray(n, this.len);
    this.len -= n;
    this.seq = (this.seq + n) >>> 0;
    this.flags &= ~TCP_SYN;
  }
}

/** A queue of segments with cheap removal at the head and appends at the tail. */
export class SkbQueue {
  private items: TcpSkb[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  get first(): TcpSkb | undefined {
    return this.items[this.head];
  }

  get last(): TcpSkb | undefined {
    return this.length > 0 ? this.items[this.items.length - 1] : undefined;
  }

  at(i: number): TcpSkb | undefined {
    return this.items[this.head + i];
  }

  push(skb: TcpSkb): void {
    this.items.push(skb);
  }

  unshift(skb: TcpSkb): void {
    if (this.head > 0) this.items[--this.head] = skb;
    else this.items.unshift(skb);
  }

  /** Remove and return the last segment. */
  pop(): TcpSkb | undefined {
    if (this.length === 0) return undefined;
    return this.items.pop();
  }

  shift(): TcpSkb | undefined {
    if (this.head >= this.items.length) return undefined;
    const skb = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as TcpSkb;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return skb;
  }

  /** Put `skb` right after position i. */
  insertAfter(i: number, skb: TcpSkb): void {
    this.items.splice(this.head + i + 1, 0, skb);
  }

  /** Remove the segment at position i. */
  removeAt(i: number): void {
    this.items.splice(this.head + i, 1);
  }

  /** The position of the first segment ending after `seq` (the queue is in sequence order, as
   * the retransmit queue is): where a walk for `seq` starts, as Linux's rb-tree search does. */
  firstEndingAfter(seq: number): number {
    const base = this.first?.seq ?? 0;
    const target = (seq - base) | 0;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (((this.items[this.head + mid]!.endSeq - base) | 0) <= target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  indexOf(skb: TcpSkb): number {
    const i = this.items.indexOf(skb, this.head);
    return i < 0 ? -1 : i - this.head;
  }

  clear(): TcpSkb[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }

  *[Symbol.iterator](): IterableIterator<TcpSkb> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }
}
