// Loss recovery as Linux's tcp_fastretrans_alert runs it: the congestion states Open, Disorder,
// CWR, Recovery and Loss; entering fast recovery when a loss is proven (RACK, or NewReno's three
// duplicate ACKs without SACK); Proportional Rate Reduction (RFC 6937) while in it; the RTO's
// Loss state with F-RTO (RFC 5682); undo of a reduction that a timestamp or D-SACK shows was
// spurious; ECN's CWR; and the tail loss probe's bookkeeping (RFC 8985).

import { TCP_CA_CWR, TCP_CA_Disorder, TCP_CA_Loss, TCP_CA_Open, TCP_CA_Recovery, TCP_SYN_SENT } from '../../abi/tcp.js';
import { inCwndReduction, pushPendingFrames, NAGLE_OFF, rearmRto, wndEnd } from './output.js';
import { xmitRetransmitQueue } from './retransmit.js';
import { isRack, markSkbLost, rackDetectLoss, rackMarkLost, rackSkbTimeout } from './rack.js';
import {
  checkSackReordering,
  FLAG_DATA_ACKED,
  FLAG_DATA_SACKED,
  FLAG_DSACK_TLP,
  FLAG_ECE,
  FLAG_FORWARD_PROGRESS,
  FLAG_LOST_RETRANS,
  FLAG_NOT_DUP,
  FLAG_ORIG_SACK_ACKED,
  FLAG_SET_XMIT_TIMER,
  FLAG_SND_UNA_ADVANCED,
} from './sack.js';
import { after, before } from './seq.js';
import { EVER_RETRANS, LOST, SACKED_ACKED } from './skb.js';
import { TCP_INFINITE_SSTHRESH, tsOfUs, type TcpSock } from './sock.js';

export type Rexmit = 'none' | 'lost' | 'new';

export function setCaState(sk: TcpSock, state: number): void {
  sk.ca.setState?.(sk, state);
  sk.caState = state;
}

function isReno(sk: TcpSock): boolean {
  return !sk.sackOk;
}

function leftOut(sk: TcpSock): number {
  return sk.sackedOut + sk.lostOut;
}

/** tcp_any_retrans_done. */
export function anyRetransDone(sk: TcpSock): boolean {
  if (sk.retransOut) return true;
  const head = sk.rtx.first;
  return head !== undefined && (head.sacked & EVER_RETRANS) !== 0;
}

export function currentSsthresh(sk: TcpSock): number {
  if (inCwndReduction(sk)) return sk.sndSsthresh;
  return Math.max(sk.sndSsthresh, (sk.sndCwnd >>> 1) + (sk.sndCwnd >>> 2));
}

function ecnQueueCwr(sk: TcpSock): void {
  if (sk.ecnOk) sk.ecnQueueCwr = true;
}

function initUndo(sk: TcpSock): void {
  sk.undoMarker = sk.sndUna;
  sk.undoRetrans = sk.retransOut;
  if (sk.tlpHighSeq && sk.tlpRetrans) sk.undoRetrans++;
  if (!sk.undoRetrans) sk.undoRetrans = -1;
}

/** tcp_init_cwnd_reduction: the start of a reduction (recovery or CWR). */
function initCwndReduction(sk: TcpSock): void {
  sk.highSeq = sk.sndNxt;
  sk.tlpHighSeq = 0;
  sk.sndCwndCnt = 0;
  sk.priorCwnd = sk.sndCwnd;
  sk.prrDelivered = 0;
  sk.prrOut = 0;
  sk.sndSsthresh = sk.ca.ssthresh(sk);
  ecnQueueCwr(sk);
}

/** tcp_cwnd_reduction: PRR, as many segments out as delivered times ssthresh/prior_cwnd. */
export function cwndReduction(sk: TcpSock, newlyAckedSacked: number, newlyLost: number, flag: number): void {
  if (newlyAckedSacked <= 0 || !sk.priorCwnd) return;
  const delta = sk.sndSsthresh - sk.inFlight;
  sk.prrDelivered += newlyAckedSacked;
  let sndcnt: number;
  if (delta < 0) {
    sndcnt = Math.floor((sk.sndSsthresh * sk.prrDelivered + sk.priorCwnd - 1) / sk.priorCwnd) - sk.prrOut;
  } else {
    sndcnt = Math.max(sk.prrDelivered - sk.prrOut, newlyAckedSacked);
    if (flag & FLAG_SND_UNA_ADVANCED && !newlyLost) sndcnt++;
    sndcnt = Math.min(delta, sndcnt);
  }
  sndcnt = Math.max(sndcnt, sk.prrOut ? 0 : 1);
  sk.sndCwnd = sk.inFlight + sndcnt;
}

export function endCwndReduction(sk: TcpSock): void {
  if (sk.sndSsthresh < TCP_INFINITE_SSTHRESH && (sk.caState === TCP_CA_CWR || sk.undoMarker)) {
    sk.sndCwnd = sk.sndSsthresh;
    sk.sndCwndStampUs = sk.nowUs();
  }
  sk.ca.cwndEvent?.(sk, 'complete_cwr');
}

/** tcp_enter_cwr: ECN asked for a reduction without a loss. */
export function enterCwr(sk: TcpSock): void {
  sk.priorSsthresh = 0;
  if (sk.caState < TCP_CA_CWR) {
    sk.undoMarker = 0;
    initCwndReduction(sk);
    setCaState(sk, TCP_CA_CWR);
  }
}

function retransStampCleanup(sk: TcpSock): void {
  if (!anyRetransDone(sk)) sk.retransStampUs = 0;
}

/** tcp_enter_recovery. */
export function enterRecovery(sk: TcpSock, eceAck: boolean): void {
  retransStampCleanup(sk);
  if (isReno(sk)) sk.mib.TCPRenoRecovery++;
  else sk.mib.TCPSackRecovery++;
  sk.priorSsthresh = 0;
  initUndo(sk);
  if (!inCwndReduction(sk)) {
    if (!eceAck) sk.priorSsthresh = currentSsthresh(sk);
    initCwndReduction(sk);
  }
  setCaState(sk, TCP_CA_Recovery);
}

/** tcp_timeout_mark_lost: after an RTO, everything outstanding long enough is lost. */
function timeoutMarkLost(sk: TcpSock): void {
  const head = sk.rtx.first;
  const reneg = head !== undefined && (head.sacked & SACKED_ACKED) !== 0;
  if (reneg) {
    sk.mib.TCPSACKReneging++;
    sk.sackedOut = 0;
    sk.isSackReneg = true;
  } else if (isReno(sk)) sk.sackedOut = 0;
  for (const skb of sk.rtx) {
    if (reneg) skb.sacked &= ~SACKED_ACKED;
    else if (skb !== head && rackSkbTimeout(sk, skb, 0) > 0) continue;
    markSkbLost(sk, skb);
  }
}

/** tcp_enter_loss: the retransmission timer fired. */
export function enterLoss(sk: TcpSock): void {
  const s = sk.host.sysctl;
  const newRecovery = sk.caState < TCP_CA_Recovery;
  timeoutMarkLost(sk);
  if (sk.caState <= TCP_CA_Disorder || !after(sk.highSeq, sk.sndUna) || (sk.caState === TCP_CA_Loss && !sk.retransmits)) {
    sk.priorSsthresh = currentSsthresh(sk);
    sk.priorCwnd = sk.sndCwnd;
    sk.sndSsthresh = sk.ca.ssthresh(sk);
    sk.ca.cwndEvent?.(sk, 'loss');
    initUndo(sk);
  }
  sk.sndCwnd = sk.inFlight + 1;
  sk.sndCwndCnt = 0;
  sk.sndCwndStampUs = sk.nowUs();
  if (sk.caState <= TCP_CA_Disorder && sk.sackedOut >= s.tcp_reordering) sk.reordering = Math.min(sk.reordering, s.tcp_reordering);
  setCaState(sk, TCP_CA_Loss);
  sk.highSeq = sk.sndNxt;
  sk.tlpHighSeq = 0;
  ecnQueueCwr(sk);
  sk.frto = s.tcp_frto !== 0 && (newRecovery || sk.retransmits > 0);
}

// ------------------------------------------------------------------ undo

/** tcp_packet_delayed: the timestamp echo shows the original arrived before any retransmission. */
function packetDelayed(sk: TcpSock, tsecr: number): boolean {
  if (sk.retransStampUs) return ecrBefore(sk, tsecr, sk.retransStampUs);
  if (!sk.sackOk && !before(sk.sndUna, sk.highSeq)) return false;
  if (sk.state === TCP_SYN_SENT) return false;
  return true;
}

/** The echoed TSval was sent before `stampUs` (tcp_tsopt_ecr_before). */
function ecrBefore(sk: TcpSock, tsecr: number, stampUs: number): boolean {
  if (!sk.tsOk || !tsecr) return false;
  const when = tsOfUs(stampUs, sk.tsOffset);
  return ((tsecr - when) | 0) < 0;
}

function mayUndo(sk: TcpSock, tsecr: number): boolean {
  return sk.undoMarker !== 0 && (!sk.undoRetrans || packetDelayed(sk, tsecr));
}

function undoCwndReduction(sk: TcpSock, unmarkLoss: boolean): void {
  if (unmarkLoss) {
    for (const skb of sk.rtx) skb.sacked &= ~LOST;
    sk.lostOut = 0;
  }
  if (sk.priorSsthresh) {
    sk.sndCwnd = sk.ca.undoCwnd(sk);
    if (sk.priorSsthresh > sk.sndSsthresh) {
      sk.sndSsthresh = sk.priorSsthresh;
      sk.ecnQueueCwr = false;
    }
  }
  sk.sndCwndStampUs = sk.nowUs();
  sk.undoMarker = 0;
  sk.rack.advanced = true;
}

function nonSackPreventingReopen(sk: TcpSock): boolean {
  if (sk.sndUna === sk.highSeq && isReno(sk)) {
    if (!anyRetransDone(sk)) sk.retransStampUs = 0;
    return true;
  }
  return false;
}

function tryUndoRecovery(sk: TcpSock, tsecr: number): boolean {
  if (mayUndo(sk, tsecr)) {
    undoCwndReduction(sk, false);
    if (sk.caState === TCP_CA_Loss) sk.mib.TCPLossUndo++;
    else sk.mib.TCPFullUndo++;
  } else if (sk.rack.reoWndPersist) sk.rack.reoWndPersist--;
  if (nonSackPreventingReopen(sk)) return true;
  setCaState(sk, TCP_CA_Open);
  sk.isSackReneg = false;
  return false;
}

function tryUndoDsack(sk: TcpSock): boolean {
  if (sk.undoMarker && !sk.undoRetrans) {
    sk.rack.reoWndPersist = Math.min(16, sk.rack.reoWndPersist + 1);
    undoCwndReduction(sk, false);
    sk.mib.TCPDSACKUndo++;
    return true;
  }
  return false;
}

function tryUndoLoss(sk: TcpSock, frtoUndo: boolean, tsecr: number): boolean {
  if (frtoUndo || mayUndo(sk, tsecr)) {
    undoCwndReduction(sk, true);
    sk.mib.TCPLossUndo++;
    if (frtoUndo) sk.mib.TCPSpuriousRTOs++;
    sk.retransmits = 0;
    if (nonSackPreventingReopen(sk)) return true;
    if (frtoUndo || sk.sackOk) {
      setCaState(sk, TCP_CA_Open);
      sk.isSackReneg = false;
    }
    return true;
  }
  return false;
}

function forceFastRetransmit(sk: TcpSock): boolean {
  return after(sk.highestSack, (sk.sndUna + sk.reordering * sk.mssCache) >>> 0);
}

function tryUndoPartial(sk: TcpSock, priorSndUna: number, tsecr: number, doLost: { v: boolean }): boolean {
  if (sk.undoMarker && packetDelayed(sk, tsecr)) {
    checkSackReordering(sk, priorSndUna, true);
    if (sk.retransOut) return true;
    if (!anyRetransDone(sk)) sk.retransStampUs = 0;
    undoCwndReduction(sk, true);
    sk.mib.TCPPartialUndo++;
    tryKeepOpen(sk);
  } else doLost.v = forceFastRetransmit(sk);
  return false;
}

function tryKeepOpen(sk: TcpSock): void {
  const state = leftOut(sk) || anyRetransDone(sk) ? TCP_CA_Disorder : TCP_CA_Open;
  if (sk.caState !== state) {
    setCaState(sk, state);
    sk.highSeq = sk.sndNxt;
  }
}

function tryToOpen(sk: TcpSock, flag: number): void {
  if (!anyRetransDone(sk)) sk.retransStampUs = 0;
  if (flag & FLAG_ECE) enterCwr(sk);
  if (sk.caState !== TCP_CA_CWR) tryKeepOpen(sk);
}

// ------------------------------------------------------------------ duplicate ACKs without SACK

/** tcp_limit_reno_sacked / tcp_check_reno_reordering. */
function checkRenoReordering(sk: TcpSock, addend: number): void {
  const holes = Math.min(Math.max(sk.lostOut, 1), sk.packetsOut);
  if (sk.sackedOut + holes <= sk.packetsOut) return;
  sk.sackedOut = sk.packetsOut - holes;
  sk.reordering = Math.min(sk.packetsOut + addend, sk.host.sysctl.tcp_max_reordering);
  sk.reordSeen++;
  sk.mib.TCPRenoReorder++;
}

export function addRenoSack(sk: TcpSock, dupacks: number): void {
  if (!dupacks) return;
  const prior = sk.sackedOut;
  sk.sackedOut += dupacks;
  checkRenoReordering(sk, 0);
  const delivered = sk.sackedOut - prior;
  if (delivered > 0) countDelivered(sk, delivered);
}

/** tcp_remove_reno_sacks: the cumulative ACK took some of the counted duplicates. */
export function removeRenoSacks(sk: TcpSock, acked: number): void {
  if (acked > 0) {
    countDelivered(sk, Math.max(acked - sk.sackedOut, 1));
    if (acked - 1 >= sk.sackedOut) sk.sackedOut = 0;
    else sk.sackedOut -= acked - 1;
  }
  checkRenoReordering(sk, acked);
}

export function countDelivered(sk: TcpSock, n: number): void {
  sk.delivered += n;
}

/** tcp_newreno_mark_lost: without SACK, the head is lost after enough duplicates (RFC 6582). */
function newrenoMarkLost(sk: TcpSock, sndUnaAdvanced: boolean): void {
  const state = sk.caState;
  if ((state < TCP_CA_Recovery && sk.sackedOut >= sk.reordering) || (state === TCP_CA_Recovery && sndUnaAdvanced)) {
    const head = sk.rtx.first;
    if (!head || head.sacked & LOST) return;
    markSkbLost(sk, head);
  }
}

/** tcp_update_scoreboard: RFC 6675's IsLost when RACK is off (tcp_recovery=0). */
function updateScoreboard(sk: TcpSock, fastRexmit: boolean): void {
  if (!sk.sackOk) return;
  const upto = sk.sackedOut - sk.reordering;
  let mark = upto >= 0 ? upto : fastRexmit ? 1 : 0;
  if (mark <= 0 && upto < 0) return;
  if (upto >= 0) {
    // Mark the holes below the highest SACK until `upto` SACKed segments lie above them.
    let sackedAbove = sk.sackedOut;
    for (const skb of sk.rtx) {
      if (sackedAbove <= sk.reordering) break;
      if (skb.sacked & SACKED_ACKED) sackedAbove--;
      else markSkbLost(sk, skb);
    }
    return;
  }
  for (const skb of sk.rtx) {
    if (mark <= 0) break;
    if (!(skb.sacked & SACKED_ACKED)) {
      markSkbLost(sk, skb);
      mark--;
    }
  }
}

function identifyPacketLoss(sk: TcpSock, flag: { v: number }): void {
  if (sk.rtx.length === 0) return;
  if (isReno(sk)) newrenoMarkLost(sk, (flag.v & FLAG_SND_UNA_ADVANCED) !== 0);
  else if (isRack(sk)) {
    const prior = sk.retransOut;
    if (rackMarkLost(sk)) flag.v &= ~FLAG_SET_XMIT_TIMER;
    if (prior > sk.retransOut) flag.v |= FLAG_LOST_RETRANS;
  }
}

function timeToRecover(sk: TcpSock): boolean {
  if (sk.lostOut) return true;
  if (!isRack(sk) && sk.sackedOut + 1 > sk.reordering) return true;
  return false;
}

function processLoss(sk: TcpSock, flag: number, dupacks: number, tsecr: number): Rexmit {
  const recovered = !before(sk.sndUna, sk.highSeq);
  if (flag & FLAG_SND_UNA_ADVANCED && tryUndoLoss(sk, false, tsecr)) return 'none';
  if (sk.frto) {
    if (flag & FLAG_ORIG_SACK_ACKED && tryUndoLoss(sk, true, tsecr)) return 'none';
    if (after(sk.sndNxt, sk.highSeq)) {
      if (flag & FLAG_DATA_SACKED || dupacks) sk.frto = false;
    } else if (flag & FLAG_SND_UNA_ADVANCED && !recovered) {
      sk.highSeq = sk.sndNxt;
      if (sk.writeQueue.length > 0 && after(wndEnd(sk), sk.sndNxt)) return 'new';
      sk.frto = false;
    }
  }
  if (recovered) {
    tryUndoRecovery(sk, tsecr);
    return 'none';
  }
  if (isReno(sk)) {
    if (after(sk.sndNxt, sk.highSeq) && dupacks) addRenoSack(sk, dupacks);
    else if (flag & FLAG_SND_UNA_ADVANCED) sk.sackedOut = 0;
  }
  return 'lost';
}

/**
 * tcp_fastretrans_alert: the congestion state machine, run for ACKs that are dubious (duplicates,
 * SACKs, ECE, or any while not Open). `flag` may be updated; returns what to send.
 */
export function fastretransAlert(sk: TcpSock, priorSndUna: number, dupacks: number, flagRef: { v: number }, tsecr: number): Rexmit {
  const flag = flagRef.v;
  const eceAck = (flag & FLAG_ECE) !== 0;
  const doLost = { v: dupacks > 0 || ((flag & FLAG_DATA_SACKED) !== 0 && forceFastRetransmit(sk)) };
  let fastRexmit = false;
  if (!sk.packetsOut && sk.sackedOut) sk.sackedOut = 0;
  if (eceAck) sk.priorSsthresh = 0;
  if (sk.caState === TCP_CA_Open) {
    sk.retransStampUs = 0;
  } else if (!before(sk.sndUna, sk.highSeq)) {
    switch (sk.caState) {
      case TCP_CA_CWR:
        if (sk.sndUna !== sk.highSeq) {
          endCwndReduction(sk);
          setCaState(sk, TCP_CA_Open);
        }
        break;
      case TCP_CA_Recovery:
        if (isReno(sk)) sk.sackedOut = 0;
        if (tryUndoRecovery(sk, tsecr)) return 'none';
        endCwndReduction(sk);
        break;
    }
  }
  let fromOpen = false;
  const state: number = sk.caState;
  if (state === TCP_CA_Recovery) {
    if (!(flag & FLAG_SND_UNA_ADVANCED)) {
      if (isReno(sk)) addRenoSack(sk, dupacks);
    } else if (tryUndoPartial(sk, priorSndUna, tsecr, doLost)) return 'none';
    if (tryUndoDsack(sk)) tryToOpen(sk, flag);
    identifyPacketLoss(sk, flagRef);
    if ((sk.caState as number) !== TCP_CA_Recovery) {
      if (!timeToRecover(sk)) return 'none';
      enterRecovery(sk, eceAck);
    }
  } else if (state === TCP_CA_Loss) {
    const r = processLoss(sk, flag, dupacks, tsecr);
    if ((sk.caState as number) !== TCP_CA_Loss) updateRtoTime(sk);
    identifyPacketLoss(sk, flagRef);
    // Undone, or the retransmissions were lost too: on as from Open.
    if (!((sk.caState as number) === TCP_CA_Open || flagRef.v & FLAG_LOST_RETRANS)) return r;
    fromOpen = true;
  } else fromOpen = true;
  if (fromOpen) {
    if (isReno(sk)) {
      if (flag & FLAG_SND_UNA_ADVANCED) sk.sackedOut = 0;
      addRenoSack(sk, dupacks);
    }
    if (sk.caState <= TCP_CA_Disorder) tryUndoDsack(sk);
    identifyPacketLoss(sk, flagRef);
    if (!timeToRecover(sk)) {
      tryToOpen(sk, flag);
      return 'none';
    }
    enterRecovery(sk, eceAck);
    fastRexmit = true;
  }
  if (!isRack(sk) && doLost.v) updateScoreboard(sk, fastRexmit);
  return 'lost';
}

/** The end of an RTO recovery episode (tcp_update_rto_time). */
export function updateRtoTime(sk: TcpSock): void {
  if (sk.rtoStampUs) {
    sk.totalRtoTimeMs += Math.floor((sk.nowUs() - sk.rtoStampUs) / 1000);
    sk.rtoStampUs = 0;
  }
}

/** tcp_xmit_recovery. */
export function xmitRecovery(sk: TcpSock, rexmit: Rexmit): void {
  if (rexmit === 'none' || sk.state === TCP_SYN_SENT) return;
  if (rexmit === 'new') {
    pushPendingFrames(sk, NAGLE_OFF);
    if (after(sk.sndNxt, sk.highSeq)) return;
    sk.frto = false;
  }
  xmitRetransmitQueue(sk);
}

/** tcp_may_raise_cwnd. */
function mayRaiseCwnd(sk: TcpSock, flag: number): boolean {
  if (sk.reordering > sk.host.sysctl.tcp_reordering) return (flag & FLAG_FORWARD_PROGRESS) !== 0;
  return (flag & FLAG_DATA_ACKED) !== 0;
}

/** tcp_cong_control: reduce by PRR in recovery, otherwise let the algorithm grow the window. */
export function congControl(sk: TcpSock, ack: number, ackedSacked: number, newlyLost: number, flag: number): void {
  if (inCwndReduction(sk)) cwndReduction(sk, ackedSacked, newlyLost, flag);
  else if (mayRaiseCwnd(sk, flag)) sk.ca.congAvoid(sk, ack, ackedSacked);
  updatePacingRate(sk);
}

/** tcp_update_pacing_rate: 200% of cwnd/srtt in slow start, 120% after (the pacing ratios). */
export function updatePacingRate(sk: TcpSock): void {
  const s = sk.host.sysctl;
  let rate = sk.mssCache * ((1_000_000 / 100) * 8);
  rate *= sk.sndCwnd < sk.sndSsthresh / 2 ? s.tcp_pacing_ss_ratio : s.tcp_pacing_ca_ratio;
  rate *= Math.max(sk.sndCwnd, sk.packetsOut);
  if (sk.srttUs) rate = Math.floor(rate / sk.srttUs);
  sk.pacingRate = rate;
}

/** tcp_process_tlp_ack: was the loss probe's episode a real loss? (RFC 8985 §7.4) */
export function processTlpAck(sk: TcpSock, ack: number, flag: number): void {
  if (before(ack, sk.tlpHighSeq)) return;
  if (!sk.tlpRetrans) {
    // The probe was new data, and it was acknowledged.
    sk.tlpHighSeq = 0;
  } else if (flag & FLAG_DSACK_TLP) {
    // Both the original and the probe arrived.
    sk.tlpHighSeq = 0;
  } else if (after(ack, sk.tlpHighSeq)) {
    // The probe repaired a loss: reduce once, as a CWR episode.
    initCwndReduction(sk);
    setCaState(sk, TCP_CA_CWR);
    endCwndReduction(sk);
    tryKeepOpen(sk);
    sk.mib.TCPLossProbeRecovery++;
  } else if (!(flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DATA_SACKED))) {
    sk.tlpHighSeq = 0;
  }
}

/** tcp_rack_reo_timeout: the reordering window passed; what is still missing is lost. */
export function rackReoTimeout(sk: TcpSock): void {
  const lostBefore = sk.lost;
  const prior = sk.inFlight;
  rackDetectLoss(sk);
  if (prior !== sk.inFlight) {
    if (sk.caState !== TCP_CA_Recovery) {
      enterRecovery(sk, false);
      cwndReduction(sk, 1, sk.lost - lostBefore, 0);
    }
    xmitRetransmitQueue(sk);
  }
  if (sk.xmitTimerKind !== 'retrans') rearmRto(sk);
}
