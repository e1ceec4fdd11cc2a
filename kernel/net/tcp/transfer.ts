// The start of data transfer once the handshake completes (Linux's tcp_init_transfer): what the
// metrics cache knows of the destination, the initial window (IW10, or 1 after a SYN or SYN-ACK
// was sent more than twice), the congestion control's start, the RTO fallback when the handshake
// gave no RTT, and the buffers' initial sizes.

import type { TcpSock } from './sock.js';
import { TCP_INIT_CWND } from './sock.js';
import { initBufferSpace } from './window.js';

/** RFC 6298 5.7: without an RTT sample from a handshake that needed retransmissions, 3 s. */
const TCP_TIMEOUT_FALLBACK_US = 3_000_000;

export function establishedTransfer(sk: TcpSock): void {
  // tcp_init_metrics: the destination's cached values, or RFC 6298's fallback without a sample.
  if (!sk.ops.initMetrics(sk) && sk.srttUs === 0 && (sk.totalRetrans || sk.undoMarker)) sk.rtoUs = TCP_TIMEOUT_FALLBACK_US;
  sk.sndCwnd = sk.totalRetrans > 1 && sk.undoMarker ? 1 : TCP_INIT_CWND;
  sk.sndCwndStampUs = sk.nowUs();
  sk.ca.init(sk);
  initBufferSpace(sk);
}
