// Round-trip time estimation and the retransmission timeout (RFC 6298, as Linux computes them in
// tcp_rtt_estimator and tcp_set_rto): srtt kept times 8, a mean deviation with Linux's gains
// (and its finer gain when the RTT falls), rttvar at least rto_min, the RTO rounded up to whole
// jiffies (milliseconds here) and capped at rto_max. The minimum RTT is a windowed minimum.

import type { TcpSock } from './sock.js';
import { after } from './seq.js';

/** tcp_rto_min_us: the route has none here, so the sysctl (200 ms by default). */
export function rtoMinUs(sk: TcpSock): number {
  return sk.host.sysctl.tcp_rto_min_us;
}

export function rtoMaxUs(sk: TcpSock): number {
  return sk.host.sysctl.tcp_rto_max_ms * 1000;
}

/** usecs_to_jiffies: up to the next millisecond. */
export function toJiffiesUs(us: number): number {
  return Math.ceil(us / 1000) * 1000;
}

export function rttEstimator(sk: TcpSock, mrttUs: number): void {
  let m = mrttUs;
  let srtt = sk.srttUs;
  if (srtt !== 0) {
    m -= srtt >> 3;
    srtt += m;
    if (m < 0) {
      m = -m;
      m -= sk.mdevUs >> 2;
      if (m > 0) m >>= 3;
    } else {
      m -= sk.mdevUs >> 2;
    }
    sk.mdevUs += m;
    if (sk.mdevUs > sk.mdevMaxUs) {
      sk.mdevMaxUs = sk.mdevUs;
      if (sk.mdevMaxUs > sk.rttvarUs) sk.rttvarUs = sk.mdevMaxUs;
    }
    if (after(sk.sndUna, sk.rttSeq)) {
      if (sk.mdevMaxUs < sk.rttvarUs) sk.rttvarUs -= (sk.rttvarUs - sk.mdevMaxUs) >> 2;
      sk.rttSeq = sk.sndNxt;
      sk.mdevMaxUs = rtoMinUs(sk);
    }
  } else {
    srtt = m << 3;
    sk.mdevUs = m << 1;
    sk.rttvarUs = Math.max(sk.mdevUs, rtoMinUs(sk));
    sk.mdevMaxUs = sk.rttvarUs;
    sk.rttSeq = sk.sndNxt;
  }
  sk.srttUs = Math.max(1, srtt);
}

export function setRto(sk: TcpSock): void {
  sk.rtoUs = Math.min(toJiffiesUs((sk.srttUs >> 3) + sk.rttvarUs), rtoMaxUs(sk));
}

/** The windowed minimum RTT (tcp_update_rtt_min, over tcp_min_rtt_wlen seconds). */
export function updateMinRtt(sk: TcpSock, rttUs: number): void {
  const now = sk.nowUs();
  const wlen = sk.host.sysctl.tcp_min_rtt_wlen * 1_000_000;
  const sample = Math.max(1, rttUs);
  if (sample <= sk.minRttUs || now - sk.minRttStampUs > wlen || sk.minRttUs === 0xffffffff) {
    sk.minRttUs = sample;
    sk.minRttStampUs = now;
  }
}

/**
 * An RTT sample arrived with an ACK (tcp_ack_update_rtt): seqRttUs from a segment sent once
 * (Karn), else the timestamp echo when the ACK advanced snd_una. Returns whether one was used.
 */
export function ackUpdateRtt(sk: TcpSock, seqRttUs: number, caRttUs: number, tsecrUs: number): boolean {
  let seq = seqRttUs;
  let ca = caRttUs;
  if (seq < 0 && tsecrUs >= 0) seq = ca = tsecrUs;
  if (seq < 0) return false;
  updateMinRtt(sk, ca);
  rttEstimator(sk, seq);
  setRto(sk);
  sk.backoff = 0;
  return true;
}

/** The RTT from a timestamp echo in µs (tcp_rtt_tsopt_us), or -1 if there is none usable. */
export function tsoptRttUs(sk: TcpSock, tsecr: number): number {
  if (!sk.tsOk || tsecr === 0) return -1;
  const delta = (sk.tsNow() - tsecr) >>> 0;
  if (delta >= 0x7fffffff / 1000) return -1;
  return (delta === 0 ? 1 : delta) * 1000;
}

/** The smoothed RTT in µs (tcpi_rtt), or 0 before any sample. */
export function srttUs(sk: TcpSock): number {
  return sk.srttUs >> 3;
}

/** The RTO with the current backoff (tcp_rto with icsk_backoff), capped. */
export function backedOffRtoUs(sk: TcpSock): number {
  return Math.min(sk.rtoUs * 2 ** sk.backoff, rtoMaxUs(sk));
}
