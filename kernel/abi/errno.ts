// Error numbers as Haiku defines them (headers/os/support/Errors.h): negative values counted from
// INT_MIN, in "bases" per kit, with the message texts of Haiku's strerror(). A syscall that fails
// throws a SysError carrying the POSIX name, so programs, strace and tests all speak in names.

const GENERAL = -0x8000_0000;
const OS = GENERAL + 0x1000;
const STORAGE = GENERAL + 0x6000;
const POSIX = GENERAL + 0x7000;
const DEVICE = GENERAL + 0xa000;
// Linux errors Haiku does not have (EBADFD is the TUN driver's "not attached"). tunlab numbers them
// past Haiku's own POSIX range so they can never collide with a real Haiku code.
const TUNLAB = POSIX + 0x100;

export const ERRNO = {
  ENOMEM: { code: GENERAL + 0, message: 'Out of memory' },
  EIO: { code: GENERAL + 1, message: 'I/O error' },
  EACCES: { code: GENERAL + 2, message: 'Permission denied' },
  EINVAL: { code: GENERAL + 5, message: 'Invalid Argument' },
  ETIMEDOUT: { code: GENERAL + 9, message: 'Operation timed out' },
  EINTR: { code: GENERAL + 10, message: 'Interrupted system call' },
  EAGAIN: { code: GENERAL + 11, message: 'Operation would block' },
  EBUSY: { code: GENERAL + 14, message: 'Device/File/Resource busy' },
  EPERM: { code: GENERAL + 15, message: 'Operation not allowed' },
  EFAULT: { code: OS + 0x301, message: 'Bad address' },
  ENOEXEC: { code: OS + 0x302, message: 'Not an executable' },
  EBADF: { code: STORAGE + 0, message: 'Bad file descriptor' },
  EEXIST: { code: STORAGE + 2, message: 'File or Directory already exists' },
  ENOENT: { code: STORAGE + 3, message: 'No such file or directory' },
  ENAMETOOLONG: { code: STORAGE + 4, message: 'File name too long' },
  ENOTDIR: { code: STORAGE + 5, message: 'Not a directory' },
  ENOTEMPTY: { code: STORAGE + 6, message: 'Directory not empty' },
  ENOSPC: { code: STORAGE + 7, message: 'No space left on device' },
  EROFS: { code: STORAGE + 8, message: 'Read-only file system' },
  EISDIR: { code: STORAGE + 9, message: 'Is a directory' },
  EMFILE: { code: STORAGE + 10, message: 'Too many open files' },
  EXDEV: { code: STORAGE + 11, message: 'Cross-device link' },
  ELOOP: { code: STORAGE + 12, message: 'Too many symbolic links' },
  EPIPE: { code: STORAGE + 13, message: 'Broken pipe' },
  E2BIG: { code: POSIX + 1, message: 'Argument too big' },
  ECHILD: { code: POSIX + 2, message: 'No child process' },
  EDEADLK: { code: POSIX + 3, message: 'Resource deadlock' },
  EFBIG: { code: POSIX + 4, message: 'File too large' },
  ENFILE: { code: POSIX + 6, message: 'File table overflow' },
  ENODEV: { code: POSIX + 7, message: 'No such device' },
  ENOSYS: { code: POSIX + 9, message: 'Function not implemented' },
  ENOTTY: { code: POSIX + 10, message: 'Not a tty' },
  ENXIO: { code: POSIX + 11, message: 'Device not accessible' },
  ESPIPE: { code: POSIX + 12, message: 'Seek not allowed on file descriptor' },
  ESRCH: { code: POSIX + 13, message: 'No such process' },
  ERANGE: { code: POSIX + 17, message: 'Range Error' },
  EPROTOTYPE: { code: POSIX + 18, message: 'Protocol wrong type for socket' },
  EPROTONOSUPPORT: { code: POSIX + 19, message: 'Protocol not supported' },
  EAFNOSUPPORT: { code: POSIX + 21, message: 'Address family not supported by protocol family' },
  EADDRINUSE: { code: POSIX + 22, message: 'Address already in use' },
  EADDRNOTAVAIL: { code: POSIX + 23, message: "Can't assign requested address" },
  ENETDOWN: { code: POSIX + 24, message: 'Network is down' },
  ENETUNREACH: { code: POSIX + 25, message: 'Network is unreachable' },
  ENETRESET: { code: POSIX + 26, message: 'Network dropped connection on reset' },
  ECONNABORTED: { code: POSIX + 27, message: 'Software caused connection abort' },
  ECONNRESET: { code: POSIX + 28, message: 'Connection reset by peer' },
  EISCONN: { code: POSIX + 29, message: 'Socket is already connected' },
  ENOTCONN: { code: POSIX + 30, message: 'Socket is not connected' },
  ESHUTDOWN: { code: POSIX + 31, message: "Can't send after socket shutdown" },
  ECONNREFUSED: { code: POSIX + 32, message: 'Connection refused' },
  EHOSTUNREACH: { code: POSIX + 33, message: 'No route to host' },
  ENOPROTOOPT: { code: POSIX + 34, message: 'Protocol option not available' },
  ENOBUFS: { code: POSIX + 35, message: 'No buffer space available' },
  EINPROGRESS: { code: POSIX + 36, message: 'Operation now in progress' },
  EALREADY: { code: POSIX + 37, message: 'Operation already in progress' },
  EMSGSIZE: { code: POSIX + 42, message: 'Message too long' },
  EOPNOTSUPP: { code: POSIX + 43, message: 'Operation not supported' },
  ENOTSOCK: { code: POSIX + 44, message: 'Socket operation on non-socket' },
  EHOSTDOWN: { code: POSIX + 45, message: 'Host is down' },
  EDESTADDRREQ: { code: POSIX + 48, message: 'Destination address required' },
  EBADFD: { code: TUNLAB + 0, message: 'File descriptor in bad state' },
  // Haiku's driver-level "no such control"; fd_ioctl() hands it to userland as ENOTTY.
  B_DEV_INVALID_IOCTL: { code: DEVICE + 0, message: 'Invalid device ioctl' },
} as const;

export type ErrnoName = keyof typeof ERRNO;

const byCode: ReadonlyMap<number, ErrnoName> = new Map<number, ErrnoName>(
  (Object.keys(ERRNO) as ErrnoName[]).map((name) => [ERRNO[name].code, name]),
);

export function errnoName(code: number): ErrnoName | undefined {
  return byCode.get(code);
}

export function strerror(name: ErrnoName): string {
  return ERRNO[name].message;
}

/**
 * A failed system call. Programs catch it like C code checks errno; one that escapes a program is
 * reported by the kernel the way a crashed process is, never as a JavaScript stack trace.
 */
export class SysError extends Error {
  readonly errno: ErrnoName;
  readonly code: number;
  constructor(errno: ErrnoName, detail?: string) {
    // No stack: it is an errno, never printed as a trace, and capturing one was the dearest part
    // of a call that fails as a matter of course (EAGAIN from a non-blocking read: 12% of the
    // tunnel's CPU when openvpn drains its descriptors).
    const message = detail ? `${ERRNO[errno].message} (${detail})` : ERRNO[errno].message;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'SysError';
    this.errno = errno;
    this.code = ERRNO[errno].code;
  }
}

/**
 * Whether `e` is a failed system call (and with this errno). By shape, not only by class: a program
 * in a worker thread, or one that imports this module from another path, has SysErrors of another
 * class with the same name and errno.
 */
export function isSysError(e: unknown, errno?: ErrnoName): e is SysError {
  const errnoOf = (x: Error): unknown => (x as Error & { errno?: unknown }).errno;
  const failed = e instanceof SysError || (e instanceof Error && e.name === 'SysError' && typeof errnoOf(e) === 'string' && Object.hasOwn(ERRNO, errnoOf(e) as string));
  return failed && (errno === undefined || (e as SysError).errno === errno);
}
