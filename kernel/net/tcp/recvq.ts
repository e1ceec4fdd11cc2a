// The receive side's data: the in-order bytes a reader takes, the out-of-order queue that holds
// segments past a hole, and the SACK blocks (RFC 2018) and D-SACK (RFC 2883) that describe them to
// the sender, kept as Linux keeps them (tcp_data_queue_ofo, tcp_sack_new_ofo_skb, tcp_sack_remove,
// tcp_dsack_set): the block of the latest segment first, at most four, adjacent ones merged.

import { after, afterEq, before, beforeEq, seqMax } from './seq.js';

export interface SackBlock {
  start: number;
  end: number;
}

/** A segment held past a hole: [seq, end) in sequence space, FIN included in `end`. */
export interface OfoSegment {
  seq: number;
  end: number;
  data: Uint8Array;
  fin: boolean;
}

export const MAX_SACK_BLOCKS = 4;

function extend(sp: SackBlock, seq: number, end: number): boolean {
  if (beforeEq(seq, sp.end) && beforeEq(sp.start, end)) {
    if (before(seq, sp.start)) sp.start = seq;
    if (after(end, sp.end)) sp.end = end;
    return true;
  }
  return false;
}

export class RecvQueue {
  /** Readable bytes, oldest first; the first chunk is partly read from `readOffset`. */
  private readonly chunks: Uint8Array[] = [];
  private readOffset = 0;
  /** Bytes a reader can take now. */
  bytes = 0;
  /** Out-of-order segments, sorted by seq; neighbours may overlap as Linux lets them. */
  readonly ofo: OfoSegment[] = [];
  ofoBytes = 0;
  /** SACK blocks to send, most recent first. */
  readonly sacks: SackBlock[] = [];
  /** A D-SACK block to send once (RFC 2883), or null. */
  dsack: SackBlock | null = null;

  /** Queue in-order bytes for the reader. */
  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.bytes += data.length;
  }

  /** The oldest readable chunk (the payload of the segment a read starts in), if any. */
  get head(): Uint8Array | undefined {
    return this.chunks[0];
  }

  /** Take (or with peek, copy) up to n readable bytes. */
  read(n: number, peek = false): Uint8Array {
    const want = Math.min(n, this.bytes);
    const out = new Uint8Array(want);
    let got = 0;
    let i = 0;
    let off = this.readOffset;
    while (got < want) {
      const c = this.chunks[i]!;
      const take = Math.min(want - got, c.length - off);
      out.set(c.subarray(off, off + take), got);
      got += take;
      off += take;
      if (off === c.length) {
        i++;
        off = 0;
      }
    }
    if (!peek) {
      this.chunks.splice(0, i);
      this.readOffset = off;
      this.bytes -= want;
    }
    return out;
  }

  /** Throw away what nobody will read (shutdown(SHUT_RD) keeps no data, close discards). */
  discard(): number {
    const n = this.bytes;
    this.chunks.length = 0;
    this.readOffset = 0;
    this.bytes = 0;
    return n;
  }

  purgeOfo(): void {
    this.ofo.length = 0;
    this.ofoBytes = 0;
    this.sacks.length = 0;
  }

  // ------------------------------------------------------------ D-SACK and SACK blocks

  setDsack(seq: number, end: number): void {
    this.dsack = { start: seq, end };
  }

  extendDsack(seq: number, end: number): void {
    if (!this.dsack) this.setDsack(seq, end);
    else extend(this.dsack, seq, end);
  }

  /** A new out-of-order range: extend the block it touches (moving it first) or add one in front. */
  private sackNewOfo(seq: number, end: number): void {
    const sp = this.sacks;
    for (let i = 0; i < sp.length; i++) {
      if (extend(sp[i]!, seq, end)) {
        const hit = sp.splice(i, 1)[0]!;
        sp.unshift(hit);
        this.coalesceFirst();
        return;
      }
    }
    if (sp.length >= MAX_SACK_BLOCKS) sp.pop();
    sp.unshift({ start: seq, end });
  }

  /** tcp_sack_maybe_coalesce: the first block swallows the others it now touches. */
  private coalesceFirst(): void {
    const sp = this.sacks;
    const first = sp[0]!;
    for (let i = 1; i < sp.length; ) {
      if (extend(first, sp[i]!.start, sp[i]!.end)) sp.splice(i, 1);
      else i++;
    }
  }

  /** rcv_nxt moved: blocks it now covers are gone (tcp_sack_remove). */
  removeCoveredSacks(rcvNxt: number): void {
    if (this.ofo.length === 0) {
      this.sacks.length = 0;
      return;
    }
    for (let i = 0; i < this.sacks.length; ) {
      if (afterEq(rcvNxt, this.sacks[i]!.start)) this.sacks.splice(i, 1);
      else i++;
    }
  }

  // ------------------------------------------------------------ out-of-order queue

  /**
   * Hold a segment that arrived past a hole (tcp_data_queue_ofo): duplicates are dropped and
   * described by a D-SACK, a segment covering others replaces them. Returns whether it was kept.
   */
  insertOfo(seg: OfoSegment, sack: boolean): { kept: boolean; merged: number } {
    const q = this.ofo;
    let merged = 0;
    const { seq, end } = seg;
    let at = q.length;
    // From the end: the usual case is a segment after the last one.
    while (at > 0 && before(seq, q[at - 1]!.seq)) at--;
    const prev = at > 0 ? q[at - 1]! : undefined;
    let dropped = false;
    if (prev && before(seq, prev.end)) {
      if (beforeEq(end, prev.end)) {
        // All of it is here already.
        merged++;
        this.setDsack(seq, end);
        dropped = true;
      } else if (after(seq, prev.seq)) {
        this.setDsack(seq, prev.end);
      } else {
        // Same start and it covers the old one: it takes its place.
        q.splice(at - 1, 1);
        this.ofoBytes -= prev.data.length;
        this.extendDsack(prev.seq, prev.end);
        merged++;
        at--;
      }
    }
    if (!dropped) {
      q.splice(at, 0, seg);
      this.ofoBytes += seg.data.length;
      // Remove the segments this one covers.
      while (at + 1 < q.length) {
        const next = q[at + 1]!;
        if (beforeEq(end, next.seq)) break;
        if (before(end, next.end)) {
          this.extendDsack(next.seq, end);
          break;
        }
        q.splice(at + 1, 1);
        this.ofoBytes -= next.data.length;
        this.extendDsack(next.seq, next.end);
        merged++;
      }
    }
    if (sack) this.sackNewOfo(seq, end);
    return { kept: !dropped, merged };
  }

  /**
   * rcv_nxt reached the queue (tcp_ofo_queue): move what is now in order to the reader, trimming the
   * bytes already received (a D-SACK reports them). Returns the new rcv_nxt and whether a FIN came.
   */
  drainOfo(rcvNxt: number): { rcvNxt: number; fin: boolean; dropped: number } {
    let nxt = rcvNxt;
    let dsackHigh = rcvNxt;
    let dropped = 0;
    while (this.ofo.length > 0) {
      const s = this.ofo[0]!;
      if (after(s.seq, nxt)) break;
      if (before(s.seq, dsackHigh)) {
        const d = dsackHigh;
        if (before(s.end, dsackHigh)) dsackHigh = s.end;
        this.extendDsack(s.seq, d);
      }
      this.ofo.shift();
      this.ofoBytes -= s.data.length;
      if (beforeEq(s.end, nxt)) {
        dropped++;
        continue;
      }
      const skip = (nxt - s.seq) >>> 0;
      this.push(skip > 0 ? s.data.subarray(Math.min(skip, s.data.length)) : s.data);
      nxt = seqMax(nxt, s.end);
      if (s.fin) {
        // tcp_fin() purges what is left.
        this.purgeOfo();
        return { rcvNxt: nxt, fin: true, dropped };
      }
    }
    return { rcvNxt: nxt, fin: false, dropped };
  }

  /** The highest sequence held out of order (for the receive window's right edge checks). */
  get ofoHigh(): number | null {
    return this.ofo.length > 0 ? this.ofo[this.ofo.length - 1]!.end : null;
  }
}
