// RACK loss detection (RFC 8985), as Linux's tcp_recovery.c runs it: a segment is lost when one
// sent after it has been delivered and more than an RTT plus a reordering window has passed since
// it was sent. The window is a quarter of the minimum RTT (grown in steps after D-SACKs), and
// nothing at all before any reordering was seen once recovery starts or three segments are SACKed.
// Also here: marking a segment lost, which RACK, the RTO and NewReno share.

import { TCP_CA_Recovery } from '../../abi/tcp.js';
import { after, before } from './seq.js';
import { LOST, RETRANS, SACKED_ACKED, SACKED_RETRANS, type TcpSkb } from './skb.js';
import type { TcpSock } from './sock.js';
import { resetXmitTimer } from './timers.js';

const TCP_RACK_NO_DUPTHRESH = 0x4;
const TCP_RACK_STATIC_REO_WND = 0x2;
const TCP_RACK_RECOVERY_THRESH = 16;

export function isRack(sk: TcpSock): boolean {
  return (sk.host.sysctl.tcp_recovery & 0x1) !== 0;
}

/** tcp_mark_skb_lost: count a segment lost (or its retransmission lost again). */
export function markSkbLost(sk: TcpSock, skb: TcpSkb): void {
  const s = skb.sacked;
  if (s & SACKED_ACKED) return;
  if (s & LOST) {
    if (s & SACKED_RETRANS) {
      skb.sacked &= ~SACKED_RETRANS;
      sk.retransOut--;
      sk.mib.TCPLostRetransmit++;
      sk.lost++;
    }
  } else {
    sk.lostOut++;
    skb.sacked |= LOST;
    sk.lost++;
  }
}

/** tcp_skb_sent_after: t1/seq1 was sent after t2/seq2 (ties broken by sequence). */
function sentAfter(t1: number, t2: number, seq1: number, seq2: number): boolean {
  return t1 > t2 || (t1 === t2 && after(seq1, seq2));
}

/** tcp_rack_advance: a delivered segment; remember the latest-sent one and its RTT. */
export function rackAdvance(sk: TcpSock, sacked: number, endSeq: number, txUs: number): void {
  const rtt = sk.nowUs() - txUs;
  // An ambiguous retransmission: which copy arrived is unknown.
  if (rtt < sk.minRttUs && sacked & RETRANS) return;
  sk.rack.advanced = true;
  sk.rack.rttUs = rtt;
  if (sentAfter(txUs, sk.rack.mstampUs, endSeq, sk.rack.endSeq)) {
    sk.rack.mstampUs = txUs;
    sk.rack.endSeq = endSeq;
  }
}

/** tcp_rack_reo_wnd. */
export function rackReoWnd(sk: TcpSock): number {
  if (!sk.reordSeen) {
    if (sk.caState >= TCP_CA_Recovery) return 0;
    if (sk.sackedOut >= sk.reordering && !(sk.host.sysctl.tcp_recovery & TCP_RACK_NO_DUPTHRESH)) return 0;
  }
  const minRtt = sk.minRttUs === 0xffffffff ? 0 : sk.minRttUs;
  return Math.min((minRtt >> 2) * sk.rack.reoWndSteps, sk.srttUs >> 3);
}

/** Time left before `skb` counts as lost (tcp_rack_skb_timeout). */
export function rackSkbTimeout(sk: TcpSock, skb: TcpSkb, reoWnd: number): number {
  return sk.rack.rttUs + reoWnd - (sk.nowUs() - skb.txUs);
}

/** tcp_rack_detect_loss: mark what RACK shows lost; returns the longest wait for the rest. */
export function rackDetectLoss(sk: TcpSock): number {
  let reoTimeout = 0;
  const reoWnd = rackReoWnd(sk);
  // The set is walked in place (deleting the entry being visited is safe); the walk usually stops
  // early, so a copy of the whole sent queue per ACK would be most of its cost.
  for (const skb of sk.tsorted) {
    if (skb.sacked & LOST && !(skb.sacked & SACKED_RETRANS)) continue;
    if (!sentAfter(sk.rack.mstampUs, skb.txUs, sk.rack.endSeq, skb.endSeq)) break;
    const remaining = rackSkbTimeout(sk, skb, reoWnd);
    if (remaining <= 0) {
      markSkbLost(sk, skb);
      sk.tsorted.delete(skb);
    } else if (remaining > reoTimeout) reoTimeout = remaining;
  }
  return reoTimeout;
}

/** tcp_rack_mark_lost: run detection after an ACK moved RACK; arm the reordering timer for the
 * segments that may still arrive. Returns whether that timer was armed. */
export function rackMarkLost(sk: TcpSock): boolean {
  if (!sk.rack.advanced) return false;
  sk.rack.advanced = false;
  const timeout = rackDetectLoss(sk);
  if (timeout) {
    resetXmitTimer(sk, 'reo_timeout', Math.ceil((timeout + 2000) / 1000) * 1000, sk.rtoUs);
    return true;
  }
  return false;
}

/** tcp_rack_update_reo_wnd: a D-SACK after reordering widens the window by one step per RTT. */
export function rackUpdateReoWnd(sk: TcpSock, priorDelivered: number): void {
  if (sk.host.sysctl.tcp_recovery & TCP_RACK_STATIC_REO_WND || !priorDelivered) return;
  if (before(priorDelivered, sk.rack.lastDelivered)) sk.rack.dsackSeen = false;
  if (sk.rack.dsackSeen) {
    sk.rack.reoWndSteps = Math.min(0xff, sk.rack.reoWndSteps + 1);
    sk.rack.dsackSeen = false;
    sk.rack.lastDelivered = sk.delivered;
    sk.rack.reoWndPersist = TCP_RACK_RECOVERY_THRESH;
  } else if (!sk.rack.reoWndPersist) {
    sk.rack.reoWndSteps = 1;
  }
}
