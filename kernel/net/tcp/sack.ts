// The SACK scoreboard (RFC 2018, RFC 6675, RFC 2883), as Linux's tcp_sacktag_write_queue keeps it:
// each SACK block marks the retransmit queue's segments it covers (a segment a block cuts is split
// first), counts what was newly delivered out of order, notices reordering (a never-retransmitted
// segment below the highest SACK), and recognises a D-SACK to undo a spurious retransmission.

import { TCP_CA_Loss } from '../../abi/tcp.js';
import type { TcpOption } from '../../abi/wire/tcp.js';
import { rackAdvance } from './rack.js';
import { after, before, beforeEq } from './seq.js';
import { LOST, RETRANS, SACKED_ACKED, SACKED_RETRANS, type TcpSkb } from './skb.js';
import type { TcpSock } from './sock.js';

// The FLAG_* of tcp_ack, shared by the ACK path, the scoreboard and recovery.
export const FLAG_DATA = 0x01;
export const FLAG_WIN_UPDATE = 0x02;
export const FLAG_DATA_ACKED = 0x04;
export const FLAG_RETRANS_DATA_ACKED = 0x08;
export const FLAG_SYN_ACKED = 0x10;
export const FLAG_DATA_SACKED = 0x20;
export const FLAG_ECE = 0x40;
export const FLAG_LOST_RETRANS = 0x80;
export const FLAG_SLOWPATH = 0x100;
export const FLAG_ORIG_SACK_ACKED = 0x200;
export const FLAG_SND_UNA_ADVANCED = 0x400;
export const FLAG_DSACKING_ACK = 0x800;
export const FLAG_SET_XMIT_TIMER = 0x1000;
export const FLAG_SACK_RENEGING = 0x2000;
export const FLAG_UPDATE_TS_RECENT = 0x4000;
export const FLAG_NO_CHALLENGE_ACK = 0x8000;
export const FLAG_ACK_MAYBE_DELAYED = 0x10000;
export const FLAG_DSACK_TLP = 0x20000;
export const FLAG_ACKED = FLAG_DATA_ACKED | FLAG_SYN_ACKED;
export const FLAG_NOT_DUP = FLAG_DATA | FLAG_WIN_UPDATE | FLAG_ACKED;
export const FLAG_CA_ALERT = FLAG_DATA_SACKED | FLAG_ECE | FLAG_DSACKING_ACK;
export const FLAG_FORWARD_PROGRESS = FLAG_ACKED | FLAG_DATA_SACKED;


/** What one ACK's SACK processing found (tcp_sacktag_state). */
export interface SackState {
  flag: number;
  /** The lowest sequence seen delivered out of order (reordering), snd_nxt when none. */
  reord: number;
  firstSacktUs: number;
  lastSacktUs: number;
  /** Segments newly SACKed (or D-SACKed as a delivered spurious retransmission). */
  sackDelivered: number;
}

export function newSackState(sk: TcpSock): SackState {
  return { flag: 0, reord: sk.sndNxt, firstSacktUs: 0, lastSacktUs: 0, sackDelivered: 0 };
}

/** tcp_check_sack_reordering: a hole below the highest SACK was filled without a retransmit. */
export function checkSackReordering(sk: TcpSock, lowSeq: number, ts: boolean): void {
  const fack = sk.highestSack;
  if (!before(lowSeq, fack)) return;
  const mss = sk.mssCache;
  const metric = (fack - lowSeq) >>> 0;
  if (metric > sk.reordering * mss && mss) {
    sk.reordering = Math.min(Math.ceil(metric / mss), sk.host.sysctl.tcp_max_reordering);
  }
  sk.reordSeen++;
  if (ts) sk.mib.TCPTSReorder++;
  else sk.mib.TCPSACKReorder++;
}

function dsackSeen(sk: TcpSock, start: number, end: number, state: SackState): number {
  if (!before(start, end)) return 0;
  const len = (end - start) >>> 0;
  if (len > sk.maxWindow) return 0;
  let dup = 1;
  if (len > sk.mssCache) dup = Math.ceil(len / sk.mssCache);
  else if (sk.tlpHighSeq && sk.tlpHighSeq === end) state.flag |= FLAG_DSACK_TLP;
  sk.dsackDups += dup;
  if (sk.dsackDups > sk.totalRetrans) return 0;
  if (sk.reordSeen && !(state.flag & FLAG_DSACK_TLP)) sk.rack.dsackSeen = true;
  state.flag |= FLAG_DSACKING_ACK;
  state.sackDelivered += dup;
  return dup;
}

/** tcp_check_dsack: is the first block a D-SACK (below the ACK, or inside the second block)? */
function checkDsack(sk: TcpSock, blocks: Array<[number, number]>, ack: number, priorSndUna: number, state: SackState): boolean {
  const [s0, e0] = blocks[0]!;
  if (before(s0, ack)) sk.mib.TCPDSACKRecv++;
  else if (blocks.length > 1) {
    const [s1, e1] = blocks[1]!;
    if (after(e0, e1) || before(s0, s1)) return false;
    sk.mib.TCPDSACKOfoRecv++;
  } else return false;
  const dup = dsackSeen(sk, s0, e0, state);
  if (!dup) return false;
  sk.mib.TCPDSACKRecvSegs += dup;
  if (sk.undoMarker && sk.undoRetrans > 0 && beforeEq(e0, priorSndUna) && after(e0, sk.undoMarker)) {
    sk.undoRetrans = Math.max(0, sk.undoRetrans - dup);
  }
  return true;
}

/** tcp_is_sackblock_valid. */
function blockValid(sk: TcpSock, isDsack: boolean, start: number, end: number): boolean {
  if (after(end, sk.sndNxt) || !before(start, end)) return false;
  if (!before(start, sk.sndNxt)) return false;
  if (after(start, sk.sndUna)) return true;
  if (!isDsack || !sk.undoMarker) return false;
  if (after(end, sk.sndUna)) return false;
  if (!before(start, sk.undoMarker)) return true;
  if (!after(end, sk.undoMarker)) return false;
  return !before(start, (end - sk.maxWindow) >>> 0);
}

/** tcp_sacktag_one: mark one segment SACKed (or a D-SACKed retransmission as not in flight). */
function tagOne(sk: TcpSock, state: SackState, skb: TcpSkb, dupSack: boolean): void {
  let sacked = skb.sacked;
  const { seq: start, endSeq: end } = skb;
  if (dupSack && sacked & RETRANS) {
    if (sk.undoMarker && sk.undoRetrans > 0 && after(end, sk.undoMarker)) sk.undoRetrans = Math.max(0, sk.undoRetrans - 1);
    if (sacked & SACKED_ACKED && before(start, state.reord)) state.reord = start;
  }
  if (!after(end, sk.sndUna)) return;
  if (!(sacked & SACKED_ACKED)) {
    rackAdvance(sk, sacked, end, skb.txUs);
    if (sacked & SACKED_RETRANS) {
      if (sacked & LOST) {
        sacked &= ~(LOST | SACKED_RETRANS);
        sk.lostOut--;
        sk.retransOut--;
      }
    } else {
      if (!(sacked & RETRANS)) {
        if (before(start, sk.highestSack) && before(start, state.reord)) state.reord = start;
        if (!after(end, sk.highSeq)) state.flag |= FLAG_ORIG_SACK_ACKED;
        if (state.firstSacktUs === 0) state.firstSacktUs = skb.txUs;
        state.lastSacktUs = skb.txUs;
      }
      if (sacked & LOST) {
        sacked &= ~LOST;
        sk.lostOut--;
      }
    }
    sacked |= SACKED_ACKED;
    state.flag |= FLAG_DATA_SACKED;
    sk.sackedOut++;
    state.sackDelivered++;
    if (after(end, sk.highestSack)) sk.highestSack = end;
  }
  if (dupSack && sacked & SACKED_RETRANS) {
    sacked &= ~SACKED_RETRANS;
    sk.retransOut--;
  }
  skb.sacked = sacked;
}

/** Split the retransmit-queue segment at index i after n bytes (tcp_fragment in the rtx queue). */
export function fragmentRtx(sk: TcpSock, i: number, n: number): void {
  const skb = sk.rtx.at(i)!;
  const tail = skb.splitAt(n);
  sk.rtx.insertAfter(i, tail);
  sk.packetsOut++;
  if (tail.sacked & SACKED_ACKED) sk.sackedOut++;
  if (tail.sacked & LOST) sk.lostOut++;
  if (tail.sacked & SACKED_RETRANS) sk.retransOut++;
  // The tail keeps the transmit order place right after the head.
  if (sk.tsorted.has(skb)) {
    const order = [...sk.tsorted];
    sk.tsorted.clear();
    for (const x of order) {
      sk.tsorted.add(x);
      if (x === skb) sk.tsorted.add(tail);
    }
  }
}

/**
 * tcp_match_skb_to_sack: whether the segment at position i is within [start, end). A segment of
 * one MSS or less counts only when the block covers all of it; a longer one (sent before the MSS
 * shrank) is cut at a whole number of MSS, rounded so that a block never SACKs part of an MSS, and
 * its head is in the block or not.
 */
function matchSkbToSack(sk: TcpSock, i: number, start: number, end: number): boolean {
  const skb = sk.rtx.at(i)!;
  if (!after(start, skb.seq) && !before(end, skb.endSeq)) return true;
  const mss = sk.mssCache;
  if (skb.len <= mss || !after(skb.endSeq, start)) return false;
  const startIn = !after(start, skb.seq);
  let pktLen = startIn ? (end - skb.seq) >>> 0 : (start - skb.seq) >>> 0;
  if (pktLen < mss) {
    if (startIn) return false;
    pktLen = mss;
  }
  if (pktLen > mss) {
    let rounded = Math.floor(pktLen / mss) * mss;
    if (!startIn && rounded < pktLen) rounded += mss;
    pktLen = rounded;
  }
  if (pktLen >= skb.len) return false;
  fragmentRtx(sk, i, pktLen);
  return startIn;
}

/** tcp_sacktag_walk: tag the segments of the retransmit queue in [start, end), from the first
 * one ending after `from` (where the walk stands: what is before it was already applied). */
function sacktagWalk(sk: TcpSock, state: SackState, from: number, start: number, end: number, dup: boolean): void {
  for (let i = sk.rtx.firstEndingAfter(from); i < sk.rtx.length; i++) {
    const skb = sk.rtx.at(i)!;
    if (!after(skb.endSeq, start)) continue;
    if (!before(skb.seq, end)) break;
    if (!matchSkbToSack(sk, i, start, end)) continue;
    tagOne(sk, state, sk.rtx.at(i)!, dup);
  }
}

/** tcp_sacktag_write_queue: apply the SACK blocks of an ACK to the retransmit queue. */
export function sacktagWriteQueue(sk: TcpSock, sackOpt: Extract<TcpOption, { kind: 'sack' }>, ack: number, priorSndUna: number, state: SackState): number {
  const blocks = sackOpt.blocks;
  if (!sk.packetsOut || blocks.length === 0) {
    if (!sk.packetsOut && blocks.length) return state.flag;
  }
  const foundDup = checkDsack(sk, blocks, ack, priorSndUna, state);
  if (foundDup) state.flag |= FLAG_DSACKING_ACK;
  // A SACK of data behind snd_una is odd: that D-SACK just served to undo.
  if (before(ack, priorSndUna) && !foundDup) {
    // An old ACK: blocks are still applied, as Linux does.
  }
  const valid: Array<{ start: number; end: number; dup: boolean }> = [];
  blocks.forEach(([start, end], i) => {
    const dup = foundDup && i === 0;
    if (!blockValid(sk, dup, start, end)) {
      if (dup) {
        if (!sk.undoMarker) sk.mib.TCPDSACKIgnoredNoUndo++;
        else sk.mib.TCPDSACKIgnoredOld++;
      } else {
        // A block for data not yet sent or long acknowledged: ignored.
        if (!(i === 0 && before(end, ack))) sk.mib.TCPSACKDiscard++;
      }
      return;
    }
    if (!after(end, priorSndUna) && !dup) return;
    valid.push({ start, end, dup });
  });
  valid.sort((a, b) => (before(a.start, b.start) ? -1 : after(a.start, b.start) ? 1 : 0));
  // As Linux's recv_sack_cache: during recovery every ACK repeats the blocks already applied, so
  // the part of a block that a block of the previous ACK covered is passed over and only what is
  // new is walked (without SACKed segments there is nothing to skip and the cache is not used).
  const cache = sk.sackedOut ? sk.recvSackCache : [];
  let c = 0;
  for (const blk of valid) {
    // The walk's position; a segment is still matched against the block's own start, as Linux's.
    let from = blk.start;
    if (!blk.dup) {
      while (c < cache.length && !before(blk.start, cache[c]!.end)) c++;
      while (c < cache.length && after(blk.end, cache[c]!.start)) {
        const cached = cache[c]!;
        if (before(from, cached.start)) sacktagWalk(sk, state, from, blk.start, cached.start, false);
        from = cached.end;
        c++;
        if (!after(blk.end, cached.end)) break;
      }
    }
    if (before(from, blk.end)) sacktagWalk(sk, state, from, blk.start, blk.end, blk.dup);
  }
  sk.recvSackCache = valid;
  if (sk.caState !== TCP_CA_Loss || sk.undoMarker) checkSackReordering(sk, state.reord, false);
  return state.flag;
}
