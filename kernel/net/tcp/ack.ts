// Processing an acknowledgment (Linux's tcp_ack): the peer's window, the SACK scoreboard, freeing
// what is cumulatively acknowledged with an RTT sample (Karn: never from a retransmission), RACK's
// view of what was delivered, the congestion state machine, and the window growth or reduction
// that follows.

import { TCP_CA_Open } from '../../abi/tcp.js';
import { TCP_ECE, TCP_SYN, type TcpRepr } from '../../abi/wire/tcp.js';
import { syncMss } from './mss.js';
import { checkSpace, chronoStop, probe0Base, pushPendingFrames, rearmRto, scheduleLossProbe, slowStartAfterIdleCheck, wndEnd } from './output.js';
import { rackAdvance, rackUpdateReoWnd } from './rack.js';
import { congControl, countDelivered, fastretransAlert, processTlpAck, removeRenoSacks, xmitRecovery, type Rexmit } from './recovery.js';
import { ackUpdateRtt, rtoMaxUs, tsoptRttUs } from './rtt.js';
import {
  checkSackReordering,
  FLAG_ACK_MAYBE_DELAYED,
  FLAG_ACKED,
  FLAG_CA_ALERT,
  FLAG_DATA,
  FLAG_DATA_ACKED,
  FLAG_DSACKING_ACK,
  FLAG_ECE,
  FLAG_NO_CHALLENGE_ACK,
  FLAG_NOT_DUP,
  FLAG_ORIG_SACK_ACKED,
  FLAG_RETRANS_DATA_ACKED,
  FLAG_SACK_RENEGING,
  FLAG_SET_XMIT_TIMER,
  FLAG_SND_UNA_ADVANCED,
  FLAG_SYN_ACKED,
  FLAG_WIN_UPDATE,
  newSackState,
  sacktagWriteQueue,
  type SackState,
} from './sack.js';
import { after, before, between } from './seq.js';
import { LOST, RETRANS as RETRANS_FLAGS, SACKED_ACKED, SACKED_RETRANS } from './skb.js';
import { tsOfUs, type TcpSock } from './sock.js';
import { clearXmitTimer, resetXmitTimer } from './timers.js';

/** What the ACK path needs of the segment besides its TCP header. */
export interface AckContext {
  seg: TcpRepr;
  /** The segment's sequence space end (seq + data + SYN + FIN). */
  endSeq: number;
  /** The echoed timestamp, 0 when the segment carried none. */
  tsecr: number;
}

export const ACK_OLD = 0;
export const ACK_OK = 1;
export const ACK_UNSENT = -1;
export const ACK_TOO_OLD = -2;

/** tcp_may_update_window (RFC 9293's SND.WL1/WL2 rule, as Linux words it). */
function mayUpdateWindow(sk: TcpSock, ack: number, ackSeq: number, nwin: number): boolean {
  return after(ack, sk.sndUna) || after(ackSeq, sk.sndWl1) || (ackSeq === sk.sndWl1 && (nwin > sk.sndWnd || !nwin));
}

function ackUpdateWindow(sk: TcpSock, seg: TcpRepr, ack: number): number {
  let flag = 0;
  let nwin = seg.window;
  if (!(seg.flags & TCP_SYN)) nwin *= 2 ** sk.sndWscale;
  if (mayUpdateWindow(sk, ack, seg.seq, nwin)) {
    flag |= FLAG_WIN_UPDATE;
    sk.sndWl1 = seg.seq;
    if (sk.sndWnd !== nwin) {
      sk.sndWnd = nwin;
      // Data held back by the window, now let go after an idle time, restarts from IW.
      if (sk.writeQueue.length > 0) slowStartAfterIdleCheck(sk);
      if (nwin > sk.maxWindow) {
        sk.maxWindow = nwin;
        syncMss(sk, sk.pmtu);
      }
    }
  }
  sndUnaUpdate(sk, ack);
  return flag;
}

function sndUnaUpdate(sk: TcpSock, ack: number): void {
  const delta = (ack - sk.sndUna) >>> 0;
  sk.bytesAcked += delta;
  sk.sndUna = ack;
}

/** tcp_skb_spurious_retrans: the timestamp echo shows the original transmission was what arrived. */
function spuriousRetrans(sk: TcpSock, sacked: number, txUs: number, tsecr: number): boolean {
  if (!(sacked & RETRANS_FLAGS) || !sk.tsOk || !tsecr) return false;
  const when = tsOfUs(txUs, sk.tsOffset);
  return ((tsecr - when) | 0) < 0;
}

/** tcp_clean_rtx_queue: free what snd_una now covers; returns the flags it found. */
function cleanRtxQueue(sk: TcpSock, priorFack: number, priorSndUna: number, sack: SackState, eceAck: boolean, tsecr: number, priorDelivered: number): number {
  const priorSacked = sk.sackedOut;
  let reord = sk.sndNxt;
  let firstAckt = 0;
  let lastAckt = 0;
  let pktsAcked = 0;
  let flag = 0;
  const now = sk.nowUs();
  for (;;) {
    let skb = sk.rtx.first;
    if (!skb) break;
    if (after(skb.endSeq, sk.sndUna)) {
      if (!after(sk.sndUna, skb.seq)) break;
      // A partial ACK of a segment: the acknowledged bytes go (tcp_tso_acked / trim).
      skb.trimHead((sk.sndUna - skb.seq) >>> 0);
      break;
    }
    const sacked = skb.sacked;
    if (sacked & RETRANS_FLAGS) {
      if (sacked & SACKED_RETRANS) sk.retransOut--;
      flag |= FLAG_RETRANS_DATA_ACKED;
    } else if (!(sacked & SACKED_ACKED)) {
      lastAckt = skb.txUs;
      if (!firstAckt) firstAckt = lastAckt;
      if (before(skb.seq, reord)) reord = skb.seq;
      if (!after(skb.endSeq, sk.highSeq)) flag |= FLAG_ORIG_SACK_ACKED;
    }
    if (sacked & SACKED_ACKED) sk.sackedOut--;
    else if (sk.sackOk) {
      countDelivered(sk, 1);
      if (!spuriousRetrans(sk, sacked, skb.txUs, tsecr)) rackAdvance(sk, sacked, skb.endSeq, skb.txUs);
    }
    if (sacked & LOST) sk.lostOut--;
    sk.packetsOut--;
    pktsAcked++;
    if (!(skb.flags & TCP_SYN)) flag |= FLAG_DATA_ACKED;
    else {
      flag |= FLAG_SYN_ACKED;
      sk.retransStampUs = 0;
    }
    sk.rtx.shift();
    sk.tsorted.delete(skb);
    sk.wmemQueued -= skb.len;
    skb = undefined;
  }
  if (sk.rtx.length === 0) chronoStop(sk, 'busy');
  if (between(sk.sndUp, priorSndUna, sk.sndUna)) sk.sndUp = sk.sndUna;
  const head = sk.rtx.first;
  if (head && head.sacked & SACKED_ACKED) flag |= FLAG_SACK_RENEGING;
  let seqRtt = -1;
  let caRtt = -1;
  let sackRtt = -1;
  if (firstAckt && !(flag & FLAG_RETRANS_DATA_ACKED)) {
    seqRtt = now - firstAckt;
    caRtt = now - lastAckt;
    if (pktsAcked === 1 && !priorSacked && ((sk.sndUna - priorSndUna) >>> 0) < sk.mssCache && priorDelivered + 1 === sk.delivered && !(flag & (FLAG_CA_ALERT | FLAG_SYN_ACKED))) {
      flag |= FLAG_ACK_MAYBE_DELAYED;
    }
  }
  if (sack.firstSacktUs) {
    sackRtt = now - sack.firstSacktUs;
    caRtt = now - sack.lastSacktUs;
  }
  // tcp_ack_update_rtt: the ACK's timing first (Karn), else the timestamp echo (RTTM).
  let sample = seqRtt >= 0 ? seqRtt : sackRtt;
  let ca = caRtt;
  if (sample < 0 && flag & FLAG_ACKED) {
    const ts = tsoptRttUs(sk, tsecr);
    if (ts >= 0) sample = ca = ts;
  }
  const rttUpdate = ackUpdateRtt(sk, sample, ca, -1);
  if (flag & FLAG_ACKED) {
    flag |= FLAG_SET_XMIT_TIMER;
    if (!sk.sackOk) {
      removeRenoSacks(sk, pktsAcked);
      if (flag & FLAG_RETRANS_DATA_ACKED) flag &= ~FLAG_ORIG_SACK_ACKED;
    } else if (before(reord, priorFack)) checkSackReordering(sk, reord, false);
  } else if (head && rttUpdate && sackRtt >= 0 && sackRtt > now - head.txUs) {
    flag |= FLAG_SET_XMIT_TIMER;
  }
  sk.ca.pktsAcked?.(sk, { pktsAcked, rttUs: ca });
  return flag;
}

/** tcp_ack_probe: an ACK while probing a zero window. */
function ackProbe(sk: TcpSock): void {
  const head = sk.writeQueue.first;
  if (!head) return;
  if (!after(head.endSeq, wndEnd(sk))) {
    sk.backoff = 0;
    sk.probeStampUs = 0;
    if (sk.xmitTimerKind === 'probe0') clearXmitTimer(sk);
  } else {
    resetXmitTimer(sk, 'probe0', probe0When(sk, rtoMaxUs(sk)));
  }
}

/** tcp_probe0_when: the probe timer's base, backed off. */
export function probe0When(sk: TcpSock, maxUs: number): number {
  const backoff = Math.min(Math.floor(Math.log2(120_000_000 / 200_000)) + 1, sk.backoff);
  return Math.min(probe0Base(sk) * 2 ** backoff, maxUs);
}

/** tcp_set_xmit_timer: the TLP if it applies, else the RTO. */
function setXmitTimer(sk: TcpSock): void {
  if (!scheduleLossProbe(sk, true)) rearmRto(sk);
}

function ackIsDubious(sk: TcpSock, flag: number): boolean {
  return !(flag & FLAG_NOT_DUP) || (flag & FLAG_CA_ALERT) !== 0 || sk.caState !== TCP_CA_Open;
}

/**
 * tcp_ack. Returns ACK_OK, ACK_OLD (an old but acceptable ACK), ACK_UNSENT (acknowledges data
 * never sent: the caller drops the segment and ACKs) or ACK_TOO_OLD (a challenge ACK was due).
 */
export function tcpAck(sk: TcpSock, ctx: AckContext, flag0: number, challengeAck: () => void): number {
  const { seg, tsecr } = ctx;
  const ack = seg.ack;
  const priorSndUna = sk.sndUna;
  const priorPackets = sk.packetsOut;
  const priorDelivered = sk.delivered;
  const lostBefore = sk.lost;
  let flag = flag0;
  let rexmit: Rexmit = 'none';
  const sack = newSackState(sk);
  const sackOpt = seg.options.find((o) => o.kind === 'sack');
  const sackBlocks = sk.sackOk && sackOpt && sackOpt.kind === 'sack' ? sackOpt : undefined;

  if (before(ack, priorSndUna)) {
    const maxWindow = Math.min(sk.maxWindow, sk.bytesAcked);
    if (before(ack, (priorSndUna - maxWindow) >>> 0)) {
      if (!(flag & FLAG_NO_CHALLENGE_ACK)) challengeAck();
      return ACK_TOO_OLD;
    }
    // An old ACK: its SACK blocks may still tell something.
    if (sackBlocks) {
      const f = { v: flag | sacktagWriteQueue(sk, sackBlocks, ack, priorSndUna, sack) };
      rexmit = fastretransAlert(sk, priorSndUna, 0, f, tsecr);
      xmitRecovery(sk, rexmit);
    }
    return ACK_OLD;
  }
  if (after(ack, sk.sndNxt)) return ACK_UNSENT;
  if (after(ack, priorSndUna)) {
    flag |= FLAG_SND_UNA_ADVANCED;
    sk.retransmits = 0;
  }
  const priorFack = sk.sackOk ? sk.highestSack : sk.sndUna;
  if (ctx.endSeq !== seg.seq) flag |= FLAG_DATA;
  else sk.mib.TCPPureAcks++;
  flag |= ackUpdateWindow(sk, seg, ack);
  if (sackBlocks) flag |= sacktagWriteQueue(sk, sackBlocks, ack, priorSndUna, sack);
  if (seg.flags & TCP_ECE && !(seg.flags & TCP_SYN) && sk.ecnOk) flag |= FLAG_ECE;
  if (sack.sackDelivered) countDelivered(sk, sack.sackDelivered);
  sk.errSoft = null;
  sk.probesOut = 0;
  sk.rcvTstampUs = sk.nowUs();
  sk.lastAckRecvUs = sk.nowUs();
  if (!priorPackets) {
    if (flag & FLAG_DSACKING_ACK) {
      const f = { v: flag };
      fastretransAlert(sk, priorSndUna, 0, f, tsecr);
    }
    ackProbe(sk);
    if (sk.tlpHighSeq) processTlpAck(sk, ack, flag);
    return ACK_OK;
  }
  flag |= cleanRtxQueue(sk, priorFack, priorSndUna, sack, (flag & FLAG_ECE) !== 0, tsecr, priorDelivered);
  rackUpdateReoWnd(sk, priorDelivered);
  if (sk.tlpHighSeq) processTlpAck(sk, ack, flag);
  const f = { v: flag };
  if (ackIsDubious(sk, flag)) {
    const dupacks = !(flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DSACKING_ACK)) ? 1 : 0;
    rexmit = fastretransAlert(sk, priorSndUna, dupacks, f, tsecr);
  }
  if (f.v & FLAG_SET_XMIT_TIMER) setXmitTimer(sk);
  const delivered = sk.delivered - priorDelivered;
  sk.mib.TCPDelivered += Math.max(0, delivered);
  congControl(sk, ack, delivered, sk.lost - lostBefore, f.v);
  xmitRecovery(sk, rexmit);
  return ACK_OK;
}

/** tcp_data_snd_check: after an ACK, send what it allows, and tell a waiting writer. */
export function dataSndCheck(sk: TcpSock): void {
  pushPendingFrames(sk);
  checkSpace(sk);
}
