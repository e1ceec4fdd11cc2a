// poll() event bits with Haiku's values (headers/posix/poll.h).

export const POLLIN = 0x0001;
export const POLLOUT = 0x0002;
export const POLLERR = 0x0004;
export const POLLRDBAND = 0x0008;
export const POLLWRBAND = 0x0010;
export const POLLPRI = 0x0020;
export const POLLHUP = 0x0080;
export const POLLNVAL = 0x1000;
/** Linux's POLLRDHUP (the peer shut down its writing side); Haiku has none, so tunlab's own value. */
export const POLLRDHUP = 0x2000;

export interface PollFd {
  fd: number;
  events: number;
  revents: number;
}

export const POLL_NAMES: ReadonlyArray<readonly [number, string]> = [
  [POLLIN, 'POLLIN'],
  [POLLOUT, 'POLLOUT'],
  [POLLERR, 'POLLERR'],
  [POLLRDBAND, 'POLLRDBAND'],
  [POLLWRBAND, 'POLLWRBAND'],
  [POLLPRI, 'POLLPRI'],
  [POLLHUP, 'POLLHUP'],
  [POLLNVAL, 'POLLNVAL'],
  [POLLRDHUP, 'POLLRDHUP'],
];
