// Generic receive offload (Linux's napi_gro_receive with inet_gro_receive and tcp_gro_receive):
// the frames one drain of the backlog holds are merged, flow by flow, into super-packets before
// the stack looks at them, so TCP takes one packet (and sends one ACK) for many segments. A segment
// joins the packet held for its flow when it continues it exactly: the same addresses, ports, TOS,
// TTL and DF, the same ACK, window, header length and options, flags equal but for PSH, FIN and
// CWR, the next sequence number, no more payload than the first segment had (gso_size), and the
// whole under 64 KB. A segment with PSH or FIN, or shorter than the first, ends its packet; one
// with SYN, RST, URG or CWR, a bad checksum, IP options or no payload goes up alone, after what was
// held for its flow. At most eight
// flows are held at a time (MAX_GRO_SKBS), and every held packet goes up at the end of the drain.

import { checksumAccumulateRange, checksumFinish, pseudoHeaderSum } from '../../../abi/wire/checksum.js';
import { ETHERNET_HEADER_LEN, ETHERTYPE_IPV4 } from '../../../abi/wire/ethernet.js';
import { IPPROTO_TCP } from '../../../abi/wire/ipv4.js';
import { TCP_CWR, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../../../abi/wire/tcp.js';
import type { NetInterface } from '../interface.js';
import { GSO_MAX_SIZE, partialTcpChecksum } from './gso.js';

/** A frame of the backlog: the interface it came in on, its bytes, its gso_size (0: one segment). */
export type RxFrame = readonly [NetInterface, Uint8Array, number];

const L3 = ETHERNET_HEADER_LEN;
const MAX_GRO_SKBS = 8;

/** A TCP/IPv4 segment as GRO reads it. */
interface Seg {
  src: number;
  dst: number;
  ports: number;
  thl: number;
  seq: number;
  flags: number;
  len: number;
  total: number;
}

/** The packet held for a flow: its first frame (whose headers the merged packet keeps) and what joined it. */
interface Held {
  iface: NetInterface;
  first: Uint8Array;
  seg: Seg;
  parts: Uint8Array[];
  payload: number;
  nextSeq: number;
  lastId: number;
  flags: number;
}

function u32(p: Uint8Array, at: number): number {
  return ((p[at]! << 24) | (p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!) >>> 0;
}

/** The segment in an Ethernet frame, if GRO may hold it: IPv4 without options, not a fragment, TCP with payload and good checksums. */
function holdable(f: Uint8Array): Seg | null {
  if (f.length < L3 + 40 || ((f[12]! << 8) | f[13]!) !== ETHERTYPE_IPV4 || f[L3] !== 0x45 || f[L3 + 9] !== IPPROTO_TCP) return null;
  if (((f[L3 + 6]! & 0x3f) | f[L3 + 7]!) !== 0) return null;
  const total = (f[L3 + 2]! << 8) | f[L3 + 3]!;
  const t = L3 + 20;
  const thl = (f[t + 12]! >> 4) * 4;
  if (L3 + total > f.length || thl < 20 || 20 + thl >= total) return null;
  const flags = f[t + 13]!;
  if (flags & (TCP_SYN | TCP_RST | TCP_URG | TCP_CWR)) return null;
  if (checksumFinish(checksumAccumulateRange(f, L3, t)) !== 0) return null;
  const src = u32(f, L3 + 12);
  const dst = u32(f, L3 + 16);
  if (checksumFinish(checksumAccumulateRange(f, t, L3 + total, pseudoHeaderSum(src, dst, IPPROTO_TCP, total - 20))) !== 0) return null;
  return { src, dst, ports: u32(f, t), thl, seq: u32(f, t + 4), flags, len: total - 20 - thl, total };
}

/**
 * The flow of a TCP/IPv4 frame GRO does not hold (no payload, RST, SYN, URG, CWR, IP options, a bad
 * checksum): its held packet must go up first, as tcp_gro_receive flushes it, or the frame would
 * overtake the data before it (a RST its connection's last data, a FIN, a CWR segment).
 */
function flowOf(f: Uint8Array): { src: number; dst: number; ports: number } | null {
  if (f.length < L3 + 20 || ((f[12]! << 8) | f[13]!) !== ETHERTYPE_IPV4 || f[L3]! >> 4 !== 4 || f[L3 + 9] !== IPPROTO_TCP) return null;
  const t = L3 + (f[L3]! & 0x0f) * 4;
  if (f.length < t + 4) return null;
  return { src: u32(f, L3 + 12), dst: u32(f, L3 + 16), ports: u32(f, t) };
}

/** Whether `f` (its segment `s`) continues the packet `h` holds. */
function continues(h: Held, f: Uint8Array, s: Seg): boolean {
  const a = h.first;
  const t = L3 + 20;
  if (s.seq !== h.nextSeq || s.len > h.seg.len || s.thl !== h.seg.thl) return false;
  if (20 + h.seg.thl + h.payload + s.len >= GSO_MAX_SIZE) return false;
  // TOS, TTL and DF; with DF the ID may stay or count up, without it it must count up.
  if (f[L3 + 1] !== a[L3 + 1] || f[L3 + 8] !== a[L3 + 8] || (f[L3 + 6]! & 0x40) !== (a[L3 + 6]! & 0x40)) return false;
  const id = (f[L3 + 4]! << 8) | f[L3 + 5]!;
  const fixed = a[L3 + 6]! & 0x40 && id === h.lastId;
  if (!fixed && id !== ((h.lastId + 1) & 0xffff)) return false;
  // The ACK, header length, window and options, byte for byte; the flags but PSH, FIN and CWR.
  for (let i = 8; i < s.thl; i++) {
    if (i === 13) {
      if ((f[t + i]! ^ a[t + i]!) & ~(TCP_CWR | TCP_FIN | TCP_PSH)) return false;
    } else if (i !== 16 && i !== 17 && f[t + i] !== a[t + i]) return false;
  }
  return true;
}

/** The merged packet: the first frame's headers with the new lengths, every payload after them. */
function build(h: Held): Uint8Array {
  const hdr = L3 + 20 + h.seg.thl;
  const out = new Uint8Array(hdr + h.payload);
  out.set(h.first.subarray(0, hdr));
  let at = hdr;
  for (const p of h.parts) {
    out.set(p, at);
    at += p.length;
  }
  const total = 20 + h.seg.thl + h.payload;
  out[L3 + 2] = total >> 8;
  out[L3 + 3] = total & 0xff;
  out[L3 + 10] = out[L3 + 11] = 0;
  const c = checksumFinish(checksumAccumulateRange(out, L3, L3 + 20));
  out[L3 + 10] = c >> 8;
  out[L3 + 11] = c & 0xff;
  const t = L3 + 20;
  out[t + 13] = out[t + 13]! | h.flags;
  // Verified segment by segment: the merged one carries the pseudo-header sum, as tcp_gro_complete leaves it.
  const partial = partialTcpChecksum(h.seg.src, h.seg.dst, total - 20);
  out[t + 16] = partial >> 8;
  out[t + 17] = partial & 0xff;
  return out;
}

/**
 * One drain's frames with the segments of each flow merged, for the interfaces whose features
 * have GRO on; frames GRO does not hold go up in their order, held packets when their flow ends
 * or at the end. `merged` hears of each packet made of several (for packet journeys).
 */
export function groMerge(batch: RxFrame[], merged?: (iface: NetInterface, first: Uint8Array, packet: Uint8Array, segments: number) => void): RxFrame[] {
  if (!batch.some((e) => e[0].device.features?.gro)) return batch;
  const out: RxFrame[] = [];
  const held: Held[] = [];
  const flush = (h: Held): void => {
    held.splice(held.indexOf(h), 1);
    if (h.parts.length === 1) return void out.push([h.iface, h.first, 0]);
    const packet = build(h);
    merged?.(h.iface, h.first, packet, h.parts.length);
    out.push([h.iface, packet, h.seg.len]);
  };
  for (const e of batch) {
    const [iface, frame, gso] = e;
    const gro = gso === 0 && iface.device.features?.gro === true;
    const s = gro ? holdable(frame) : null;
    const k = s ?? (gro && held.length ? flowOf(frame) : null);
    const h = k ? held.find((x) => x.iface === iface && x.seg.src === k.src && x.seg.dst === k.dst && x.seg.ports === k.ports) : undefined;
    if (h && s && continues(h, frame, s)) {
      const hdr = L3 + 20 + s.thl;
      h.parts.push(frame.subarray(hdr, hdr + s.len));
      h.payload += s.len;
      h.nextSeq = (h.nextSeq + s.len) >>> 0;
      h.lastId = (frame[L3 + 4]! << 8) | frame[L3 + 5]!;
      h.flags |= s.flags & (TCP_PSH | TCP_FIN);
      if (s.len < h.seg.len || s.flags & (TCP_PSH | TCP_FIN)) flush(h);
      continue;
    }
    if (h) flush(h);
    if (!s) {
      out.push(e);
      continue;
    }
    if (held.length >= MAX_GRO_SKBS) flush(held[0]!);
    const hdr = L3 + 20 + s.thl;
    const n: Held = { iface, first: frame, seg: s, parts: [frame.subarray(hdr, hdr + s.len)], payload: s.len, nextSeq: (s.seq + s.len) >>> 0, lastId: (frame[L3 + 4]! << 8) | frame[L3 + 5]!, flags: 0 };
    held.push(n);
    if (s.flags & (TCP_PSH | TCP_FIN)) flush(n);
  }
  while (held.length) flush(held[0]!);
  return out;
}
