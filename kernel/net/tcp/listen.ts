// A listener's side of the handshake (Linux's tcp_conn_request, tcp_check_req, the request sock
// timer and inet_csk_listen_stop): a SYN becomes a small request that answers with a SYN-ACK and
// retransmits it (1, 2, 4 ... s, tcp_synack_retries times); its ACK creates the connection, which
// waits in the accept queue. Both queues are bounded by the backlog: a full SYN queue turns to SYN
// cookies (tcp_syncookies) or drops, a full accept queue drops SYNs and ignores handshake ACKs.

import type { ErrnoName } from '../../abi/errno.js';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN, TCP_SYN_RECV } from '../../abi/tcp.js';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_RST, TCP_SYN } from '../../abi/wire/tcp.js';
import { cookieCheck, cookieIsn, cookieMssIndex, cookieOptions, cookieTimestamp, COOKIE_MSS } from './cookies.js';
import type { TcpHost } from './host.js';
import type { InSegment } from './segment.js';
import { initializeRcvMss } from './input.js';
import type { SequenceKeys } from './isn.js';
import type { TcpMib } from './mib.js';
import { advertisedMss, syncMss } from './mss.js';
import { synOptions } from './options.js';
import { ackUpdateRtt } from './rtt.js';
import { after, before } from './seq.js';
import { clockUs, dropSegment, type RequestSock, type TcpSock, TCP_MSS_DEFAULT, TS_ALIGNED } from './sock.js';
import { emitSegment } from './output.js';
import { fullSpace, selectInitialWindow } from './window.js';

const TCP_SYNCOOKIE_VALID_US = 120_000_000;
const TCP_TIMEOUT_INIT_US = 1_000_000;
const TCP_RTO_MAX_US = 120_000_000;

/** What listen.ts needs of the engine (its tables and how it makes endpoints). */
export interface ListenCtx {
  readonly host: TcpHost;
  readonly mib: TcpMib;
  readonly keys: SequenceKeys;
  /** A fresh endpoint with the engine's ops and a new id. */
  newSock(): TcpSock;
  /** Put a child in the 4-tuple table. */
  hashChild(child: TcpSock): void;
  hashRequest(listener: TcpSock, req: RequestSock): void;
  unhashRequest(req: RequestSock): void;
  /** Reset a child the listener never handed out (listen close). */
  abortChild(child: TcpSock): void;
}

export function requestKey(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): string {
  return `${localAddr}:${localPort}:${remoteAddr}:${remotePort}`;
}

function reqTimeoutUs(req: RequestSock): number {
  return Math.min(TCP_TIMEOUT_INIT_US * 2 ** req.retransmits, TCP_RTO_MAX_US);
}

/** tcp_make_synack + tcp_v4_send_synack. */
export function sendSynack(ctx: ListenCtx, listener: TcpSock, req: RequestSock, tsval?: number): ErrnoName | null {
  const nowMs = Math.floor(ctx.host.now() / 1e6);
  const flags = TCP_SYN | TCP_ACK | (req.ecnOk ? TCP_ECE : 0);
  const options = synOptions({
    mss: req.advmss,
    ts: req.tsOk ? { tsval: tsval ?? (nowMs + req.tsOffset) >>> 0, tsecr: req.tsRecent } : null,
    sack: req.sackOk,
    wscale: req.wscaleOk ? req.rcvWscale : null,
  });
  return emitSegment(
    ctx.host,
    ctx.mib,
    { srcPort: req.localPort, dstPort: req.remotePort, seq: req.iss, ack: (req.irs + 1) >>> 0, flags, window: Math.min(req.rcvWnd, 65535), urgent: 0, options, payload: new Uint8Array(0) },
    req.localAddr,
    req.remoteAddr,
    { tos: listener.tos & ~3, ttl: listener.ttl, df: listener.pmtudisc, zeroIpId: true },
    `tcp ${listener.localPort} (SYN_RECV)`,
  );
}

function armSynackTimer(ctx: ListenCtx, listener: TcpSock, req: RequestSock): void {
  if (req.timer !== null) ctx.host.cancel(req.timer);
  req.timer = ctx.host.at(ctx.host.now() + reqTimeoutUs(req) * 1000, () => synackTimer(ctx, listener, req));
}

/** reqsk_timer_handler: resend the SYN-ACK, or give up after tcp_synack_retries. */
function synackTimer(ctx: ListenCtx, listener: TcpSock, req: RequestSock): void {
  req.timer = null;
  if (listener.state !== TCP_LISTEN || !listener.listen) {
    dropRequest(ctx, listener, req);
    return;
  }
  const max = listener.synCnt || ctx.host.sysctl.tcp_synack_retries;
  if (req.retransmits >= max) {
    dropRequest(ctx, listener, req);
    return;
  }
  // inet_rtx_syn_ack: counted as a retransmission.
  ctx.mib.RetransSegs++;
  ctx.mib.TCPSynRetrans++;
  sendSynack(ctx, listener, req);
  req.retransmits++;
  armSynackTimer(ctx, listener, req);
}

function dropRequest(ctx: ListenCtx, listener: TcpSock, req: RequestSock): void {
  if (req.timer !== null) ctx.host.cancel(req.timer);
  req.timer = null;
  listener.listen?.requests.delete(requestKey(req.localAddr, req.localPort, req.remoteAddr, req.remotePort));
  ctx.unhashRequest(req);
}

/** The request a SYN describes, with the window and scale a SYN-ACK offers (tcp_openreq_init*). */
function makeRequest(ctx: ListenCtx, listener: TcpSock, ins: InSegment, mtu: number): RequestSock {
  const s = ctx.host.sysctl;
  const { seg } = ins;
  let mss = ins.mss ?? TCP_MSS_DEFAULT;
  if (listener.userMss && listener.userMss < mss) mss = listener.userMss;
  const tsOk = ins.sawTs && s.tcp_timestamps !== 0;
  const sackOk = ins.sackPerm && s.tcp_sack !== 0;
  const wscaleOk = ins.wscale !== null && s.tcp_window_scaling !== 0;
  const advmss = advertisedMss(listener.userMss, mtu);
  const full = fullSpace(listener);
  let clamp = listener.windowClamp;
  if (listener.rcvbufLocked && (clamp > full || clamp === 0)) clamp = full;
  const win = selectInitialWindow(listener, full, advmss - (tsOk ? TS_ALIGNED : 0), clamp, wscaleOk);
  const ecnThis = (seg.flags & (TCP_ECE | TCP_CWR)) === (TCP_ECE | TCP_CWR) && (ins.tos & 3) === 0 && s.tcp_ecn !== 0;
  return {
    localAddr: ins.dst,
    localPort: seg.dstPort,
    remoteAddr: ins.src,
    remotePort: seg.srcPort,
    iss: 0,
    irs: seg.seq,
    mss,
    advmss,
    tsOk,
    sackOk,
    wscaleOk,
    sndWscale: wscaleOk ? ins.wscale! : 0,
    rcvWscale: wscaleOk ? win.rcvWscale : 0,
    ecnOk: ecnThis,
    tsRecent: tsOk ? ins.tsval : 0,
    tsOffset: tsOk ? ctx.keys.tsOffset(ins.dst, ins.src, seg.dstPort, seg.srcPort) : 0,
    peerWindow: seg.window,
    rcvWnd: win.rcvWnd,
    windowClamp: wscaleOk ? win.windowClamp : Math.min(win.windowClamp, 65535),
    retransmits: 0,
    timer: null,
    synackUs: clockUs(ctx.host),
    ackedWhileFull: false,
  };
}

/** tcp_conn_request: a SYN for a listener. `twIsn` is the ISN a TIME_WAIT reuse dictates. */
export function connRequest(ctx: ListenCtx, listener: TcpSock, ins: InSegment, twIsn = 0): void {
  const q = listener.listen!;
  const s = ctx.host.sysctl;
  let wantCookie = false;
  if (!twIsn) {
    if (s.tcp_syncookies === 2 || q.requests.size > q.backlog) {
      if (s.tcp_syncookies) {
        wantCookie = true;
        if (!listener.synFloodWarned) {
          listener.synFloodWarned = true;
          ctx.host.log(`TCP: request_sock_TCP: Possible SYN flooding on port ${ins.seg.dstPort}. Sending cookies.`);
        }
      } else {
        if (!listener.synFloodWarned) {
          listener.synFloodWarned = true;
          ctx.host.log(`TCP: request_sock_TCP: Possible SYN flooding on port ${ins.seg.dstPort}. Dropping request.`);
        }
        ctx.mib.ListenDrops++;
        dropSegment(listener, 'tcp_reqqfulldrop');
        return;
      }
    }
  }
  if (q.accept.length > q.backlog) {
    ctx.mib.ListenOverflows++;
    ctx.mib.ListenDrops++;
    dropSegment(listener, 'tcp_listen_overflow');
    return;
  }
  const route = ctx.host.route(ins.src);
  if (typeof route === 'string') {
    ctx.mib.ListenDrops++;
    dropSegment(listener, 'ip_outnoroutes');
    return;
  }
  const req = makeRequest(ctx, listener, ins, route.mtu);
  if (wantCookie) {
    if (!req.tsOk) {
      req.wscaleOk = false;
      req.sackOk = false;
      req.ecnOk = false;
      req.rcvWscale = 0;
    }
    const idx = cookieMssIndex(req.mss);
    req.mss = COOKIE_MSS[idx]!;
    req.iss = cookieIsn(ctx.keys, { saddr: req.localAddr, daddr: req.remoteAddr, sport: req.localPort, dport: req.remotePort }, req.irs, idx, ctx.host.now());
    listener.lastSynqOverflowUs = clockUs(ctx.host);
    ctx.mib.SyncookiesSent++;
    const tsval = req.tsOk
      ? (cookieTimestamp(Math.floor(ctx.host.now() / 1e6), req.wscaleOk ? req.sndWscale : null, req.sackOk, req.ecnOk) + req.tsOffset) >>> 0
      : undefined;
    sendSynack(ctx, listener, req, tsval);
    return;
  }
  if (!twIsn && !s.tcp_syncookies && s.tcp_max_syn_backlog - q.requests.size < s.tcp_max_syn_backlog >> 2) {
    ctx.mib.ListenDrops++;
    dropSegment(listener, 'tcp_reqqfulldrop');
    return;
  }
  req.iss = twIsn || ctx.keys.isn(req.localAddr, req.remoteAddr, req.localPort, req.remotePort, ctx.host.wallNs());
  q.requests.set(requestKey(req.localAddr, req.localPort, req.remoteAddr, req.remotePort), req);
  ctx.hashRequest(listener, req);
  sendSynack(ctx, listener, req);
  armSynackTimer(ctx, listener, req);
}

export type CheckOutcome = { kind: 'drop' } | { kind: 'reset' } | { kind: 'listener' } | { kind: 'child'; child: TcpSock };

/** The seconds since the epoch of the world's monotonic clock (ts_recent_stamp). */
function seconds(ctx: ListenCtx): number {
  return Math.floor(ctx.host.now() / 1e9);
}

/** tcp_check_req: a segment for a request (the handshake's ACK, a SYN again, a RST ...). */
export function checkReq(ctx: ListenCtx, listener: TcpSock, req: RequestSock, ins: InSegment): CheckOutcome {
  const { seg } = ins;
  let flg = seg.flags & (TCP_RST | TCP_SYN | TCP_ACK);
  let pawsReject = false;
  if (ins.sawTs && req.tsOk) {
    pawsReject = ((req.tsRecent - ins.tsval) | 0) > 1 && !(flg & TCP_RST);
  }
  if (seg.seq === req.irs && flg === TCP_SYN && !pawsReject) {
    // The SYN again: the SYN-ACK again, and its timer restarts.
    ctx.mib.RetransSegs++;
    sendSynack(ctx, listener, req);
    req.retransmits++;
    armSynackTimer(ctx, listener, req);
    return { kind: 'drop' };
  }
  if (flg & TCP_ACK && seg.ack !== ((req.iss + 1) >>> 0)) return { kind: 'listener' };
  const rcvNxt = (req.irs + 1) >>> 0;
  const inWindow = seg.seq === ins.endSeq ? !before(seg.seq, rcvNxt) && !after(seg.seq, (rcvNxt + req.rcvWnd) >>> 0) : after(ins.endSeq, rcvNxt) && before(seg.seq, (rcvNxt + req.rcvWnd) >>> 0);
  if (pawsReject || !(inWindow || seg.seq === rcvNxt)) {
    if (!(flg & TCP_RST)) {
      // req->rsk_ops->send_ack: the ACK of a SYN_RECV request.
      emitSegment(
        ctx.host,
        ctx.mib,
        { srcPort: req.localPort, dstPort: req.remotePort, seq: (req.iss + 1) >>> 0, ack: rcvNxt, flags: TCP_ACK, window: Math.min(req.rcvWnd, 65535) >>> req.rcvWscale, urgent: 0, options: req.tsOk ? [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', tsval: (Math.floor(ctx.host.now() / 1e6) + req.tsOffset) >>> 0, tsecr: req.tsRecent }] : [], payload: new Uint8Array(0) },
        req.localAddr,
        req.remoteAddr,
        { tos: listener.tos & ~3, ttl: listener.ttl, df: true },
      );
    }
    if (pawsReject) ctx.mib.PAWSEstab++;
    dropSegment(listener, pawsReject ? 'tcp_rfc7323_paws' : 'tcp_overwindow');
    return { kind: 'drop' };
  }
  if (ins.sawTs && req.tsOk && !after(seg.seq, rcvNxt)) req.tsRecent = ins.tsval;
  if (seg.seq === req.irs) flg &= ~TCP_SYN;
  if (flg & (TCP_RST | TCP_SYN)) {
    ctx.mib.AttemptFails++;
    dropRequest(ctx, listener, req);
    ctx.mib.EmbryonicRsts++;
    return flg & TCP_RST ? { kind: 'drop' } : { kind: 'reset' };
  }
  if (!(flg & TCP_ACK)) return { kind: 'drop' };
  if (listener.deferAcceptS && req.retransmits < listener.deferAcceptS && ins.endSeq === rcvNxt) {
    req.ackedWhileFull = true;
    dropSegment(listener, 'tcp_defer_accept');
    return { kind: 'drop' };
  }
  const q = listener.listen!;
  if (q.accept.length > q.backlog) {
    ctx.mib.ListenOverflows++;
    ctx.mib.ListenDrops++;
    if (!ctx.host.sysctl.tcp_abort_on_overflow) {
      req.ackedWhileFull = true;
      dropSegment(listener, 'tcp_listen_overflow');
      return { kind: 'drop' };
    }
    dropRequest(ctx, listener, req);
    return { kind: 'reset' };
  }
  dropRequest(ctx, listener, req);
  const child = createChild(ctx, listener, req, ins);
  // tcp_synack_rtt_meas: the SYN-ACK's timing when it was sent once, else the timestamp echo.
  const rtt = req.retransmits === 0 ? clockUs(ctx.host) - req.synackUs : -1;
  const tsRtt = ins.sawTs && req.tsOk && ins.tsecr ? ((Math.floor(ctx.host.now() / 1e6) + req.tsOffset - ins.tsecr) >>> 0) * 1000 : -1;
  ackUpdateRtt(child, rtt >= 0 ? rtt : tsRtt, rtt >= 0 ? rtt : tsRtt, -1);
  return { kind: 'child', child };
}

/** tcp_create_openreq_child with what a clone of the listener carries (inet_csk_clone_lock). */
function createChild(ctx: ListenCtx, listener: TcpSock, req: RequestSock, ins: InSegment): TcpSock {
  const c = ctx.newSock();
  c.state = TCP_SYN_RECV;
  c.parent = listener;
  c.localAddr = req.localAddr;
  c.localPort = req.localPort;
  c.remoteAddr = req.remoteAddr;
  c.remotePort = req.remotePort;
  c.iss = req.iss;
  c.sndUna = c.sndNxt = c.sndUp = c.writeSeq = c.pushedSeq = (req.iss + 1) >>> 0;
  c.sndSml = c.sndUna;
  c.highestSack = c.sndUna;
  c.irs = req.irs;
  c.rcvNxt = c.rcvWup = c.copiedSeq = (req.irs + 1) >>> 0;
  c.sndWl1 = req.irs;
  c.rcvWnd = c.rcvSsthresh = req.rcvWnd;
  c.windowClamp = req.windowClamp;
  c.wscaleOk = req.wscaleOk;
  c.sndWscale = req.sndWscale;
  c.rcvWscale = req.rcvWscale;
  c.sndWnd = ins.seg.window * 2 ** c.sndWscale;
  c.maxWindow = c.sndWnd;
  c.tsOk = req.tsOk;
  c.sackOk = req.sackOk;
  c.tsRecent = req.tsRecent;
  c.tsRecentStampS = seconds(ctx);
  c.tsOffset = req.tsOffset;
  c.tcpHeaderOpts = req.tsOk ? TS_ALIGNED : 0;
  c.ecnOk = req.ecnOk;
  c.mssClamp = req.mss;
  c.totalRetrans = req.retransmits;
  c.undoMarker = req.iss;
  c.retransStampUs = req.synackUs;
  inheritSettings(c, listener);
  c.advmss = req.advmss;
  const route = ctx.host.route(c.remoteAddr);
  syncMss(c, typeof route === 'string' ? 1500 : route.mtu);
  c.gsoOk = typeof route !== 'string' && route.gso === true;
  initializeRcvMss(c);
  ctx.hashChild(c);
  return c;
}

/** What a child takes from its listener (the socket options, the buffers, the algorithm). */
function inheritSettings(c: TcpSock, l: TcpSock): void {
  c.nonagle = l.nonagle;
  c.keepaliveOn = l.keepaliveOn;
  c.keepIdleS = l.keepIdleS;
  c.keepIntvlS = l.keepIntvlS;
  c.keepCnt = l.keepCnt;
  c.synCnt = l.synCnt;
  c.linger2S = l.linger2S;
  c.lingerOn = l.lingerOn;
  c.lingerS = l.lingerS;
  c.userTimeoutMs = l.userTimeoutMs;
  c.notsentLowat = l.notsentLowat;
  c.inq = l.inq;
  c.userMss = l.userMss;
  c.reuseAddr = l.reuseAddr;
  c.tos = l.tos;
  c.ttl = l.ttl;
  c.pmtudisc = l.pmtudisc;
  c.sndbuf = l.sndbuf;
  c.rcvbuf = l.rcvbuf;
  c.sndbufLocked = l.sndbufLocked;
  c.rcvbufLocked = l.rcvbufLocked;
  c.ca = l.ca;
  c.caPriv = null;
}

/** The handshake completed: the child waits in the accept queue. */
export function childEstablished(listener: TcpSock, child: TcpSock): void {
  if (child.state !== TCP_ESTABLISHED && child.state !== TCP_CLOSE) return;
  listener.listen?.accept.push(child);
  listener.events?.readable();
}

/** tcp_v4_cookie_check: an ACK for a listener that may answer a SYN cookie. */
export function cookieAck(ctx: ListenCtx, listener: TcpSock, ins: InSegment): TcpSock | null {
  const s = ctx.host.sysctl;
  if (!s.tcp_syncookies) return null;
  const nowUs = clockUs(ctx.host);
  if (s.tcp_syncookies !== 2 && nowUs - listener.lastSynqOverflowUs > TCP_SYNCOOKIE_VALID_US) return null;
  const { seg } = ins;
  if (seg.flags & (TCP_SYN | TCP_RST | TCP_FIN) || !(seg.flags & TCP_ACK)) return null;
  const peerIsn = (seg.seq - 1) >>> 0;
  const cookie = (seg.ack - 1) >>> 0;
  const t = { saddr: ins.dst, daddr: ins.src, sport: seg.dstPort, dport: seg.srcPort };
  const idx = cookieCheck(ctx.keys, t, peerIsn, cookie, ctx.host.now());
  if (idx < 0) {
    ctx.mib.SyncookiesFailed++;
    return null;
  }
  const q = listener.listen!;
  if (q.accept.length > q.backlog) {
    ctx.mib.ListenOverflows++;
    ctx.mib.ListenDrops++;
    return null;
  }
  ctx.mib.SyncookiesRecv++;
  const tsOffset = ctx.keys.tsOffset(ins.dst, ins.src, seg.dstPort, seg.srcPort);
  let opts: { wscale: number | null; sack: boolean; ecn: boolean } = { wscale: null, sack: false, ecn: false };
  const tsOk = ins.sawTs && s.tcp_timestamps !== 0 && ins.tsecr !== 0;
  if (tsOk) {
    const decoded = cookieOptions((ins.tsecr - tsOffset) >>> 0);
    if (!decoded) return null;
    opts = decoded;
  }
  const route = ctx.host.route(ins.src);
  const mtu = typeof route === 'string' ? 1500 : route.mtu;
  const advmss = advertisedMss(listener.userMss, mtu);
  const win = selectInitialWindow(listener, fullSpace(listener), advmss - (tsOk ? TS_ALIGNED : 0), listener.windowClamp, opts.wscale !== null);
  const req: RequestSock = {
    localAddr: ins.dst,
    localPort: seg.dstPort,
    remoteAddr: ins.src,
    remotePort: seg.srcPort,
    iss: cookie,
    irs: peerIsn,
    mss: Math.min(COOKIE_MSS[idx]!, listener.userMss || 65535),
    advmss,
    tsOk,
    sackOk: opts.sack && s.tcp_sack !== 0,
    wscaleOk: opts.wscale !== null,
    sndWscale: opts.wscale ?? 0,
    rcvWscale: opts.wscale !== null ? win.rcvWscale : 0,
    ecnOk: opts.ecn && s.tcp_ecn !== 0,
    tsRecent: tsOk ? ins.tsval : 0,
    tsOffset: tsOk ? tsOffset : 0,
    peerWindow: seg.window,
    rcvWnd: win.rcvWnd,
    windowClamp: opts.wscale !== null ? win.windowClamp : Math.min(win.windowClamp, 65535),
    retransmits: 0,
    timer: null,
    synackUs: nowUs,
    ackedWhileFull: false,
  };
  return createChild(ctx, listener, req, ins);
}

/** inet_csk_listen_stop: requests vanish, unaccepted connections are reset. */
export function listenStop(ctx: ListenCtx, listener: TcpSock): void {
  const q = listener.listen;
  if (!q) return;
  for (const req of [...q.requests.values()]) dropRequest(ctx, listener, req);
  for (const child of q.accept.splice(0)) ctx.abortChild(child);
}
