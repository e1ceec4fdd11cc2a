// Receiving a segment on a connection, as Linux's tcp_input.c does it: the SYN_SENT handshake,
// the acceptability checks (PAWS, the window, RFC 5961's challenge ACKs for RSTs and SYNs), the
// ACK, and the state each state's segment moves to; the data and when to acknowledge it are
// data.ts's.

import {
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_CLOSING,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_LAST_ACK,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
  TCP_TIME_WAIT,
} from '../../abi/tcp.js';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_RST, TCP_SYN } from '../../abi/wire/tcp.js';
import { ACK_OK, ACK_TOO_OLD, ACK_UNSENT, dataSndCheck, tcpAck } from './ack.js';
import { syncMss } from './mss.js';
import { ackSndCheck, dataQueue, enterQuickackMode, rcvRttMeasureTs, scheduleAck, sendDupack } from './data.js';
import { ACK_NOW, sendAck, transmitSkb } from './output.js';
import { FLAG_NO_CHALLENGE_ACK, FLAG_UPDATE_TS_RECENT } from './sack.js';
import { updatePacingRate } from './recovery.js';
import { type InSegment, segmentsIn } from './segment.js';
import { after, before, between } from './seq.js';
import { dropSegment, tsOfUs, type TcpSock } from './sock.js';
import { TCP_MAX_QUICKACKS, TCP_MIN_MSS, TCP_MSS_DEFAULT, TS_ALIGNED } from './sock.js';
import { RCV_SHUTDOWN, SEND_SHUTDOWN, setState, tcpDone, tcpReset } from './state.js';
import { resetDelackTimer, resetKeepaliveTimer } from './timers.js';
import { establishedTransfer } from './transfer.js';

const TCP_PAWS_WINDOW = 1;
const TCP_PAWS_24DAYS = 60 * 60 * 24 * 24;

function tsecrOf(sk: TcpSock, ins: InSegment): number {
  return ins.sawTs && sk.tsOk ? ins.tsecr : 0;
}

function secondsNow(sk: TcpSock): number {
  return Math.floor(sk.host.now() / 1e9);
}

/** tcp_paws_check: the timestamp is not older than ts_recent (by more than `win`). */
function pawsCheck(sk: TcpSock, ins: InSegment, win: number): boolean {
  if (((sk.tsRecent - ins.tsval) | 0) <= win) return true;
  if (secondsNow(sk) >= sk.tsRecentStampS + TCP_PAWS_24DAYS) return true;
  if (!sk.tsRecent) return true;
  return false;
}

function storeTsRecent(sk: TcpSock, ins: InSegment): void {
  sk.tsRecent = ins.tsval;
  sk.tsRecentStampS = secondsNow(sk);
}

/** tcp_replace_ts_recent: only an in-sequence segment refreshes what we echo. */
function replaceTsRecent(sk: TcpSock, ins: InSegment): void {
  if (ins.sawTs && sk.tsOk && !after(ins.seg.seq, sk.rcvWup) && pawsCheck(sk, ins, 0)) storeTsRecent(sk, ins);
}

/** tcp_oow_rate_limited: at most one out-of-window ACK per tcp_invalid_ratelimit ms. */
function oowRateLimited(sk: TcpSock, force = false): boolean {
  const now = Math.floor(sk.host.now() / 1e6);
  const elapsed = now - sk.lastOowAckMs;
  if (!force && elapsed >= 0 && elapsed < sk.host.sysctl.tcp_invalid_ratelimit) return true;
  sk.lastOowAckMs = now;
  return false;
}

/** tcp_send_challenge_ack (RFC 5961): per socket rate-limited, then a host-wide budget. */
export function sendChallengeAck(sk: TcpSock): void {
  if (oowRateLimited(sk)) {
    sk.mib.TCPACKSkippedChallenge++;
    return;
  }
  const limit = sk.host.sysctl.tcp_challenge_ack_limit;
  if (limit !== 2147483647) {
    const c = sk.mib.challenge;
    const now = secondsNow(sk);
    if (now !== c.second) {
      const half = (limit + 1) >>> 1;
      c.second = now;
      c.count = half + Math.floor(sk.host.random() * limit);
    }
    if (c.count <= 0) return;
    c.count--;
  }
  sk.mib.TCPChallengeACK++;
  sendAck(sk);
}

type SeqVerdict = 'ok' | 'old' | 'beyond';

/** tcp_sequence: is the segment within the receive window? */
function tcpSequence(sk: TcpSock, ins: InSegment): SeqVerdict {
  const { seq } = ins.seg;
  const end = ins.endSeq;
  if (before(end, sk.rcvWup)) return 'old';
  const limit = (sk.rcvNxt + sk.receiveWindow) >>> 0;
  if (after(end, limit)) {
    const fin = ins.seg.flags & TCP_FIN ? 1 : 0;
    if (!after((end - fin) >>> 0, limit)) return 'ok';
    if (after(seq, limit)) return 'beyond';
    if (sk.rcv.bytes > 0) return 'beyond';
  }
  return 'ok';
}

/** tcp_reset_check: a RST at rcv_nxt - 1 after the peer's FIN is good too. */
function resetCheck(sk: TcpSock, ins: InSegment): boolean {
  return ins.seg.seq === ((sk.rcvNxt - 1) >>> 0) && (sk.state === TCP_CLOSE_WAIT || sk.state === TCP_LAST_ACK || sk.state === TCP_CLOSING);
}

/** tcp_disordered_ack_check: a PAWS failure that is only an old pure ACK is let through. */
function disorderedAck(sk: TcpSock, ins: InSegment): 'paws' | 'paws_ack' | 'ok' {
  const { seg } = ins;
  if (!(seg.flags & TCP_ACK) || seg.seq !== ins.endSeq) return 'paws';
  if (seg.seq !== sk.rcvNxt) return before(seg.seq, sk.rcvNxt) ? 'paws_ack' : 'paws';
  if (seg.ack !== sk.sndUna) return 'paws';
  const nwin = seg.window * 2 ** sk.sndWscale;
  if (after(seg.ack, sk.sndUna) || after(seg.seq, sk.sndWl1) || (seg.seq === sk.sndWl1 && (nwin > sk.sndWnd || !nwin))) return 'paws';
  if (((sk.tsRecent - ins.tsval) | 0) > (sk.rtoUs / 1000) * 1.024) return 'paws';
  return 'ok';
}

/** tcp_validate_incoming: false when the segment was handled here (dropped, reset, challenged). */
function validateIncoming(sk: TcpSock, ins: InSegment): boolean {
  const { seg } = ins;
  const rst = (seg.flags & TCP_RST) !== 0;
  const syn = (seg.flags & TCP_SYN) !== 0;
  if (ins.sawTs && sk.tsOk && !pawsCheck(sk, ins, TCP_PAWS_WINDOW)) {
    const verdict = disorderedAck(sk, ins);
    if (verdict !== 'ok' && !rst) {
      if (syn) return synChallenge(sk);
      if (verdict === 'paws_ack') {
        dropSegment(sk, 'tcp_rfc7323_paws_ack');
        return false;
      }
      sk.mib.PAWSEstab++;
      dropSegment(sk, 'tcp_rfc7323_paws');
      if (!dataOrSyn(ins) && oowRateLimited(sk)) sk.mib.TCPACKSkippedPAWS++;
      else sendDupack(sk, ins);
      return false;
    }
  }
  const verdict = tcpSequence(sk, ins);
  if (verdict !== 'ok') {
    if (!rst) {
      if (syn) return synChallenge(sk);
      dropSegment(sk, verdict === 'old' ? 'tcp_old_sequence' : 'tcp_invalid_sequence');
      if (!dataOrSyn(ins) && oowRateLimited(sk)) sk.mib.TCPACKSkippedSeq++;
      else sendDupack(sk, ins);
    } else if (resetCheck(sk, ins)) {
      tcpReset(sk);
    } else dropSegment(sk, 'tcp_reset_out_of_window');
    return false;
  }
  if (rst) {
    if (seg.seq === sk.rcvNxt || resetCheck(sk, ins)) {
      tcpReset(sk);
      return false;
    }
    if (sk.sackOk && sk.rcv.sacks.length > 0) {
      let maxSack = sk.rcv.sacks[0]!.end;
      for (const b of sk.rcv.sacks) if (after(b.end, maxSack)) maxSack = b.end;
      if (seg.seq === maxSack) {
        tcpReset(sk);
        return false;
      }
    }
    sendChallengeAck(sk);
    dropSegment(sk, 'tcp_reset');
    return false;
  }
  if (syn) {
    if (sk.state === TCP_SYN_RECV && seg.flags & TCP_ACK && ((seg.seq + 1) >>> 0) === ins.endSeq && ((seg.seq + 1) >>> 0) === sk.rcvNxt && seg.ack === sk.sndNxt) return true;
    return synChallenge(sk);
  }
  return true;
}

function dataOrSyn(ins: InSegment): boolean {
  return ins.endSeq !== ins.seg.seq && !(ins.seg.flags & TCP_SYN);
}

function synChallenge(sk: TcpSock): boolean {
  sk.mib.TCPSYNChallenge++;
  sendChallengeAck(sk);
  dropSegment(sk, 'tcp_invalid_syn');
  return false;
}

// ------------------------------------------------------------------ per state

/** ESTABLISHED (tcp_rcv_established, always by its slow path). */
function rcvEstablished(sk: TcpSock, ins: InSegment): void {
  const { seg } = ins;
  if (!(seg.flags & (TCP_ACK | TCP_RST | TCP_SYN))) {
    dropSegment(sk, 'tcp_flags');
    return;
  }
  if (!validateIncoming(sk, ins)) return;
  const r = tcpAck(sk, { seg, endSeq: ins.endSeq, tsecr: tsecrOf(sk, ins) }, FLAG_UPDATE_TS_RECENT, () => sendChallengeAck(sk));
  if (r === ACK_UNSENT) {
    sendChallengeAck(sk);
    dropSegment(sk, 'tcp_ack_unsent_data');
    return;
  }
  if (r === ACK_TOO_OLD) {
    dropSegment(sk, 'tcp_too_old_ack');
    return;
  }
  replaceTsRecent(sk, ins);
  rcvRttMeasureTs(sk, ins);
  acceptCwr(sk, ins);
  dataQueue(sk, ins);
  afterData(sk);
}

function acceptCwr(sk: TcpSock, ins: InSegment): void {
  if (ins.seg.flags & TCP_CWR && sk.ecnOk) {
    sk.ecnDemandCwr = false;
    if (ins.seg.seq !== ins.endSeq) sk.ackPending |= ACK_NOW;
  }
}

function afterData(sk: TcpSock): void {
  if (sk.state === TCP_CLOSE) return;
  dataSndCheck(sk);
  ackSndCheck(sk);
}

/** The handshake completed: Linux's tcp_finish_connect / the SYN_RECV branch. */
function finishConnect(sk: TcpSock): void {
  setState(sk, TCP_ESTABLISHED);
  sk.lrcvtimeUs = sk.nowUs();
  establishedTransfer(sk);
  sk.lsndtimeUs = sk.nowUs();
  if (sk.keepaliveOn) resetKeepaliveTimer(sk, keepaliveTimeUs(sk));
}

export function keepaliveTimeUs(sk: TcpSock): number {
  return (sk.keepIdleS || sk.host.sysctl.tcp_keepalive_time) * 1_000_000;
}

/** SYN_SENT (tcp_rcv_synsent_state_process): returns true when the segment earns a RST. */
function rcvSynSent(sk: TcpSock, ins: InSegment): boolean {
  const { seg } = ins;
  const offer = sk.synOffer!;
  if (seg.flags & TCP_ACK) {
    if (!after(seg.ack, sk.sndUna) || after(seg.ack, sk.sndNxt)) {
      dropSegment(sk, 'tcp_invalid_ack_sequence');
      return true;
    }
    if (ins.sawTs && offer.ts && ins.tsecr) {
      const stamp = tsOfUs(sk.retransStampUs || sk.rtx.first?.firstTxUs || sk.nowUs(), sk.tsOffset);
      if (!between(ins.tsecr, stamp, sk.tsNow())) {
        dropSegment(sk, 'tcp_rfc7323_paws');
        return true;
      }
    }
    if (seg.flags & TCP_RST) {
      tcpReset(sk);
      return false;
    }
    if (!(seg.flags & TCP_SYN)) {
      dropSegment(sk, 'tcp_flags');
      return false;
    }
    applySynOptions(sk, ins);
    if (sk.ecnOk && !(seg.flags & TCP_ECE && !(seg.flags & TCP_CWR))) sk.ecnOk = false;
    sk.sndWl1 = seg.seq;
    tcpAck(sk, { seg, endSeq: ins.endSeq, tsecr: tsecrOf(sk, ins) }, 0, () => undefined);
    sk.rcvNxt = (seg.seq + 1) >>> 0;
    sk.rcvWup = sk.rcvNxt;
    sk.irs = seg.seq;
    sk.sndWnd = seg.window;
    sk.maxWindow = Math.max(sk.maxWindow, sk.sndWnd);
    if (!sk.wscaleOk) {
      sk.sndWscale = sk.rcvWscale = 0;
      sk.windowClamp = Math.min(sk.windowClamp, 65535);
    }
    if (ins.sawTs && offer.ts) {
      sk.tsOk = true;
      sk.tcpHeaderOpts = TS_ALIGNED;
      sk.advmss -= TS_ALIGNED;
      storeTsRecent(sk, ins);
    } else {
      sk.tsOk = false;
      sk.tcpHeaderOpts = 0;
    }
    sk.synOffer = null;
    syncMss(sk, sk.pmtu);
    initializeRcvMss(sk);
    sk.copiedSeq = sk.rcvNxt;
    finishConnect(sk);
    sk.events?.writable();
    if (sk.deferAcceptS || sk.pingpong >= sk.host.sysctl.tcp_pingpong_thresh) {
      scheduleAck(sk);
      enterQuickackMode(sk, TCP_MAX_QUICKACKS);
      sk.ackPending |= 2;
      resetDelackTimer(sk, sk.nowUs() + 200_000);
      return false;
    }
    sendAck(sk);
    dataSndCheck(sk);
    return false;
  }
  if (seg.flags & TCP_RST) {
    dropSegment(sk, 'tcp_reset');
    return false;
  }
  if (seg.flags & TCP_SYN) {
    // Simultaneous open: our SYN crossed theirs.
    setState(sk, TCP_SYN_RECV);
    applySynOptions(sk, ins);
    if (ins.sawTs && offer.ts) {
      sk.tsOk = true;
      storeTsRecent(sk, ins);
      sk.tcpHeaderOpts = TS_ALIGNED;
    } else {
      sk.tsOk = false;
      sk.tcpHeaderOpts = 0;
    }
    sk.rcvNxt = (seg.seq + 1) >>> 0;
    sk.irs = seg.seq;
    sk.copiedSeq = sk.rcvNxt;
    sk.rcvWup = sk.rcvNxt;
    sk.sndWnd = seg.window;
    sk.sndWl1 = seg.seq;
    sk.maxWindow = sk.sndWnd;
    if (sk.ecnOk && !(seg.flags & TCP_ECE && seg.flags & TCP_CWR)) sk.ecnOk = false;
    syncMss(sk, sk.pmtu);
    initializeRcvMss(sk);
    // tcp_send_synack: our SYN again, now acknowledging theirs, with our SYN's options.
    const syn = sk.rtx.first;
    if (syn) transmitSkb(sk, syn, false);
    return false;
  }
  dropSegment(sk, 'tcp_flags');
  return false;
}

/** What the peer's SYN or SYN-ACK settles: its MSS, window scale, SACK. */
function applySynOptions(sk: TcpSock, ins: InSegment): void {
  const offer = sk.synOffer!;
  let mss = ins.mss ?? TCP_MSS_DEFAULT;
  if (sk.userMss && sk.userMss < mss) mss = sk.userMss;
  sk.mssClamp = mss;
  sk.wscaleOk = offer.wscale && ins.wscale !== null;
  sk.sndWscale = sk.wscaleOk ? ins.wscale! : 0;
  if (!sk.wscaleOk) sk.rcvWscale = 0;
  sk.sackOk = offer.sack && ins.sackPerm;
}

/** tcp_initialize_rcv_mss: a guess of the peer's MSS until its data shows it. */
export function initializeRcvMss(sk: TcpSock): void {
  let hint = Math.min(sk.advmss, sk.mssCache);
  hint = Math.min(hint, Math.floor(sk.rcvWnd / 2));
  hint = Math.min(hint, TCP_MSS_DEFAULT);
  sk.rcvMss = Math.max(hint, TCP_MIN_MSS);
}

/** fin_timeout of an orphan (tcp_fin_time): linger2, at least 3.5 RTOs. */
export function finTimeUs(sk: TcpSock): number {
  const linger2 = sk.linger2S !== null && sk.linger2S >= 0 ? sk.linger2S : sk.host.sysctl.tcp_fin_timeout;
  const fin = linger2 * 1_000_000;
  const rto = sk.rtoUs;
  return Math.max(fin, (rto << 2) - (rto >> 1));
}

/**
 * Every state but LISTEN (tcp_v4_do_rcv → tcp_rcv_established / tcp_rcv_state_process).
 * Returns true when the caller must answer with a reset (as Linux's tcp_v4_send_reset).
 */
export function tcpRcv(sk: TcpSock, ins: InSegment): boolean {
  const segs = segmentsIn(ins);
  sk.segsIn += segs;
  if (ins.seg.payload.length) sk.dataSegsIn += segs;
  if (sk.state === TCP_ESTABLISHED) {
    rcvEstablished(sk, ins);
    return false;
  }
  if (sk.state === TCP_CLOSE) {
    dropSegment(sk, 'tcp_close');
    return false;
  }
  if (sk.state === TCP_SYN_SENT) return rcvSynSent(sk, ins);
  const { seg } = ins;
  if (!(seg.flags & (TCP_ACK | TCP_RST | TCP_SYN))) {
    dropSegment(sk, 'tcp_flags');
    return false;
  }
  if (!validateIncoming(sk, ins)) return false;
  const r = tcpAck(sk, { seg, endSeq: ins.endSeq, tsecr: tsecrOf(sk, ins) }, FLAG_UPDATE_TS_RECENT | FLAG_NO_CHALLENGE_ACK, () => undefined);
  if (r !== ACK_OK) {
    if (sk.state === TCP_SYN_RECV) return true;
    if (r < 0) {
      sendChallengeAck(sk);
      dropSegment(sk, 'tcp_ack_unsent_data');
      return false;
    }
  }
  if (r === ACK_OK) replaceTsRecent(sk, ins);
  switch (sk.state) {
    case TCP_SYN_RECV:
      sk.delivered++;
      sk.retransStampUs = 0;
      sk.copiedSeq = sk.rcvNxt;
      sk.sndUna = seg.ack;
      sk.sndWnd = seg.window * 2 ** sk.sndWscale;
      sk.sndWl1 = seg.seq;
      if (sk.tsOk) sk.advmss -= TS_ALIGNED;
      sk.synOffer = null;
      // The first data is sized by the pacing rate (GSO autosizing), so it is set now.
      updatePacingRate(sk);
      finishConnect(sk);
      initializeRcvMss(sk);
      sk.events?.writable();
      if (sk.shutdown & SEND_SHUTDOWN) sk.events?.stateChanged();
      break;
    case TCP_FIN_WAIT1: {
      if (sk.sndUna !== sk.writeSeq) break;
      setState(sk, TCP_FIN_WAIT2);
      sk.shutdown |= SEND_SHUTDOWN;
      if (!sk.orphan) {
        sk.events?.stateChanged();
        break;
      }
      if (sk.linger2S !== null && sk.linger2S < 0) {
        tcpDone(sk);
        sk.mib.TCPAbortOnData++;
        return true;
      }
      if (ins.endSeq !== seg.seq && after((ins.endSeq - (seg.flags & TCP_FIN ? 1 : 0)) >>> 0, sk.rcvNxt)) {
        tcpDone(sk);
        sk.mib.TCPAbortOnData++;
        return true;
      }
      const tmo = finTimeUs(sk);
      if (tmo > 60_000_000) resetKeepaliveTimer(sk, tmo - 60_000_000);
      else if (seg.flags & TCP_FIN) resetKeepaliveTimer(sk, tmo);
      else {
        sk.ops.timeWait(sk, TCP_FIN_WAIT2, tmo);
        return false;
      }
      break;
    }
    case TCP_CLOSING:
      if (sk.sndUna === sk.writeSeq) {
        sk.ops.timeWait(sk, TCP_TIME_WAIT, 0);
        return false;
      }
      break;
    case TCP_LAST_ACK:
      if (sk.sndUna === sk.writeSeq) {
        sk.ops.saveMetrics(sk);
        tcpDone(sk);
        return false;
      }
      break;
  }
  // Step 7, the segment text: after the peer's FIN only what lies below it; after our own
  // close, new data is refused with a reset (RFC 1122).
  const st = sk.state;
  const afterPeerFin = st === TCP_CLOSE_WAIT || st === TCP_CLOSING || st === TCP_LAST_ACK;
  const finWait = st === TCP_FIN_WAIT1 || st === TCP_FIN_WAIT2;
  if ((afterPeerFin && before(seg.seq, sk.rcvNxt)) || finWait) {
    if (sk.shutdown & RCV_SHUTDOWN && ins.endSeq !== seg.seq && after((ins.endSeq - (seg.flags & TCP_FIN ? 1 : 0)) >>> 0, sk.rcvNxt)) {
      sk.mib.TCPAbortOnData++;
      tcpReset(sk);
      return true;
    }
    dataQueue(sk, ins);
  } else if (st === TCP_ESTABLISHED) dataQueue(sk, ins);
  afterData(sk);
  return false;
}
