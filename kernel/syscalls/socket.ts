// The socket calls: creating sockets of each family and type, binding, connecting, sending and
// receiving, names and options. The socket files (net/socket) do the work.

import { O_NONBLOCK, O_RDWR } from '../abi/fcntl.js';
import { type AcceptResult, SOCK_CLOEXEC, SOCK_NONBLOCK, sockaddrIn } from '../abi/socket.js';
import { Socket } from '../net/socket/socket.js';
import type { IoContext } from '../vfs/file.js';
import type { Process } from '../proc/process.js';
import type { Fails } from './context.js';
import type { SyscallTable } from './table.js';

type SocketCall =
  | 'bind'
  | 'connect'
  | 'listen'
  | 'accept'
  | 'accept4'
  | 'sendto'
  | 'recvfrom'
  | 'sendmsg'
  | 'recvmsg'
  | 'shutdown'
  | 'getsockname'
  | 'getpeername'
  | 'setsockopt'
  | 'getsockopt';

/** The socket an fd refers to (every call on a socket fails with ENOTSOCK for another file). */
function sock(c: Fails<'ENOTSOCK'> & { readonly p: Process }, fd: number): Socket {
  const f = c.p.fds.get(fd);
  if (!(f instanceof Socket)) return c.fail('ENOTSOCK');
  return f;
}

function int(c: Fails<'EINVAL'>, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) c.fail('EINVAL');
  return v as number;
}

export const socketSyscalls = {
  socket(c, domain, type, protocol) {
    const flags = O_RDWR | (type & SOCK_NONBLOCK ? O_NONBLOCK : 0);
    const s = c.k.sockets.create(domain, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), protocol, flags);
    try {
      return c.p.fds.install(s, (type & SOCK_CLOEXEC) !== 0);
    } catch (e) {
      s.close();
      throw e;
    }
  },

  bind(c, fd, addr) {
    sock(c, fd).bind(addr, c.io);
    return 0;
  },

  async connect(c, fd, addr) {
    await sock(c, fd).connect(addr, c.io);
    return 0;
  },

  async sendto(c, fd, data, flags = 0, addr = null) {
    if (!(data instanceof Uint8Array)) c.fail('EFAULT');
    return sock(c, fd).sendto(c.io, data, flags, addr ?? null);
  },

  recvfrom(c, fd, count, flags = 0) {
    if (!Number.isInteger(count) || count < 0) c.fail('EINVAL');
    return sock(c, fd).recvfrom(c.io, count, flags);
  },

  getsockname(c, fd) {
    return sock(c, fd).localName();
  },

  getpeername(c, fd) {
    const p = sock(c, fd).peerName();
    if (!p) return c.fail('ENOTCONN');
    return p;
  },

  setsockopt(c, fd, level, name, value) {
    sock(c, fd).setOption(level, name, value);
    return 0;
  },

  getsockopt(c, fd, level, name) {
    return sock(c, fd).getOption(level, name);
  },

  listen(c, fd, backlog) {
    sock(c, fd).listen(int(c, backlog));
    return 0;
  },

  accept(c, fd) {
    return accept(c, fd, 0);
  },

  accept4(c, fd, flags) {
    if (!Number.isInteger(flags) || flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) c.fail('EINVAL');
    return accept(c, fd, flags);
  },

  async sendmsg(c, fd, msg, flags = 0) {
    if (typeof msg !== 'object' || msg === null || !Array.isArray(msg.msg_iov)) c.fail('EFAULT');
    return sock(c, fd).sendmsg(c.io, msg, flags);
  },

  recvmsg(c, fd, iovLens, flags = 0) {
    if (!Array.isArray(iovLens)) c.fail('EFAULT');
    return sock(c, fd).recvmsg(c.io, iovLens, flags);
  },

  shutdown(c, fd, how) {
    sock(c, fd).shutdown(int(c, how));
    return 0;
  },
} satisfies SyscallTable<'socket' | SocketCall>;

/** accept/accept4: the next connection, installed as a new fd with SOCK_NONBLOCK / SOCK_CLOEXEC. */
async function accept(c: Fails<'ENOTSOCK' | 'EFAULT'> & { readonly p: Process; readonly io: IoContext }, fd: number, flags: number): Promise<AcceptResult> {
  const listener = sock(c, fd);
  const child = await listener.accept(c.io, O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0));
  const addr = child.peerName() ?? sockaddrIn('0.0.0.0', 0);
  try {
    return { fd: c.p.fds.install(child, (flags & SOCK_CLOEXEC) !== 0), addr };
  } catch (e) {
    child.close();
    throw e;
  }
}

