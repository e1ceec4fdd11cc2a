// The calls on file descriptors: open, close, read, write, lseek, ioctl, fcntl, the fd table's
// dup and dup2, pipe and fstat. What a descriptor refers to does the work (vfs/file.ts); these
// check the arguments and the descriptor's access mode, as Linux's fs/read_write.c does.

import { F_DUPFD, F_GETFD, F_GETFL, F_SETFD, F_SETFL, FD_CLOEXEC, O_ACCMODE, O_APPEND, O_CLOEXEC, O_NONBLOCK, SETFL_MASK } from '../abi/fcntl.js';
import { FIONBIO, type IntRef, ioctlNumber } from '../abi/ioctl.js';
import { release } from '../proc/fd-table.js';
import type { OpenFile } from '../vfs/file.js';
import type { Process } from '../proc/process.js';
import type { Fails } from './context.js';
import type { SyscallTable } from './table.js';

/**
 * Linux's MAX_RW_COUNT: a read or write asks for at most this much; a larger count is cut to it
 * (a short write), never refused. What a read allocates is bounded by what the file can give.
 */
export const MAX_RW_COUNT = 0x7fff_f000;

function checkCount(c: Fails<'EINVAL'>, count: unknown): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) c.fail('EINVAL');
  return Math.min(count as number, MAX_RW_COUNT);
}

export function checkPath(c: Fails<'EFAULT'>, path: unknown): string {
  if (typeof path !== 'string') c.fail('EFAULT');
  return path as string;
}

const encoder = new TextEncoder();

function toBytes(c: Fails<'EFAULT'>, data: unknown): Uint8Array {
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  return c.fail('EFAULT');
}

/** Put a new file at the lowest free fd; a file nobody else holds is closed if that fails. */
function install(p: Process, file: OpenFile, cloexec: boolean): number {
  try {
    return p.fds.install(file, cloexec);
  } catch (e) {
    if (file.refs === 0) file.close();
    throw e;
  }
}

export const fdSyscalls = {
  async open(c, path, flags, mode = 0o666) {
    checkPath(c, path);
    if (typeof flags !== 'number') c.fail('EINVAL');
    const r = c.k.vfs.resolve(c.p.cwd, path);
    // The mode only matters to a file O_CREAT makes: less the caller's umask, as Linux's open.
    const file = await r.fs.open(r.rel, flags, mode & ~c.p.umask, c.p, c.io);
    // The description keeps the access mode and status flags; creation flags are spent.
    file.flags = flags & (O_ACCMODE | O_NONBLOCK | O_APPEND);
    return install(c.p, file, (flags & O_CLOEXEC) !== 0);
  },

  close(c, fd) {
    const file = c.p.fds.remove(fd);
    release(file);
    if (file.refs === 0 && file.closeWait) return file.closeWait(c.io).then(() => 0);
    return 0;
  },

  read(c, fd, count) {
    const file = c.p.fds.get(fd);
    const n = checkCount(c, count);
    if (!file.readable) c.fail('EBADF');
    return file.read(c.io, n);
  },

  write(c, fd, data) {
    const file = c.p.fds.get(fd);
    const bytes = toBytes(c, data);
    if (!file.writable) c.fail('EBADF');
    return file.write(c.io, bytes.length > MAX_RW_COUNT ? bytes.subarray(0, MAX_RW_COUNT) : bytes);
  },

  lseek(c, fd, offset, whence) {
    if (!Number.isInteger(offset)) c.fail('EINVAL');
    return c.p.fds.get(fd).lseek(offset, whence);
  },

  async ioctl(c, fd, requested, arg) {
    const file = c.p.fds.get(fd);
    // A program may name the request ('TUNSETIFF'): a --load program needs no import for it.
    const request = typeof requested === 'string' ? ioctlNumber(requested) : requested;
    if (typeof request !== 'number') return c.fail('EINVAL');
    if (request === FIONBIO) {
      // Handled by the VFS for every kind of file, as Linux's do_vfs_ioctl() does.
      const on = typeof arg === 'object' && arg !== null && 'value' in arg ? (arg as IntRef).value : arg;
      if (typeof on !== 'number') c.fail('EFAULT');
      await file.setFlags(on ? file.flags | O_NONBLOCK : file.flags & ~O_NONBLOCK);
      return 0;
    }
    return file.ioctl(c.io, request, arg);
  },

  async fcntl(c, fd, cmd, arg = 0) {
    const file = c.p.fds.get(fd);
    switch (cmd) {
      case F_GETFL:
        return file.flags;
      case F_SETFL:
        await file.setFlags((file.flags & ~SETFL_MASK) | (arg & SETFL_MASK));
        return 0;
      case F_GETFD:
        return c.p.fds.getCloexec(fd) ? FD_CLOEXEC : 0;
      case F_SETFD:
        c.p.fds.setCloexec(fd, (arg & FD_CLOEXEC) !== 0);
        return 0;
      case F_DUPFD:
        if (!Number.isInteger(arg) || arg < 0 || arg >= c.p.fds.max) c.fail('EINVAL');
        return c.p.fds.install(file, false, arg);
      default:
        return c.fail('EINVAL');
    }
  },

  dup(c, fd) {
    return c.p.fds.install(c.p.fds.get(fd));
  },

  dup2(c, oldfd, newfd) {
    const file = c.p.fds.get(oldfd);
    if (oldfd === newfd) return newfd;
    const prev = c.p.fds.installAt(newfd, file);
    if (prev) release(prev);
    return newfd;
  },

  pipe(c) {
    const [r, w] = c.k.pipes.create();
    const rfd = install(c.p, r, false);
    try {
      return [rfd, install(c.p, w, false)] as [number, number];
    } catch (e) {
      release(c.p.fds.remove(rfd));
      throw e;
    }
  },

  fstat(c, fd) {
    return c.p.fds.get(fd).stat();
  },
} satisfies SyscallTable<'open' | 'close' | 'read' | 'write' | 'lseek' | 'ioctl' | 'fcntl' | 'dup' | 'dup2' | 'pipe' | 'fstat'>;

