// What happens when an endpoint's timers fire (Linux's tcp_timer.c): the retransmission timeout
// with exponential backoff (linear for the first SYNs) and the give-up rules of tcp_retries2,
// tcp_syn_retries and TCP_USER_TIMEOUT; zero-window probes; the tail loss probe; RACK's
// reordering timeout; the delayed ACK; keepalive probes; an orphan's FIN_WAIT2 lifetime.

import { TCP_CLOSE, TCP_ESTABLISHED, TCP_FIN_WAIT2, TCP_LISTEN, TCP_SYN_RECV, TCP_SYN_SENT } from '../../abi/tcp.js';
import { probe0When } from './ack.js';
import { currentMss } from './mss.js';
import {
  ACK_SCHED,
  ACK_TIMER,
  LOCAL_CONGESTION,
  rearmRto,
  sendAck,
  sendActiveReset,
  writeWakeup,
  writeXmit,
  NAGLE_OFF,
} from './output.js';
import { enterLoss, rackReoTimeout } from './recovery.js';
import { retransmitSkb, retransmitSkbOnce } from './retransmit.js';
import { rtoMaxUs } from './rtt.js';
import { before } from './seq.js';
import type { TcpSock } from './sock.js';
import { TCP_ATO_MIN_US, TCP_RESOURCE_PROBE_INTERVAL_US, TCP_TIMEOUT_INIT_US, TCP_TIMEWAIT_LEN_US } from './sock.js';
import { doneWithError, tcpDone } from './state.js';
import { resetKeepaliveTimer, resetXmitTimer } from './timers.js';
import { finTimeUs, keepaliveTimeUs } from './input.js';

const TCP_RTO_MIN_US = 200_000;

/** tcp_write_err: give up with ETIMEDOUT (or the soft error an ICMP message left). */
function writeErr(sk: TcpSock): void {
  doneWithError(sk, sk.errSoft ?? 'ETIMEDOUT');
  sk.mib.TCPAbortOnTimeout++;
}

/** tcp_model_timeout: how long `boundary` retransmissions take from rto_base, in µs. */
function modelTimeoutUs(boundary: number, rtoBaseUs: number): number {
  const thresh = Math.floor(Math.log2(120_000_000 / rtoBaseUs));
  if (boundary <= thresh) return (2 ** (boundary + 1) - 1) * rtoBaseUs;
  return (2 ** (thresh + 1) - 1) * rtoBaseUs + (boundary - thresh) * 120_000_000;
}

/** retransmits_timed_out: since the first retransmission, `boundary` retries' worth of time (or
 * the user timeout) has passed. */
function retransmitsTimedOut(sk: TcpSock, boundary: number, userTimeoutMs: number): boolean {
  if (!sk.retransmits) return false;
  const start = sk.retransStampUs;
  const timeout =
    userTimeoutMs > 0
      ? userTimeoutMs * 1000
      : modelTimeoutUs(boundary, sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV ? TCP_TIMEOUT_INIT_US : TCP_RTO_MIN_US);
  return Math.floor((sk.nowUs() - start) / 1000) - Math.floor(timeout / 1000) >= 0;
}

/** tcp_orphan_retries. */
function orphanRetries(sk: TcpSock, alive: boolean): number {
  let r = sk.host.sysctl.tcp_orphan_retries;
  if (sk.errSoft && !alive) r = 0;
  if (r === 0 && alive) r = 8;
  return r;
}

/** tcp_write_timeout: true when the connection was given up. */
function writeTimeout(sk: TcpSock): boolean {
  const s = sk.host.sysctl;
  let expired = false;
  let retryUntil: number;
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) {
    retryUntil = sk.synCnt || s.tcp_syn_retries;
    let max = retryUntil;
    if (sk.state === TCP_SYN_SENT) max += s.tcp_syn_linear_timeouts;
    expired = sk.retransmits >= max;
  } else {
    retryUntil = s.tcp_retries2;
    if (sk.orphan) {
      const alive = sk.rtoUs < rtoMaxUs(sk);
      retryUntil = orphanRetries(sk, alive);
    }
  }
  if (!expired) expired = retransmitsTimedOut(sk, retryUntil, sk.userTimeoutMs);
  if (expired) {
    writeErr(sk);
    return true;
  }
  return false;
}

/** tcp_clamp_rto_to_user_timeout. */
function clampRtoToUserTimeout(sk: TcpSock): number {
  if (!sk.userTimeoutMs) return sk.rtoUs;
  const elapsed = sk.nowUs() - sk.retransStampUs;
  const remaining = sk.userTimeoutMs * 1000 - elapsed;
  if (remaining <= 0) return 1000;
  return Math.min(sk.rtoUs, Math.ceil(remaining / 1000) * 1000);
}

/** tcp_update_rto_stats. */
function updateRtoStats(sk: TcpSock): void {
  if (!sk.retransmits) {
    sk.totalRtoRecoveries++;
    sk.rtoStampUs = sk.nowUs();
  }
  sk.retransmits++;
  sk.totalRto++;
}

/** tcp_retransmit_timer. */
function retransmitTimer(sk: TcpSock): void {
  if (!sk.packetsOut) return;
  const head = sk.rtx.first;
  if (!head) return;
  const s = sk.host.sysctl;
  if (!sk.sndWnd && !sk.orphan && sk.state !== TCP_SYN_SENT && sk.state !== TCP_SYN_RECV) {
    // The peer shrank its window to nothing: retransmissions are window probes and never time
    // the connection out, unless it is an orphan or past the user timeout.
    const since = sk.nowUs() - (sk.retransStampUs || head.txUs);
    if (sk.userTimeoutMs ? since >= sk.userTimeoutMs * 1000 : since > rtoMaxUs(sk) * 2) {
      writeErr(sk);
      return;
    }
    enterLoss(sk);
    retransmitSkb(sk, head);
    backoffAndArm(sk);
    return;
  }
  sk.mib.TCPTimeouts++;
  if (writeTimeout(sk)) return;
  if (sk.retransmits === 0) {
    if (sk.caState === 4) sk.mib.TCPLossFailures++;
    else if (sk.caState === 3 || sk.caState === 1 || sk.sackedOut) {
      if (sk.sackOk) sk.mib.TCPSackFailures++;
      else sk.mib.TCPRenoFailures++;
    }
  }
  enterLoss(sk);
  updateRtoStats(sk);
  const err = retransmitSkb(sk, sk.rtx.first!);
  if (err === LOCAL_CONGESTION) {
    resetXmitTimer(sk, 'retrans', TCP_RESOURCE_PROBE_INTERVAL_US);
    return;
  }
  // Linear timeouts for the first SYNs (tcp_syn_linear_timeouts), thin streams if asked.
  if (sk.state === TCP_ESTABLISHED && s.tcp_thin_linear_timeouts && sk.packetsOut < 4 && sk.retransmits <= 6) {
    sk.backoff = 0;
    sk.rtoUs = Math.min(Math.max(Math.ceil(((sk.srttUs >> 3) + sk.rttvarUs) / 1000) * 1000, s.tcp_rto_min_us), rtoMaxUs(sk));
  } else if (sk.state !== TCP_SYN_SENT || sk.totalRto > s.tcp_syn_linear_timeouts) {
    sk.backoff++;
    sk.rtoUs = Math.min(sk.rtoUs * 2, rtoMaxUs(sk));
  }
  resetXmitTimer(sk, 'retrans', clampRtoToUserTimeout(sk));
}

function backoffAndArm(sk: TcpSock): void {
  sk.backoff++;
  sk.rtoUs = Math.min(sk.rtoUs * 2, rtoMaxUs(sk));
  resetXmitTimer(sk, 'retrans', clampRtoToUserTimeout(sk));
}

/** tcp_clamp_probe0_to_user_timeout. */
function clampProbe0ToUserTimeout(sk: TcpSock, whenUs: number): number {
  if (!sk.userTimeoutMs || !sk.probeStampUs) return whenUs;
  const elapsed = Math.max(0, sk.nowUs() - sk.probeStampUs);
  const remaining = Math.max(sk.userTimeoutMs * 1000 - elapsed, 2000);
  return Math.min(remaining, whenUs);
}

/** tcp_send_probe0. */
function sendProbe0(sk: TcpSock): void {
  const err = writeWakeup(sk, 'TCPWinProbe');
  if (sk.packetsOut || sk.writeQueue.length === 0) {
    sk.probesOut = 0;
    sk.backoff = 0;
    sk.probeStampUs = 0;
    return;
  }
  sk.probesOut++;
  let timeout: number;
  if (err !== LOCAL_CONGESTION) {
    if (sk.backoff < sk.host.sysctl.tcp_retries2) sk.backoff++;
    timeout = probe0When(sk, rtoMaxUs(sk));
  } else timeout = TCP_RESOURCE_PROBE_INTERVAL_US;
  resetXmitTimer(sk, 'probe0', clampProbe0ToUserTimeout(sk, timeout));
}

/** tcp_probe_timer. */
function probeTimer(sk: TcpSock): void {
  if (sk.packetsOut || sk.writeQueue.length === 0) {
    sk.probesOut = 0;
    sk.probeStampUs = 0;
    return;
  }
  if (!sk.probeStampUs) sk.probeStampUs = sk.nowUs();
  else if (sk.userTimeoutMs && sk.nowUs() - sk.probeStampUs >= sk.userTimeoutMs * 1000) {
    writeErr(sk);
    return;
  }
  let maxProbes = sk.host.sysctl.tcp_retries2;
  if (sk.orphan) {
    const alive = Math.min(sk.rtoUs * 2 ** sk.backoff, rtoMaxUs(sk)) < rtoMaxUs(sk);
    maxProbes = orphanRetries(sk, alive);
    if (!alive && sk.backoff >= maxProbes) {
      writeErr(sk);
      return;
    }
  }
  if (sk.probesOut >= maxProbes) writeErr(sk);
  else sendProbe0(sk);
}

/** tcp_send_loss_probe: new data if the window allows, else the last segment again. */
function sendLossProbe(sk: TcpSock): void {
  if (sk.tlpHighSeq) {
    rearmRto(sk);
    return;
  }
  sk.tlpRetrans = false;
  const mss = currentMss(sk);
  const head = sk.writeQueue.first;
  let sent = false;
  if (head && before(head.seq, (sk.sndUna + sk.sndWnd) >>> 0)) {
    const before_ = sk.packetsOut;
    writeXmit(sk, mss, NAGLE_OFF, 2);
    sent = sk.packetsOut > before_;
  }
  if (!sent && !head) {
    const last = sk.rtx.last;
    if (!last) {
      sk.xmitTimerKind = null;
      return;
    }
    // __tcp_retransmit_skb: a probe is not a retransmission that the loss state counts (no
    // SACKED_RETRANS, no retrans_out, no undo or retrans stamp), or an RTO after it would keep
    // it in flight.
    if (!retransmitSkbOnce(sk, last)) {
      sk.tlpRetrans = true;
      sent = true;
    }
  }
  if (sent) {
    sk.tlpHighSeq = sk.sndNxt;
    sk.mib.TCPLossProbes++;
    sk.xmitTimerKind = null;
  }
  rearmRto(sk);
}

/** tcp_write_timer_handler: the transmit timer fired; do what it was armed for. */
export function writeTimer(sk: TcpSock): void {
  if (sk.state === TCP_CLOSE || sk.state === TCP_LISTEN || sk.xmitTimerKind === null) return;
  const kind = sk.xmitTimerKind;
  switch (kind) {
    case 'reo_timeout':
      rackReoTimeout(sk);
      break;
    case 'loss_probe':
      sendLossProbe(sk);
      break;
    case 'retrans':
      sk.xmitTimerKind = null;
      retransmitTimer(sk);
      break;
    case 'probe0':
      sk.xmitTimerKind = null;
      probeTimer(sk);
      break;
  }
}

/** tcp_delack_timer_handler. */
export function delackTimer(sk: TcpSock): void {
  if (sk.state === TCP_CLOSE || sk.state === TCP_LISTEN || !(sk.ackPending & ACK_TIMER)) return;
  sk.ackPending &= ~ACK_TIMER;
  if (sk.ackPending & ACK_SCHED) {
    if (sk.pingpong < sk.host.sysctl.tcp_pingpong_thresh) sk.atoUs = Math.min(sk.atoUs * 2, sk.rtoUs);
    else {
      sk.pingpong = 0;
      sk.atoUs = TCP_ATO_MIN_US;
    }
    sendAck(sk);
    sk.mib.DelayedACKs++;
  }
}

/** tcp_keepalive_timer (also an orphan's FIN_WAIT2 end). */
export function keepaliveTimer(sk: TcpSock): void {
  if (sk.state === TCP_LISTEN) return;
  if (sk.state === TCP_FIN_WAIT2 && sk.orphan) {
    if (sk.linger2S === null || sk.linger2S >= 0) {
      const tmo = finTimeUs(sk) - TCP_TIMEWAIT_LEN_US;
      if (tmo > 0) {
        sk.ops.timeWait(sk, TCP_FIN_WAIT2, tmo);
        return;
      }
    }
    sendActiveReset(sk);
    tcpDone(sk);
    return;
  }
  if (!sk.keepaliveOn || sk.state === TCP_CLOSE || sk.state === TCP_SYN_SENT) return;
  const when = keepaliveTimeUs(sk);
  let next = when;
  if (!sk.packetsOut && sk.writeQueue.length === 0) {
    const now = sk.nowUs();
    const elapsed = Math.min(now - sk.lrcvtimeUs, now - sk.rcvTstampUs);
    if (elapsed >= when) {
      const cnt = sk.keepCnt || sk.host.sysctl.tcp_keepalive_probes;
      if ((sk.userTimeoutMs && elapsed >= sk.userTimeoutMs * 1000 && sk.probesOut > 0) || (!sk.userTimeoutMs && sk.probesOut >= cnt)) {
        sendActiveReset(sk);
        writeErr(sk);
        return;
      }
      const err = writeWakeup(sk, 'TCPKeepAlive');
      if (err !== LOCAL_CONGESTION) {
        sk.probesOut++;
        next = (sk.keepIntvlS || sk.host.sysctl.tcp_keepalive_intvl) * 1_000_000;
      } else next = TCP_RESOURCE_PROBE_INTERVAL_US;
    } else next = when - elapsed;
  }
  resetKeepaliveTimer(sk, next);
}
