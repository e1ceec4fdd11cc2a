// IPv4 fragmentation (RFC 791) and bounded reassembly. Reassembly keeps at most REASM_MEMORY bytes
// in flight, gives up on a datagram after REASM_TIMEOUT_NS (answering with ICMP time exceeded,
// reassembly, when the first fragment had arrived), and drops a datagram whose fragments overlap
// or would grow it past 65535 bytes: a lab must survive the fragment attacks it demonstrates.

import type { Timer } from '../../sched/timers.js';
import { IPV4_HEADER_LEN, Ipv4Packet, type Ipv4Repr } from '../../abi/wire/ipv4.js';

export const REASM_TIMEOUT_NS = 30e9; // Linux's ipfrag_time
export const REASM_MEMORY = 4 * 1024 * 1024; // Linux's ipfrag_high_thresh
const MAX_DATAGRAM = 65535;

/**
 * Split a packet (with a 20-byte header, as the stack emits them) into fragments of at most `mtu`
 * bytes. Offsets stay multiples of 8; an incoming fragment's own MF and offset are kept.
 */
export function fragment(packet: Uint8Array, mtu: number): Uint8Array[] {
  const view = new Ipv4Packet(packet);
  const hlen = view.headerLen;
  const payload = view.payload;
  if (hlen + payload.length <= mtu) return [packet];
  const chunk = Math.floor((mtu - hlen) / 8) * 8;
  if (chunk <= 0) return [];
  const baseOffset = view.fragmentOffset;
  const lastMf = view.moreFragments;
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload.length; off += chunk) {
    const len = Math.min(chunk, payload.length - off);
    const frag = new Uint8Array(hlen + len);
    frag.set(packet.subarray(0, hlen), 0);
    frag.set(payload.subarray(off, off + len), hlen);
    const f = new Ipv4Packet(frag);
    f.totalLen = hlen + len;
    f.fragmentOffset = baseOffset + off;
    f.moreFragments = off + len < payload.length || lastMf;
    f.fillChecksum();
    out.push(f.buffer);
  }
  return out;
}

interface Piece {
  offset: number;
  data: Uint8Array;
}

interface Pending {
  key: string;
  pieces: Piece[];
  total: number | null;
  bytes: number;
  /** The first fragment's header and first 8 payload bytes, for the ICMP error. */
  first: Uint8Array | null;
  header: Uint8Array | null;
  timer: Timer;
}

export interface ReassemblyHost {
  at(when: number, fn: () => void): Timer;
  cancel(t: Timer): void;
  now(): number;
  /** A datagram timed out; `first` is the original header + 8 bytes if the first fragment came. */
  timedOut(first: Uint8Array | null, src: number): void;
}

export interface ReassemblyStats {
  reqds: number;
  oks: number;
  fails: number;
  timeouts: number;
}

export class Reassembler {
  private readonly pending = new Map<string, Pending>();
  private memory = 0;
  readonly stats: ReassemblyStats = { reqds: 0, oks: 0, fails: 0, timeouts: 0 };

  constructor(private readonly host: ReassemblyHost) {}

  get inFlight(): number {
    return this.pending.size;
  }

  /** Add one fragment; returns the whole packet once complete, else null. */
  add(packet: Uint8Array, repr: Ipv4Repr, view: Ipv4Packet): Uint8Array | null {
    this.stats.reqds++;
    const key = `${repr.src}:${repr.dst}:${repr.ident}:${repr.protocol}`;
    const data = view.payload;
    const offset = repr.fragmentOffset;
    const end = offset + data.length;
    let p = this.pending.get(key);
    if (end + IPV4_HEADER_LEN > MAX_DATAGRAM || (repr.moreFragments && data.length % 8 !== 0)) {
      if (p) this.discard(p);
      this.stats.fails++;
      return null;
    }
    if (!p) {
      const timer = this.host.at(this.host.now() + REASM_TIMEOUT_NS, () => this.expire(key));
      p = { key, pieces: [], total: null, bytes: 0, first: null, header: null, timer };
      this.pending.set(key, p);
    }
    if (p.pieces.some((x) => offset < x.offset + x.data.length && x.offset < end) || (p.total !== null && end > p.total)) {
      this.discard(p);
      this.stats.fails++;
      return null;
    }
    if (!repr.moreFragments) {
      // A last fragment that ends before bytes already received is corrupt (Linux's ip_frag_queue:
      // "end < qp->q.len"). Kept, a piece beyond the end would let the byte count match the total
      // with holes left, and complete() would write past its buffer.
      if ((p.total !== null && p.total !== end) || p.pieces.some((x) => x.offset + x.data.length > end)) {
        this.discard(p);
        this.stats.fails++;
        return null;
      }
      p.total = end;
    }
    const copy = data.slice();
    p.pieces.push({ offset, data: copy });
    p.bytes += copy.length;
    this.memory += copy.length;
    if (offset === 0) {
      p.header = packet.slice(0, view.headerLen);
      p.first = packet.slice(0, Math.min(packet.length, view.headerLen + 8));
    }
    while (this.memory > REASM_MEMORY && this.pending.size > 0) {
      const oldest = this.pending.values().next().value as Pending;
      this.discard(oldest);
      this.stats.fails++;
      if (oldest === p) return null;
    }
    if (p.total === null || p.bytes !== p.total || !p.header) return null;
    return this.complete(p);
  }

  private complete(p: Pending): Uint8Array | null {
    const hlen = p.header!.length;
    // The check in add() assumes a 20-byte header; with options the first fragment's header can make
    // the whole datagram longer than 65535, which its total length field cannot say. Linux drops it
    // ("Oversized IP packet", ReasmFails); built anyway, it would carry a wrapped total length and
    // vanish uncounted when parsed.
    if (hlen + p.total! > MAX_DATAGRAM) {
      this.discard(p);
      this.stats.fails++;
      return null;
    }
    const out = new Uint8Array(hlen + p.total!);
    out.set(p.header!, 0);
    for (const piece of p.pieces) out.set(piece.data, hlen + piece.offset);
    const v = new Ipv4Packet(out);
    v.totalLen = out.length;
    v.fragmentOffset = 0;
    v.moreFragments = false;
    v.fillChecksum();
    this.discard(p);
    this.stats.oks++;
    return out;
  }

  private expire(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.discard(p);
    this.stats.timeouts++;
    this.stats.fails++;
    this.host.timedOut(p.first, new Ipv4Packet(p.first ?? new Uint8Array(20)).src);
  }

  private discard(p: Pending): void {
    this.host.cancel(p.timer);
    this.memory -= p.bytes;
    this.pending.delete(p.key);
  }
}
