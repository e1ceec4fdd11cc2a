// A received segment with what every step of the input path needs of it: its sequence space and
// the options a receiver reads (tcp_parse_options: timestamps always, MSS, window scale and
// SACK-permitted only on a SYN).

import { TCP_FIN, TCP_SYN, type TcpRepr } from '../../abi/wire/tcp.js';

/** A received segment with what every step needs of it. */
export interface InSegment {
  seg: TcpRepr;
  src: number;
  dst: number;
  /** The IP TOS byte (its ECN bits). */
  tos: number;
  /** seq + payload + SYN + FIN. */
  endSeq: number;
  sawTs: boolean;
  tsval: number;
  tsecr: number;
  /** Options that count only on a SYN (tcp_parse_options). */
  mss: number | null;
  wscale: number | null;
  sackPerm: boolean;
  /** The segment as it arrived (header and payload), when the input path has it: what an answer to it answers. */
  bytes?: Uint8Array;
  /** The size of the segments a super-packet (GRO's, or one a TSO peer's card handed over whole) stands for; 0 for one. */
  gsoSize?: number;
}

/** The segments a received packet stands for: a super-packet's gso_segs, else one (tcp_segs_in). */
export function segmentsIn(ins: InSegment): number {
  return ins.gsoSize ? Math.max(1, Math.ceil(ins.seg.payload.length / ins.gsoSize)) : 1;
}

/** tcp_parse_options: what a receiver takes from a segment's options. */
export function parseIncoming(seg: TcpRepr, src: number, dst: number, tos: number): InSegment {
  let sawTs = false;
  let tsval = 0;
  let tsecr = 0;
  let mss: number | null = null;
  let wscale: number | null = null;
  let sackPerm = false;
  const syn = (seg.flags & TCP_SYN) !== 0;
  for (const o of seg.options) {
    if (o.kind === 'timestamp') {
      sawTs = true;
      tsval = o.tsval;
      tsecr = o.tsecr;
    } else if (syn && o.kind === 'mss') mss = o.mss;
    else if (syn && o.kind === 'wscale') wscale = Math.min(o.shift, 14);
    else if (syn && o.kind === 'sackPermitted') sackPerm = true;
  }
  const endSeq = (seg.seq + seg.payload.length + (syn ? 1 : 0) + (seg.flags & TCP_FIN ? 1 : 0)) >>> 0;
  return { seg, src, dst, tos, endSeq, sawTs, tsval, tsecr, mss, wscale, sackPerm };
}

/** The segment's TSecr less our offset (rcv_tsecr as Linux keeps it), for RTT and undo. */
