// The receive window and buffer sizes, as Linux chooses them: half of the receive buffer is offered
// (tcp_win_from_space with the default scaling ratio), the SYN's window is that space rounded to
// the MSS and never scaled, the scale makes tcp_rmem[2] representable, later windows follow
// rcv_ssthresh (which grows as data arrives), are rounded up to the scale and are never shrunk;
// the send buffer grows to twice the initial window's worth once the connection is up.

import type { TcpSock } from './sock.js';
import { MAX_TCP_WINDOW, TCP_INIT_CWND, TCP_MAX_WSCALE } from './sock.js';

/** tcp_win_from_space with the default scaling ratio (50%). */
export function winFromSpace(space: number): number {
  return Math.floor(space / 2);
}

/** Bytes held for the reader, in order or not (sk_rmem_alloc, payload only). */
export function rmemAlloc(sk: TcpSock): number {
  return sk.rcv.bytes + sk.rcv.ofoBytes;
}

/** tcp_space: the window the free receive buffer is worth. */
export function tcpSpace(sk: TcpSock): number {
  return winFromSpace(sk.rcvbuf - rmemAlloc(sk));
}

/** tcp_full_space: the window the whole receive buffer is worth. */
export function fullSpace(sk: TcpSock): number {
  return winFromSpace(sk.rcvbuf);
}

function ilog2(n: number): number {
  return n <= 0 ? 0 : 31 - Math.clz32(n);
}

export interface InitialWindow {
  rcvWnd: number;
  windowClamp: number;
  rcvWscale: number;
}

/** tcp_select_initial_window. */
export function selectInitialWindow(sk: TcpSock, space0: number, mss: number, windowClamp0: number, wscaleOk: boolean): InitialWindow {
  const s = sk.host.sysctl;
  let space = Math.max(0, space0);
  const clamp = windowClamp0 === 0 ? 65535 * 2 ** TCP_MAX_WSCALE : windowClamp0;
  space = Math.min(clamp, space);
  if (space > mss) space = Math.floor(space / mss) * mss;
  const rcvWnd = s.tcp_workaround_signed_windows ? Math.min(space, MAX_TCP_WINDOW) : space;
  let rcvWscale = 0;
  if (wscaleOk) {
    let sp = Math.max(space, s.tcp_rmem[2], s.core_rmem_max);
    sp = Math.min(sp, clamp);
    rcvWscale = Math.min(Math.max(ilog2(sp) - 15, 0), TCP_MAX_WSCALE);
  }
  return { rcvWnd, windowClamp: Math.min(65535 * 2 ** rcvWscale, clamp), rcvWscale };
}

/** tcp_init_buffer_space, when the connection becomes established. */
export function initBufferSpace(sk: TcpSock): void {
  const appWin = sk.host.sysctl.tcp_app_win;
  if (!sk.sndbufLocked) sndbufExpand(sk);
  sk.rcvqSpace.timeUs = sk.nowUs();
  sk.rcvqSpace.seq = sk.copiedSeq;
  const maxwin = fullSpace(sk);
  if (sk.windowClamp >= maxwin) {
    sk.windowClamp = maxwin;
    if (appWin && maxwin > 4 * sk.advmss) sk.windowClamp = Math.max(maxwin - Math.floor(maxwin / 2 ** appWin), 4 * sk.advmss);
  }
  if (appWin && sk.windowClamp > 2 * sk.advmss && sk.windowClamp + sk.advmss > maxwin) {
    sk.windowClamp = Math.max(2 * sk.advmss, maxwin - sk.advmss);
  }
  sk.rcvSsthresh = Math.min(sk.rcvSsthresh, sk.windowClamp);
  sk.sndCwndStampUs = sk.nowUs();
  sk.rcvqSpace.space = Math.min(sk.rcvSsthresh, sk.rcvWnd, TCP_INIT_CWND * sk.advmss);
}

function roundupPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}

/** tcp_sndbuf_expand: room for two windows of the larger of IW10 and cwnd (CUBIC's factor 2). */
export function sndbufExpand(sk: TcpSock): void {
  // Per-segment memory as Linux charges a non-GSO skb: the payload and headers in a power-of-two
  // head, plus the sk_buff: 2304 bytes for an MSS of 1460.
  const perMss = roundupPow2(Math.max(sk.mssClamp, sk.mssCache) + 576) + 256;
  let segs = Math.max(TCP_INIT_CWND, sk.sndCwnd);
  segs = Math.max(segs, sk.reordering + 1);
  const mem = 2 * segs * perMss;
  if (sk.sndbuf < mem) sk.sndbuf = Math.min(mem, sk.host.sysctl.tcp_wmem[2]);
}

/** __tcp_select_window: the window free buffer space allows (what the next ACK would offer). */
export function selectWindowPreview(sk: TcpSock): number {
  let mss = sk.rcvMss;
  let free = tcpSpace(sk);
  const allowed = fullSpace(sk);
  const full = Math.min(sk.windowClamp, allowed);
  if (mss > full) {
    mss = full;
    if (mss <= 0) return 0;
  }
  const wscale = sk.rcvWscale;
  if (free < full >> 1) {
    sk.ackQuick = 0;
    free = Math.floor(free / 2 ** wscale) * 2 ** wscale;
    if (free < allowed >> 4 || free < mss) return 0;
  }
  if (free > sk.rcvSsthresh) free = sk.rcvSsthresh;
  if (wscale) {
    const unit = 2 ** wscale;
    return Math.ceil(free / unit) * unit;
  }
  let window = sk.rcvWnd;
  if (window <= free - mss || window > free) window = Math.floor(free / mss) * mss;
  else if (mss === full && free > window + (full >> 1)) window = free;
  return window;
}

/** tcp_select_window: the window field of the next segment (scaled), and rcv_wnd/rcv_wup updated. */
export function selectWindow(sk: TcpSock): number {
  const oldWin = sk.rcvWnd;
  const cur = sk.receiveWindow;
  let win = selectWindowPreview(sk);
  if (win < cur) {
    if (!sk.host.sysctl.tcp_shrink_window || !sk.rcvWscale) {
      if (win === 0) sk.mib.TCPWantZeroWindowAdv++;
      const unit = 2 ** sk.rcvWscale;
      win = Math.ceil(cur / unit) * unit;
    }
  }
  sk.rcvWnd = win;
  sk.rcvWup = sk.rcvNxt;
  if (!sk.rcvWscale && sk.host.sysctl.tcp_workaround_signed_windows) win = Math.min(win, MAX_TCP_WINDOW);
  else win = Math.min(win, 65535 * 2 ** sk.rcvWscale);
  win = Math.floor(win / 2 ** sk.rcvWscale);
  if (win === 0) {
    if (oldWin) sk.mib.TCPToZeroWindowAdv++;
  } else if (oldWin === 0) sk.mib.TCPFromZeroWindowAdv++;
  return win;
}

/** tcp_grow_window: data of a good size arrived, let the window grow towards the buffer. */
export function growWindow(sk: TcpSock, len: number): void {
  const room = Math.min(sk.windowClamp, tcpSpace(sk)) - sk.rcvSsthresh;
  if (room <= 0) return;
  // Payload is all the memory a segment costs here, so it always "fits": Linux's check #2 holds.
  const incr = Math.max(2 * sk.advmss, 2 * len);
  sk.rcvSsthresh += Math.min(room, incr);
  sk.ackQuick |= 1;
}

/**
 * tcp_rcv_space_adjust: once per receiver RTT, if the reader took more than last time, grow the
 * receive buffer so the window can carry twice that (dynamic right-sizing, tcp_moderate_rcvbuf).
 */
export function rcvSpaceAdjust(sk: TcpSock): void {
  const now = sk.nowUs();
  const rtt = sk.rcvRttUs >> 3;
  if (rtt === 0 || now - sk.rcvqSpace.timeUs < rtt) return;
  const copied = (sk.copiedSeq - sk.rcvqSpace.seq) >>> 0;
  if (copied > sk.rcvqSpace.space) {
    if (sk.host.sysctl.tcp_moderate_rcvbuf && !sk.rcvbufLocked) {
      const grow = 2 * copied;
      const rcvbuf = Math.min(2 * grow, sk.host.sysctl.tcp_rmem[2]);
      if (rcvbuf > sk.rcvbuf) {
        sk.rcvbuf = rcvbuf;
        sk.windowClamp = winFromSpace(rcvbuf);
      }
    }
    sk.rcvqSpace.space = copied;
  }
  sk.rcvqSpace.seq = sk.copiedSeq;
  sk.rcvqSpace.timeUs = now;
}
