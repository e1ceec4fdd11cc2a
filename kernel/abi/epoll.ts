// epoll(7) with Linux's values: Haiku has no epoll, and the programs and tests that use it
// (packetdrill's scripts among them) are Linux's.

import { O_CLOEXEC } from './fcntl.js';

export const EPOLLIN = 0x001;
export const EPOLLPRI = 0x002;
export const EPOLLOUT = 0x004;
export const EPOLLERR = 0x008;
export const EPOLLHUP = 0x010;
export const EPOLLRDNORM = 0x040;
export const EPOLLRDBAND = 0x080;
export const EPOLLWRNORM = 0x100;
export const EPOLLWRBAND = 0x200;
export const EPOLLMSG = 0x400;
export const EPOLLRDHUP = 0x2000;
export const EPOLLEXCLUSIVE = 1 << 28;
export const EPOLLWAKEUP = 1 << 29;
export const EPOLLONESHOT = 1 << 30;
export const EPOLLET = 0x8000_0000;

export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;

/** epoll_create1's flag: the host's O_CLOEXEC, as on Linux. */
export const EPOLL_CLOEXEC = O_CLOEXEC;

/** struct epoll_event: `data` is the user's 64 bits, here a number (an fd, a cookie). */
export interface EpollEvent {
  events: number;
  data: number;
}

export const EPOLL_EVENT_NAMES: ReadonlyArray<readonly [number, string]> = [
  [EPOLLIN, 'EPOLLIN'],
  [EPOLLPRI, 'EPOLLPRI'],
  [EPOLLOUT, 'EPOLLOUT'],
  [EPOLLERR, 'EPOLLERR'],
  [EPOLLHUP, 'EPOLLHUP'],
  [EPOLLRDNORM, 'EPOLLRDNORM'],
  [EPOLLRDBAND, 'EPOLLRDBAND'],
  [EPOLLWRNORM, 'EPOLLWRNORM'],
  [EPOLLWRBAND, 'EPOLLWRBAND'],
  [EPOLLMSG, 'EPOLLMSG'],
  [EPOLLRDHUP, 'EPOLLRDHUP'],
  [EPOLLEXCLUSIVE, 'EPOLLEXCLUSIVE'],
  [EPOLLWAKEUP, 'EPOLLWAKEUP'],
  [EPOLLONESHOT, 'EPOLLONESHOT'],
  [EPOLLET, 'EPOLLET'],
];

export const EPOLL_CTL_NAMES: Readonly<Record<number, string>> = {
  [EPOLL_CTL_ADD]: 'EPOLL_CTL_ADD',
  [EPOLL_CTL_DEL]: 'EPOLL_CTL_DEL',
  [EPOLL_CTL_MOD]: 'EPOLL_CTL_MOD',
};
