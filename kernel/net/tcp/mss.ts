// Segment sizes (Linux's tcp_output.c: tcp_mtu_to_mss, tcp_sync_mss, tcp_current_mss): the send
// MSS is the path MTU less the IP and TCP headers, capped by what the peer accepts (mss_clamp),
// less the options every segment carries (timestamps), never above half the largest window the
// peer has offered (tcp_bound_to_half_wnd), and shrunk further while SACK blocks ride along.

import type { TcpSock } from './sock.js';
import { TCP_MSS_DEFAULT } from './sock.js';
import { sackBlocksToSend } from './options.js';

const IP_HEADER = 20;
const TCP_HEADER = 20;

/** __tcp_mtu_to_mss: the MSS without options, at least tcp_min_snd_mss. */
function mtuToMssBase(sk: TcpSock, pmtu: number): number {
  let mss = pmtu - IP_HEADER - TCP_HEADER;
  if (mss > sk.mssClamp) mss = sk.mssClamp;
  return Math.max(mss, sk.host.sysctl.tcp_min_snd_mss);
}

export function mtuToMss(sk: TcpSock, pmtu: number): number {
  return mtuToMssBase(sk, pmtu) - sk.tcpHeaderOpts;
}

/** The MTU a given MSS needs (tcp_mss_to_mtu). */
export function mssToMtu(sk: TcpSock, mss: number): number {
  return mss + sk.tcpHeaderOpts + TCP_HEADER + IP_HEADER;
}

export function boundToHalfWindow(sk: TcpSock, size: number): number {
  const cutoff = sk.maxWindow > TCP_MSS_DEFAULT ? sk.maxWindow >>> 1 : sk.maxWindow;
  if (cutoff && size > cutoff) return Math.max(cutoff, 68 - (TCP_HEADER + sk.tcpHeaderOpts));
  return size;
}

/** tcp_sync_mss: recompute mss_cache for a path MTU. */
export function syncMss(sk: TcpSock, pmtu: number): number {
  let mss = mtuToMss(sk, pmtu);
  mss = boundToHalfWindow(sk, mss);
  sk.pmtu = pmtu;
  sk.mssCache = mss;
  return mss;
}

/** tcp_current_mss: mss_cache less the SACK blocks the next segment will carry. */
export function currentMss(sk: TcpSock): number {
  const blocks = sackBlocksToSend(sk);
  if (blocks === 0) return sk.mssCache;
  const delta = 4 + 8 * blocks;
  return Math.max(1, sk.mssCache - delta);
}

/** The MSS we advertise for a route MTU, capped by TCP_MAXSEG (tcp_mss_clamp of dst advmss). */
export function advertisedMss(userMss: number, mtu: number): number {
  const mss = mtu - IP_HEADER - TCP_HEADER;
  return userMss && userMss < mss ? userMss : mss;
}
