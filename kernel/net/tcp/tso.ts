// GSO sizing, as Linux's TCP decides it: how many segments one transmission round hands the
// device (tcp_tso_autosize and the head skb with what tcp_grow_skb would pull into it), and
// whether to wait for more before sending a round (tcp_tso_should_defer, governed by
// net.ipv4.tcp_tso_win_divisor). They decide where PSH lands and when a partial window goes out,
// and, with a device that takes super-packets (TSO or GSO on), what leaves as one packet.

import { TCP_CA_Recovery } from '../../abi/tcp.js';
import { TCP_FIN } from '../../abi/wire/tcp.js';
import type { TcpSkb } from './skb.js';
import type { TcpSock } from './sock.js';

const GSO_MAX_SIZE = 65536;

/**
 * tcp_tso_autosize: segments per GSO packet, about 1 ms of data at the pacing rate, more on a
 * short path (tcp_tso_rtt_log), at least tcp_min_tso_segs, at most 64 KB.
 */
export function tsoAutosizeSegs(sk: TcpSock, mss: number): number {
  let bytes = sk.pacingRate ? Math.floor(sk.pacingRate / 1024) : GSO_MAX_SIZE;
  const r = sk.minRttUs === 0xffffffff ? 32 : Math.floor(sk.minRttUs / 2 ** sk.host.sysctl.tcp_tso_rtt_log);
  if (r < 32) bytes += Math.floor(GSO_MAX_SIZE / 2 ** r);
  bytes = Math.min(bytes, GSO_MAX_SIZE);
  return Math.max(Math.floor(bytes / mss), sk.host.sysctl.tcp_min_tso_segs);
}

/** Segments the head of the write queue could fill in one GSO packet, with what follows it
 * (tcp_grow_skb pulls data forward from the next skb unless an EOR mark separates them). */
export function chunkSegsAvailable(sk: TcpSock, mss: number): number {
  let bytes = 0;
  for (const skb of sk.writeQueue) {
    bytes += skb.len;
    if (skb.eor || bytes >= GSO_MAX_SIZE) break;
  }
  return Math.max(1, Math.ceil(bytes / mss));
}

/** The segments a deferred send waits for (tcp_max_tso_deferred_mss). */
const MAX_TSO_DEFERRED_MSS = 3;

/**
 * tcp_tso_should_defer: with more than one MSS queued but less than a full GSO packet sendable,
 * wait when an ACK (which opens the window) is due within min(1 ms, srtt/2) and what may go now
 * is under 1/tcp_tso_win_divisor of the window. Returns why it defers, or null to send now.
 */
export function tsoShouldDefer(sk: TcpSock, skb: TcpSkb, maxSegs: number): 'cwnd' | 'rwnd' | 'app' | null {
  if (sk.caState >= TCP_CA_Recovery) return null;
  const now = sk.nowUs();
  // Only right after a transmission: deferring never delays a sender that has been quiet.
  if (now - sk.wstampUs - 1000 > 0) return null;
  const inFlight = sk.inFlight;
  const sendWin = (sk.sndUna + sk.sndWnd - skb.seq) | 0;
  const congWin = (sk.sndCwnd - inFlight) * sk.mssCache;
  const limit = Math.min(sendWin, congWin);
  if (limit >= maxSegs * sk.mssCache) return null;
  if (skb !== sk.writeQueue.last && limit >= skb.len) return null;
  const divisor = sk.host.sysctl.tcp_tso_win_divisor;
  if (divisor) {
    const chunk = Math.floor(Math.min(sk.sndWnd, sk.sndCwnd * sk.mssCache) / divisor);
    if (limit >= chunk) return null;
  } else if (limit > MAX_TSO_DEFERRED_MSS * sk.mssCache) return null;
  const head = sk.rtx.first;
  if (!head) return null;
  const srttUs = sk.srttUs / 8;
  const expectedAck = head.txUs + srttUs;
  const howFar = now > expectedAck ? 0 : expectedAck - now;
  if (howFar - Math.min(srttUs / 2, 1000) > 0) return null;
  if (congWin < sendWin) {
    if (congWin <= skb.len) return 'cwnd';
  } else if (sendWin <= skb.len) return 'rwnd';
  if (skb.flags & TCP_FIN || skb.eor) return null;
  return 'app';
}
