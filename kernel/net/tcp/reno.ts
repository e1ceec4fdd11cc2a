// Reno (RFC 5681) as Linux's tcp_cong.c has it: slow start adds one segment per segment ACKed up
// to ssthresh, congestion avoidance one per window's worth; a loss halves the window (at least 2).
// The helpers are the ones every algorithm shares.

import type { CongestionControl, TcpSock } from './sock.js';

export function inSlowStart(sk: TcpSock): boolean {
  return sk.sndCwnd < sk.sndSsthresh;
}

/** tcp_is_cwnd_limited: grow only a window that is used (in slow start: twice what was out). */
export function isCwndLimited(sk: TcpSock): boolean {
  if (sk.isCwndLimited) return true;
  if (inSlowStart(sk)) return sk.sndCwnd < 2 * sk.maxPacketsOut;
  return false;
}

/** tcp_slow_start: returns the ACKed segments left over once ssthresh is reached. */
export function slowStart(sk: TcpSock, acked: number): number {
  const cwnd = Math.min(sk.sndCwnd + acked, sk.sndSsthresh);
  const left = acked - (cwnd - sk.sndCwnd);
  sk.sndCwnd = Math.min(cwnd, sk.sndCwndClamp);
  return left;
}

/** tcp_cong_avoid_ai: one more segment per `w` segments ACKed. */
export function congAvoidAi(sk: TcpSock, w: number, acked: number): void {
  if (sk.sndCwndCnt >= w) {
    sk.sndCwndCnt = 0;
    sk.sndCwnd++;
  }
  sk.sndCwndCnt += acked;
  if (sk.sndCwndCnt >= w) {
    const delta = Math.floor(sk.sndCwndCnt / w);
    sk.sndCwndCnt -= delta * w;
    sk.sndCwnd += delta;
  }
  sk.sndCwnd = Math.min(sk.sndCwnd, sk.sndCwndClamp);
}

export const reno: CongestionControl = {
  name: 'reno',
  init() {},
  ssthresh(sk) {
    return Math.max(sk.sndCwnd >>> 1, 2);
  },
  congAvoid(sk, _ack, acked) {
    if (!isCwndLimited(sk)) return;
    let left = acked;
    if (inSlowStart(sk)) {
      left = slowStart(sk, acked);
      if (!left) return;
    }
    congAvoidAi(sk, sk.sndCwnd, left);
  },
  undoCwnd(sk) {
    return Math.max(sk.sndCwnd, sk.priorCwnd);
  },
};
