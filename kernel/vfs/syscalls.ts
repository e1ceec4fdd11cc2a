// The file system calls: open/close/read/write/ioctl/fcntl/poll, the fd table calls, pipes, and
// the name-space calls (stat, readdir, mkdir, unlink, rename, chdir ...).

import { SysError } from '../abi/errno.js';
import {
  F_DUPFD,
  F_GETFD,
  F_GETFL,
  F_SETFD,
  F_SETFL,
  FD_CLOEXEC,
  O_ACCMODE,
  O_APPEND,
  O_CLOEXEC,
  O_NONBLOCK,
  SETFL_MASK,
} from '../abi/fcntl.js';
import { FIONBIO, type IntRef, ioctlNumber } from '../abi/ioctl.js';
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, type PollFd } from '../abi/poll.js';
import { B_SELECT_DISCONNECTED, B_SELECT_ERROR, B_SELECT_PRI_READ, B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../abi/select.js';
import { S_IFDIR, S_IFMT, type Dirent, type Stat } from '../abi/stat.js';
import type { SyscallContext } from '../proc/context.js';
import { release } from '../proc/fd-table.js';
import { WaitQueue } from '../sched/scheduler.js';
import type { OpenFile, SelectSync } from './file.js';
import { type Credentials, permits } from './filesystem.js';
import { resolvePath } from './path.js';
import { Pipe } from './pipe.js';
import type { Vfs } from './vfs.js';

/** The largest single read or write, as Linux's MAX_RW_COUNT bounds them. */
export const MAX_IO = 1 << 24;
/** The most fds one poll() may watch. */
export const MAX_POLL_FDS = 1024;

function checkCount(count: unknown): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new SysError('EINVAL');
  return Math.min(count, MAX_IO);
}

function checkPath(path: unknown): string {
  if (typeof path !== 'string') throw new SysError('EFAULT');
  return path;
}

function toBytes(data: unknown): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  throw new SysError('EFAULT');
}

const POLL_TO_SELECT: ReadonlyArray<readonly [number, SelectEvent]> = [
  [POLLIN, B_SELECT_READ],
  [POLLOUT, B_SELECT_WRITE],
  [POLLPRI, B_SELECT_PRI_READ],
];

function selectToPoll(ev: SelectEvent): number {
  switch (ev) {
    case B_SELECT_READ:
      return POLLIN;
    case B_SELECT_WRITE:
      return POLLOUT;
    case B_SELECT_PRI_READ:
      return POLLPRI;
    case B_SELECT_ERROR:
      return POLLERR;
    case B_SELECT_DISCONNECTED:
      return POLLHUP;
    default:
      return 0;
  }
}

function install(c: SyscallContext, file: OpenFile, cloexec: boolean): number {
  try {
    return c.p.fds.install(file, cloexec);
  } catch (e) {
    if (file.refs === 0) file.close();
    throw e;
  }
}

/** The absolute path of a directory `cred` may make its working directory (chdir's checks). */
export function workingDirectory(vfs: Vfs, cwd: string, path: string, cred: Credentials): string {
  const abs = resolvePath(cwd, path);
  const r = vfs.resolve('/', abs);
  const st = r.fs.stat(r.rel, true, cred);
  if ((st.st_mode & S_IFMT) !== S_IFDIR) throw new SysError('ENOTDIR');
  if (!permits(st, cred, 1)) throw new SysError('EACCES');
  return abs;
}

export const fileSyscalls = {
  async open(c: SyscallContext, path: string, flags: number, mode = 0o666): Promise<number> {
    checkPath(path);
    if (typeof flags !== 'number') throw new SysError('EINVAL');
    const r = c.k.vfs.resolve(c.p.cwd, path);
    const file = await r.fs.open(r.rel, flags, mode, c.p, c.io);
    // The description keeps the access mode and status flags; creation flags are spent.
    file.flags = flags & (O_ACCMODE | O_NONBLOCK | O_APPEND);
    return install(c, file, (flags & O_CLOEXEC) !== 0);
  },

  close(c: SyscallContext, fd: number): number {
    release(c.p.fds.remove(fd));
    return 0;
  },

  read(c: SyscallContext, fd: number, count: number): Uint8Array | Promise<Uint8Array> {
    const file = c.p.fds.get(fd);
    const n = checkCount(count);
    if (!file.readable) throw new SysError('EBADF');
    return file.read(c.io, n);
  },

  write(c: SyscallContext, fd: number, data: Uint8Array | string): number | Promise<number> {
    const file = c.p.fds.get(fd);
    const bytes = toBytes(data);
    if (bytes.length > MAX_IO) throw new SysError('EINVAL');
    if (!file.writable) throw new SysError('EBADF');
    return file.write(c.io, bytes);
  },

  lseek(c: SyscallContext, fd: number, offset: number, whence: number): number {
    if (!Number.isInteger(offset)) throw new SysError('EINVAL');
    return c.p.fds.get(fd).lseek(offset, whence);
  },

  async ioctl(c: SyscallContext, fd: number, requested: number | string, arg?: unknown): Promise<number> {
    const file = c.p.fds.get(fd);
    // A program may name the request ('TUNSETIFF'): a --load program needs no import for it.
    const request = typeof requested === 'string' ? ioctlNumber(requested) : requested;
    if (typeof request !== 'number') throw new SysError('EINVAL');
    if (request === FIONBIO) {
      // Handled by the VFS for every kind of file, as Linux's do_vfs_ioctl() does.
      const on = typeof arg === 'object' && arg !== null && 'value' in arg ? (arg as IntRef).value : arg;
      if (typeof on !== 'number') throw new SysError('EFAULT');
      await file.setFlags(on ? file.flags | O_NONBLOCK : file.flags & ~O_NONBLOCK);
      return 0;
    }
    return file.ioctl(c.io, request, arg);
  },

  async fcntl(c: SyscallContext, fd: number, cmd: number, arg = 0): Promise<number> {
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
        if (!Number.isInteger(arg) || arg < 0 || arg >= c.p.fds.max) throw new SysError('EINVAL');
        return c.p.fds.install(file, false, arg);
      default:
        throw new SysError('EINVAL');
    }
  },

  /**
   * poll(): each fd's file is asked, Haiku style, to notify each wanted event now or when it comes
   * true; the caller sleeps until one does, the timeout passes, or a signal arrives.
   */
  async poll(c: SyscallContext, fds: PollFd[], timeoutMs: number): Promise<number> {
    if (!Array.isArray(fds)) throw new SysError('EFAULT');
    if (fds.length > MAX_POLL_FDS) throw new SysError('EINVAL');
    if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) throw new SysError('EINVAL');
    const wake = new WaitQueue('poll');
    const regs: Array<[OpenFile, SelectEvent, SelectSync]> = [];
    const polled: Array<[number, OpenFile]> = [];
    try {
      for (const pfd of fds) {
        if (typeof pfd !== 'object' || pfd === null || typeof pfd.fd !== 'number') throw new SysError('EFAULT');
        pfd.revents = 0;
        if (pfd.fd < 0) continue;
        let file: OpenFile;
        try {
          file = c.p.fds.get(pfd.fd);
        } catch {
          pfd.revents = POLLNVAL;
          continue;
        }
        polled.push([pfd.fd, file]);
        const wanted = (pfd.events | POLLERR | POLLHUP) >>> 0;
        const sync: SelectSync = {
          notify(ev) {
            const bit = selectToPoll(ev) & wanted;
            if (bit && !(pfd.revents & bit)) {
              pfd.revents |= bit;
              wake.wakeAll();
            }
          },
        };
        const events: SelectEvent[] = [B_SELECT_ERROR, B_SELECT_DISCONNECTED];
        for (const [bit, ev] of POLL_TO_SELECT) if (pfd.events & bit) events.push(ev);
        for (const ev of events) {
          file.select(ev, sync);
          regs.push([file, ev, sync]);
        }
      }
      const ready = () => fds.reduce((n, p) => n + (p.revents ? 1 : 0), 0);
      if (ready() > 0 || timeoutMs === 0) return ready();
      const deadline = timeoutMs < 0 ? undefined : c.k.sched.now() + Math.round(timeoutMs * 1e6);
      // Named only when asked (a deadlock report, ps): describing files costs more than the poll.
      const channel = () => `poll [${polled.map(([fd, file]) => `${fd}:${file.describe()}`).join(', ')}]`;
      for (;;) {
        const r = await c.k.sched.sleep(c.io.task, [wake], { deadline, interruptible: true, syscall: 'poll', channel });
        if (r === 'signal') throw new SysError('EINTR');
        if (ready() > 0 || r === 'timeout') return ready();
      }
    } finally {
      for (const [file, ev, sync] of regs) file.deselect(ev, sync);
    }
  },

  dup(c: SyscallContext, fd: number): number {
    return c.p.fds.install(c.p.fds.get(fd));
  },

  dup2(c: SyscallContext, oldfd: number, newfd: number): number {
    const file = c.p.fds.get(oldfd);
    if (oldfd === newfd) return newfd;
    const prev = c.p.fds.installAt(newfd, file);
    if (prev) release(prev);
    return newfd;
  },

  pipe(c: SyscallContext): [number, number] {
    const [r, w] = new Pipe(c.k.limits.pipeCapacity, () => c.k.wallNs()).ends();
    const rfd = install(c, r, false);
    try {
      return [rfd, install(c, w, false)];
    } catch (e) {
      release(c.p.fds.remove(rfd));
      throw e;
    }
  },

  stat(c: SyscallContext, path: string): Stat {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(path));
    return r.fs.stat(r.rel, true, c.p);
  },

  lstat(c: SyscallContext, path: string): Stat {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(path));
    return r.fs.stat(r.rel, false, c.p);
  },

  fstat(c: SyscallContext, fd: number): Stat {
    return c.p.fds.get(fd).stat();
  },

  readdir(c: SyscallContext, path: string): Dirent[] {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(path));
    const entries = r.fs.readdir(r.rel, c.p);
    // Mount points show in their parent directory.
    for (const m of c.k.vfs.mountPoints()) {
      if (m.at !== '/' && m.at.slice(0, m.at.lastIndexOf('/')) === (r.path === '/' ? '' : r.path)) {
        const name = m.at.slice(m.at.lastIndexOf('/') + 1);
        if (!entries.some((e) => e.d_name === name)) entries.push({ d_name: name, d_ino: 0, d_type: S_IFDIR });
      }
    }
    return entries.sort((a, b) => (a.d_name < b.d_name ? -1 : a.d_name > b.d_name ? 1 : 0));
  },

  mkdir(c: SyscallContext, path: string, mode = 0o755): number {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(path));
    if (r.rel === '') throw new SysError('EEXIST');
    r.fs.mkdir(r.rel, mode, c.p);
    return 0;
  },

  rmdir(c: SyscallContext, path: string): number {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(path));
    if (r.rel === '') throw new SysError('EBUSY');
    r.fs.rmdir(r.rel, c.p);
    return 0;
  },

  unlink(c: SyscallContext, path: string): number {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(path));
    if (r.rel === '') throw new SysError('EISDIR');
    r.fs.unlink(r.rel, c.p);
    return 0;
  },

  rename(c: SyscallContext, from: string, to: string): number {
    const a = c.k.vfs.resolve(c.p.cwd, checkPath(from));
    const b = c.k.vfs.resolve(c.p.cwd, checkPath(to));
    if (a.fs !== b.fs) throw new SysError('EXDEV');
    a.fs.rename(a.rel, b.rel, c.p);
    return 0;
  },

  symlink(c: SyscallContext, target: string, path: string): number {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(path));
    if (!r.fs.symlink) throw new SysError('EPERM');
    r.fs.symlink(checkPath(target), r.rel, c.p);
    return 0;
  },

  readlink(c: SyscallContext, path: string): string {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(path));
    if (!r.fs.readlink) throw new SysError('EINVAL');
    return r.fs.readlink(r.rel);
  },

  chmod(c: SyscallContext, path: string, mode: number): number {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(path));
    if (!r.fs.chmod) throw new SysError('EPERM');
    r.fs.chmod(r.rel, mode, c.p);
    return 0;
  },

  chdir(c: SyscallContext, path: string): number {
    c.p.cwd = workingDirectory(c.k.vfs, c.p.cwd, checkPath(path), c.p);
    return 0;
  },

  getcwd(c: SyscallContext): string {
    return c.p.cwd;
  },
};
