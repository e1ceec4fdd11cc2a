// Process and signal calls: spawn (posix_spawn), execve, waitpid, exit, kill, sigaction, process
// groups and the terminal's foreground group, and the process table.

import { TIOCGPGRP, TIOCSPGRP } from '../abi/ioctl.js';
import { SIGKILL, SIGNAL_NAMES, SIGSTOP } from '../abi/signal.js';
import { CONTINUED_STATUS, exitedStatus, WCONTINUED, WNOHANG, WUNTRACED } from '../abi/wait.js';
import type { SpawnOptions } from '../abi/syscalls.js';
import { sortGroups, type Process } from '../proc/process.js';
import { never } from '../sched/scheduler.js';
import type { Fails } from './context.js';
import type { SyscallTable } from './table.js';
import { KERNEL_TEAM_PID } from '../proc/table.js';

function checkSignal(c: Fails<'EINVAL'>, signo: unknown): number {
  if (typeof signo !== 'number' || !Number.isInteger(signo) || (signo !== 0 && !SIGNAL_NAMES[signo])) c.fail('EINVAL');
  return signo as number;
}

function checkArgv(c: Fails<'EFAULT'>, path: unknown, argv: unknown): void {
  if (typeof path !== 'string' || !Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) c.fail('EFAULT');
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Linux's NGROUPS_MAX: the most supplementary groups a process has. */
const NGROUPS_MAX = 65536;
/** The largest uid or gid: (uid_t)-1 is no id (it means "unchanged" to setresuid and chown). */
const MAX_ID = 0xffff_fffe;

/** A uid or gid the kernel can hold (uid_valid()): EINVAL otherwise. */
function checkId(c: Fails<'EINVAL'>, id: unknown): void {
  if (!isInt(id) || id < 0 || id > MAX_ID) c.fail('EINVAL');
}

/**
 * posix_spawn's attributes and file actions, checked for shape as the kernel reads them: what is not
 * the structure it should be is EFAULT, a value out of range EINVAL.
 */
function checkSpawnOptions(c: Fails<'EFAULT' | 'EINVAL'>, o: unknown): SpawnOptions {
  if (o === undefined) return {};
  if (typeof o !== 'object' || o === null) return c.fail('EFAULT');
  const opts = o as Record<string, unknown>;
  const intOrAbsent = (k: string) => opts[k] === undefined || isInt(opts[k]) || c.fail('EFAULT');
  if (opts.fds !== undefined && (!Array.isArray(opts.fds) || !opts.fds.every(isInt))) c.fail('EFAULT');
  if (opts.fileActions !== undefined) {
    if (!Array.isArray(opts.fileActions)) c.fail('EFAULT');
    for (const a of opts.fileActions as unknown[]) {
      const ok = typeof a === 'object' && a !== null && (('dup2' in a && Array.isArray(a.dup2) && a.dup2.length === 2 && a.dup2.every(isInt)) || ('close' in a && isInt(a.close)));
      if (!ok) c.fail('EFAULT');
    }
  }
  if (opts.env !== undefined && (typeof opts.env !== 'object' || opts.env === null || !Object.values(opts.env).every((v) => typeof v === 'string'))) c.fail('EFAULT');
  for (const k of ['cwd', 'host']) if (opts[k] !== undefined && typeof opts[k] !== 'string') c.fail('EFAULT');
  for (const k of ['pgid', 'tcsetpgrp', 'uid', 'gid']) intOrAbsent(k);
  if (opts.groups !== undefined && (!Array.isArray(opts.groups) || !opts.groups.every(isInt))) c.fail('EFAULT');
  if (opts.groups !== undefined && (opts.groups as number[]).length > NGROUPS_MAX) c.fail('EINVAL');
  for (const id of [opts.uid, opts.gid, ...((opts.groups as number[] | undefined) ?? [])]) if (id !== undefined) checkId(c, id);
  if (opts.trace !== undefined) {
    const t = opts.trace as { fd?: unknown; followForks?: unknown } | null;
    if (typeof t !== 'object' || t === null || !isInt(t.fd) || (t.followForks !== undefined && typeof t.followForks !== 'boolean')) c.fail('EFAULT');
  }
  if ((opts.pgid as number | undefined) !== undefined && (opts.pgid as number) < 0) c.fail('EINVAL');
  return opts as SpawnOptions;
}

function maySignal(from: Process, to: Process): boolean {
  return from.uid === 0 || from.uid === to.uid;
}

export const processSyscalls = {
  spawn_thread(c, entry) {
    if (typeof entry !== 'function') c.fail('EINVAL');
    return c.k.procs.spawnThread(c.p, entry);
  },

  async spawn(c, path, argv, options) {
    checkArgv(c, path, argv);
    const opts = checkSpawnOptions(c, options);
    let target = c.k;
    if (opts.host !== undefined) {
      const other = c.k.world?.host(opts.host);
      if (!other) return c.fail('ENOENT', `no host ${opts.host}`);
      target = other;
    }
    // posix_spawn's chdir action: relative to the caller's directory, and refused as chdir() would
    // refuse it (without this a child could start in a directory that does not exist, or with a
    // relative cwd that every later lookup misread).
    if (opts.cwd !== undefined && typeof opts.cwd !== 'string') c.fail('EFAULT');
    if (opts.forkImage !== undefined && typeof opts.forkImage !== 'string') c.fail('EFAULT');
    const from = target === c.k ? c.p.cwd : '/boot/home';
    const cwd = opts.cwd === undefined ? undefined : target.vfs.workingDirectory(from, opts.cwd, { uid: opts.uid ?? c.p.uid, gid: opts.gid ?? c.p.gid });
    if (target === c.k) return (await c.k.procs.spawn(c.p, path, argv, { ...opts, cwd })).pid;
    // Another host: the child's fds are the caller's open files; its parent is the caller, so
    // waitpid() works across the wire as it would through an rsh.
    return (await target.procs.spawn(c.p, path, argv, { ...opts, cwd: cwd ?? '/boot/home', inheritFrom: c.p })).pid;
  },

  async execve(c, path, argv, env) {
    checkArgv(c, path, argv);
    return c.k.procs.exec(c.p, path, argv, env);
  },

  async waitpid(c, pid, options = 0) {
    const p = c.p;
    const matches = (ch: Process) => pid === -1 || ch.pid === pid || (pid === 0 && ch.pgid === p.pgid) || (pid < -1 && ch.pgid === -pid);
    for (;;) {
      const candidates = [...p.children].filter(matches);
      if (candidates.length === 0) c.fail('ECHILD');
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
      if (r === 'signal') c.fail('EINTR');
    }
  },

  exit(c, status) {
    c.p.exit(exitedStatus(Number.isInteger(status) ? status : 1));
    return never<never>();
  },

  kill(c, pid, signo) {
    checkSignal(c, signo);
    if (!Number.isInteger(pid)) c.fail('EINVAL');
    let targets: Process[];
    // The kernel team (pid 1, which ps lists) is there but takes no signal from anyone, as
    // Haiku refuses to signal its kernel team: EPERM, not ESRCH.
    if (pid === KERNEL_TEAM_PID) c.fail('EPERM');
    if (pid > 0) {
      // A child started on another host (`on HOST cmd`) is found among the caller's children.
      const t = [...c.p.children].find((ch) => ch.pid === pid) ?? c.k.procs.processByPid(pid);
      if (!t || !t.alive) return c.fail('ESRCH');
      targets = [t];
    } else {
      const group = pid === 0 ? c.p.pgid : -pid;
      targets = [...c.k.procs.byPid.values()].filter((t) => t.alive && (pid === -1 ? t !== c.p : t.pgid === group));
      if (targets.length === 0) c.fail('ESRCH');
    }
    const allowed = targets.filter((t) => maySignal(c.p, t));
    if (allowed.length === 0) c.fail('EPERM');
    if (signo !== 0) for (const t of allowed) t.signal(signo);
    return 0;
  },

  sigaction(c, signo, handler) {
    checkSignal(c, signo);
    if (signo === 0 || signo === SIGKILL || signo === SIGSTOP) c.fail('EINVAL');
    if (typeof handler !== 'function' && handler !== 'SIG_IGN' && handler !== 'SIG_DFL') c.fail('EFAULT');
    const prev = c.p.handlers.get(signo) ?? 'SIG_DFL';
    if (handler === 'SIG_DFL') c.p.handlers.delete(signo);
    else c.p.handlers.set(signo, handler);
    return prev;
  },

  setpgid(c, pid, pgid) {
    const target = pid === 0 ? c.p : c.k.procs.processByPid(pid);
    if (!target) return c.fail('ESRCH');
    if (target !== c.p && target.parent !== c.p) c.fail('ESRCH');
    if (!Number.isInteger(pgid) || pgid < 0) c.fail('EINVAL');
    target.pgid = pgid === 0 ? target.pid : pgid;
    return 0;
  },

  getpgid(c, pid) {
    const target = pid === 0 ? c.p : c.k.procs.processByPid(pid);
    if (!target) return c.fail('ESRCH');
    return target.pgid;
  },

  // Credentials, as Linux's setuid/setgid/setgroups check them for a process with one id of each
  // kind (real = effective = saved): CAP_SETUID and CAP_SETGID are root's; anyone else may only
  // "change" to the id it has, and may not set groups at all.
  setuid(c, uid) {
    checkId(c, uid);
    if (c.p.uid !== 0 && uid !== c.p.uid) c.fail('EPERM');
    c.p.uid = uid;
    return 0;
  },

  setgid(c, gid) {
    checkId(c, gid);
    if (c.p.uid !== 0 && gid !== c.p.gid) c.fail('EPERM');
    c.p.gid = gid;
    return 0;
  },

  setgroups(c, groups) {
    if (!Array.isArray(groups)) return c.fail('EFAULT');
    if (groups.length > NGROUPS_MAX) c.fail('EINVAL');
    for (const g of groups) checkId(c, g);
    if (c.p.uid !== 0) c.fail('EPERM');
    c.p.groups.splice(0, c.p.groups.length, ...sortGroups(groups));
    return 0;
  },

  getgroups(c) {
    return [...c.p.groups];
  },

  async tcsetpgrp(c, fd, pgid) {
    return c.p.fds.get(fd).ioctl(c.io, TIOCSPGRP, { value: pgid });
  },

  async tcgetpgrp(c, fd) {
    const ref = { value: 0 };
    await c.p.fds.get(fd).ioctl(c.io, TIOCGPGRP, ref);
    return ref.value;
  },

  getprocs(c) {
    return c.k.procs.list();
  },
} satisfies SyscallTable<
  'spawn_thread' | 'spawn' | 'execve' | 'waitpid' | 'exit' | 'kill' | 'sigaction' | 'setpgid' | 'getpgid' | 'setuid' | 'setgid' | 'setgroups' | 'getgroups' | 'tcsetpgrp' | 'tcgetpgrp' | 'getprocs'
>;
