// TCP sockets: a stream socket file over an endpoint of the TCP engine (net/tcp). The engine does
// the protocol; this file does what Linux's inet_stream_ops and sock.c do around it: the
// connect() states (EINPROGRESS, EALREADY, EISCONN), blocking and waking readers, writers and
// acceptors, SIGPIPE, poll readiness, the socket and TCP options, and the queue-size ioctls.

import { ERRNO, SysError } from '../../abi/errno.js';
import { FIONREAD, type IntRef, SIOCOUTQ, SIOCOUTQNSD } from '../../abi/ioctl.js';
import { B_SELECT_DISCONNECTED, B_SELECT_ERROR, B_SELECT_PRI_READ, B_SELECT_RDHUP, B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../../abi/select.js';
import { SIGPIPE } from '../../abi/signal.js';
import {
  AF_INET,
  IP_MTU_DISCOVER,
  IP_PMTUDISC_DONT,
  IP_TOS,
  IP_TTL,
  IPPROTO_IP,
  IPPROTO_TCP,
  type Linger,
  MSG_DONTWAIT,
  MSG_EOR,
  MSG_MORE,
  MSG_NOSIGNAL,
  MSG_OOB,
  MSG_PEEK,
  MSG_WAITALL,
  type MsgHdr,
  type RecvMsgResult,
  type RecvResult,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_ACCEPTCONN,
  SO_BROADCAST,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_RCVBUF,
  SO_RCVLOWAT,
  SO_REUSEADDR,
  SO_SNDBUF,
  SO_TYPE,
  SO_ZEROCOPY,
  SOCK_STREAM,
  type SockaddrIn,
  sockaddrIn,
  type SockoptValue,
  SOL_SOCKET,
} from '../../abi/socket.js';
import {
  SOL_TCP,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_CM_INQ,
  TCP_CONGESTION,
  TCP_CORK,
  TCP_DEFER_ACCEPT,
  TCP_CLOSING,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT1,
  TCP_LAST_ACK,
  TCP_INFO,
  TCP_INQ,
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_LINGER2,
  TCP_LISTEN,
  TCP_MAXSEG,
  TCP_NODELAY,
  TCP_NOTSENT_LOWAT,
  TCP_QUICKACK,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
  TCP_SYNCNT,
  TCP_THIN_LINEAR_TIMEOUTS,
  TCP_USER_TIMEOUT,
  TCP_WINDOW_CLAMP,
} from '../../abi/tcp.js';
import { formatIpv4 } from '../../abi/wire/address.js';
import { WaitQueue } from '../../sched/scheduler.js';
import type { IoContext, SelectSync } from '../../vfs/file.js';
import { congestionControl, setCongestionControl } from '../tcp/cc.js';
import { tcpInfo } from '../tcp/info.js';
import { keepaliveTimeUs } from '../tcp/input.js';
import { ACK_PUSHED, NAGLE_CORK, NAGLE_OFF } from '../tcp/output.js';
import type { TcpSock } from '../tcp/sock.js';
import { MAX_TCP_WINDOW, TCP_MIN_MSS } from '../tcp/sock.js';
import { RCV_SHUTDOWN, SEND_SHUTDOWN } from '../tcp/state.js';
import { clearKeepaliveTimer, resetKeepaliveTimer } from '../tcp/timers.js';
import {
  cleanupRbuf,
  POLL_ERR,
  POLL_HUP,
  POLL_IN,
  POLL_OUT,
  POLL_PRI,
  POLL_RDHUP,
  recvStep,
  sendStep,
  setCork,
  setNodelay,
  takeError,
  tcpDisconnect,
  tcpInq,
  tcpInqHint,
  tcpOutq,
  tcpOutqNsd,
  tcpPoll,
  tcpShutdownSend,
} from '../tcp/user.js';
import { addrOf, destinationOf } from './sockaddr.js';
import { concat, intValue, Socket, type SocketHost } from './socket.js';
import type { TcpProtocol } from './tcp-protocol.js';

/** Linux's SOCK_MIN_RCVBUF / SOCK_MIN_SNDBUF for 64-bit (tcp-linux.md §5). */
const SOCK_MIN_RCVBUF = 2304;
const SOCK_MIN_SNDBUF = 4608;
const TCP_FIN_TIMEOUT_MAX_S = 120;

/** The socket's connect() state (struct socket's state, beside the protocol's). */
type SocketState = 'unconnected' | 'connecting' | 'connected' | 'disconnecting';

const SELECT_BITS: ReadonlyArray<readonly [SelectEvent, number]> = [
  [B_SELECT_READ, POLL_IN],
  [B_SELECT_WRITE, POLL_OUT],
  [B_SELECT_ERROR, POLL_ERR],
  [B_SELECT_DISCONNECTED, POLL_HUP],
  [B_SELECT_RDHUP, POLL_RDHUP],
  [B_SELECT_PRI_READ, POLL_PRI],
];

export class TcpSocket extends Socket {
  readonly sk: TcpSock;
  ss: SocketState = 'unconnected';
  zerocopy = false;
  rcvlowat = 1;
  /** Every waiter (reader, writer, acceptor, connect) sleeps here; each re-checks its condition. */
  private readonly waiters: WaitQueue;
  /** close() sent a FIN that SO_LINGER makes close(2) wait for. */
  private lingering = false;

  constructor(
    host: SocketHost,
    private readonly tcp: TcpProtocol,
    flags: number,
    sk?: TcpSock,
  ) {
    super(host, AF_INET, SOCK_STREAM, IPPROTO_TCP, flags);
    this.sk = sk ?? tcp.engine.socket();
    this.sk.fileIno = this.id;
    this.waiters = new WaitQueue(`socket:${this.id} (tcp)`);
    const wake = () => {
      this.waiters.wakeAll();
      this.notifyPool();
    };
    this.sk.events = { readable: wake, writable: wake, stateChanged: wake };
  }

  /** Tell pollers and epoll which events hold now. */
  private notifyPool(): void {
    if (this.pool.empty) return;
    const mask = tcpPoll(this.sk);
    for (const [ev, bit] of SELECT_BITS) if (mask & bit) this.pool.notify(ev);
  }

  private async sleep(ctx: IoContext, channel: string): Promise<void> {
    const r = await ctx.task.scheduler.sleep(ctx.task, [this.waiters], { interruptible: true, syscall: ctx.syscall, channel: `${this.waiters.name}: ${channel}` });
    if (r === 'signal') throw new SysError('EINTR');
  }

  // ------------------------------------------------------------------ names

  localName(): SockaddrIn {
    return sockaddrIn(formatIpv4(this.sk.localAddr), this.sk.localPort);
  }

  peerName(): SockaddrIn | null {
    const sk = this.sk;
    if (!sk.remotePort || sk.state === TCP_LISTEN || (sk.state === TCP_CLOSE && this.ss !== 'connected') || sk.state === TCP_SYN_SENT) return null;
    return sockaddrIn(formatIpv4(sk.remoteAddr), sk.remotePort);
  }

  describe(): string {
    return this.sk.describe();
  }

  // ------------------------------------------------------------------ connection setup

  override bind(addr: SockaddrIn, ctx: IoContext): void {
    const a = addrOf(addr);
    const port = addr.sin_port;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SysError('EINVAL');
    if (port !== 0 && port < 1024 && ctx.uid !== 0) throw new SysError('EACCES');
    const err = this.tcp.engine.bind(this.sk, a, port);
    if (err) throw new SysError(err);
  }

  override listen(backlog: number): void {
    if (this.ss !== 'unconnected') throw new SysError('EINVAL');
    const err = this.tcp.engine.listen(this.sk, backlog);
    if (err) throw new SysError(err);
    this.notifyPool();
  }

  /** inet_stream_connect. */
  override async connect(addr: SockaddrIn, ctx: IoContext): Promise<void> {
    const sk = this.sk;
    let err: 'EINPROGRESS' | 'EALREADY';
    switch (this.ss) {
      case 'connected':
        throw new SysError('EISCONN');
      case 'connecting':
        err = 'EALREADY';
        break;
      case 'disconnecting':
        throw new SysError('EINVAL');
      default: {
        if (sk.state !== TCP_CLOSE) throw new SysError('EISCONN');
        const a = destinationOf(addr, sk.localAddr);
        const port = addr.sin_port;
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SysError('EINVAL');
        const e = this.tcp.engine.connect(sk, a, port);
        if (e) throw new SysError(e);
        this.ss = 'connecting';
        err = 'EINPROGRESS';
      }
    }
    while (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) {
      if (this.nonblocking) throw new SysError(err);
      await this.sleep(ctx, 'connect');
    }
    if (sk.state === TCP_CLOSE) {
      const e = takeError(sk) ?? 'ECONNABORTED';
      this.ss = 'unconnected';
      tcpDisconnect(sk);
      throw new SysError(e);
    }
    this.ss = 'connected';
  }

  /** inet_csk_accept. */
  override async accept(ctx: IoContext, flags: number): Promise<TcpSocket> {
    for (;;) {
      if (this.sk.state !== TCP_LISTEN) throw new SysError('EINVAL');
      const child = this.tcp.engine.accept(this.sk);
      if (child) {
        const s = new TcpSocket(this.host, this.tcp, flags, child);
        s.ss = 'connected';
        return s;
      }
      if (this.nonblocking) throw new SysError('EAGAIN');
      await this.sleep(ctx, 'accept');
    }
  }

  /** inet_shutdown. */
  override shutdown(how: number): void {
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) throw new SysError('EINVAL');
    const mask = how + 1;
    const sk = this.sk;
    if (this.ss === 'connecting') {
      this.ss = sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV || sk.state === TCP_CLOSE ? 'disconnecting' : 'connected';
    }
    let notConnected = false;
    if (sk.state === TCP_LISTEN && !(mask & RCV_SHUTDOWN)) {
      // Nothing to do for a listener's sending side.
    } else if (sk.state === TCP_LISTEN || sk.state === TCP_SYN_SENT) {
      tcpDisconnect(sk);
      this.ss = 'unconnected';
    } else {
      notConnected = sk.state === TCP_CLOSE;
      sk.shutdown |= mask;
      if (mask & SEND_SHUTDOWN) tcpShutdownSend(sk);
    }
    this.waiters.wakeAll();
    this.notifyPool();
    if (notConnected) throw new SysError('ENOTCONN');
  }

  // ------------------------------------------------------------------ data

  override async sendto(ctx: IoContext, data: Uint8Array, flags: number, _to: SockaddrIn | null): Promise<number> {
    if (!(data instanceof Uint8Array)) throw new SysError('EFAULT');
    if (flags & MSG_OOB) throw new SysError('EOPNOTSUPP');
    // The call's event; the segment that starts with its first byte goes on as the same packet.
    const sent = this.stack.tracing ? this.sending(ctx, data) : null;
    const startsSegment = sent ? (buffer: Uint8Array) => void this.stack.journeys.carry(sent, buffer) : undefined;
    const sk = this.sk;
    let copied = 0;
    for (;;) {
      const step = sendStep(sk, data, copied, { more: (flags & MSG_MORE) !== 0, eor: (flags & MSG_EOR) !== 0, startsSegment });
      copied += step.n;
      if (step.stop === 'done') return copied;
      if (step.stop === 'error') {
        if (copied) return copied;
        if (step.err === 'EPIPE' && !(flags & MSG_NOSIGNAL)) ctx.raise(SIGPIPE);
        throw new SysError(step.err!);
      }
      if (this.nonblocking || flags & MSG_DONTWAIT) {
        if (copied) return copied;
        throw new SysError('EAGAIN');
      }
      try {
        await this.sleep(ctx, step.stop === 'connect' ? 'send (connecting)' : 'send (buffer full)');
      } catch (e) {
        if (copied) return copied;
        throw e;
      }
    }
  }

  override sendmsg(ctx: IoContext, msg: MsgHdr, flags: number): Promise<number> {
    return this.sendto(ctx, concat(msg.msg_iov), flags, null);
  }

  override async recvfrom(ctx: IoContext, count: number, flags: number): Promise<RecvResult> {
    const data = await this.receive(ctx, count, flags);
    return { data, from: null, flags: 0 };
  }

  override async recvmsg(ctx: IoContext, iovLens: number[], flags: number): Promise<RecvMsgResult> {
    const data = await this.receive(ctx, iovLens.reduce((a, b) => a + b, 0), flags);
    const control = this.sk.inq ? [{ cmsg_level: SOL_TCP, cmsg_type: TCP_CM_INQ, cmsg_data: tcpInqHint(this.sk) }] : [];
    return { data, from: null, flags: 0, control };
  }

  /** tcp_recvmsg: what is there, waiting for something (or, with MSG_WAITALL, for all of it). */
  private async receive(ctx: IoContext, count: number, flags: number): Promise<Uint8Array> {
    if (flags & MSG_OOB) throw new SysError('EINVAL');
    const sk = this.sk;
    const peek = (flags & MSG_PEEK) !== 0;
    const waitall = (flags & MSG_WAITALL) !== 0 && !peek;
    const parts: Uint8Array[] = [];
    let copied = 0;
    let first: Uint8Array | undefined;
    for (;;) {
      if (!copied) first = sk.rcv.head;
      const step = recvStep(sk, count - copied, peek, copied, waitall);
      if (step.data.length) {
        parts.push(step.data);
        copied += step.data.length;
      }
      if (step.stop === 'done') break;
      if (step.stop === 'error') {
        if (copied) break;
        throw new SysError(step.err!);
      }
      if (copied && !waitall) break;
      if (this.nonblocking || flags & MSG_DONTWAIT) {
        if (copied) break;
        throw new SysError('EAGAIN');
      }
      try {
        await this.sleep(ctx, 'recv');
      } catch (e) {
        if (copied) break;
        throw e;
      }
    }
    const data = concat(parts.length ? parts : [new Uint8Array(0)]);
    if (this.stack.tracing && !peek && data.length) {
      // The read is the end of the journey of the segment its first byte came in.
      if (first) this.stack.journeys.carry(first, data);
      this.taken(ctx, data);
    }
    return data;
  }

  // ------------------------------------------------------------------ readiness and ioctls

  override select(event: SelectEvent, sync: SelectSync): void {
    this.pool.add(event, sync);
    const mask = tcpPoll(this.sk);
    for (const [ev, bit] of SELECT_BITS) if (ev === event && mask & bit) sync.notify(event);
  }

  override ioctl(ctx: IoContext, op: number, arg: unknown): number {
    const sk = this.sk;
    const ref = () => {
      if (typeof arg !== 'object' || arg === null) throw new SysError('EFAULT');
      return arg as IntRef;
    };
    switch (op) {
      case FIONREAD:
        if (sk.state === TCP_LISTEN) throw new SysError('EINVAL');
        ref().value = tcpInq(sk);
        return 0;
      case SIOCOUTQ:
        if (sk.state === TCP_LISTEN) throw new SysError('EINVAL');
        ref().value = tcpOutq(sk);
        return 0;
      case SIOCOUTQNSD:
        if (sk.state === TCP_LISTEN) throw new SysError('EINVAL');
        ref().value = tcpOutqNsd(sk);
        return 0;
      default:
        return super.ioctl(ctx, op, arg);
    }
  }

  override get pendingBytes(): number {
    return this.sk.rcv.bytes;
  }

  // ------------------------------------------------------------------ options

  override setOption(level: number, name: number, value: SockoptValue): void {
    const sk = this.sk;
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO_LINGER: {
          if (typeof value !== 'object' || value === null || !('l_onoff' in value)) throw new SysError('EINVAL');
          const l = value as Linger;
          sk.lingerOn = l.l_onoff !== 0;
          sk.lingerS = Math.max(0, Math.floor(l.l_linger));
          return;
        }
        case SO_KEEPALIVE: {
          const on = intValue(value) !== 0;
          if (sk.state !== TCP_CLOSE && sk.state !== TCP_LISTEN) {
            if (on && !sk.keepaliveOn) resetKeepaliveTimer(sk, keepaliveTimeUs(sk));
            else if (!on) clearKeepaliveTimer(sk);
          }
          sk.keepaliveOn = on;
          return;
        }
        case SO_RCVBUF: {
          const v = Math.min(intValue(value), this.tcp.sysctl.core_rmem_max);
          sk.rcvbuf = Math.max(2 * Math.max(v, 0), SOCK_MIN_RCVBUF);
          sk.rcvbufLocked = true;
          return;
        }
        case SO_SNDBUF: {
          const v = Math.min(intValue(value), this.tcp.sysctl.core_wmem_max);
          sk.sndbuf = Math.max(2 * Math.max(v, 0), SOCK_MIN_SNDBUF);
          sk.sndbufLocked = true;
          this.waiters.wakeAll();
          this.notifyPool();
          return;
        }
        case SO_REUSEADDR:
          sk.reuseAddr = intValue(value) !== 0;
          return;
        case SO_RCVLOWAT:
          this.rcvlowat = Math.max(1, intValue(value));
          return;
        case SO_ZEROCOPY:
          // Accepted as Linux accepts it; sends are copied all the same (no completion queue).
          this.zerocopy = intValue(value) !== 0;
          return;
        case SO_BROADCAST:
          intValue(value);
          return;
        default:
          throw new SysError('ENOPROTOOPT');
      }
    }
    if (level === IPPROTO_IP) {
      const v = intValue(value);
      switch (name) {
        case IP_TOS:
          // The ECN bits are TCP's to set.
          sk.tos = (v & ~3) | (sk.tos & 3);
          return;
        case IP_TTL:
          if (v === -1) sk.ttl = 64;
          else if (v < 1 || v > 255) throw new SysError('EINVAL');
          else sk.ttl = v;
          return;
        case IP_MTU_DISCOVER:
          if (v < 0 || v > 5) throw new SysError('EINVAL');
          sk.pmtudisc = v !== IP_PMTUDISC_DONT;
          return;
        default:
          throw new SysError('ENOPROTOOPT');
      }
    }
    if (level === SOL_TCP) {
      this.setTcpOption(name, value);
      return;
    }
    throw new SysError('ENOPROTOOPT');
  }

  private setTcpOption(name: number, value: SockoptValue): void {
    const sk = this.sk;
    if (name === TCP_CONGESTION) {
      if (typeof value !== 'string') throw new SysError('EFAULT');
      const ca = congestionControl(value.replace(/\0.*$/, ''));
      if (!ca) throw new SysError('ENOENT');
      setCongestionControl(sk, ca);
      return;
    }
    const v = intValue(value);
    switch (name) {
      case TCP_NODELAY:
        setNodelay(sk, v !== 0);
        return;
      case TCP_CORK:
        setCork(sk, v !== 0);
        return;
      case TCP_MAXSEG:
        if (v && (v < TCP_MIN_MSS || v > MAX_TCP_WINDOW)) throw new SysError('EINVAL');
        sk.userMss = v;
        return;
      case TCP_KEEPIDLE:
        if (v < 1 || v > 32767) throw new SysError('EINVAL');
        sk.keepIdleS = v;
        if (sk.keepaliveOn && sk.state !== TCP_CLOSE && sk.state !== TCP_LISTEN) resetKeepaliveTimer(sk, keepaliveTimeUs(sk));
        return;
      case TCP_KEEPINTVL:
        if (v < 1 || v > 32767) throw new SysError('EINVAL');
        sk.keepIntvlS = v;
        return;
      case TCP_KEEPCNT:
        if (v < 1 || v > 127) throw new SysError('EINVAL');
        sk.keepCnt = v;
        return;
      case TCP_SYNCNT:
        if (v < 1 || v > 127) throw new SysError('EINVAL');
        sk.synCnt = v;
        return;
      case TCP_LINGER2:
        sk.linger2S = v < 0 ? -1 : Math.min(v, TCP_FIN_TIMEOUT_MAX_S);
        return;
      case TCP_DEFER_ACCEPT:
        sk.deferAcceptS = Math.max(0, v);
        return;
      case TCP_WINDOW_CLAMP:
        if (!v) {
          if (sk.state !== TCP_CLOSE) throw new SysError('EINVAL');
          sk.windowClamp = 0;
        } else sk.windowClamp = Math.max(v, SOCK_MIN_RCVBUF / 2);
        return;
      case TCP_QUICKACK:
        if (!v) sk.pingpong = this.tcp.sysctl.tcp_pingpong_thresh;
        else {
          sk.pingpong = 0;
          if ((sk.state === TCP_ESTABLISHED || sk.state === TCP_CLOSE_WAIT) && sk.ackPending & 1) {
            sk.ackPending |= ACK_PUSHED;
            cleanupRbuf(sk, 1);
            if (!(v & 1)) sk.pingpong = this.tcp.sysctl.tcp_pingpong_thresh;
          }
        }
        return;
      case TCP_USER_TIMEOUT:
        if (v < 0) throw new SysError('EINVAL');
        sk.userTimeoutMs = v;
        return;
      case TCP_NOTSENT_LOWAT:
        sk.notsentLowat = v >>> 0;
        this.waiters.wakeAll();
        this.notifyPool();
        return;
      case TCP_INQ:
        if (v < 0 || v > 1) throw new SysError('EINVAL');
        sk.inq = v === 1;
        return;
      case TCP_THIN_LINEAR_TIMEOUTS:
        if (v < 0 || v > 1) throw new SysError('EINVAL');
        return;
      default:
        throw new SysError('ENOPROTOOPT');
    }
  }

  override getOption(level: number, name: number): SockoptValue {
    const sk = this.sk;
    const s = this.tcp.sysctl;
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO_ERROR: {
          const e = takeError(sk);
          return e ? ERRNO[e].code : 0;
        }
        case SO_TYPE:
          return SOCK_STREAM;
        case SO_ACCEPTCONN:
          return sk.state === TCP_LISTEN ? 1 : 0;
        case SO_RCVBUF:
          return sk.rcvbuf;
        case SO_SNDBUF:
          return sk.sndbuf;
        case SO_KEEPALIVE:
          return sk.keepaliveOn ? 1 : 0;
        case SO_LINGER:
          return { l_onoff: sk.lingerOn ? 1 : 0, l_linger: sk.lingerS };
        case SO_REUSEADDR:
          return sk.reuseAddr ? 1 : 0;
        case SO_RCVLOWAT:
          return this.rcvlowat;
        case SO_ZEROCOPY:
          return this.zerocopy ? 1 : 0;
        case SO_BROADCAST:
          return 0;
        default:
          throw new SysError('ENOPROTOOPT');
      }
    }
    if (level === IPPROTO_IP) {
      switch (name) {
        case IP_TOS:
          return sk.tos;
        case IP_TTL:
          return sk.ttl;
        case IP_MTU_DISCOVER:
          return sk.pmtudisc ? 1 : IP_PMTUDISC_DONT;
        default:
          throw new SysError('ENOPROTOOPT');
      }
    }
    // ip_getsockopt's answer for a level it does not know (setsockopt's is ENOPROTOOPT).
    if (level !== SOL_TCP) throw new SysError('EOPNOTSUPP');
    switch (name) {
      case TCP_NODELAY:
        return sk.nonagle & NAGLE_OFF ? 1 : 0;
      case TCP_CORK:
        return sk.nonagle & NAGLE_CORK ? 1 : 0;
      case TCP_MAXSEG:
        return sk.userMss && (sk.state === TCP_CLOSE || sk.state === TCP_LISTEN) ? sk.userMss : sk.mssCache;
      case TCP_KEEPIDLE:
        return sk.keepIdleS || s.tcp_keepalive_time;
      case TCP_KEEPINTVL:
        return sk.keepIntvlS || s.tcp_keepalive_intvl;
      case TCP_KEEPCNT:
        return sk.keepCnt || s.tcp_keepalive_probes;
      case TCP_SYNCNT:
        return sk.synCnt || s.tcp_syn_retries;
      case TCP_LINGER2:
        return sk.linger2S !== null && sk.linger2S < 0 ? -1 : sk.linger2S || s.tcp_fin_timeout;
      case TCP_DEFER_ACCEPT:
        return sk.deferAcceptS;
      case TCP_WINDOW_CLAMP:
        return sk.windowClamp;
      case TCP_INFO:
        return tcpInfo(sk) as unknown as Readonly<Record<string, number>>;
      case TCP_QUICKACK:
        return sk.pingpong >= s.tcp_pingpong_thresh ? 0 : 1;
      case TCP_CONGESTION:
        return sk.ca.name;
      case TCP_USER_TIMEOUT:
        return sk.userTimeoutMs;
      case TCP_NOTSENT_LOWAT:
        return sk.notsentLowat;
      case TCP_INQ:
        return sk.inq ? 1 : 0;
      case TCP_THIN_LINEAR_TIMEOUTS:
        return 0;
      default:
        throw new SysError('ENOPROTOOPT');
    }
  }

  // ------------------------------------------------------------------ the end

  override close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sk.events = null;
    this.lingering = this.tcp.engine.close(this.sk) === 'linger';
    // SO_LINGER: close(2) waits for the FIN's ACK, so the state changes still wake it.
    if (this.lingering) this.sk.events = { readable() {}, writable() {}, stateChanged: () => this.waiters.wakeAll() };
    this.waiters.wakeAll();
    this.unregister();
  }

  /** inet_release with SO_LINGER: until the FIN is acknowledged, the linger time, or a signal. */
  override async closeWait(ctx: IoContext): Promise<void> {
    if (!this.lingering) return;
    const sched = ctx.task.scheduler;
    const deadline = sched.now() + this.sk.lingerS * 1e9;
    const sk = this.sk;
    while (sk.state === TCP_FIN_WAIT1 || sk.state === TCP_CLOSING || sk.state === TCP_LAST_ACK) {
      const r = await sched.sleep(ctx.task, [this.waiters], { interruptible: true, deadline, syscall: ctx.syscall, channel: `${this.waiters.name}: linger` });
      if (r !== 'woken') break;
    }
    this.lingering = false;
    sk.events = null;
  }

  protected unregister(): void {
    this.host.forget(this);
  }
}
