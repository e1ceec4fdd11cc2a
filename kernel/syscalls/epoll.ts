// The epoll calls (epoll(7)): an instance is a file of its own (vfs/epoll.ts) that watches others.

import { EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD } from '../abi/epoll.js';
import { O_RDWR } from '../abi/fcntl.js';
import type { Process } from '../proc/process.js';
import { EpollFile } from '../vfs/epoll.js';
import type { Fails } from './context.js';
import type { SyscallTable } from './table.js';

/** The most events one epoll_wait returns (EP_MAX_EVENTS). */
const EP_MAX_EVENTS = 0x7fffffff / 12;

function instance(c: Fails<'EBADF' | 'EINVAL'> & { readonly p: Process }, epfd: number): EpollFile {
  const f = c.p.fds.get(epfd);
  if (!(f instanceof EpollFile)) return c.fail('EINVAL');
  return f;
}

function create(p: Process, cloexec: boolean): number {
  const file = new EpollFile(O_RDWR);
  try {
    return p.fds.install(file, cloexec);
  } catch (e) {
    file.close();
    throw e;
  }
}

export const epollSyscalls = {
  epoll_create(c, size) {
    if (!Number.isInteger(size) || size <= 0) c.fail('EINVAL');
    return create(c.p, false);
  },

  epoll_create1(c, flags) {
    if (!Number.isInteger(flags) || flags & ~EPOLL_CLOEXEC) c.fail('EINVAL');
    return create(c.p, (flags & EPOLL_CLOEXEC) !== 0);
  },

  epoll_ctl(c, epfd, op, fd, event) {
    const ep = instance(c, epfd);
    const file = c.p.fds.get(fd);
    if (op === EPOLL_CTL_DEL) {
      ep.remove(fd, file);
      return 0;
    }
    if (typeof event !== 'object' || event === null || typeof event.events !== 'number') return c.fail('EFAULT');
    if (op === EPOLL_CTL_ADD) ep.add(fd, file, event);
    else if (op === EPOLL_CTL_MOD) ep.modify(fd, file, event);
    else c.fail('EINVAL');
    return 0;
  },

  epoll_wait(c, epfd, maxevents, timeoutMs) {
    const ep = instance(c, epfd);
    if (!Number.isInteger(maxevents) || maxevents <= 0 || maxevents > EP_MAX_EVENTS) c.fail('EINVAL');
    if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) c.fail('EINVAL');
    const deadline = timeoutMs < 0 ? undefined : c.k.sched.now() + Math.round(timeoutMs * 1e6);
    return ep.wait(c.io, maxevents, timeoutMs, deadline);
  },
} satisfies SyscallTable<'epoll_create' | 'epoll_create1' | 'epoll_ctl' | 'epoll_wait'>;
