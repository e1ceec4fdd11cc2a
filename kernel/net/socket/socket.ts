// What every socket shares: a bounded receive queue of datagrams (drops counted, never unbounded),
// a pending error (so_error) that the next call reports, blocking and non-blocking receive, and
// readiness for poll.

import { ERRNO, type ErrnoName, SysError } from '../../abi/errno.js';
import {
  IP_DONTFRAG,
  IP_TOS,
  IP_TTL,
  IPPROTO_IP,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_TRUNC,
  type MsgHdr,
  type RecvMsgResult,
  type RecvResult,
  SHUT_RD,
  SHUT_RDWR,
  SO_BROADCAST,
  SO_ERROR,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_SNDBUF,
  SO_TYPE,
  type Sockaddr,
  type SockaddrIn,
  type SockoptValue,
  SOL_SOCKET,
} from '../../abi/socket.js';
import { B_SELECT_ERROR, B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../../abi/select.js';
import { S_IFSOCK, type Stat } from '../../abi/stat.js';
import { PacketQueue } from '../iface/packet-queue.js';
import { type IoContext, OpenFile, SelectPool, type SelectSync } from '../../vfs/file.js';
import type { NetStack } from '../iface/stack.js';

/** Linux's default receive buffer for datagram sockets (net.core.rmem_default). */
export const DEFAULT_RCVBUF = 212992;
export const MAX_RCVBUF = 4 * 1024 * 1024;
export const MIN_RCVBUF = 2048;
/** Bookkeeping charged per queued datagram on top of its bytes, as skb truesize does. */
const PER_DATAGRAM_OVERHEAD = 256;

/** A datagram waiting for its reader. */
export interface Queued {
  data: Uint8Array;
  from: Sockaddr | null;
  journey?: number;
  /** The TTL of the IP packet it came in (IP_RECVTTL's control message). */
  ttl?: number;
}

/** What a socket needs from its host's socket layer (sockets.ts). */
export interface SocketHost {
  readonly stack: NetStack;
  /** A number for the socket, unique on its host (its inode, its name in traces). */
  newId(): number;
  /** The network configuration ioctls, which work on any socket (ioctl.ts). */
  ioctl(ctx: IoContext, op: number, arg: unknown): number;
  /** The socket is closed: the layer lets go of it. */
  forget(s: Socket): void;
}

export abstract class Socket extends OpenFile {
  readonly kind = 'sock';
  readonly id: number;
  readonly stack: NetStack;
  rcvbuf = DEFAULT_RCVBUF;
  sndbuf = DEFAULT_RCVBUF;
  ttl = 64;
  tos = 0;
  /** IP_DONTFRAG: DF on every datagram sent, which then fails with EMSGSIZE past the MTU. */
  dontFrag = false;
  broadcast = false;
  reuseAddr = false;
  /** Pending asynchronous error (so_error): reported once by the next send or receive. */
  error: ErrnoName | null = null;
  received = 0;
  /** The receive buffer: datagrams, bounded by SO_RCVBUF with skb truesize-like overhead each. */
  protected readonly queue: PacketQueue<Queued>;
  protected readonly pool = new SelectPool();
  closed = false;

  constructor(
    readonly host: SocketHost,
    readonly domain: number,
    readonly type: number,
    readonly protocol: number,
    flags: number,
  ) {
    super(flags);
    this.stack = host.stack;
    this.id = host.newId();
    this.queue = new PacketQueue<Queued>({
      name: `socket:${this.id} (waiting for a datagram)`,
      limit: () => this.rcvbuf,
      cost: (q) => q.data.length + PER_DATAGRAM_OVERHEAD,
    });
    this.queue.onPush = () => this.pool.notify(B_SELECT_READ);
  }

  /** Datagrams dropped because the receive buffer was full. */
  get drops(): number {
    return this.queue.drops;
  }

  abstract localName(): Sockaddr;
  abstract peerName(): Sockaddr | null;
  abstract sendto(ctx: IoContext, data: Uint8Array, flags: number, to: SockaddrIn | null): Promise<number> | number;
  bind(_addr: SockaddrIn, _ctx: IoContext): void {
    throw new SysError('EOPNOTSUPP');
  }
  connect(_addr: SockaddrIn, _ctx: IoContext): void | Promise<void> {
    throw new SysError('EOPNOTSUPP');
  }
  /** listen(2): only stream sockets listen. */
  listen(_backlog: number): void {
    throw new SysError('EOPNOTSUPP');
  }
  /** accept(2): the socket of the next connection; `flags` its file's (O_NONBLOCK). */
  accept(_ctx: IoContext, _flags: number): Promise<Socket> | Socket {
    throw new SysError('EOPNOTSUPP');
  }
  /** shutdown(2): a datagram socket has no connection to shut down. */
  shutdown(how: number): void {
    if (how !== SHUT_RD && how !== SHUT_RDWR && how !== 1) throw new SysError('EINVAL');
    throw new SysError('ENOTCONN');
  }

  /** sendmsg(2): the buffers as one datagram. */
  sendmsg(ctx: IoContext, msg: MsgHdr, flags: number): Promise<number> | number {
    return this.sendto(ctx, concat(msg.msg_iov), flags, msg.msg_name ?? null);
  }

  /** recvmsg(2): one datagram into the buffers. */
  async recvmsg(ctx: IoContext, iovLens: number[], flags: number): Promise<RecvMsgResult> {
    const r = await this.recvfrom(ctx, iovLens.reduce((a, b) => a + b, 0), flags);
    return { data: r.data, from: r.from, flags: r.flags, control: [] };
  }

  /** setsockopt(2) for the options every socket has. */
  setOption(level: number, name: number, value: SockoptValue): void {
    const v = intValue(value);
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO_RCVBUF:
          this.rcvbuf = Math.min(MAX_RCVBUF, Math.max(MIN_RCVBUF, v));
          return;
        case SO_SNDBUF:
          this.sndbuf = Math.min(MAX_RCVBUF, Math.max(MIN_RCVBUF, v));
          return;
        case SO_BROADCAST:
          this.broadcast = v !== 0;
          return;
        case SO_REUSEADDR:
          this.reuseAddr = v !== 0;
          return;
        default:
          throw new SysError('ENOPROTOOPT');
      }
    }
    if (level === IPPROTO_IP) {
      switch (name) {
        case IP_TTL:
          if (v === -1) this.ttl = 64;
          else if (v < 1 || v > 255) throw new SysError('EINVAL');
          else this.ttl = v;
          return;
        case IP_TOS:
          this.tos = v & 0xff;
          return;
        case IP_DONTFRAG:
          this.dontFrag = v !== 0;
          return;
        default:
          throw new SysError('ENOPROTOOPT');
      }
    }
    throw new SysError('ENOPROTOOPT');
  }

  /** getsockopt(2) for the options every socket has. */
  getOption(level: number, name: number): SockoptValue {
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO_RCVBUF:
          return this.rcvbuf;
        case SO_SNDBUF:
          return this.sndbuf;
        case SO_BROADCAST:
          return this.broadcast ? 1 : 0;
        case SO_REUSEADDR:
          return this.reuseAddr ? 1 : 0;
        case SO_TYPE:
          return this.type;
        case SO_ERROR: {
          const e = this.error;
          this.error = null;
          return e ? ERRNO[e].code : 0;
        }
        default:
          throw new SysError('ENOPROTOOPT');
      }
    }
    if (level === IPPROTO_IP) {
      if (name === IP_TTL) return this.ttl;
      if (name === IP_TOS) return this.tos;
      if (name === IP_DONTFRAG) return this.dontFrag ? 1 : 0;
    }
    throw new SysError('ENOPROTOOPT');
  }

  /** Queue a datagram for the reader; false (and a drop counted) when the buffer is full. */
  enqueue(data: Uint8Array, from: Sockaddr | null, journey?: number, ttl?: number): boolean {
    const q: Queued = { data, from };
    if (journey !== undefined) q.journey = journey;
    if (ttl !== undefined) q.ttl = ttl;
    if (!this.queue.push(q)) return false;
    this.received++;
    return true;
  }

  /** Report an asynchronous error (an ICMP error for a connected socket). */
  setError(errno: ErrnoName): void {
    this.error = errno;
    this.queue.readers.wakeAll();
    this.pool.notify(B_SELECT_ERROR);
    this.pool.notify(B_SELECT_READ);
  }

  protected takeError(): void {
    const e = this.error;
    if (e) {
      this.error = null;
      throw new SysError(e);
    }
  }

  async recvfrom(ctx: IoContext, count: number, flags: number): Promise<RecvResult> {
    return (await this.dequeue(ctx, count, flags)).result;
  }

  /** The next datagram (waiting for one unless non-blocking), and what was queued with it. */
  protected async dequeue(ctx: IoContext, count: number, flags: number): Promise<{ result: RecvResult; queued: Queued | null }> {
    for (;;) {
      this.takeError();
      const head = this.queue.peek();
      if (head) {
        if (!(flags & MSG_PEEK)) {
          this.queue.shift();
          if (this.stack.tracing && this.carriesPackets) this.taken(ctx, head.data);
        }
        // Datagram semantics: what does not fit is lost, and MSG_TRUNC says so.
        const truncated = head.data.length > count;
        const r: RecvResult = { data: truncated ? head.data.slice(0, count) : head.data, from: head.from, flags: truncated ? MSG_TRUNC : 0 };
        if (head.journey !== undefined) r.journey = head.journey;
        return { result: r, queued: head };
      }
      if (this.closed) return { result: { data: new Uint8Array(0), from: null, flags: 0 }, queued: null };
      if (this.nonblocking || flags & MSG_DONTWAIT) throw new SysError('EAGAIN');
      const r = await ctx.task.scheduler.sleep(ctx.task, [this.queue.readers], {
        interruptible: true,
        syscall: ctx.syscall,
        channel: this.queue.readers.name,
      });
      if (r === 'signal') throw new SysError('EINTR');
    }
  }

  /** Whether what this socket passes are packets on a journey (a capture's copies are not). */
  protected readonly carriesPackets: boolean = true;

  /**
   * A program hands the kernel a datagram to send: the kernel's own copy of it (copy_from_user),
   * which carries the oldest packet the task read from a tun and has not passed on (a tunnel's
   * encapsulation, kernel/obs/journey.ts), and the event for the call that made it.
   */
  protected sending(ctx: IoContext, data: Uint8Array): Uint8Array {
    const copy = data.slice();
    this.stack.journeys.sending(ctx.task, copy);
    this.stack.trace('syscall', this.describe(), 'out', 'data', copy, { event: ctx.syscall, pid: ctx.pid, command: ctx.command });
    return copy;
  }

  /** A program took a datagram: the event for the call, and the task now holds it (journey.ts). */
  protected taken(ctx: IoContext, data: Uint8Array): void {
    this.stack.journeys.readFromSocket(ctx.task, data);
    this.stack.trace('syscall', this.describe(), 'in', 'data', data, { event: ctx.syscall, pid: ctx.pid, command: ctx.command });
  }

  override async read(ctx: IoContext, count: number): Promise<Uint8Array> {
    return (await this.recvfrom(ctx, count, 0)).data;
  }

  override async write(ctx: IoContext, data: Uint8Array): Promise<number> {
    return this.sendto(ctx, data, 0, null);
  }

  override ioctl(ctx: IoContext, op: number, arg: unknown): number {
    return this.host.ioctl(ctx, op, arg);
  }

  stat(): Stat {
    return { st_dev: 0, st_ino: this.id, st_mode: S_IFSOCK | 0o777, st_nlink: 1, st_uid: 0, st_gid: 0, st_rdev: 0, st_size: 0, st_mtime_ns: 0 };
  }

  select(event: SelectEvent, sync: SelectSync): void {
    this.pool.add(event, sync);
    if (event === B_SELECT_READ && (this.queue.length > 0 || this.error)) sync.notify(event);
    if (event === B_SELECT_WRITE) sync.notify(event);
    if (event === B_SELECT_ERROR && this.error) sync.notify(event);
  }

  deselect(event: SelectEvent, sync: SelectSync): void {
    this.pool.remove(event, sync);
  }

  get pendingBytes(): number {
    let n = 0;
    for (const q of this.queue) n += q.data.length;
    return n;
  }

  close(): void {
    this.closed = true;
    this.queue.clear();
    this.queue.readers.wakeAll();
    this.unregister();
  }

  protected abstract unregister(): void;
}

/** An int option's value: setsockopt with anything else is EINVAL. */
export function intValue(value: SockoptValue): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new SysError('EINVAL');
  return value;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (!Array.isArray(parts) || parts.some((p) => !(p instanceof Uint8Array))) throw new SysError('EFAULT');
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
