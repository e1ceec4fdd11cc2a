// One host's TCP: its endpoints and how segments find them (connections by 4-tuple, then
// time-wait records, then listeners and their requests), ports (bind's conflict rules, ephemeral
// ports for connect), the resets a segment for nobody earns, ICMP errors for a connection, and the
// timers endpoints arm. Everything outside TCP is reached through the TcpHost seam.

import type { ErrnoName } from '../../abi/errno.js';
import { TCP_STATE_NAMES, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_FIN_WAIT2, TCP_LISTEN, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIME_WAIT } from '../../abi/tcp.js';
import { isWireError } from '../../abi/wire/error.js';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_RST, TCP_SYN, TcpPacket, TcpRepr } from '../../abi/wire/tcp.js';
import { congestionControl, setCongestionControl } from './cc.js';
import type { TcpHost } from './host.js';
import { tcpRcv } from './input.js';
import { parseIncoming, segmentsIn, type InSegment } from './segment.js';
import { SequenceKeys } from './isn.js';
import { checkReq, childEstablished, connRequest, cookieAck, listenStop, requestKey, type ListenCtx } from './listen.js';
import { TcpMetrics } from './metrics.js';
import { TcpMib } from './mib.js';
import { advertisedMss, syncMss } from './mss.js';
import { emitSegment, transmitSkb } from './output.js';
import { between } from './seq.js';
import { TcpSkb } from './skb.js';
import { ListenQueue, type RequestSock, TcpSock, TCP_TIMEOUT_INIT_US, TCP_TIMEWAIT_LEN_US, TS_ALIGNED } from './sock.js';
import { setState, tcpDone } from './state.js';
import { delackTimer, keepaliveTimer, writeTimer } from './timeouts.js';
import { resetXmitTimer } from './timers.js';
import { timewaitAck, timewaitProcess, type TimeWait } from './timewait.js';
import { tcpClose, tcpDisconnect, type CloseOutcome } from './user.js';
import { fullSpace, selectInitialWindow } from './window.js';
import { initializeRcvMss } from './input.js';
import { tcpIcmpError } from './icmp-error.js';

type PortHolder = TcpSock | TimeWait;

function key(la: number, lp: number, ra: number, rp: number): string {
  return `${la}:${lp}:${ra}:${rp}`;
}

function isTw(h: PortHolder): h is TimeWait {
  return !(h instanceof TcpSock);
}

/** One row of the endpoint table (netstat, /proc/net/tcp): listeners, connections, requests, time-wait. */
export interface TcpEndpointInfo {
  state: number;
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  /** Unread bytes; a listener's accept queue length (as Linux reports them). */
  recvQ: number;
  /** Unacknowledged and unsent bytes; a listener's backlog. */
  sendQ: number;
  /** Segments the endpoint dropped (sk_drops). */
  drops: number;
  /** The inode of the socket file that holds it (0 for none: an orphan, a request). */
  ino: number;
}

export class TcpEngine {
  readonly mib = new TcpMib();
  readonly keys: SequenceKeys;
  /** What finished connections learnt of each destination (`ip tcp_metrics`). */
  readonly metrics: TcpMetrics;
  /** Connections (and children in SYN_RECV) by their 4-tuple. */
  private readonly conns = new Map<string, TcpSock>();
  private readonly listeners = new Map<number, TcpSock[]>();
  private readonly timewaits = new Map<string, TimeWait>();
  /** Requests (SYN_RECV) by 4-tuple, with their listener. */
  private readonly requests = new Map<string, { listener: TcpSock; req: RequestSock }>();
  private readonly ports = new Map<number, Set<PortHolder>>();
  /** Every endpoint a socket holds or the engine still runs (orphans closing). */
  private readonly all = new Set<TcpSock>();
  private nextId = 1;
  private readonly ctx: ListenCtx;

  constructor(readonly host: TcpHost) {
    this.keys = new SequenceKeys(() => host.random());
    this.metrics = new TcpMetrics(host);
    const engine = this;
    this.ctx = {
      host,
      mib: this.mib,
      keys: this.keys,
      newSock: () => this.newSock(),
      hashChild: (child) => {
        this.conns.set(key(child.localAddr, child.localPort, child.remoteAddr, child.remotePort), child);
        this.holdPort(child.localPort, child);
        this.all.add(child);
        this.mib.PassiveOpens++;
      },
      hashRequest: (listener, req) => {
        engine.requests.set(requestKey(req.localAddr, req.localPort, req.remoteAddr, req.remotePort), { listener, req });
      },
      unhashRequest: (req) => {
        engine.requests.delete(requestKey(req.localAddr, req.localPort, req.remoteAddr, req.remotePort));
      },
      abortChild: (child) => {
        child.orphan = true;
        tcpDisconnect(child);
        this.destroy(child);
      },
    };
  }

  private newSock(): TcpSock {
    const sk = new TcpSock(this.host, this.mib, this.ops, this.nextId++);
    return sk;
  }

  private readonly ops = {
    timerFired: (sk: TcpSock, which: 'xmit' | 'delack' | 'keepalive') => {
      if (which === 'xmit') writeTimer(sk);
      else if (which === 'delack') delackTimer(sk);
      else keepaliveTimer(sk);
    },
    unhash: (sk: TcpSock) => this.unhash(sk),
    timeWait: (sk: TcpSock, substate: number, timeoutUs: number) => this.timeWait(sk, substate, timeoutUs),
    saveMetrics: (sk: TcpSock) => this.metrics.update(sk),
    initMetrics: (sk: TcpSock) => this.metrics.init(sk),
  };

  /** A new endpoint for socket(): closed, the host's default buffers and algorithm. */
  socket(): TcpSock {
    const sk = this.newSock();
    const ca = congestionControl(this.host.sysctl.tcp_congestion_control) ?? congestionControl('reno')!;
    setCongestionControl(sk, ca);
    this.all.add(sk);
    return sk;
  }

  // ------------------------------------------------------------------ ports

  private holdPort(port: number, h: PortHolder): void {
    let set = this.ports.get(port);
    if (!set) this.ports.set(port, (set = new Set()));
    set.add(h);
  }

  private releasePort(port: number, h: PortHolder): void {
    const set = this.ports.get(port);
    if (!set) return;
    set.delete(h);
    if (set.size === 0) this.ports.delete(port);
  }

  /** inet_csk_bind_conflict: another holder of the port whose address overlaps, unless both
   * allow reuse and it is not listening. */
  private bindConflict(sk: TcpSock, addr: number, port: number): boolean {
    for (const h of this.ports.get(port) ?? []) {
      if (h === sk) continue;
      const hAddr = h.localAddr;
      if (!(hAddr === 0 || addr === 0 || hAddr === addr)) continue;
      const reuse = isTw(h) ? h.reuse : h.reuseAddr;
      const listening = !isTw(h) && h.state === TCP_LISTEN;
      if (sk.reuseAddr && reuse && !listening) continue;
      return true;
    }
    return false;
  }

  /** An ephemeral port for bind(0) or listen() without bind (inet_csk_find_open_port). */
  private findOpenPort(sk: TcpSock, addr: number): number | null {
    const [low, high] = this.host.sysctl.ip_local_port_range;
    const span = high - low + 1;
    const offset = Math.floor(this.host.random() * span);
    for (let i = 0; i < span; i++) {
      const port = low + ((offset + i) % span);
      if (!this.bindConflict(sk, addr, port) && !this.ports.has(port)) return port;
    }
    return null;
  }

  /** bind(): EINVAL if already bound, EADDRNOTAVAIL for a foreign address, EADDRINUSE. */
  bind(sk: TcpSock, addr: number, port: number): ErrnoName | null {
    if (sk.state !== TCP_CLOSE || sk.localPort !== 0) return 'EINVAL';
    if (addr !== 0 && !this.host.isLocalAddress(addr)) return 'EADDRNOTAVAIL';
    let p = port;
    if (p === 0) {
      const found = this.findOpenPort(sk, addr);
      if (found === null) return 'EADDRINUSE';
      p = found;
    } else if (this.bindConflict(sk, addr, p)) return 'EADDRINUSE';
    sk.localAddr = addr;
    sk.localPort = p;
    sk.boundByUser = true;
    sk.bindPortLocked = port !== 0;
    this.holdPort(p, sk);
    return null;
  }

  /** listen(): EINVAL unless closed or listening; the backlog capped by net.core.somaxconn. */
  listen(sk: TcpSock, backlog: number): ErrnoName | null {
    const somax = this.host.sysctl.core_somaxconn;
    const b = backlog < 0 || backlog > somax ? somax : backlog;
    if (sk.state === TCP_LISTEN) {
      sk.listen!.backlog = b;
      return null;
    }
    if (sk.state !== TCP_CLOSE) return 'EINVAL';
    if (sk.localPort === 0) {
      const err = this.bind(sk, 0, 0);
      if (err) return err;
      sk.bindPortLocked = false;
    } else {
      // Listening is a stronger claim than the bind was: no one else may listen here.
      for (const h of this.ports.get(sk.localPort) ?? []) {
        if (h === sk || isTw(h) || h.state !== TCP_LISTEN) continue;
        if (h.localAddr === 0 || sk.localAddr === 0 || h.localAddr === sk.localAddr) return 'EADDRINUSE';
      }
    }
    sk.listen = new ListenQueue(b);
    sk.state = TCP_LISTEN;
    const list = this.listeners.get(sk.localPort) ?? [];
    list.push(sk);
    this.listeners.set(sk.localPort, list);
    return null;
  }

  accept(listener: TcpSock): TcpSock | null {
    const child = listener.listen?.accept.shift();
    if (!child) return null;
    child.parent = null;
    return child;
  }

  /** Is this 4-tuple free for a new connection (no connection, no TIME_WAIT that blocks it)? */
  private tupleFree(la: number, lp: number, ra: number, rp: number): boolean {
    const k = key(la, lp, ra, rp);
    if (this.conns.has(k)) return false;
    const tw = this.timewaits.get(k);
    if (tw) {
      // tcp_twsk_unique: reuse a TIME_WAIT 4-tuple only as tcp_tw_reuse allows (2: loopback).
      const reuse = this.host.sysctl.tcp_tw_reuse;
      const loopback = la >>> 24 === 127 || ra >>> 24 === 127;
      if (!(reuse === 1 || (reuse === 2 && loopback)) || !tw.tsOk) return false;
      if (Math.floor(this.host.now() / 1e9) <= tw.tsRecentStampS) return false;
      this.killTimewait(tw);
    }
    return true;
  }

  /** connect(): route, source address and port, ISN, then the SYN (tcp_v4_connect, tcp_connect). */
  connect(sk: TcpSock, addr: number, port: number): ErrnoName | null {
    const route = this.host.route(addr);
    if (typeof route === 'string') return route;
    if (sk.localAddr === 0) sk.localAddr = route.src;
    sk.remoteAddr = addr;
    sk.remotePort = port;
    if (sk.localPort === 0) {
      const p = this.connectPort(sk);
      if (p === null) {
        sk.remoteAddr = sk.remotePort = 0;
        return 'EADDRNOTAVAIL';
      }
      sk.localPort = p;
      this.holdPort(p, sk);
    } else if (!this.tupleFree(sk.localAddr, sk.localPort, addr, port)) {
      sk.remoteAddr = sk.remotePort = 0;
      return 'EADDRNOTAVAIL';
    }
    this.conns.set(key(sk.localAddr, sk.localPort, addr, port), sk);
    sk.state = TCP_SYN_SENT;
    const s = this.host.sysctl;
    sk.iss = this.keys.isn(sk.localAddr, addr, sk.localPort, port, this.host.wallNs());
    sk.writeSeq = sk.iss;
    sk.tsOffset = s.tcp_timestamps ? this.keys.tsOffset(sk.localAddr, addr, sk.localPort, port) : 0;
    this.connectInit(sk, route.mtu);
    sk.gsoOk = route.gso === true;
    const syn = new TcpSkb(sk.writeSeq, 0, TCP_SYN | (s.tcp_ecn === 1 ? TCP_ECE | TCP_CWR : 0));
    sk.ecnOk = s.tcp_ecn === 1;
    sk.synOffer = { ts: s.tcp_timestamps !== 0, sack: s.tcp_sack !== 0, wscale: s.tcp_window_scaling !== 0, ecn: sk.ecnOk };
    sk.retransStampUs = sk.nowUs();
    sk.writeSeq = (sk.writeSeq + 1) >>> 0;
    sk.rtx.push(syn);
    sk.packetsOut = 1;
    transmitSkb(sk, syn, false);
    sk.sndNxt = sk.pushedSeq = sk.writeSeq;
    this.mib.ActiveOpens++;
    resetXmitTimer(sk, 'retrans', sk.rtoUs);
    return null;
  }

  /** __inet_hash_connect: an ephemeral port, even ones first, not held by bind() and with a free
   * 4-tuple. */
  private connectPort(sk: TcpSock): number | null {
    const [low, high] = this.host.sysctl.ip_local_port_range;
    const span = high - low + 1;
    const offset = Math.floor(this.host.random() * span) & ~1;
    for (const parity of [0, 1]) {
      for (let i = parity; i < span; i += 2) {
        const port = low + ((offset + i) % span);
        const holders = this.ports.get(port);
        if (holders && [...holders].some((h) => isTw(h) ? false : h.boundByUser || h.state === TCP_LISTEN)) continue;
        if (this.tupleFree(sk.localAddr, port, sk.remoteAddr, sk.remotePort)) return port;
      }
    }
    return null;
  }

  /** tcp_connect_init. */
  private connectInit(sk: TcpSock, mtu: number): void {
    const s = this.host.sysctl;
    sk.tcpHeaderOpts = s.tcp_timestamps ? TS_ALIGNED : 0;
    if (sk.userMss) sk.mssClamp = sk.userMss;
    sk.maxWindow = 0;
    syncMss(sk, mtu);
    sk.advmss = advertisedMss(sk.userMss, mtu);
    initializeRcvMss(sk);
    if (sk.rcvbufLocked && (sk.windowClamp > fullSpace(sk) || sk.windowClamp === 0)) sk.windowClamp = fullSpace(sk);
    const w = selectInitialWindow(sk, fullSpace(sk), sk.advmss, sk.windowClamp, s.tcp_window_scaling !== 0);
    sk.rcvWnd = w.rcvWnd;
    sk.windowClamp = w.windowClamp;
    sk.rcvWscale = w.rcvWscale;
    sk.wscaleOk = s.tcp_window_scaling !== 0;
    sk.rcvSsthresh = sk.rcvWnd;
    sk.err = null;
    sk.finSeq = null;
    sk.sndWnd = 0;
    sk.sndWl1 = 0;
    sk.sndUna = sk.sndSml = sk.sndUp = sk.sndNxt = sk.highestSack = sk.writeSeq;
    sk.rcvNxt = sk.rcvWup = sk.copiedSeq = 0;
    sk.rtoUs = TCP_TIMEOUT_INIT_US;
    sk.retransmits = 0;
  }

  // ------------------------------------------------------------------ leaving

  /** A socket's close(): FIN or RST as the state says; a listener drops what it holds. */
  close(sk: TcpSock): CloseOutcome {
    sk.orphan = true;
    sk.events = null;
    if (sk.state === TCP_LISTEN) {
      sk.shutdown = 3;
      listenStop(this.ctx, sk);
      setState(sk, TCP_CLOSE);
      this.destroy(sk);
      return 'closed';
    }
    const out = tcpClose(sk);
    if (sk.state === TCP_FIN_WAIT2) {
      if (sk.linger2S !== null && sk.linger2S < 0) {
        setState(sk, TCP_CLOSE);
        this.mib.TCPAbortOnLinger++;
      } else {
        const tmo = Math.max(sk.linger2S !== null && sk.linger2S >= 0 ? sk.linger2S * 1e6 : this.host.sysctl.tcp_fin_timeout * 1e6, (sk.rtoUs << 2) - (sk.rtoUs >> 1));
        if (tmo <= TCP_TIMEWAIT_LEN_US) this.timeWait(sk, TCP_FIN_WAIT2, tmo);
      }
    }
    if (sk.state === TCP_CLOSE) this.destroy(sk);
    return out;
  }

  /** The endpoint left the connection tables (tcp_set_state(TCP_CLOSE)). */
  private unhash(sk: TcpSock): void {
    if (sk.remotePort) {
      const k = key(sk.localAddr, sk.localPort, sk.remoteAddr, sk.remotePort);
      if (this.conns.get(k) === sk) this.conns.delete(k);
    }
    const list = this.listeners.get(sk.localPort);
    if (list?.includes(sk)) {
      const rest = list.filter((x) => x !== sk);
      if (rest.length) this.listeners.set(sk.localPort, rest);
      else this.listeners.delete(sk.localPort);
    }
    if (!sk.bindPortLocked || sk.orphan) this.releasePort(sk.localPort, sk);
    if (sk.orphan) this.destroy(sk);
  }

  /** Forget an endpoint for good (inet_csk_destroy_sock). */
  private destroy(sk: TcpSock): void {
    this.releasePort(sk.localPort, sk);
    this.all.delete(sk);
  }

  /** The socket file let go without close() semantics having been applied (process killed). */
  release(sk: TcpSock): void {
    if (sk.state === TCP_CLOSE) this.destroy(sk);
  }

  /** tcp_time_wait: a record holds the 4-tuple; the endpoint is done. */
  private timeWait(sk: TcpSock, substate: number, timeoutUs: number): void {
    const rto = (sk.rtoUs << 2) - (sk.rtoUs >> 1);
    let timeo = timeoutUs < rto ? rto : timeoutUs;
    if (substate === TCP_TIME_WAIT) timeo = TCP_TIMEWAIT_LEN_US;
    if (this.timewaits.size < this.host.sysctl.tcp_max_tw_buckets) {
      const tw: TimeWait = {
        localAddr: sk.localAddr,
        localPort: sk.localPort,
        remoteAddr: sk.remoteAddr,
        remotePort: sk.remotePort,
        substate,
        sndNxt: sk.sndNxt,
        rcvNxt: sk.rcvNxt,
        rcvWnd: sk.receiveWindow,
        rcvWscale: sk.rcvWscale,
        tsOk: sk.tsOk,
        tsRecent: sk.tsRecent,
        tsRecentStampS: sk.tsRecentStampS,
        tsOffset: sk.tsOffset,
        reuse: sk.reuseAddr,
        tos: sk.tos,
        ttl: sk.ttl,
        timer: null,
        lastOowAckMs: -1_000_000,
      };
      const k = key(tw.localAddr, tw.localPort, tw.remoteAddr, tw.remotePort);
      this.timewaits.get(k) && this.killTimewait(this.timewaits.get(k)!);
      this.timewaits.set(k, tw);
      this.holdPort(tw.localPort, tw);
      this.scheduleTimewait(tw, timeo);
    } else this.mib.TCPTimeWaitOverflow++;
    this.metrics.update(sk);
    tcpDone(sk);
  }

  private scheduleTimewait(tw: TimeWait, us: number): void {
    if (tw.timer !== null) this.host.cancel(tw.timer);
    tw.timer = this.host.at(this.host.now() + us * 1000, () => {
      tw.timer = null;
      this.mib.TW++;
      this.killTimewait(tw);
    });
  }

  private killTimewait(tw: TimeWait): void {
    if (tw.timer !== null) this.host.cancel(tw.timer);
    tw.timer = null;
    const k = key(tw.localAddr, tw.localPort, tw.remoteAddr, tw.remotePort);
    if (this.timewaits.get(k) === tw) this.timewaits.delete(k);
    this.releasePort(tw.localPort, tw);
  }

  // ------------------------------------------------------------------ input

  /** A TCP segment for this host (IP protocol 6): checked, then to whoever it belongs to. */
  input(segment: Uint8Array, src: number, dst: number, tos: number, gsoSize = 0): void {
    const view = TcpPacket.checked(segment);
    if (isWireError(view)) {
      this.mib.InErrs++;
      this.mib.drop('pkt_too_small');
      if (this.host.tracing) this.host.trace?.('tcp', 'drop', segment, { reason: 'malformed', counter: 'Tcp InErrs', decision: view.reason });
      return;
    }
    // A super-packet's checksum was vouched for by GRO or is partial, from a sender whose card it never left.
    const repr = TcpRepr.parse(view, src, dst, gsoSize ? { lenientOptions: true, checksum: false } : { lenientOptions: true });
    if (isWireError(repr)) {
      this.mib.InErrs++;
      const checksum = /checksum/.test(repr.reason);
      if (checksum) this.mib.InCsumErrors++;
      this.mib.drop('tcp_csum');
      if (this.host.tracing) {
        this.host.trace?.('tcp', 'drop', segment, { reason: checksum ? 'bad-checksum' : 'malformed', counter: checksum ? 'Tcp InCsumErrors' : 'Tcp InErrs', decision: repr.reason });
      }
      return;
    }
    const ins = parseIncoming(repr, src, dst, tos);
    ins.gsoSize = gsoSize;
    // Counted as the segments it stands for, as Linux's tcp_v4_rcv counts gso_segs.
    this.mib.InSegs += segmentsIn(ins);
    if (this.host.tracing) ins.bytes = segment;
    this.demux(ins);
  }

  private demux(ins: InSegment): void {
    const { seg } = ins;
    const k = key(ins.dst, seg.dstPort, ins.src, seg.srcPort);
    const sk = this.conns.get(k);
    if (sk) {
      // The name is built only for a journey: a string per segment is a cost when nobody records.
      if (this.host.tracing) this.delivered(ins, sk.describe(), TCP_STATE_NAMES[sk.state]);
      const wasSynRecv = sk.state === TCP_SYN_RECV;
      if (tcpRcv(sk, ins)) this.sendReset(ins);
      if (wasSynRecv && sk.parent && sk.state !== TCP_SYN_RECV) childEstablished(sk.parent, sk);
      return;
    }
    const tw = this.timewaits.get(k);
    if (tw) {
      this.delivered(ins, `tcp ${tw.localPort}`, 'TIME_WAIT');
      const v = timewaitProcess(this.host, this.mib, tw, ins, () => this.scheduleTimewait(tw, TCP_TIMEWAIT_LEN_US), () => this.killTimewait(tw));
      if (v.kind === 'ack') timewaitAck(this.host, this.mib, tw);
      else if (v.kind === 'rst') {
        this.killTimewait(tw);
        this.sendReset(ins);
      } else if (v.kind === 'syn') {
        const listener = this.findListener(ins.dst, seg.dstPort);
        if (listener) {
          this.killTimewait(tw);
          connRequest(this.ctx, listener, ins, v.isn);
        }
      }
      return;
    }
    const pending = this.requests.get(k);
    if (pending) {
      this.delivered(ins, `tcp ${pending.listener.localPort}`, 'SYN_RECV');
      const out = checkReq(this.ctx, pending.listener, pending.req, ins);
      if (out.kind === 'reset') this.sendReset(ins);
      else if (out.kind === 'listener') this.listenerRcv(pending.listener, ins);
      else if (out.kind === 'child') this.childRcv(pending.listener, out.child, ins);
      return;
    }
    const listener = this.findListener(ins.dst, seg.dstPort);
    if (listener) {
      this.delivered(ins, listener.describe(), 'LISTEN');
      this.listenerRcv(listener, ins);
      return;
    }
    this.noSocket(ins);
  }

  /** The journey event of a segment reaching the endpoint it belongs to (what it does there follows). */
  private delivered(ins: InSegment, where: string, state: string | undefined): void {
    if (this.host.tracing && ins.bytes) this.host.trace?.(where, 'deliver', ins.bytes, { event: 'deliver', decision: state });
  }

  private childRcv(listener: TcpSock, child: TcpSock, ins: InSegment): void {
    if (tcpRcv(child, ins)) this.sendReset(ins);
    childEstablished(listener, child);
  }

  private findListener(addr: number, port: number): TcpSock | undefined {
    const list = this.listeners.get(port);
    if (!list) return undefined;
    return list.find((l) => l.localAddr === addr) ?? list.find((l) => l.localAddr === 0);
  }

  /** A segment for a listener (tcp_rcv_state_process, TCP_LISTEN). */
  private listenerRcv(listener: TcpSock, ins: InSegment): void {
    const f = ins.seg.flags;
    listener.segsIn++;
    if (f & TCP_ACK && !(f & TCP_SYN)) {
      const child = f & TCP_RST ? null : cookieAck(this.ctx, listener, ins);
      if (child) {
        this.childRcv(listener, child, ins);
        return;
      }
      if (f & TCP_RST) {
        this.mib.drop('tcp_reset');
        return;
      }
      this.sendReset(ins);
      return;
    }
    if (f & TCP_ACK) {
      this.sendReset(ins);
      return;
    }
    if (f & TCP_RST) {
      this.mib.drop('tcp_reset');
      return;
    }
    if (f & TCP_SYN && !(f & TCP_FIN)) {
      connRequest(this.ctx, listener, ins);
      return;
    }
    this.mib.drop('tcp_flags');
  }

  /** No socket: a RST, unless the segment was one (tcp_v4_send_reset). */
  private noSocket(ins: InSegment): void {
    this.mib.drop('no_socket');
    if (this.host.tracing && ins.bytes) this.host.trace?.(`tcp port ${ins.seg.dstPort}`, 'drop', ins.bytes, { reason: 'no-socket', counter: 'Tcp OutRsts', decision: 'reset' });
    this.sendReset(ins);
  }

  /** tcp_v4_send_reset: window 0, no options; seq from the segment's ACK, else an ACK of it. */
  sendReset(ins: InSegment): void {
    const { seg } = ins;
    if (seg.flags & TCP_RST) return;
    if (!this.host.isLocalAddress(ins.dst)) return;
    const hasAck = (seg.flags & TCP_ACK) !== 0;
    emitSegment(
      this.host,
      this.mib,
      {
        srcPort: seg.dstPort,
        dstPort: seg.srcPort,
        seq: hasAck ? seg.ack : 0,
        ack: hasAck ? 0 : ins.endSeq,
        flags: TCP_RST | (hasAck ? 0 : TCP_ACK),
        window: 0,
        urgent: 0,
        options: [],
        payload: new Uint8Array(0),
      },
      ins.dst,
      ins.src,
      { tos: ins.tos & ~3, ttl: 64, df: true, zeroIpId: true },
      'tcp reset',
      ins.bytes,
    );
  }

  // ------------------------------------------------------------------ ICMP errors

  /**
   * tcp_v4_err: an ICMP error quoting a segment we sent (its IP header and at least 8 bytes of
   * TCP), for the connection it names and within its window (icmp-error.ts acts on it).
   */
  icmpError(type: number, code: number, mtu: number, quoted: Uint8Array): void {
    if (quoted.length < 20) return;
    const ihl = (quoted[0]! & 0x0f) * 4;
    if (quoted.length < ihl + 8) return;
    const src = ((quoted[12]! << 24) | (quoted[13]! << 16) | (quoted[14]! << 8) | quoted[15]!) >>> 0;
    const dst = ((quoted[16]! << 24) | (quoted[17]! << 16) | (quoted[18]! << 8) | quoted[19]!) >>> 0;
    const t = quoted.subarray(ihl);
    const sport = (t[0]! << 8) | t[1]!;
    const dport = (t[2]! << 8) | t[3]!;
    const seq = ((t[4]! << 24) | (t[5]! << 16) | (t[6]! << 8) | t[7]!) >>> 0;
    const sk = this.conns.get(key(src, sport, dst, dport));
    if (!sk) return;
    if (sk.state !== TCP_LISTEN && !between(seq, sk.sndUna, sk.sndNxt)) {
      this.mib.drop('tcp_icmp_out_of_window');
      return;
    }
    tcpIcmpError(sk, type, code, mtu);
  }

  // ------------------------------------------------------------------ observation

  /** Every endpoint and time-wait record, for netstat. */
  connections(): TcpEndpointInfo[] {
    const out: TcpEndpointInfo[] = [];
    for (const sk of this.all) {
      if (sk.state === TCP_CLOSE && !sk.localPort) continue;
      if (sk.state === TCP_CLOSE && sk.orphan) continue;
      const listening = sk.state === TCP_LISTEN;
      out.push({
        state: sk.state,
        localAddr: sk.localAddr,
        localPort: sk.localPort,
        remoteAddr: sk.remoteAddr,
        remotePort: sk.remotePort,
        recvQ: listening ? (sk.listen?.accept.length ?? 0) : sk.rcv.bytes,
        sendQ: listening ? (sk.listen?.backlog ?? 0) : Math.max(0, (sk.writeSeq - sk.sndUna) | 0),
        drops: sk.drops,
        ino: sk.orphan ? 0 : sk.fileIno,
      });
    }
    for (const r of this.requests.values()) {
      out.push({ state: TCP_SYN_RECV, localAddr: r.req.localAddr, localPort: r.req.localPort, remoteAddr: r.req.remoteAddr, remotePort: r.req.remotePort, recvQ: 0, sendQ: 0, drops: 0, ino: 0 });
    }
    for (const tw of this.timewaits.values()) {
      out.push({ state: tw.substate === TCP_FIN_WAIT2 ? TCP_FIN_WAIT2 : TCP_TIME_WAIT, localAddr: tw.localAddr, localPort: tw.localPort, remoteAddr: tw.remoteAddr, remotePort: tw.remotePort, recvQ: 0, sendQ: 0, drops: 0, ino: 0 });
    }
    return out;
  }

  /** The counters with CurrEstab (ESTABLISHED and CLOSE_WAIT connections). */
  stats(): Record<string, number> {
    let estab = 0;
    for (const sk of this.conns.values()) if (sk.state === TCP_ESTABLISHED || sk.state === TCP_CLOSE_WAIT) estab++;
    return this.mib.snapshot(estab);
  }

  /** How many requests, connections and time-wait records exist (for flood tests). */
  sizes(): { requests: number; connections: number; timewaits: number; endpoints: number } {
    return { requests: this.requests.size, connections: this.conns.size, timewaits: this.timewaits.size, endpoints: this.all.size };
  }
}
