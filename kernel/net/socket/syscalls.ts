// The socket system calls.

import { SysError } from '../../abi/errno.js';
import { O_NONBLOCK, O_RDWR } from '../../abi/fcntl.js';
import {
  AF_INET,
  AF_INET6,
  AF_LINK,
  IP_TOS,
  IP_TTL,
  IPPROTO_IP,
  IPPROTO_UDP,
  type RecvResult,
  type Sockaddr,
  type SockaddrIn,
  SO_BROADCAST,
  SO_ERROR,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_SNDBUF,
  SO_TYPE,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_SOCKET,
} from '../../abi/socket.js';
import type { SyscallContext } from '../../proc/context.js';
import { ERRNO } from '../../abi/errno.js';
import { LinkSocket } from './link.js';
import { RawSocket } from './raw.js';
import { MAX_RCVBUF, MIN_RCVBUF, Socket } from './socket.js';
import { UdpSocket } from './udp.js';

function sock(c: SyscallContext, fd: number): Socket {
  const f = c.p.fds.get(fd);
  if (!(f instanceof Socket)) throw new SysError('ENOTSOCK');
  return f;
}

function int(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new SysError('EINVAL');
  return v;
}

export const socketSyscalls = {
  socket(c: SyscallContext, domain: number, type: number, protocol: number): number {
    const stack = c.k.net;
    const flags = O_RDWR | (type & SOCK_NONBLOCK ? O_NONBLOCK : 0);
    const kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    let s: Socket;
    if (domain === AF_INET) {
      if (kind === SOCK_DGRAM) {
        if (protocol !== 0 && protocol !== IPPROTO_UDP) throw new SysError('EPROTONOSUPPORT');
        s = new UdpSocket(stack, flags);
      } else if (kind === SOCK_RAW) {
        if (!Number.isInteger(protocol) || protocol <= 0 || protocol > 255) throw new SysError('EPROTONOSUPPORT');
        const raw = new RawSocket(stack, protocol, flags);
        stack.sockets.raw.add(raw);
        s = raw;
      } else if (kind === SOCK_STREAM) {
        throw new SysError('EPROTONOSUPPORT', 'tunlab has no TCP');
      } else throw new SysError('EPROTOTYPE');
    } else if (domain === AF_LINK) {
      const link = new LinkSocket(stack, kind, flags);
      stack.sockets.links.add(link);
      s = link;
    } else if (domain === AF_INET6) {
      throw new SysError('EAFNOSUPPORT');
    } else throw new SysError('EAFNOSUPPORT');
    try {
      return c.p.fds.install(s, (type & SOCK_CLOEXEC) !== 0);
    } catch (e) {
      s.close();
      throw e;
    }
  },

  bind(c: SyscallContext, fd: number, addr: SockaddrIn): number {
    sock(c, fd).bind(addr, c.io);
    return 0;
  },

  connect(c: SyscallContext, fd: number, addr: SockaddrIn): number {
    sock(c, fd).connect(addr, c.io);
    return 0;
  },

  async sendto(c: SyscallContext, fd: number, data: Uint8Array, flags = 0, addr: SockaddrIn | null = null): Promise<number> {
    if (!(data instanceof Uint8Array)) throw new SysError('EFAULT');
    return sock(c, fd).sendto(c.io, data, flags, addr ?? null);
  },

  recvfrom(c: SyscallContext, fd: number, count: number, flags = 0): Promise<RecvResult> {
    if (!Number.isInteger(count) || count < 0) throw new SysError('EINVAL');
    return sock(c, fd).recvfrom(c.io, count, flags);
  },

  getsockname(c: SyscallContext, fd: number): Sockaddr {
    return sock(c, fd).localName();
  },

  getpeername(c: SyscallContext, fd: number): Sockaddr {
    const p = sock(c, fd).peerName();
    if (!p) throw new SysError('ENOTCONN');
    return p;
  },

  setsockopt(c: SyscallContext, fd: number, level: number, name: number, value: number): number {
    const s = sock(c, fd);
    const v = int(value);
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
          throw new SysError('ENOPROTOOPT');
      }
    }
    if (level === IPPROTO_IP) {
      switch (name) {
        case IP_TTL:
          if (v === -1) s.ttl = 64;
          else if (v < 1 || v > 255) throw new SysError('EINVAL');
          else s.ttl = v;
          return 0;
        case IP_TOS:
          s.tos = v & 0xff;
          return 0;
        default:
          throw new SysError('ENOPROTOOPT');
      }
    }
    throw new SysError('ENOPROTOOPT');
  },

  getsockopt(c: SyscallContext, fd: number, level: number, name: number): number {
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
          throw new SysError('ENOPROTOOPT');
      }
    }
    if (level === IPPROTO_IP) {
      if (name === IP_TTL) return s.ttl;
      if (name === IP_TOS) return s.tos;
    }
    throw new SysError('ENOPROTOOPT');
  },
};
