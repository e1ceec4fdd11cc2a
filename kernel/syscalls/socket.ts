// The socket calls: creating sockets of each family and type, binding, connecting, sending and
// receiving (sendmsg/recvmsg too), names and options. The socket files (net/socket) do the work.

import { O_NONBLOCK, O_RDWR } from '../abi/fcntl.js';
import { S_IFMT, S_IFSOCK } from '../abi/stat.js';
import { type AcceptResult, AF_UNIX, SOCK_CLOEXEC, SOCK_NONBLOCK, type SockaddrBind, type SockaddrUn, UNIX_PATH_MAX } from '../abi/socket.js';
import { Socket } from '../net/socket/socket.js';
import { UnixStreamSocket } from '../net/socket/unix.js';
import type { Process } from '../proc/process.js';
import { permits } from '../vfs/filesystem.js';
import type { Fails, SyscallContext } from './context.js';
import type { IoContext } from '../vfs/file.js';
import type { SyscallTable } from './table.js';

type SocketCall =
  | 'bind'
  | 'connect'
  | 'listen'
  | 'accept'
  | 'accept4'
  | 'shutdown'
  | 'sendto'
  | 'recvfrom'
  | 'sendmsg'
  | 'recvmsg'
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
    const s = c.k.sockets.create(domain, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), protocol, flags, c.io);
    try {
      return c.p.fds.install(s, (type & SOCK_CLOEXEC) !== 0);
    } catch (e) {
      s.close();
      throw e;
    }
  },

  bind(c, fd, addr) {
    const s = sock(c, fd);
    if (isUnixAddr(addr)) {
      if (!(s instanceof UnixStreamSocket)) return c.fail('EAFNOSUPPORT');
      bindUnix(c, s, addr);
    } else s.bind(addr, c.io);
    return 0;
  },

  async connect(c, fd, addr) {
    const s = sock(c, fd);
    // Each socket kind reads the family out of the struct first; a missing one is a bad pointer.
    if (typeof addr !== 'object' || addr === null) return c.fail('EFAULT');
    if (isUnixAddr(addr)) {
      if (!(s instanceof UnixStreamSocket)) return c.fail('EAFNOSUPPORT');
      await s.connectTo(unixTarget(c, addr), c.io);
    } else await s.connect(addr, c.io);
    return 0;
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

  shutdown(c, fd, how) {
    sock(c, fd).shutdown(int(c, how));
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

  // Each kind of socket answers its own options (TCP's at SOL_TCP), the rest the base socket.
  setsockopt(c, fd, level, name, value) {
    sock(c, fd).setOption(level, name, value);
    return 0;
  },

  getsockopt(c, fd, level, name) {
    return sock(c, fd).getOption(level, name);
  },

  async sendmsg(c, fd, msg, flags = 0) {
    if (typeof msg !== 'object' || msg === null || !Array.isArray(msg.msg_iov)) c.fail('EFAULT');
    return sock(c, fd).sendmsg(c.io, msg, flags);
  },

  recvmsg(c, fd, iovLens, flags = 0) {
    if (!Array.isArray(iovLens)) c.fail('EFAULT');
    // A length that is no count (negative: a huge size_t in C) is EINVAL, as import_iovec gives for
    // an iovec past SSIZE_MAX; checked here once so that no socket sums a string.
    if (iovLens.some((n) => !Number.isSafeInteger(n) || n < 0)) c.fail('EINVAL');
    return sock(c, fd).recvmsg(c.io, iovLens, flags);
  },
} satisfies SyscallTable<'socket' | SocketCall>;

/** accept/accept4: the next connection, installed as a new fd with SOCK_NONBLOCK / SOCK_CLOEXEC. */
async function accept(c: Fails<'ENOTSOCK'> & { readonly p: Process; readonly io: IoContext }, fd: number, flags: number): Promise<AcceptResult> {
  const listener = sock(c, fd);
  const child = await listener.accept(c.io, O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0));
  const addr = child.peerName() ?? child.localName();
  try {
    return { fd: c.p.fds.install(child, (flags & SOCK_CLOEXEC) !== 0), addr };
  } catch (e) {
    child.close();
    throw e;
  }
}

function isUnixAddr(addr: SockaddrBind): addr is SockaddrUn {
  return typeof addr === 'object' && addr !== null && (addr as { sun_family?: unknown }).sun_family === AF_UNIX;
}

/** sun_path checked as unix_mkname does: a string (EFAULT), not empty (ENOENT), at most 108 bytes. */
function unixPath(c: Fails<'EFAULT' | 'EINVAL' | 'ENOENT'>, addr: SockaddrUn): string {
  const path = addr.sun_path;
  if (typeof path !== 'string') return c.fail('EFAULT');
  // A leading NUL is Linux's abstract namespace, which tunlab does not have.
  if (path.includes('\0') || new TextEncoder().encode(path).length > UNIX_PATH_MAX) return c.fail('EINVAL');
  if (path === '') return c.fail('ENOENT');
  return path;
}

/**
 * bind() of an AF_UNIX socket: make the socket file (mode 0777 less the caller's umask, as
 * unix_bind does), EADDRINUSE if the name exists, whatever it is.
 */
function bindUnix(c: SyscallContext<'bind'>, s: UnixStreamSocket, addr: SockaddrUn): void {
  const path = unixPath(c, addr);
  s.checkBindable();
  const r = c.k.vfs.resolve(c.p.cwd, path);
  if (r.rel === '') return c.fail('EADDRINUSE');
  if (!r.fs.mksock) return c.fail('EPERM');
  let st;
  try {
    st = r.fs.mksock(r.rel, 0o777 & ~c.p.umask, c.p);
  } catch (e) {
    if ((e as { errno?: string }).errno === 'EEXIST') return c.fail('EADDRINUSE');
    throw e;
  }
  s.bindTo(path, `${st.st_dev}:${st.st_ino}`);
}

/** connect()'s lookup: the socket file's identity; not a socket file: ECONNREFUSED; not writable: EACCES. */
function unixTarget(c: SyscallContext<'connect'>, addr: SockaddrUn): string {
  const r = c.k.vfs.resolve(c.p.cwd, unixPath(c, addr));
  const st = r.fs.stat(r.rel, true, c.p);
  if ((st.st_mode & S_IFMT) !== S_IFSOCK) return c.fail('ECONNREFUSED');
  if (!permits(st, c.p, 2)) return c.fail('EACCES');
  return `${st.st_dev}:${st.st_ino}`;
}
