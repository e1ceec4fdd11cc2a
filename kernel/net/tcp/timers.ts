// The three timers of an endpoint, as Linux has them: the transmit timer (one timer for the RTO,
// zero-window probes, the tail loss probe and RACK's reordering timeout: icsk_pending says which),
// the delayed-ACK timer, and the keepalive timer (which also ends FIN_WAIT2 and SYN_RECV). Arming
// replaces what was armed; what fires is dispatched by the engine (TcpOps.timerFired).

import { CLOCK_BASE_US, type TcpSock, type XmitTimer } from './sock.js';

function arm(sk: TcpSock, atUs: number, which: 'xmit' | 'delack' | 'keepalive'): unknown {
  return sk.host.at((atUs - CLOCK_BASE_US) * 1000, () => {
    if (which === 'xmit') sk.xmitTimer = null;
    else if (which === 'delack') sk.delackTimer = null;
    else sk.keepaliveTimer = null;
    sk.ops.timerFired(sk, which);
  });
}

/** inet_csk_reset_xmit_timer: arm the transmit timer for `what` in `delayUs` (at most maxUs). */
export function resetXmitTimer(sk: TcpSock, what: XmitTimer, delayUs: number, maxUs = 120_000_000): void {
  const at = sk.nowUs() + Math.min(Math.max(0, delayUs), maxUs);
  resetXmitTimerAt(sk, what, at);
}

export function resetXmitTimerAt(sk: TcpSock, what: XmitTimer, atUs: number): void {
  if (sk.xmitTimer !== null) sk.host.cancel(sk.xmitTimer);
  sk.xmitTimerKind = what;
  sk.xmitTimerAtUs = atUs;
  sk.xmitTimer = arm(sk, atUs, 'xmit');
}

export function clearXmitTimer(sk: TcpSock): void {
  if (sk.xmitTimer !== null) sk.host.cancel(sk.xmitTimer);
  sk.xmitTimer = null;
  sk.xmitTimerKind = null;
}

export function resetDelackTimer(sk: TcpSock, atUs: number): void {
  if (sk.delackTimer !== null) sk.host.cancel(sk.delackTimer);
  sk.delackAtUs = atUs;
  sk.delackTimer = arm(sk, atUs, 'delack');
}

export function clearDelackTimer(sk: TcpSock): void {
  if (sk.delackTimer !== null) sk.host.cancel(sk.delackTimer);
  sk.delackTimer = null;
}

export function resetKeepaliveTimer(sk: TcpSock, delayUs: number): void {
  if (sk.keepaliveTimer !== null) sk.host.cancel(sk.keepaliveTimer);
  sk.keepaliveAtUs = sk.nowUs() + Math.max(0, delayUs);
  sk.keepaliveTimer = arm(sk, sk.keepaliveAtUs, 'keepalive');
}

export function clearKeepaliveTimer(sk: TcpSock): void {
  if (sk.keepaliveTimer !== null) sk.host.cancel(sk.keepaliveTimer);
  sk.keepaliveTimer = null;
}

export function clearAllTimers(sk: TcpSock): void {
  clearXmitTimer(sk);
  clearDelackTimer(sk);
  clearKeepaliveTimer(sk);
}
