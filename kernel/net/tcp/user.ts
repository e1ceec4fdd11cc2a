// What a socket asks of its endpoint, as Linux's tcp.c does it: send (filling TSO-sized segments,
// pushing with PSH at the end of each call, MSG_MORE and TCP_CORK holding small ones), receive
// (with the ACK a read may owe: tcp_cleanup_rbuf), shutdown, close (FIN, or RST when unread data
// is thrown away or SO_LINGER is zero), and the readiness poll() sees. Blocking is the caller's:
// each call does what it can now and says what it would wait for.

import type { ErrnoName } from '../../abi/errno.js';
import {
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_CLOSING,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_LAST_ACK,
  TCP_LISTEN,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
} from '../../abi/tcp.js';
import { TCP_ACK, TCP_PSH } from '../../abi/wire/tcp.js';
import { currentMss, boundToHalfWindow } from './mss.js';
import {
  ACK_PUSHED,
  ACK_PUSHED2,
  ACK_SCHED,
  entail,
  NAGLE_CORK,
  NAGLE_OFF,
  NAGLE_PUSH,
  nonagleOf,
  pushOne,
  pushPendingFrames,
  sendAck,
  sendActiveReset,
  sendFin,
} from './output.js';
import { after } from './seq.js';
import { TcpSkb } from './skb.js';
import type { TcpSock } from './sock.js';
import { RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, setState, writeQueuePurge } from './state.js';
import { rcvSpaceAdjust, selectWindowPreview } from './window.js';

export const POLL_IN = 0x1;
export const POLL_PRI = 0x2;
export const POLL_OUT = 0x4;
export const POLL_ERR = 0x8;
export const POLL_HUP = 0x10;
export const POLL_RDHUP = 0x2000;

export interface SendFlags {
  more?: boolean;
  eor?: boolean;
  /** Told of the send buffer a new segment takes the write's first byte into (packet journeys
   * link the write to the segment that carries it). */
  startsSegment?: (buffer: Uint8Array) => void;
}

export type SendStop = 'done' | 'connect' | 'memory' | 'error';

export interface SendStep {
  /** Bytes queued by this step. */
  n: number;
  stop: SendStop;
  err?: ErrnoName;
}

/** tcp_notsent_lowat: the socket's, else the sysctl's. */
export function notsentLowat(sk: TcpSock): number {
  return sk.notsentLowat || sk.host.sysctl.tcp_notsent_lowat;
}

/** sk_stream_memory_free (wake 0) / __sk_stream_is_writeable's half (wake 1). */
export function memoryFree(sk: TcpSock, wake: 0 | 1): boolean {
  if (sk.wmemQueued >= sk.sndbuf) return false;
  return sk.notsentBytes * 2 ** wake < notsentLowat(sk);
}

/** __sk_stream_is_writeable: room for at least a third of the buffer, and below NOTSENT_LOWAT. */
export function isWriteable(sk: TcpSock): boolean {
  return sk.sndbuf - sk.wmemQueued >= sk.wmemQueued >> 1 && memoryFree(sk, 1);
}

/** tcp_xmit_size_goal: segments are queued as large as a 64 KB GSO packet the peer's window
 * allows, in whole MSS, and cut to MSS when they leave. */
function sizeGoal(sk: TcpSock, mss: number): number {
  const goal = boundToHalfWindow(sk, 65536);
  return Math.max(Math.floor(goal / mss) * mss, mss);
}

function forcedPush(sk: TcpSock): boolean {
  return after(sk.writeSeq, (sk.pushedSeq + (sk.maxWindow >>> 1)) >>> 0);
}

function markPush(sk: TcpSock, skb: TcpSkb): void {
  skb.flags |= TCP_PSH;
  sk.pushedSeq = sk.writeSeq;
}

/** tcp_push: PSH on the last segment (unless MSG_MORE), then send what may go. */
function tcpPush(sk: TcpSock, flags: SendFlags, nonagle: number): void {
  const tail = sk.writeQueue.last;
  if (!tail) return;
  if (!flags.more || forcedPush(sk)) markPush(sk, tail);
  pushPendingFrames(sk, flags.more ? NAGLE_CORK : nonagle);
}

/**
 * One step of tcp_sendmsg: queue as much of data[off..] as the buffers allow. 'connect' and
 * 'memory' mean a blocking caller sleeps and calls again; 'error' carries the errno (EPIPE, or
 * the pending error, which it consumes).
 */
export function sendStep(sk: TcpSock, data: Uint8Array, off: number, flags: SendFlags): SendStep {
  if (sk.state !== TCP_ESTABLISHED && sk.state !== TCP_CLOSE_WAIT) {
    if (sk.err) return { n: 0, stop: 'error', err: takeError(sk)! };
    if (sk.state !== TCP_SYN_SENT && sk.state !== TCP_SYN_RECV) return { n: 0, stop: 'error', err: 'EPIPE' };
    return { n: 0, stop: 'connect' };
  }
  if (sk.err) return { n: 0, stop: 'error', err: takeError(sk)! };
  if (sk.shutdown & SEND_SHUTDOWN) return { n: 0, stop: 'error', err: 'EPIPE' };
  const mss = currentMss(sk);
  const goal = sizeGoal(sk, mss);
  let copied = 0;
  let at = off;
  while (at < data.length) {
    let skb = sk.writeQueue.last;
    let room = skb && !skb.eor ? skb.room(goal) : 0;
    if (room <= 0) {
      if (!memoryFree(sk, 0)) {
        sk.nospace = true;
        if (copied) tcpPush(sk, { ...flags, more: false }, NAGLE_PUSH);
        return { n: copied, stop: 'memory' };
      }
      skb = new TcpSkb(sk.writeSeq, goal, TCP_ACK);
      if (at === 0) flags.startsSegment?.(skb.data);
      entail(sk, skb);
      room = goal;
    }
    const n = skb!.append(data, at, room);
    at += n;
    copied += n;
    sk.writeSeq = (sk.writeSeq + n) >>> 0;
    sk.wmemQueued += n;
    if (at >= data.length) {
      if (flags.eor) skb!.eor = true;
      break;
    }
    if (skb!.len < goal) continue;
    if (forcedPush(sk)) {
      markPush(sk, skb!);
      pushPendingFrames(sk, NAGLE_PUSH);
    } else if (skb === sk.writeQueue.first) pushOne(sk);
  }
  if (copied || flags.eor) tcpPush(sk, flags, nonagleOf(sk));
  return { n: copied, stop: 'done' };
}

/** sock_error: the pending error, taken. */
export function takeError(sk: TcpSock): ErrnoName | null {
  const e = sk.err;
  sk.err = null;
  return e;
}

export type RecvStop = 'done' | 'wait' | 'error';

export interface RecvStep {
  data: Uint8Array;
  stop: RecvStop;
  err?: ErrnoName;
}

/** The peer's FIN has been received (SOCK_DONE). */
export function finReceived(sk: TcpSock): boolean {
  return sk.finSeq !== null;
}

/**
 * One step of tcp_recvmsg: take what is readable (at most len, all of it with waitall once it is
 * there). 'wait' means nothing could be returned yet and a blocking caller sleeps.
 */
export function recvStep(sk: TcpSock, len: number, peek: boolean, haveCopied: number, waitall: boolean): RecvStep {
  if (sk.state === TCP_LISTEN) return { data: new Uint8Array(0), stop: 'error', err: 'ENOTCONN' };
  const data = sk.rcv.read(len, peek);
  if (!peek && data.length) {
    sk.copiedSeq = (sk.copiedSeq + data.length) >>> 0;
    rcvSpaceAdjust(sk);
  }
  const copied = haveCopied + data.length;
  // The FIN is next: it is "read" (copied_seq moves past it) and the call ends.
  if (sk.finSeq !== null && sk.rcv.bytes === 0 && sk.copiedSeq === sk.finSeq && !peek) sk.copiedSeq = (sk.copiedSeq + 1) >>> 0;
  const target = waitall ? haveCopied + len : 1;
  if (copied >= target || (data.length === len && len > 0)) {
    cleanupRbuf(sk, data.length);
    return { data, stop: 'done' };
  }
  if (copied) {
    if (sk.err || sk.state === TCP_CLOSE || sk.shutdown & RCV_SHUTDOWN || finReceived(sk)) {
      cleanupRbuf(sk, data.length);
      return { data, stop: 'done' };
    }
  } else {
    if (finReceived(sk)) return { data, stop: 'done' };
    if (sk.err) return { data, stop: 'error', err: takeError(sk)! };
    if (sk.shutdown & RCV_SHUTDOWN) return { data, stop: 'done' };
    if (sk.state === TCP_CLOSE) return { data, stop: 'error', err: 'ENOTCONN' };
  }
  cleanupRbuf(sk, data.length);
  return { data, stop: 'wait' };
}

/** tcp_cleanup_rbuf: a read may owe an ACK (a small segment drained, or a much larger window). */
export function cleanupRbuf(sk: TcpSock, copied: number): void {
  if (sk.state === TCP_CLOSE || sk.state === TCP_LISTEN || sk.state === TCP_SYN_SENT) return;
  let timeToAck = false;
  if (sk.ackPending & ACK_SCHED) {
    const pingpong = sk.pingpong >= sk.host.sysctl.tcp_pingpong_thresh;
    if (
      ((sk.rcvNxt - sk.rcvWup) >>> 0) > sk.rcvMss ||
      (copied > 0 && (sk.ackPending & ACK_PUSHED2 || (sk.ackPending & ACK_PUSHED && !pingpong)) && sk.rcv.bytes + sk.rcv.ofoBytes === 0)
    ) {
      timeToAck = true;
    }
  }
  if (copied > 0 && !timeToAck && !(sk.shutdown & RCV_SHUTDOWN)) {
    const now = sk.receiveWindow;
    if (2 * now <= sk.windowClamp) {
      const next = selectWindowPreview(sk);
      if (next && next >= 2 * now) timeToAck = true;
    }
  }
  if (timeToAck) sendAck(sk);
}

/** tcp_close_state: the state a close moves to, and whether a FIN must be sent. */
function closeState(sk: TcpSock): boolean {
  switch (sk.state) {
    case TCP_ESTABLISHED:
    case TCP_SYN_RECV:
      setState(sk, TCP_FIN_WAIT1);
      return true;
    case TCP_CLOSE_WAIT:
      setState(sk, TCP_LAST_ACK);
      return true;
    case TCP_FIN_WAIT1:
    case TCP_FIN_WAIT2:
    case TCP_LAST_ACK:
    case TCP_CLOSING:
      return false;
    default:
      setState(sk, TCP_CLOSE);
      return false;
  }
}

/** tcp_shutdown: SHUT_WR sends the FIN (once). */
export function tcpShutdownSend(sk: TcpSock): void {
  if (sk.state === TCP_ESTABLISHED || sk.state === TCP_SYN_SENT || sk.state === TCP_CLOSE_WAIT) {
    if (closeState(sk)) sendFin(sk);
  }
}

function needReset(state: number): boolean {
  return state === TCP_ESTABLISHED || state === TCP_CLOSE_WAIT || state === TCP_FIN_WAIT1 || state === TCP_FIN_WAIT2 || state === TCP_SYN_RECV;
}

/** tcp_disconnect: the RFC's ABORT (SO_LINGER 0, listener children, shutdown in SYN_SENT). */
export function tcpDisconnect(sk: TcpSock): void {
  const old = sk.state;
  if (old !== TCP_CLOSE) setState(sk, TCP_CLOSE);
  if (needReset(old) || (sk.sndNxt !== sk.writeSeq && (old === TCP_CLOSING || old === TCP_LAST_ACK))) {
    sendActiveReset(sk);
    sk.err = 'ECONNRESET';
  } else if (old === TCP_SYN_SENT) sk.err = 'ECONNRESET';
  writeQueuePurge(sk);
  sk.rcv.discard();
  sk.rcv.purgeOfo();
  sk.shutdown = 0;
}

export type CloseOutcome = 'closed' | 'linger';

/**
 * __tcp_close for an endpoint that is not a listener. Returns 'linger' when SO_LINGER asks the
 * caller to wait (up to its timeout) for the FIN to be acknowledged.
 */
export function tcpClose(sk: TcpSock): CloseOutcome {
  sk.shutdown = SHUTDOWN_MASK;
  const unread = sk.rcv.discard() > 0;
  sk.rcv.purgeOfo();
  if (sk.state !== TCP_CLOSE) {
    if (unread) {
      sk.mib.TCPAbortOnClose++;
      setState(sk, TCP_CLOSE);
      sendActiveReset(sk);
    } else if (sk.lingerOn && sk.lingerS === 0) {
      tcpDisconnect(sk);
      sk.mib.TCPAbortOnData++;
    } else if (closeState(sk)) {
      sendFin(sk);
    }
  }
  return sk.lingerOn && sk.lingerS > 0 && (sk.state === TCP_FIN_WAIT1 || sk.state === TCP_CLOSING || sk.state === TCP_LAST_ACK) ? 'linger' : 'closed';
}

/** tcp_poll's mask, with Linux's EPOLL* bits. */
export function tcpPoll(sk: TcpSock): number {
  const state = sk.state;
  if (state === TCP_LISTEN) return sk.listen && sk.listen.accept.length > 0 ? POLL_IN : 0;
  let mask = 0;
  const sh = sk.shutdown;
  if (sh === SHUTDOWN_MASK || state === TCP_CLOSE) mask |= POLL_HUP;
  if (sh & RCV_SHUTDOWN) mask |= POLL_IN | POLL_RDHUP;
  if (state !== TCP_SYN_SENT && state !== TCP_SYN_RECV) {
    const avail = (sk.rcvNxt - sk.copiedSeq) | 0;
    if (avail > 0) mask |= POLL_IN;
    if (!(sh & SEND_SHUTDOWN)) {
      if (isWriteable(sk)) mask |= POLL_OUT;
    } else mask |= POLL_OUT;
  }
  if (sk.err) mask |= POLL_ERR;
  return mask;
}

/** tcp_inq: SIOCINQ / FIONREAD (the FIN does not count). */
export function tcpInq(sk: TcpSock): number {
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) return 0;
  let n = (sk.rcvNxt - sk.copiedSeq) | 0;
  if (n && finReceived(sk) && after(sk.rcvNxt, sk.finSeq!) && !after(sk.copiedSeq, sk.finSeq!)) n--;
  return Math.max(0, n);
}

/** tcp_inq_hint: TCP_CM_INQ; 1 after the FIN so the reader goes on to see EOF. */
export function tcpInqHint(sk: TcpSock): number {
  const inq = (sk.rcvNxt - sk.copiedSeq) | 0;
  return inq === 0 && finReceived(sk) ? 1 : Math.max(0, inq);
}

/** SIOCOUTQ: not yet acknowledged (sent or not). */
export function tcpOutq(sk: TcpSock): number {
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) return 0;
  return Math.max(0, (sk.writeSeq - sk.sndUna) | 0);
}

/** SIOCOUTQNSD: not yet sent. */
export function tcpOutqNsd(sk: TcpSock): number {
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) return 0;
  return sk.notsentBytes;
}

/** TCP_NODELAY (__tcp_sock_set_nodelay): on, it also pushes what Nagle held, even when corked. */
export function setNodelay(sk: TcpSock, on: boolean): void {
  if (on) {
    sk.nonagle |= NAGLE_OFF | NAGLE_PUSH;
    pushPendingFrames(sk, sk.nonagle);
  } else sk.nonagle &= ~NAGLE_OFF;
}

/** TCP_CORK (__tcp_sock_set_cork): off, what was held goes (under Nagle unless TCP_NODELAY). */
export function setCork(sk: TcpSock, on: boolean): void {
  if (on) sk.nonagle |= NAGLE_CORK;
  else {
    sk.nonagle &= ~NAGLE_CORK;
    if (sk.nonagle & NAGLE_OFF) sk.nonagle |= NAGLE_PUSH;
    pushPendingFrames(sk, sk.nonagle);
  }
}
