// The errors each system call can fail with: the ERRORS section of its man page, as tunlab's
// kernel gives them. It is part of the contract: an implementation raises only these (tsc checks
// the ones it raises itself; the syscall gate checks, in the test suite, what comes up from the
// layers below), so `syscall help`, a program and a test can rely on the list.

import type { ErrnoName } from './errno.js';
import type { Sys } from './syscalls.js';

/** Calls that enter the kernel (the rest of Sys is libc-level: no entry, no trace). */
export type SyscallName = Exclude<keyof Sys, 'pid' | 'getpid' | 'getppid' | 'getuid' | 'getgid' | 'getenv' | 'setenv' | 'unsetenv' | 'environ' | 'forkImage' | 'preemptible'>;

/** Errors of every path lookup (path_resolution(7)). */
const PATH = ['EACCES', 'EFAULT', 'ELOOP', 'ENAMETOOLONG', 'ENOENT', 'ENOTDIR'] as const;
/** Errors a device's hooks may answer with, beyond a file's (the TUN/TAP driver, a terminal). */
const DEVICE = ['EBADFD', 'EBUSY', 'EIO', 'ENODEV', 'ENXIO', 'EPERM', 'ENOTTY'] as const;
/** Errors of sending through the stack (ip(7), udp(7), raw(7)). */
const SEND = ['EACCES', 'EAGAIN', 'EDESTADDRREQ', 'EHOSTUNREACH', 'EMSGSIZE', 'ENETDOWN', 'ENETUNREACH', 'ENOBUFS', 'ECONNREFUSED', 'ENOPROTOOPT', 'EOPNOTSUPP', 'EHOSTDOWN', 'EPIPE'] as const;
/** The errors a TCP connection keeps for its next call (a RST, a timeout, an ICMP error). */
const CONN = ['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOPROTOOPT', 'EOPNOTSUPP', 'EMSGSIZE', 'ENOTCONN'] as const;
/** The configuration ioctls of sockets (netdevice(7), route, arp) and of devices (tun(4), tty(4)). */
const IOCTL = [
  'EBADF', 'EFAULT', 'EINVAL', 'ENOTTY', 'EPERM', 'ENODEV', 'ENXIO', 'EEXIST', 'EBUSY', 'EBADFD', 'E2BIG', 'ENFILE',
  'EOPNOTSUPP', 'EADDRNOTAVAIL', 'ENAMETOOLONG', 'ENETUNREACH', 'EHOSTUNREACH', 'ESRCH', 'EACCES', 'ENOMEM', 'ELOOP',
  'EINTR', 'EIO', 'ENOBUFS', 'ENETDOWN', 'B_DEV_INVALID_IOCTL',
  // tc's qdisc of a kind the kernel does not have (netlink's ENOENT).
  'ENOENT',
] as const;

export const SYSCALL_ERRORS = {
  // --- files
  open: [...PATH, ...DEVICE, 'EEXIST', 'EINTR', 'EINVAL', 'EISDIR', 'EMFILE', 'ENFILE', 'ENOSPC', 'EROFS', 'EAGAIN', 'ENOMEM', 'ENOEXEC'],
  close: ['EBADF', 'EINTR', 'EIO'],
  read: ['EAGAIN', 'EBADF', 'EFAULT', 'EINTR', 'EINVAL', 'EIO', 'EISDIR', 'EBADFD', 'ENETDOWN', ...CONN],
  // ENOENT: a /proc/sys value naming nothing the kernel has (tcp_congestion_control=nosuch);
  // EPERM: a /proc/sys value written by a caller who may not (through a descriptor root opened).
  write: ['EAGAIN', 'EBADF', 'EFAULT', 'EINTR', 'EINVAL', 'EIO', 'ENOSPC', 'EFBIG', 'EPIPE', 'EBADFD', 'EISDIR', 'EROFS', 'ENOENT', 'EPERM', ...SEND, ...CONN],
  lseek: ['EBADF', 'EINVAL', 'ESPIPE'],
  ioctl: IOCTL,
  fcntl: ['EBADF', 'EINVAL', 'EMFILE', 'EFAULT', 'ENOTTY', 'EPERM'],
  poll: ['EFAULT', 'EINTR', 'EINVAL', 'ENOMEM'],
  dup: ['EBADF', 'EMFILE'],
  dup2: ['EBADF', 'EMFILE', 'EINTR'],
  pipe: ['EMFILE', 'ENFILE'],
  stat: [...PATH, 'ENOMEM'],
  lstat: [...PATH, 'ENOMEM'],
  fstat: ['EBADF'],
  readdir: [...PATH, 'ENOMEM'],
  mkdir: [...PATH, 'EEXIST', 'ENOSPC', 'EPERM', 'EROFS'],
  rmdir: [...PATH, 'EBUSY', 'EINVAL', 'ENOTEMPTY', 'EPERM', 'EROFS', 'EEXIST'],
  unlink: [...PATH, 'EBUSY', 'EISDIR', 'EPERM', 'EROFS'],
  rename: [...PATH, 'EBUSY', 'EEXIST', 'EINVAL', 'EISDIR', 'ENOSPC', 'ENOTEMPTY', 'EPERM', 'EROFS', 'EXDEV'],
  symlink: [...PATH, 'EEXIST', 'ENOSPC', 'EPERM', 'EROFS'],
  readlink: [...PATH, 'EINVAL'],
  chmod: [...PATH, 'EPERM', 'EROFS', 'EINVAL'],
  // umask(2) always succeeds in C; a mask that is no integer at all is EINVAL here.
  umask: ['EINVAL'],
  chdir: [...PATH],
  getcwd: ['ENOENT', 'ERANGE'],

  // --- processes and signals
  spawn: [...PATH, 'EAGAIN', 'EBADF', 'EINVAL', 'ENOEXEC', 'ENOMEM', 'EPERM'],
  execve: [...PATH, 'E2BIG', 'EINVAL', 'ENOEXEC', 'ENOMEM', 'EPERM'],
  waitpid: ['ECHILD', 'EINTR', 'EINVAL'],
  exit: [],
  kill: ['EINVAL', 'EPERM', 'ESRCH'],
  sigaction: ['EFAULT', 'EINVAL'],
  setpgid: ['EACCES', 'EINVAL', 'EPERM', 'ESRCH'],
  getpgid: ['ESRCH'],
  setuid: ['EINVAL', 'EPERM'],
  setgid: ['EINVAL', 'EPERM'],
  setgroups: ['EINVAL', 'EPERM'],
  getgroups: [],
  tcsetpgrp: ['EBADF', 'EINVAL', 'ENOTTY', 'EPERM'],
  tcgetpgrp: ['EBADF', 'ENOTTY'],
  getprocs: [],

  // --- time
  clock_gettime: ['EFAULT', 'EINVAL'],
  nanosleep: ['EFAULT', 'EINTR', 'EINVAL'],
  sched_yield: [],

  // --- sockets
  socket: ['EACCES', 'EAFNOSUPPORT', 'EINVAL', 'EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'EPROTONOSUPPORT', 'EPROTOTYPE', 'EPERM'],
  // AF_UNIX adds the errors of a path lookup and of making the socket file (unix(7)); EPERM for a
  // file system that cannot hold one (mknod(2)).
  bind: ['EACCES', 'EADDRINUSE', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EBADF', 'EFAULT', 'EINVAL', 'ENOTSOCK', 'EOPNOTSUPP', ...PATH, 'ENOSPC', 'EPERM', 'EROFS'],
  connect: ['EACCES', 'EADDRINUSE', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EAGAIN', 'EBADF', 'EFAULT', 'EINTR', 'EINVAL', 'EISCONN', 'ENETDOWN', 'ENOTSOCK', 'EINPROGRESS', 'EALREADY', ...CONN, ...PATH],
  listen: ['EADDRINUSE', 'EBADF', 'EINVAL', 'ENOTSOCK', 'EOPNOTSUPP'],
  accept: ['EAGAIN', 'EBADF', 'ECONNABORTED', 'EINTR', 'EINVAL', 'EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'ENOTSOCK', 'EOPNOTSUPP', 'EPERM'],
  accept4: ['EAGAIN', 'EBADF', 'ECONNABORTED', 'EINTR', 'EINVAL', 'EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'ENOTSOCK', 'EOPNOTSUPP', 'EPERM'],
  sendto: ['EBADF', 'EFAULT', 'EINTR', 'EINVAL', 'ENOTSOCK', 'EAFNOSUPPORT', 'ENOTCONN', 'EISCONN', ...SEND, ...CONN],
  sendmsg: ['EBADF', 'EFAULT', 'EINTR', 'EINVAL', 'ENOTSOCK', 'EAFNOSUPPORT', 'ENOTCONN', 'EISCONN', ...SEND, ...CONN],
  recvfrom: ['EAGAIN', 'EBADF', 'EFAULT', 'EINTR', 'EINVAL', 'ENOTSOCK', 'ENETDOWN', ...CONN],
  recvmsg: ['EAGAIN', 'EBADF', 'EFAULT', 'EINTR', 'EINVAL', 'ENOTSOCK', 'ENETDOWN', ...CONN],
  shutdown: ['EBADF', 'EINVAL', 'ENOTCONN', 'ENOTSOCK'],
  getsockname: ['EBADF', 'EFAULT', 'EINVAL', 'ENOTSOCK'],
  getpeername: ['EBADF', 'EFAULT', 'EINVAL', 'ENOTCONN', 'ENOTSOCK'],
  setsockopt: ['EBADF', 'EFAULT', 'EINVAL', 'ENOPROTOOPT', 'ENOTSOCK', 'EPERM', 'ENOENT', 'EISCONN', 'EBUSY'],
  getsockopt: ['EBADF', 'EFAULT', 'EINVAL', 'ENOPROTOOPT', 'ENOTSOCK', 'EOPNOTSUPP'],

  // --- event polling
  epoll_create: ['EINVAL', 'EMFILE', 'ENFILE', 'ENOMEM'],
  epoll_create1: ['EINVAL', 'EMFILE', 'ENFILE', 'ENOMEM'],
  epoll_ctl: ['EBADF', 'EEXIST', 'EINVAL', 'ELOOP', 'ENOENT', 'ENOMEM', 'ENOSPC', 'EPERM'],
  epoll_wait: ['EBADF', 'EINTR', 'EINVAL'],

  // --- threads
  spawn_thread: ['EAGAIN', 'ENOMEM', 'EINVAL'],

  // --- the machine
  uname: ['EFAULT'],
  syslog: ['EPERM'],
  hosts: [],
  topology: [],

  // --- packet journeys
  journey_open: ['EPERM', 'EINVAL', 'EMFILE', 'ENFILE'],
  journey_read: ['EBADF', 'EINVAL'],
  journey_drop: ['EINVAL'],
} as const satisfies { [K in SyscallName]: readonly ErrnoName[] };

export type SyscallErrno<K extends SyscallName> = (typeof SYSCALL_ERRORS)[K][number] | 'EFAULT';

/** Whether `errno` is one `name` may fail with (EFAULT always: any argument can be a bad pointer). */
export function declaredErrno(name: string, errno: ErrnoName): boolean {
  if (errno === 'EFAULT') return true;
  const list = (SYSCALL_ERRORS as Readonly<Record<string, readonly string[]>>)[name];
  return list === undefined || list.includes(errno);
}
