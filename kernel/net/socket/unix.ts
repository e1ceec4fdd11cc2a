// AF_UNIX stream sockets (unix(7), with Linux's semantics and errno): a name is a socket file in
// the file system, made by bind(); connect() finds the listening socket bound to that file (the
// syscall does the path lookup, permission checks included, and hands over the file's identity),
// and gets a connected pair at once, the server's half waiting in the listener's backlog for
// accept(). Bytes go straight into the peer's bounded receive buffer; a writer blocks while it is
// full. shutdown() acts on both halves (a SHUT_WR here is the peer's end of input); closing with
// unread data resets the peer (ECONNRESET), and a write to a gone or shut peer is EPIPE and SIGPIPE.

import { SysError } from '../../abi/errno.js';
import { O_NONBLOCK } from '../../abi/fcntl.js';
import { B_SELECT_DISCONNECTED, B_SELECT_ERROR, B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../../abi/select.js';
import { SIGPIPE } from '../../abi/signal.js';
import {
  AF_UNIX,
  MSG_DONTWAIT,
  MSG_NOSIGNAL,
  MSG_PEEK,
  type RecvResult,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SOCK_STREAM,
  type SockaddrIn,
  type SockaddrUn,
  sockaddrUn,
} from '../../abi/socket.js';
import { WaitQueue } from '../../sched/scheduler.js';
import { ByteQueue } from '../../vfs/byte-queue.js';
import type { IoContext, SelectSync } from '../../vfs/file.js';
import { Socket, type SocketHost } from './socket.js';

/** net.core.somaxconn: the most connections a listener keeps waiting. */
export const SOMAXCONN = 4096;

/** The bound sockets of one host, by the identity (device and inode) of their socket file. */
export class UnixNamespace {
  private readonly bound = new Map<string, UnixStreamSocket>();

  register(key: string, s: UnixStreamSocket): void {
    this.bound.set(key, s);
  }

  release(key: string, s: UnixStreamSocket): void {
    if (this.bound.get(key) === s) this.bound.delete(key);
  }

  lookup(key: string): UnixStreamSocket | undefined {
    return this.bound.get(key);
  }
}

export class UnixStreamSocket extends Socket {
  /** The path bound to (ours, or for an accepted socket its listener's), null if none. */
  path: string | null = null;
  private key: string | null = null;
  listening = false;
  private backlog = 0;
  /** Accepted-to-be server halves, oldest first. */
  private readonly pending: UnixStreamSocket[] = [];
  peer: UnixStreamSocket | null = null;
  private readonly rx = new ByteQueue();
  /** RCV_SHUTDOWN and SEND_SHUTDOWN, set by our shutdown(), the peer's, or the peer's close. */
  private rdShut = false;
  private wrShut = false;
  private peerGone = false;
  private readonly rxWait: WaitQueue;
  private readonly txWait: WaitQueue;
  private readonly acceptWait: WaitQueue;
  private readonly backlogWait: WaitQueue;

  constructor(
    host: SocketHost,
    private readonly names: UnixNamespace,
    flags: number,
  ) {
    super(host, AF_UNIX, SOCK_STREAM, 0, flags);
    this.rxWait = new WaitQueue(`socket:${this.id} (waiting for data)`);
    this.txWait = new WaitQueue(`socket:${this.id} (waiting for room at the peer)`);
    this.acceptWait = new WaitQueue(`socket:${this.id} (waiting for a connection)`);
    this.backlogWait = new WaitQueue(`socket:${this.id} (backlog full)`);
  }

  get connected(): boolean {
    return this.peer !== null;
  }

  /** An Internet address for a Unix socket: EINVAL (unix_bind, unix_mkname). */
  override bind(): void {
    throw new SysError('EINVAL');
  }
  override connect(): void {
    throw new SysError('EINVAL');
  }

  /** Whether bind() may give this socket a name: not twice (EINVAL), as Linux's unix_bind. */
  checkBindable(): void {
    if (this.path !== null) throw new SysError('EINVAL');
  }

  /** The socket file at `path` (identity `key`) was made for this socket. */
  bindTo(path: string, key: string): void {
    this.path = path;
    this.key = key;
    this.names.register(key, this);
  }

  override listen(backlog: number): void {
    if (this.path === null || this.connected) throw new SysError('EINVAL');
    // An int above somaxconn (or negative, which is huge unsigned) is cut to somaxconn.
    this.backlog = backlog < 0 || backlog > SOMAXCONN ? SOMAXCONN : backlog;
    this.listening = true;
  }

  /** connect() to the socket bound to the file whose identity is `key`. */
  async connectTo(key: string, ctx: IoContext): Promise<void> {
    if (this.listening) throw new SysError('EINVAL');
    if (this.connected) throw new SysError('EISCONN');
    for (;;) {
      const listener = this.names.lookup(key);
      if (!listener || !listener.listening) throw new SysError('ECONNREFUSED');
      if (listener.pending.length <= listener.backlog) {
        const server = new UnixStreamSocket(this.host, this.names, this.flags & ~O_NONBLOCK);
        server.path = listener.path;
        server.peer = this;
        this.peer = server;
        listener.pending.push(server);
        listener.acceptWait.wakeAll();
        listener.pool.notify(B_SELECT_READ);
        this.pool.notify(B_SELECT_WRITE);
        return;
      }
      if (this.nonblocking) throw new SysError('EAGAIN');
      const r = await ctx.task.scheduler.sleep(ctx.task, [listener.backlogWait], { interruptible: true, syscall: ctx.syscall, channel: listener.backlogWait.name });
      if (r === 'signal') throw new SysError('EINTR');
    }
  }

  override async accept(ctx: IoContext, flags: number): Promise<Socket> {
    if (!this.listening) throw new SysError('EINVAL');
    for (;;) {
      const next = this.pending.shift();
      if (next) {
        next.flags = flags;
        this.backlogWait.wakeAll();
        return next;
      }
      if (this.nonblocking) throw new SysError('EAGAIN');
      const r = await ctx.task.scheduler.sleep(ctx.task, [this.acceptWait], { interruptible: true, syscall: ctx.syscall, channel: this.acceptWait.name });
      if (r === 'signal') throw new SysError('EINTR');
    }
  }

  override shutdown(how: number): void {
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) throw new SysError('EINVAL');
    const rd = how === SHUT_RD || how === SHUT_RDWR;
    const wr = how === SHUT_WR || how === SHUT_RDWR;
    if (rd) this.rdShut = true;
    if (wr) this.wrShut = true;
    // unix_shutdown: what we will not read, the peer may not send; what we will not send, the peer
    // will not receive.
    if (this.peer) {
      if (rd) this.peer.wrShut = true;
      if (wr) this.peer.rdShut = true;
      this.peer.changed();
    }
    this.changed();
  }

  override async sendto(ctx: IoContext, data: Uint8Array, flags: number, to: SockaddrIn | null): Promise<number> {
    if (to) throw new SysError(this.connected ? 'EISCONN' : 'EOPNOTSUPP');
    if (!this.peer && !this.peerGone) throw new SysError('ENOTCONN');
    let sent = 0;
    for (;;) {
      const peer = this.peer;
      if (this.wrShut || this.peerGone || !peer) {
        if (!(flags & MSG_NOSIGNAL)) ctx.raise(SIGPIPE);
        if (sent > 0) return sent;
        throw new SysError('EPIPE');
      }
      if (sent === data.length) return sent;
      const room = peer.rcvbuf - peer.rx.length;
      if (room > 0) {
        const n = Math.min(room, data.length - sent);
        peer.rx.push(data.slice(sent, sent + n));
        peer.received++;
        sent += n;
        peer.changed();
        continue;
      }
      if (this.nonblocking || flags & MSG_DONTWAIT) {
        if (sent > 0) return sent;
        throw new SysError('EAGAIN');
      }
      const r = await ctx.task.scheduler.sleep(ctx.task, [this.txWait], { interruptible: true, syscall: ctx.syscall, channel: this.txWait.name });
      if (r === 'signal') {
        if (sent > 0) return sent;
        throw new SysError('EINTR');
      }
    }
  }

  override async recvfrom(ctx: IoContext, count: number, flags: number): Promise<RecvResult> {
    if (this.listening || (!this.connected && !this.peerGone)) throw new SysError('EINVAL');
    for (;;) {
      this.takeError();
      if (this.rx.length > 0 && count > 0) {
        let data: Uint8Array;
        if (flags & MSG_PEEK) {
          data = this.rx.take(count);
          const rest = this.rx.take(this.rx.length);
          this.rx.push(data.slice());
          this.rx.push(rest);
        } else {
          data = this.rx.take(count);
          this.peer?.txWait.wakeAll();
          this.peer?.pool.notify(B_SELECT_WRITE);
        }
        return { data, from: null, flags: 0 };
      }
      if (count === 0 || this.rdShut || this.peerGone) return { data: new Uint8Array(0), from: null, flags: 0 };
      if (this.nonblocking || flags & MSG_DONTWAIT) throw new SysError('EAGAIN');
      const r = await ctx.task.scheduler.sleep(ctx.task, [this.rxWait], { interruptible: true, syscall: ctx.syscall, channel: this.rxWait.name });
      if (r === 'signal') throw new SysError('EINTR');
    }
  }

  /** Wake whoever waits on this socket and tell poll what now holds. */
  private changed(): void {
    this.rxWait.wakeAll();
    this.txWait.wakeAll();
    if (this.canRead()) this.pool.notify(B_SELECT_READ);
    if (this.error) this.pool.notify(B_SELECT_ERROR);
    if (this.hungUp()) this.pool.notify(B_SELECT_DISCONNECTED);
    if (this.canWrite()) this.pool.notify(B_SELECT_WRITE);
  }

  private canRead(): boolean {
    if (this.listening) return this.pending.length > 0;
    return this.rx.length > 0 || this.rdShut || this.peerGone || this.error !== null;
  }

  private canWrite(): boolean {
    if (this.listening) return false;
    if (!this.peer || this.wrShut || this.peerGone) return this.peer !== null || this.peerGone;
    return this.peer.rx.length < this.peer.rcvbuf;
  }

  /** POLLHUP: both directions shut, or (Linux's unix_poll) a stream socket that never connected. */
  private hungUp(): boolean {
    if (this.listening) return false;
    return (this.rdShut && this.wrShut) || this.peerGone || (!this.connected && this.path === null);
  }

  override select(event: SelectEvent, sync: SelectSync): void {
    this.pool.add(event, sync);
    if (event === B_SELECT_READ && this.canRead()) sync.notify(event);
    if (event === B_SELECT_WRITE && this.canWrite()) sync.notify(event);
    if (event === B_SELECT_ERROR && this.error) sync.notify(event);
    if (event === B_SELECT_DISCONNECTED && this.hungUp()) sync.notify(event);
  }

  override get pendingBytes(): number {
    return this.rx.length;
  }

  localName(): SockaddrUn {
    return sockaddrUn(this.path ?? '');
  }

  peerName(): SockaddrUn | null {
    return this.peer ? sockaddrUn(this.peer.path ?? '') : null;
  }

  describe(): string {
    return `unix:${this.path ?? `[${this.id}]`}`;
  }

  /** The peer closed: no more input after what is buffered, no more output at all. */
  private peerClosed(unreadThere: boolean): void {
    this.peerGone = true;
    this.peer = null;
    this.rdShut = this.wrShut = true;
    if (unreadThere) this.error = 'ECONNRESET';
    this.changed();
  }

  override close(): void {
    if (this.closed) return;
    super.close();
    for (const s of this.pending.splice(0)) s.close();
    this.backlogWait.wakeAll();
    if (this.peer) this.peer.peerClosed(this.rx.length > 0);
    this.peer = null;
    this.rx.clear();
    this.rxWait.wakeAll();
    this.txWait.wakeAll();
  }

  protected unregister(): void {
    if (this.key !== null) this.names.release(this.key, this);
    this.host.forget(this);
  }
}
