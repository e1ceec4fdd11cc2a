// The TCP metrics cache (Linux's tcp_metrics.c): what a finished connection learnt about a
// destination (its smoothed RTT and variance, the congestion window, reordering, and ssthresh when
// net.ipv4.tcp_no_ssthresh_metrics_save is 0) is kept per (destination, source) and seeds the
// next connection to it: its first RTO comes from the cached RTT when that is larger than the
// handshake's sample. Saved when a connection reaches TIME_WAIT or ends in LAST_ACK
// (tcp_update_metrics), read when a handshake completes (tcp_init_metrics); `ip tcp_metrics`
// shows and flushes it. Bounded: the oldest entry makes room, as Linux's hash chains do.

import { TCP_CA_Open } from '../../abi/tcp.js';
import type { TcpHost } from './host.js';
import { rtoMinUs } from './rtt.js';
import { TCP_INFINITE_SSTHRESH, type TcpSock } from './sock.js';

/** Entries kept; Linux's table grows with memory, tunlab's stays this size. */
export const TCP_METRICS_MAX = 1024;
/** An entry older than this is forgotten when next used (TCP_METRICS_TIMEOUT, one hour). */
const TCP_METRICS_TIMEOUT_NS = 3600e9;
/** jiffies are ms here (HZ=1000). */
const US_PER_JIFFY = 1000;

export interface TcpMetricsEntry {
  daddr: number;
  saddr: number;
  /** Smoothed RTT in µs, scaled by 8 as srtt_us (TCP_METRIC_RTT). */
  rtt: number;
  /** RTT variance in µs, scaled by 4 as mdev_us (TCP_METRIC_RTTVAR). */
  rttvar: number;
  ssthresh: number;
  cwnd: number;
  reordering: number;
  /** When it was last updated (tcpm_stamp), host ns. */
  stampNs: number;
}

export class TcpMetrics {
  private readonly entries = new Map<string, TcpMetricsEntry>();

  constructor(private readonly host: TcpHost) {}

  private get(daddr: number, saddr: number, create: boolean): TcpMetricsEntry | null {
    const k = `${daddr}:${saddr}`;
    let e = this.entries.get(k);
    const now = this.host.now();
    if (e && now - e.stampNs > TCP_METRICS_TIMEOUT_NS) {
      // tcpm_check_stamp: stale values start again from nothing.
      Object.assign(e, { rtt: 0, rttvar: 0, ssthresh: 0, cwnd: 0, reordering: 0, stampNs: now });
    }
    if (!e && create) {
      if (this.entries.size >= TCP_METRICS_MAX) {
        let oldest: string | null = null;
        let at = Infinity;
        for (const [key, x] of this.entries) if (x.stampNs < at) [oldest, at] = [key, x.stampNs];
        if (oldest !== null) this.entries.delete(oldest);
      }
      e = { daddr, saddr, rtt: 0, rttvar: 0, ssthresh: 0, cwnd: 0, reordering: 0, stampNs: now };
      this.entries.set(k, e);
    }
    return e ?? null;
  }

  /** tcp_update_metrics: a connection ends; what it measured updates its destination's entry. */
  update(sk: TcpSock): void {
    const s = this.host.sysctl;
    if (s.tcp_no_metrics_save) return;
    if (sk.backoff || !sk.srttUs) {
      // No usable RTT this time (probably nothing came back in time): forget the cached one.
      const e = this.get(sk.remoteAddr, sk.localAddr, false);
      if (e) e.rtt = 0;
      return;
    }
    const e = this.get(sk.remoteAddr, sk.localAddr, true)!;
    let m = e.rtt - sk.srttUs;
    // A larger RTT is taken as it is, a smaller one slowly: overestimating is the safe side.
    e.rtt = m <= 0 ? sk.srttUs : e.rtt - (m >> 3);
    if (m < 0) m = -m;
    m >>= 1;
    if (m < sk.mdevUs) m = sk.mdevUs;
    e.rttvar = m >= e.rttvar ? m : e.rttvar - ((e.rttvar - m) >> 2);
    const saveSsthresh = !s.tcp_no_ssthresh_metrics_save;
    if (sk.sndSsthresh >= TCP_INFINITE_SSTHRESH) {
      // Slow start never ended.
      if (saveSsthresh && e.ssthresh && sk.sndCwnd >> 1 > e.ssthresh) e.ssthresh = sk.sndCwnd >> 1;
      if (sk.sndCwnd > e.cwnd) e.cwnd = sk.sndCwnd;
    } else if (sk.sndCwnd >= sk.sndSsthresh && sk.caState === TCP_CA_Open) {
      // Congestion avoidance: the window is to be trusted.
      if (saveSsthresh) e.ssthresh = Math.max(sk.sndCwnd >> 1, sk.sndSsthresh);
      e.cwnd = (e.cwnd + sk.sndCwnd) >> 1;
    } else {
      // Back in slow start after a loss, or still recovering: the window means little.
      e.cwnd = (e.cwnd + sk.sndSsthresh) >> 1;
      if (saveSsthresh && e.ssthresh && sk.sndSsthresh > e.ssthresh) e.ssthresh = sk.sndSsthresh;
      if (e.reordering < sk.reordering && sk.reordering !== s.tcp_reordering) e.reordering = sk.reordering;
    }
    e.stampNs = this.host.now();
  }

  /** tcp_init_metrics: a handshake completed; the cached values seed the new connection. Returns
   * whether the RTO came from the cache (else the caller may apply RFC 6298's fallback). */
  init(sk: TcpSock): boolean {
    // ssthresh may have been cut during the handshake: back to its initial value.
    sk.sndSsthresh = TCP_INFINITE_SSTHRESH;
    const e = this.get(sk.remoteAddr, sk.localAddr, false);
    let crtt = 0;
    if (e) {
      const ssthresh = this.host.sysctl.tcp_no_ssthresh_metrics_save ? 0 : e.ssthresh;
      if (ssthresh) sk.sndSsthresh = Math.min(ssthresh, sk.sndCwndClamp);
      if (e.reordering && sk.reordering !== e.reordering) sk.reordering = e.reordering;
      crtt = e.rtt;
    }
    if (crtt > sk.srttUs) {
      // The RTO as the estimator would set it from the cached RTT; the estimator itself is left
      // to the connection's own samples. In jiffies, as Linux computes it.
      const j = Math.floor(crtt / (8 * US_PER_JIFFY));
      sk.rtoUs = (j + Math.max(2 * j, Math.floor(rtoMinUs(sk) / US_PER_JIFFY))) * US_PER_JIFFY;
      return true;
    }
    return false;
  }

  list(): TcpMetricsEntry[] {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  /** Forget the entries for `daddr` (all of them when null); how many went. */
  delete(daddr: number | null): number {
    let n = 0;
    for (const [k, e] of this.entries) {
      if (daddr !== null && e.daddr !== daddr) continue;
      this.entries.delete(k);
      n++;
    }
    return n;
  }
}
