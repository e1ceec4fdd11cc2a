// The tun, as wireguard-go's tun.CreateTUN makes it on Linux: the clone device, TUNSETIFF with the
// interface's name and IFF_TUN | IFF_NO_PI, then the MTU (1420) through a socket's SIOCSIFMTU.
// Errors read as Go prints a failed syscall ("device or resource busy").

import { type ErrnoName, isSysError, strerror, SysError } from '../../../kernel/abi/errno.js';
import { O_CLOEXEC, O_RDWR } from '../../../kernel/abi/fcntl.js';
import type { Ifreq } from '../../../kernel/abi/if.js';
import { IFF_NO_PI, IFF_TUN, SIOCGIFMTU, SIOCSIFMTU, TUNGETIFF, TUNSETIFF } from '../../../kernel/abi/ioctl.js';
import { AF_INET, SOCK_CLOEXEC, SOCK_DGRAM } from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';

export const CLONE_DEVICE = '/dev/misc/tun';

/** Go prints a syscall's error as Linux's strerror text in lowercase (syscall.Errno.Error()). */
const GO_ERRNO: Readonly<Partial<Record<ErrnoName, string>>> = {
  EACCES: 'permission denied',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EBADFD: 'file descriptor in bad state',
  EBUSY: 'device or resource busy',
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'no route to host',
  EINVAL: 'invalid argument',
  EIO: 'input/output error',
  EMSGSIZE: 'message too long',
  ENAMETOOLONG: 'file name too long',
  ENETDOWN: 'network is down',
  ENETUNREACH: 'network is unreachable',
  ENOBUFS: 'no buffer space available',
  ENOENT: 'no such file or directory',
  EPERM: 'operation not permitted',
};

/** A failed syscall as Go's error text gives it (the errno's message, lowercase, where Go has none). */
export function goErrno(e: unknown): string {
  if (!isSysError(e)) throw e;
  const known = GO_ERRNO[e.errno];
  if (known) return known;
  const m = strerror(e.errno);
  return m.charAt(0).toLowerCase() + m.slice(1);
}

/** The interface `name`'s fd, or Go's error text. */
export async function createTun(sys: Sys, name: string, mtu: number): Promise<{ fd: number; name: string } | string> {
  // IFNAMSIZ is 16 with the NUL; wireguard-go refuses a longer name rather than let it be cut.
  if (new TextEncoder().encode(name).length >= 16) return `interface name too long: ${goErrno(new SysError('ENAMETOOLONG'))}`;
  let fd: number;
  try {
    fd = await sys.open(CLONE_DEVICE, O_RDWR | O_CLOEXEC);
  } catch (e) {
    return `open ${CLONE_DEVICE}: ${goErrno(e)}`;
  }
  const ifr: Ifreq = { ifr_name: name, ifr_flags: IFF_TUN | IFF_NO_PI };
  try {
    await sys.ioctl(fd, TUNSETIFF, ifr);
  } catch (e) {
    await sys.close(fd);
    return goErrno(e);
  }
  const err = await setMtu(sys, ifr.ifr_name, mtu);
  if (err !== null) {
    await sys.close(fd);
    return `failed to set MTU of TUN device: ${err}`;
  }
  return { fd, name: ifr.ifr_name };
}

/** tdev.Name() of a tun fd handed over by the parent (TUNGETIFF). */
export async function tunName(sys: Sys, fd: number): Promise<string | null> {
  const ifr: Ifreq = { ifr_name: '' };
  try {
    await sys.ioctl(fd, TUNGETIFF, ifr);
    return ifr.ifr_name;
  } catch (e) {
    if (!isSysError(e)) throw e;
    return null;
  }
}

async function withSocket<T>(sys: Sys, fn: (s: number) => Promise<T>): Promise<T> {
  const s = await sys.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  try {
    return await fn(s);
  } finally {
    await sys.close(s);
  }
}

export async function setMtu(sys: Sys, name: string, mtu: number): Promise<string | null> {
  try {
    await withSocket(sys, (s) => sys.ioctl(s, SIOCSIFMTU, { ifr_name: name, ifr_mtu: mtu } satisfies Ifreq));
    return null;
  } catch (e) {
    return goErrno(e);
  }
}

/** The interface's MTU now (wg-quick or ifconfig may have changed it), or null if it is gone. */
export async function getMtu(sys: Sys, name: string): Promise<number | null> {
  try {
    const ifr: Ifreq = { ifr_name: name };
    await withSocket(sys, (s) => sys.ioctl(s, SIOCGIFMTU, ifr));
    return ifr.ifr_mtu ?? null;
  } catch (e) {
    if (!isSysError(e)) throw e;
    return null;
  }
}
