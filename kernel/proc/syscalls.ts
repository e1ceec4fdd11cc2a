// Process, signal and time system calls.

import { SysError } from '../abi/errno.js';
import { TIOCGPGRP, TIOCSPGRP } from '../abi/ioctl.js';
import { SIGKILL, SIGNAL_NAMES, SIGSTOP, type SignalHandler } from '../abi/signal.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME, type ProcessInfo, type SpawnOptions, type Utsname, type WaitResult } from '../abi/syscalls.js';
import { CONTINUED_STATUS, exitedStatus, WCONTINUED, WNOHANG, WUNTRACED } from '../abi/wait.js';
import { never } from '../sched/scheduler.js';
import type { SyscallContext } from './context.js';
import type { Process } from './process.js';
import { workingDirectory } from '../vfs/syscalls.js';

function checkSignal(signo: unknown): number {
  if (typeof signo !== 'number' || !Number.isInteger(signo) || (signo !== 0 && !SIGNAL_NAMES[signo])) throw new SysError('EINVAL');
  return signo;
}

function maySignal(from: Process, to: Process): boolean {
  return from.uid === 0 || from.uid === to.uid;
}

export const processSyscalls = {
  async spawn(c: SyscallContext, path: string, argv: string[], opts: SpawnOptions = {}): Promise<number> {
    if (typeof path !== 'string' || !Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) throw new SysError('EFAULT');
    let target = c.k;
    if (opts.host !== undefined) {
      const other = c.k.world?.host(opts.host);
      if (!other) throw new SysError('ENOENT', `no host ${opts.host}`);
      target = other;
    }
    // posix_spawn's chdir action: relative to the caller's directory, and refused as chdir() would
    // refuse it (without this a child could start in a directory that does not exist, or with a
    // relative cwd that every later lookup misread).
    if (opts.cwd !== undefined && typeof opts.cwd !== 'string') throw new SysError('EFAULT');
    if (opts.forkImage !== undefined && typeof opts.forkImage !== 'string') throw new SysError('EFAULT');
    const from = target === c.k ? c.p.cwd : '/boot/home';
    const cwd = opts.cwd === undefined ? undefined : workingDirectory(target.vfs, from, opts.cwd, { uid: opts.uid ?? c.p.uid, gid: opts.gid ?? c.p.gid });
    if (target === c.k) {
      const child = await c.k.spawn(c.p, path, argv, { ...opts, cwd });
      return child.pid;
    }
    // Another host: the child's fds are the caller's open files; its parent is the caller, so
    // waitpid() works across the wire as it would through an rsh.
    const child = await target.spawn(c.p, path, argv, { ...opts, cwd: cwd ?? '/boot/home', inheritFrom: c.p });
    return child.pid;
  },

  async execve(c: SyscallContext, path: string, argv: string[], env?: Record<string, string>): Promise<unknown> {
    if (typeof path !== 'string' || !Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) throw new SysError('EFAULT');
    return c.k.exec(c.p, path, argv, env);
  },

  async waitpid(c: SyscallContext, pid: number, options = 0): Promise<WaitResult> {
    const p = c.p;
    const matches = (ch: Process) => pid === -1 || ch.pid === pid || (pid === 0 && ch.pgid === p.pgid) || (pid < -1 && ch.pgid === -pid);
    for (;;) {
      const candidates = [...p.children].filter(matches);
      if (candidates.length === 0) throw new SysError('ECHILD');
      const done = candidates.find((ch) => !ch.alive);
      if (done) {
        done.host.reap(done);
        return { pid: done.pid, status: done.status };
      }
      const stopped = options & WUNTRACED ? candidates.find((ch) => ch.stopToReport !== null) : undefined;
      if (stopped) {
        const status = stopped.stopToReport!;
        stopped.stopToReport = null;
        return { pid: stopped.pid, status };
      }
      const continued = options & WCONTINUED ? candidates.find((ch) => ch.continueToReport) : undefined;
      if (continued) {
        continued.continueToReport = false;
        return { pid: continued.pid, status: CONTINUED_STATUS };
      }
      if (options & WNOHANG) return { pid: 0, status: 0 };
      const r = await c.k.sched.sleep(c.io.task, [p.childExit], {
        interruptible: true,
        syscall: 'waitpid',
        channel: pid > 0 ? `exit of pid ${pid}` : 'exit of a child',
      });
      if (r === 'signal') throw new SysError('EINTR');
    }
  },

  exit(c: SyscallContext, status: number): Promise<never> {
    c.p.exit(exitedStatus(Number.isInteger(status) ? status : 1));
    return never();
  },

  kill(c: SyscallContext, pid: number, signo: number): number {
    checkSignal(signo);
    if (!Number.isInteger(pid)) throw new SysError('EINVAL');
    let targets: Process[];
    if (pid > 0) {
      // A child started on another host (`on HOST cmd`) is found among the caller's children.
      const t = [...c.p.children].find((ch) => ch.pid === pid) ?? c.k.processByPid(pid);
      if (!t || !t.alive) throw new SysError('ESRCH');
      targets = [t];
    } else {
      const group = pid === 0 ? c.p.pgid : -pid;
      targets = [...c.k.procs.values()].filter((t) => t.alive && (pid === -1 ? t !== c.p : t.pgid === group));
      if (targets.length === 0) throw new SysError('ESRCH');
    }
    const allowed = targets.filter((t) => maySignal(c.p, t));
    if (allowed.length === 0) throw new SysError('EPERM');
    if (signo !== 0) for (const t of allowed) t.signal(signo);
    return 0;
  },

  sigaction(c: SyscallContext, signo: number, handler: SignalHandler): SignalHandler {
    checkSignal(signo);
    if (signo === 0 || signo === SIGKILL || signo === SIGSTOP) throw new SysError('EINVAL');
    if (typeof handler !== 'function' && handler !== 'SIG_IGN' && handler !== 'SIG_DFL') throw new SysError('EFAULT');
    const prev = c.p.handlers.get(signo) ?? 'SIG_DFL';
    if (handler === 'SIG_DFL') c.p.handlers.delete(signo);
    else c.p.handlers.set(signo, handler);
    return prev;
  },

  setpgid(c: SyscallContext, pid: number, pgid: number): number {
    const target = pid === 0 ? c.p : c.k.processByPid(pid);
    if (!target) throw new SysError('ESRCH');
    if (target !== c.p && target.parent !== c.p) throw new SysError('ESRCH');
    if (!Number.isInteger(pgid) || pgid < 0) throw new SysError('EINVAL');
    target.pgid = pgid === 0 ? target.pid : pgid;
    return 0;
  },

  getpgid(c: SyscallContext, pid: number): number {
    const target = pid === 0 ? c.p : c.k.processByPid(pid);
    if (!target) throw new SysError('ESRCH');
    return target.pgid;
  },

  async tcsetpgrp(c: SyscallContext, fd: number, pgid: number): Promise<number> {
    return c.p.fds.get(fd).ioctl(c.io, TIOCSPGRP, { value: pgid });
  },

  async tcgetpgrp(c: SyscallContext, fd: number): Promise<number> {
    const ref = { value: 0 };
    await c.p.fds.get(fd).ioctl(c.io, TIOCGPGRP, ref);
    return ref.value;
  },

  getprocs(c: SyscallContext): ProcessInfo[] {
    return c.k.processTable();
  },

  clock_gettime(c: SyscallContext, clock: number): number {
    if (clock === CLOCK_MONOTONIC) return c.k.sched.now();
    if (clock === CLOCK_REALTIME) return c.k.wallNs();
    throw new SysError('EINVAL');
  },

  async nanosleep(c: SyscallContext, ns: number): Promise<number> {
    if (typeof ns !== 'number' || !(ns >= 0)) throw new SysError('EINVAL');
    const deadline = c.k.sched.now() + Math.round(ns);
    const r = await c.k.sched.sleepUntil(c.io.task, deadline, { interruptible: true, syscall: 'nanosleep', channel: 'timer' });
    if (r === 'signal') throw new SysError('EINTR');
    return 0;
  },

  async sched_yield(c: SyscallContext): Promise<number> {
    await c.k.sched.preempt();
    return 0;
  },

  uname(c: SyscallContext): Utsname {
    return { sysname: 'Haiku', nodename: c.k.name, release: '1', version: 'hrev57937+tunlab', machine: 'x86_64' };
  },

  syslog(c: SyscallContext): string[] {
    return c.k.log.snapshot();
  },

  hosts(c: SyscallContext): string[] {
    return c.k.world?.hostNames() ?? [c.k.name];
  },
};
