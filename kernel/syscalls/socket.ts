// The socket calls: creating sockets of each family and type, binding, connecting, sending and
// receiving, names and options. The socket files (net/socket) do the work.

import { O_NONBLOCK, O_RDWR } from '../abi/fcntl.js';
import {
  IP_TOS,
  IP_TTL,
  IPPROTO_IP,
  SO_BROADCAST,
  SO_ERROR,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_SNDBUF,
  SO_TYPE,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOL_SOCKET,
} from '../abi/socket.js';
import { ERRNO } from '../abi/errno.js';
import { MAX_RCVBUF, MIN_RCVBUF, Socket } from '../net/socket/socket.js';
import type { Process } from '../proc/process.js';
import type { Fails } from './context.js';
import type { SyscallTable } from './table.js';

type SocketCall = 'bind' | 'connect' | 'sendto' | 'recvfrom' | 'getsockname' | 'getpeername' | 'setsockopt' | 'getsockopt';

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

  connect(c, fd, addr) {
    sock(c, fd).connect(addr, c.io);
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
    const s = sock(c, fd);
    const v = int(c, value);
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO_RCVBUF:
          s.rcvbuf = Math.min(MAX_RCVBUF, Math.max(MIN_RCVBUF, v));
          return 0;
        case SO_SNDBUF:
          s.sndbuf = Math.min(MAX_RCVBUF, Math.max(MIN_RCVBUF, v));
          return 0;
        case SO_BROADCAST:
          s.broadcast = v !== 0;
          return 0;
        case SO_REUSEADDR:
          s.reuseAddr = v !== 0;
          return 0;
        default:
          return c.fail('ENOPROTOOPT');
      }
    }
    if (level === IPPROTO_IP) {
      switch (name) {
        case IP_TTL:
          if (v === -1) s.ttl = 64;
          else if (v < 1 || v > 255) c.fail('EINVAL');
          else s.ttl = v;
          return 0;
        case IP_TOS:
          s.tos = v & 0xff;
          return 0;
        default:
          return c.fail('ENOPROTOOPT');
      }
    }
    return c.fail('ENOPROTOOPT');
  },

  getsockopt(c, fd, level, name) {
    const s = sock(c, fd);
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO_RCVBUF:
          return s.rcvbuf;
        case SO_SNDBUF:
          return s.sndbuf;
        case SO_BROADCAST:
          return s.broadcast ? 1 : 0;
        case SO_REUSEADDR:
          return s.reuseAddr ? 1 : 0;
        case SO_TYPE:
          return s.type;
        case SO_ERROR: {
          const e = s.error;
          s.error = null;
          return e ? ERRNO[e].code : 0;
        }
        default:
          return c.fail('ENOPROTOOPT');
      }
    }
    if (level === IPPROTO_IP) {
      if (name === IP_TTL) return s.ttl;
      if (name === IP_TOS) return s.tos;
    }
    return c.fail('ENOPROTOOPT');
  },
} satisfies SyscallTable<'socket' | SocketCall>;
