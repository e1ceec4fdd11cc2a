// Retransmission, as tcp_output.c does it: a segment of the retransmit queue resent (trimmed to
// what is unacknowledged and to the window, cut anew at the MSS, small ones folded together), and
// the walk over the queue that resends what is marked lost as cwnd allows, a run of one GSO
// packet's segments going out as one GSO packet again.

import type { ErrnoName } from '../../abi/errno.js';
import { TCP_CA_Loss } from '../../abi/tcp.js';
import { TCP_FIN, TCP_PSH, TCP_SYN } from '../../abi/wire/tcp.js';
import { currentMss } from './mss.js';
import { inCwndReduction, transmitSkb, wndEnd } from './output.js';
import { after, before } from './seq.js';
import { EVER_RETRANS, LOST, SACKED_ACKED, SACKED_RETRANS, TAGBITS, type TcpSkb } from './skb.js';
import type { TcpSock } from './sock.js';
import { resetXmitTimer } from './timers.js';
import { tsoAutosizeSegs } from './tso.js';

/**
 * __tcp_retransmit_skb: send a segment of the retransmit queue again (trimmed to what is still
 * unacknowledged and to the window). Returns the errno, or null once sent.
 */
export function retransmitSkbOnce(sk: TcpSock, skb: TcpSkb, run = 0, maxSegs = 1): ErrnoName | 'EAGAIN' | null {
  if (before(skb.seq, sk.sndUna)) {
    if (skb.flags & TCP_SYN && skb.len === 0 && !(skb.flags & TCP_FIN)) return 'EAGAIN';
    skb.trimHead((sk.sndUna - skb.seq) >>> 0);
  }
  const mss = currentMss(sk);
  let avail = (wndEnd(sk) - skb.seq) | 0;
  if (avail <= 0) {
    if (skb.seq !== sk.sndUna) return 'EAGAIN';
    avail = mss;
  }
  let len = mss;
  if (len > avail) len = Math.floor(avail / mss) * mss || avail;
  if (skb.len > len) {
    const i = sk.rtx.indexOf(skb);
    sk.rtx.insertAfter(i, skb.splitAt(len));
    sk.packetsOut++;
    if (skb.sacked & LOST) sk.lostOut++;
  } else {
    const space = Math.min(avail, mss);
    if (skb.len < space) regroupGso(sk, skb, space);
    if (skb.len < space) retransTryCollapse(sk, skb, space);
  }
  sk.mib.RetransSegs++;
  if (skb.flags & TCP_SYN) sk.mib.TCPSynRetrans++;
  sk.totalRetrans++;
  sk.bytesRetrans += skb.len;
  const err = transmitSkb(sk, skb, false, run > 0 && !runGoesOn(sk, skb, run, maxSegs) ? TCP_PSH : 0);
  skb.sacked |= EVER_RETRANS;
  if (err && err !== 'EAGAIN') sk.mib.TCPRetransFail++;
  return err;
}

/**
 * A segment of a GSO packet resent shorter than the MSS (the MSS fell, or an ACK took its head)
 * takes the bytes after it in that packet: Linux resends the packet's one skb, cut anew at the
 * current MSS, so no boundary of the old cut survives (tcp_trim_head, tcp_fragment).
 */
function regroupGso(sk: TcpSock, to: TcpSkb, space: number): void {
  const i = sk.rtx.firstEndingAfter(to.seq);
  while (to.len < space && !(to.flags & TCP_FIN)) {
    const next = sk.rtx.at(i + 1);
    if (!next || !to.sameGso(next) || (next.sacked & TAGBITS) !== (to.sacked & TAGBITS)) return;
    const take = Math.min(space - to.len, next.len);
    if (take < next.len) {
      to.room(to.len + take);
      to.data.set(next.payload.subarray(0, take), to.len);
      to.len += take;
      next.trimHead(take);
      return;
    }
    absorbNext(sk, to, i, next);
  }
}

/** tcp_collapse_retrans: the next segment's bytes, sequence range and flags (PSH, FIN) move onto
 * `to`, at position `i`; the merged segment counts once. */
function absorbNext(sk: TcpSock, to: TcpSkb, i: number, next: TcpSkb): void {
  to.room(to.len + next.len);
  to.data.set(next.payload, to.len);
  to.len += next.len;
  to.flags |= next.flags;
  to.sacked |= next.sacked & EVER_RETRANS;
  to.eor = next.eor;
  sk.packetsOut--;
  if (next.sacked & SACKED_RETRANS) sk.retransOut--;
  if (next.sacked & LOST) sk.lostOut--;
  sk.rtx.removeAt(i + 1);
  sk.tsorted.delete(next);
}

/**
 * tcp_retrans_try_collapse: a short segment about to be resent takes in the segments after it
 * while they fit in `space` (an MSS, or the window), none SACKed or marked end-of-record, and all
 * within the window: fewer, fuller retransmissions (net.ipv4.tcp_retrans_collapse).
 */
function retransTryCollapse(sk: TcpSock, to: TcpSkb, space: number): void {
  if (!sk.host.sysctl.tcp_retrans_collapse || to.flags & TCP_SYN) return;
  if (to.sacked & SACKED_ACKED || to.eor) return;
  let left = space - to.len;
  const i = sk.rtx.indexOf(to);
  for (;;) {
    const next = sk.rtx.at(i + 1);
    if (!next || next.sacked & SACKED_ACKED || next.len > left || after(next.endSeq, wndEnd(sk))) return;
    left -= next.len;
    absorbNext(sk, to, i, next);
    if (to.eor) return;
  }
}

/**
 * Whether the run of lost segments being resent goes on past `skb` in this pass: the next one is
 * of the same GSO packet, lost and not resent yet, and cwnd lets it go too (tcp_retransmit_skb
 * resends up to cwnd's room of one skb as one GSO packet, PSH on its last segment, as measured).
 */
function runGoesOn(sk: TcpSock, skb: TcpSkb, run: number, maxSegs: number): boolean {
  if (run + 1 >= maxSegs) return false;
  const next = sk.rtx.at(sk.rtx.firstEndingAfter(skb.seq) + 1);
  if (!next || !skb.sameGso(next)) return false;
  if (!(next.sacked & LOST) || next.sacked & (SACKED_ACKED | SACKED_RETRANS)) return false;
  return sk.sndCwnd - sk.inFlight > 1 && sk.retransOut + 1 < sk.lostOut;
}

/** tcp_retransmit_skb: as above, and counted as retransmitted when it went out. */
export function retransmitSkb(sk: TcpSock, skb: TcpSkb, run = 0, maxSegs = 1): ErrnoName | 'EAGAIN' | null {
  const err = retransmitSkbOnce(sk, skb, run, maxSegs);
  if (err === null) {
    skb.sacked |= SACKED_RETRANS;
    sk.retransOut++;
  }
  if (!sk.retransStampUs) sk.retransStampUs = skb.txUs || sk.nowUs();
  if (sk.undoRetrans < 0) sk.undoRetrans = 0;
  sk.undoRetrans++;
  return err;
}

/** tcp_xmit_retransmit_queue: resend the segments marked lost, as cwnd allows. */
export function xmitRetransmitQueue(sk: TcpSock): void {
  if (!sk.packetsOut) return;
  const head = sk.rtx.first;
  let rearm = false;
  // A live walk, as Linux's rb-tree walk: a segment split to the MSS while being resent puts
  // its tail right after it, to be resent next.
  // The segment resent just before, and how many before it made one run with it: a run is one GSO
  // packet, of at most as many segments as GSO autosizing allows (tcp_tso_segs).
  let prev: TcpSkb | null = null;
  let run = 0;
  const maxSegs = tsoAutosizeSegs(sk, currentMss(sk));
  for (const skb of sk.rtx) {
    if (sk.sndCwnd - sk.inFlight <= 0) break;
    if (sk.retransOut >= sk.lostOut) break;
    if (!(skb.sacked & LOST)) continue;
    if (skb.sacked & (SACKED_ACKED | SACKED_RETRANS)) continue;
    run = prev?.sameGso(skb) && run + 1 < maxSegs ? run + 1 : 0;
    if (retransmitSkb(sk, skb, run, maxSegs)) break;
    prev = skb;
    if (sk.caState !== TCP_CA_Loss) sk.mib.TCPFastRetrans++;
    else sk.mib.TCPSlowStartRetrans++;
    if (inCwndReduction(sk)) sk.prrOut++;
    if (skb === head && sk.xmitTimerKind !== 'reo_timeout') rearm = true;
  }
  if (rearm) resetXmitTimer(sk, 'retrans', sk.rtoUs);
}
