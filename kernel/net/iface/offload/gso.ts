// Software segmentation of a TCP/IPv4 super-packet (Linux's skb_gso_segment with tcp_gso_segment):
// a packet whose payload is up to 64 KB, made by a TCP that could hand its device more than one
// segment at a time, is cut into segments of gso_size bytes where it meets a hop that cannot carry
// it whole (a NIC without TSO, a router's egress, a wire that loses frames one by one). Each piece
// has the headers of the whole with its own IP total length and checksum, the IP ID of the whole
// plus its index, its sequence number, FIN and PSH only on the last, CWR only on the first, and a
// complete TCP checksum: the whole carried only the pseudo-header's (CHECKSUM_PARTIAL).

import { checksumAccumulateRange, checksumFinish, pseudoHeaderSum } from '../../../abi/wire/checksum.js';
import { IPPROTO_TCP } from '../../../abi/wire/ipv4.js';
import { TCP_CWR, TCP_FIN, TCP_PSH } from '../../../abi/wire/tcp.js';

/** The largest packet GSO and GRO build (Linux's GSO_LEGACY_MAX_SIZE): the IP total length's limit. */
export const GSO_MAX_SIZE = 65536;

/** Where the headers of a TCP/IPv4 packet starting at `l3` end, or null when it is none (or a fragment). */
export function tcpHeaders(p: Uint8Array, l3: number): { ihl: number; thl: number; total: number } | null {
  if (p.length < l3 + 40 || p[l3]! >> 4 !== 4 || p[l3 + 9] !== IPPROTO_TCP) return null;
  const ihl = (p[l3]! & 0x0f) * 4;
  const total = (p[l3 + 2]! << 8) | p[l3 + 3]!;
  if (((p[l3 + 6]! & 0x3f) | p[l3 + 7]!) !== 0) return null;
  if (ihl < 20 || l3 + total > p.length || total < ihl + 20) return null;
  const thl = (p[l3 + ihl + 12]! >> 4) * 4;
  if (thl < 20 || ihl + thl > total) return null;
  return { ihl, thl, total };
}

function addr(p: Uint8Array, at: number): number {
  return ((p[at]! << 24) | (p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!) >>> 0;
}

/** Fill the IPv4 header checksum of the header at `at`. */
function ipChecksum(p: Uint8Array, at: number, ihl: number): void {
  p[at + 10] = 0;
  p[at + 11] = 0;
  const c = checksumFinish(checksumAccumulateRange(p, at, at + ihl));
  p[at + 10] = c >> 8;
  p[at + 11] = c & 0xff;
}

/**
 * The TCP checksum field of a packet whose device computes the rest (CHECKSUM_PARTIAL): the folded
 * pseudo-header sum, not complemented, as Linux leaves it for the NIC (tcp_v4_send_check). A
 * capture of such a packet shows the checksum as incorrect, as tcpdump on Linux does.
 */
export function partialTcpChecksum(src: number, dst: number, tcpLen: number): number {
  return ~checksumFinish(pseudoHeaderSum(src, dst, IPPROTO_TCP, tcpLen)) & 0xffff;
}

/** Fill a complete TCP checksum over the segment at `at`..`end` of `p`. */
export function fillTcpChecksum(p: Uint8Array, at: number, end: number, src: number, dst: number): void {
  p[at + 16] = 0;
  p[at + 17] = 0;
  const c = checksumFinish(checksumAccumulateRange(p, at, end, pseudoHeaderSum(src, dst, IPPROTO_TCP, end - at)));
  p[at + 16] = c >> 8;
  p[at + 17] = c & 0xff;
}

/**
 * Cut the TCP/IPv4 packet at `l3` of `p` (what precedes it, a link header, is copied into every
 * piece) into segments of at most `gsoSize` payload bytes. Each piece is a buffer of its own with
 * `headroom` free bytes in front of it (for a link header written in place). A packet that is not
 * TCP/IPv4 comes back whole.
 */
export function gsoSegment(p: Uint8Array, l3: number, gsoSize: number, headroom = 0): Uint8Array[] {
  const h = tcpHeaders(p, l3);
  if (!h || gsoSize <= 0) return [p];
  const hdr = l3 + h.ihl + h.thl;
  const payloadLen = h.total - h.ihl - h.thl;
  const src = addr(p, l3 + 12);
  const dst = addr(p, l3 + 16);
  if (payloadLen <= gsoSize) {
    // One segment already: it leaves as it is, its checksum completed (it may be partial).
    fillTcpChecksum(p, l3 + h.ihl, l3 + h.total, src, dst);
    return [p];
  }
  const id0 = (p[l3 + 4]! << 8) | p[l3 + 5]!;
  const t = l3 + h.ihl;
  const seq0 = addr(p, t + 4);
  const flags = p[t + 13]!;
  const n = Math.ceil(payloadLen / gsoSize);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const off = i * gsoSize;
    const len = Math.min(gsoSize, payloadLen - off);
    const piece = new Uint8Array(headroom + hdr + len).subarray(headroom);
    piece.set(p.subarray(0, hdr));
    piece.set(p.subarray(hdr + off, hdr + off + len), hdr);
    const total = h.ihl + h.thl + len;
    piece[l3 + 2] = total >> 8;
    piece[l3 + 3] = total & 0xff;
    const id = (id0 + i) & 0xffff;
    piece[l3 + 4] = id >> 8;
    piece[l3 + 5] = id & 0xff;
    ipChecksum(piece, l3, h.ihl);
    const seq = (seq0 + off) >>> 0;
    piece[t + 4] = seq >>> 24;
    piece[t + 5] = (seq >>> 16) & 0xff;
    piece[t + 6] = (seq >>> 8) & 0xff;
    piece[t + 7] = seq & 0xff;
    let f = flags;
    if (i < n - 1) f &= ~(TCP_FIN | TCP_PSH);
    if (i > 0) f &= ~TCP_CWR;
    piece[t + 13] = f;
    fillTcpChecksum(piece, t, l3 + total, src, dst);
    out.push(piece);
  }
  return out;
}
