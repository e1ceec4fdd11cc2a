// State changes that every path shares (Linux's tcp_set_state, tcp_done, tcp_reset): the counters
// they move, the tables they leave, and the reader or writer they wake.

import type { ErrnoName } from '../../abi/errno.js';
import { TCP_CLOSE, TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_SYN_RECV, TCP_SYN_SENT } from '../../abi/tcp.js';
import type { TcpSock } from './sock.js';
import { clearAllTimers } from './timers.js';

export const RCV_SHUTDOWN = 1;
export const SEND_SHUTDOWN = 2;
export const SHUTDOWN_MASK = 3;

export function setState(sk: TcpSock, state: number): void {
  const old = sk.state;
  if (state === TCP_CLOSE && (old === TCP_CLOSE_WAIT || old === TCP_ESTABLISHED)) sk.mib.EstabResets++;
  sk.state = state;
  if (state === TCP_CLOSE && old !== TCP_CLOSE) sk.ops.unhash(sk);
  sk.events?.stateChanged();
}

/** tcp_write_queue_purge: what was queued will never be sent. */
export function writeQueuePurge(sk: TcpSock): void {
  sk.writeQueue.clear();
  sk.rtx.clear();
  sk.tsorted.clear();
  sk.wmemQueued = 0;
  sk.packetsOut = sk.sackedOut = sk.lostOut = sk.retransOut = 0;
}

/** tcp_done: the connection is over; the socket stays for its file until close(). */
export function tcpDone(sk: TcpSock): void {
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) sk.mib.AttemptFails++;
  clearAllTimers(sk);
  sk.shutdown = SHUTDOWN_MASK;
  setState(sk, TCP_CLOSE);
  sk.events?.readable();
  sk.events?.writable();
}

/** tcp_done_with_error: as tcp_done, with the error the next call reports. */
export function doneWithError(sk: TcpSock, err: ErrnoName): void {
  sk.err = err;
  writeQueuePurge(sk);
  tcpDone(sk);
}

/** tcp_reset: a RST was accepted. */
export function tcpReset(sk: TcpSock): void {
  let err: ErrnoName;
  switch (sk.state) {
    case TCP_SYN_SENT:
      err = 'ECONNREFUSED';
      break;
    case TCP_CLOSE_WAIT:
      err = 'EPIPE';
      break;
    case TCP_CLOSE:
      return;
    default:
      err = 'ECONNRESET';
  }
  sk.resetSeen = true;
  doneWithError(sk, err);
}
