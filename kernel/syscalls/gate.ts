// The Sys handle a program receives: every kernel entry goes through one gate that delivers
// pending signals, keeps a killed process from ever running again, lets the rest of the machine
// run now and then, and reports the call to strace and to observers.

import { SysError } from '../abi/errno.js';
import { SIGSEGV } from '../abi/signal.js';
import { declaredErrno, type SyscallName } from '../abi/syscall-errors.js';
import type { Sys } from '../abi/syscalls.js';
import { signaledStatus } from '../abi/wait.js';
import type { EventBus } from '../obs/events.js';
import type { Process } from '../proc/process.js';
import { Execed } from '../proc/table.js';
import { never, type Task } from '../sched/scheduler.js';
import type { OpenFile } from '../vfs/file.js';
import { type KernelServices, type SyscallContext, syscallContext } from './context.js';
import { copyIn, copyOut, type KernelCopy } from './copy.js';
import { fdSyscalls } from './fd.js';
import { journeySyscalls } from './journey.js';
import { topologySyscalls } from './topology.js';
import { machineSyscalls } from './machine.js';
import { namespaceSyscalls } from './namespace.js';
import { pollSyscalls } from './poll.js';
import { epollSyscalls } from './epoll.js';
import { processSyscalls } from './process.js';
import { socketSyscalls } from './socket.js';
import type { SyscallImpl, SyscallTable } from './table.js';
import { timeSyscalls } from './time.js';

/** Every call of kernel/abi, each with its implementation: tsc fails if one is missing or extra. */
const SYSCALLS = {
  ...fdSyscalls,
  ...pollSyscalls,
  ...namespaceSyscalls,
  ...processSyscalls,
  ...timeSyscalls,
  ...machineSyscalls,
  ...socketSyscalls,
  ...epollSyscalls,
  ...journeySyscalls,
  ...topologySyscalls,
} satisfies SyscallTable<SyscallName>;

/** What the gate needs besides the services the calls use. */
export interface GateHost extends KernelServices {
  readonly events: EventBus;
  /**
   * Treat an errno a call does not declare (kernel/abi/syscall-errors.ts) as a kernel bug: on in
   * the test suite, so the declared lists stay true.
   */
  readonly checkErrno: boolean;
}

const encoder = new TextEncoder();

export function makeSys(k: GateHost, p: Process, thread?: Task): Sys {
  const sched = k.sched;
  /** The task this handle's calls run on: the process's main one, or a thread's. */
  const taskOf = () => thread ?? p.task;

  /** Whether anyone watches this process's calls: checked before anything is built. */
  const watched = () => p.tracer !== null || k.procs.traceAll !== null || k.events.listening('syscall');

  /** The files this process's calls are written to: strace's, and tunlab --trace's. */
  function traceSinks(): OpenFile[] {
    const sinks: OpenFile[] = [];
    if (p.tracer) sinks.push(p.tracer.file);
    if (k.procs.traceAll) sinks.push(k.procs.traceAll);
    return sinks;
  }

  /** strace -f and --trace name the process on each line. */
  const tracePrefix = () => (p.tracer?.followForks || k.procs.traceAll ? `[pid ${String(p.pid).padStart(5)}] ` : '');

  async function writeTrace(lines: ReadonlyArray<readonly [OpenFile, string]>): Promise<void> {
    for (const [sink, text] of lines) {
      try {
        // Like a ptrace stop: a tracer that reads slowly slows its tracee.
        await sink.write(p.ioContext('trace'), encoder.encode(text));
      } catch {
        // The tracer went away: the tracee goes on untraced.
        if (p.tracer?.file === sink) p.tracer = null;
      }
    }
  }

  /** A traced call starts: it may end the line another process's call left open. */
  async function traceEntry(name: string, args: unknown[]): Promise<void> {
    const sinks = traceSinks();
    if (sinks.length === 0) return;
    const call = { prefix: tracePrefix(), name, args };
    p.tracedCall = call;
    const first = k.procs.traceLogs.enter(sinks, call);
    if (first.length) await writeTrace(first);
  }

  async function report(name: string, args: unknown[], result: unknown, errno: SysError['errno'] | undefined, startNs: number): Promise<void> {
    if (k.events.listening('syscall')) {
      k.events.emit('syscall', { host: k.name, pid: p.pid, command: p.command, name, args, result, errno, startNs, endNs: sched.now() });
    }
    const call = p.tracedCall;
    p.tracedCall = null;
    const sinks = traceSinks();
    if (sinks.length === 0) return;
    await writeTrace(k.procs.traceLogs.leave(sinks, call, tracePrefix(), name, args, result, errno));
  }

  /** A stopped process goes no further than a syscall boundary until SIGCONT (or SIGKILL). */
  async function whileStopped(name: string): Promise<void> {
    while (p.stopped && p.alive) {
      await sched.sleep(taskOf(), [p.continued], { interruptible: false, syscall: name, channel: p.continued.name });
    }
  }

  /**
   * Where a timer interrupt would preempt a program that computes without system calls (a shell
   * running builtins in a loop): the machine runs now and then, the time it takes is charged when
   * it is busy, and signals are delivered. No system call, so nothing for strace.
   */
  async function preemptible(): Promise<void> {
    if (!p.alive) return never();
    if (sched.tick(p.task)) {
      await sched.preempt();
      if (!p.alive) return never();
    }
    p.deliverPending();
    if (p.stopped) await whileStopped('preempted');
    if (!p.alive) return never();
  }

  function gate(name: SyscallName, impl: SyscallImpl<SyscallName>) {
    // A syscall's context never changes for a given process: made at its first call.
    let context: SyscallContext | null = null;
    // Fixed parameters rather than a rest array: this runs for every call a program makes, and no
    // syscall takes more than four arguments. The array is only built for someone watching.
    return async function (this: unknown, a0?: unknown, a1?: unknown, a2?: unknown, a3?: unknown): Promise<unknown> {
      const argc = arguments.length;
      const args = () => [a0, a1, a2, a3].slice(0, argc);
      if (!p.alive) return never();
      if (sched.tick(p.task)) {
        await sched.preempt();
        if (!p.alive) return never();
      }
      const barrier = sched.ioBarrier();
      if (barrier) {
        await barrier;
        if (!p.alive) return never();
      }
      // A signal caught while the program ran is not handled here, before the call: as on Linux, a
      // call that would sleep sees it pending and fails with EINTR at once, and the handler runs on
      // the way out, where the program sees both. (Run here, the handler would set its flag after
      // the program had looked, and the call would sleep through it.)
      if (p.stopped) await whileStopped(name);
      if (!p.alive) return never();
      if (p.tracer !== null || k.procs.traceAll !== null) {
        await traceEntry(name, args());
        if (!p.alive) return never();
      }
      const startNs = sched.now();
      const c = (context ??= syscallContext(k, p, name, thread));
      let result: unknown;
      // The kernel works on its own copies of the program's structures (copy.ts).
      let c0: KernelCopy | null = null;
      let c2: KernelCopy | null = null;
      try {
        c0 = typeof a0 === 'object' || typeof a0 === 'function' ? copyIn(name, 0, a0) : null;
        const c1 = typeof a1 === 'object' || typeof a1 === 'function' ? copyIn(name, 1, a1) : null;
        c2 = typeof a2 === 'object' || typeof a2 === 'function' ? copyIn(name, 2, a2) : null;
        const c3 = typeof a3 === 'object' || typeof a3 === 'function' ? copyIn(name, 3, a3) : null;
        result = (impl as (c: SyscallContext, ...args: unknown[]) => unknown)(c, c0 ? c0.value : a0, c1 ? c1.value : a1, c2 ? c2.value : a2, c3 ? c3.value : a3);
        // Most calls that do not block complete synchronously: awaiting only real promises
        // saves a turn of the microtask queue on the hottest path (a tun write, a read that
        // finds a packet waiting).
        if (result instanceof Promise) result = await result;
        // Copying data is work too: a busy machine is charged for the bytes as for the calls.
        if (result instanceof Uint8Array) sched.moved(result.length);
        else if (name === 'write' && typeof result === 'number') sched.moved(result);
      } catch (e) {
        if (!p.alive) return never();
        if (!(e instanceof SysError)) {
          // A kernel bug, not the program's fault: fail loudly, kill only the caller.
          sched.onPanic(e);
          p.exit(signaledStatus(SIGSEGV));
          return never();
        }
        if (k.checkErrno && !declaredErrno(name, e.errno)) sched.onPanic(new Error(`${name} failed with ${e.errno}, which kernel/abi/syscall-errors.ts does not declare for it`));
        if (watched()) await report(name, args(), undefined, e.errno, startNs);
        p.deliverPending();
        if (p.stopped) await whileStopped(name);
        if (!p.alive) return never();
        throw e;
      }
      if (!p.alive) return never();
      try {
        if (c0?.originals) copyOut(c0);
        if (c2?.originals) copyOut(c2);
      } catch (e) {
        if (watched()) await report(name, args(), undefined, 'EFAULT', startNs);
        throw e;
      }
      if (result instanceof Execed) {
        // The old flow reports success, starts the new program and stops here.
        if (watched()) await report(name, args(), 0, undefined, startNs);
        result.start();
        return never();
      }
      if (watched()) await report(name, args(), result, undefined, startNs);
      if (p.pending.length) p.deliverPending();
      if (p.stopped) await whileStopped(name);
      if (!p.alive) return never();
      return result;
    };
  }

  /** A call through the gate, typed as its abi signature (SYSCALLS checks the implementation). */
  const call = <K extends SyscallName>(name: K): Sys[K] => gate(name, SYSCALLS[name] as SyscallImpl<SyscallName>) as Sys[K];

  const sys: Sys = {
    pid: p.pid,
    getpid: () => p.pid,
    getppid: () => p.ppid,
    getuid: () => p.uid,
    getgid: () => p.gid,
    getenv: (name: string) => p.env.get(name),
    setenv: (name: string, value: string) => void p.env.set(name, String(value)),
    unsetenv: (name: string) => void p.env.delete(name),
    environ: () => Object.fromEntries(p.env),
    forkImage: () => p.forkImage,
    preemptible,
    open: call('open'),
    close: call('close'),
    read: call('read'),
    write: call('write'),
    lseek: call('lseek'),
    ioctl: call('ioctl'),
    fcntl: call('fcntl'),
    dup: call('dup'),
    dup2: call('dup2'),
    pipe: call('pipe'),
    fstat: call('fstat'),
    poll: call('poll'),
    stat: call('stat'),
    lstat: call('lstat'),
    readdir: call('readdir'),
    mkdir: call('mkdir'),
    rmdir: call('rmdir'),
    unlink: call('unlink'),
    rename: call('rename'),
    symlink: call('symlink'),
    readlink: call('readlink'),
    chmod: call('chmod'),
    umask: call('umask'),
    chdir: call('chdir'),
    getcwd: call('getcwd'),
    spawn: call('spawn'),
    execve: call('execve'),
    waitpid: call('waitpid'),
    exit: call('exit'),
    kill: call('kill'),
    sigaction: call('sigaction'),
    setpgid: call('setpgid'),
    getpgid: call('getpgid'),
    setuid: call('setuid'),
    setgid: call('setgid'),
    setgroups: call('setgroups'),
    getgroups: call('getgroups'),
    tcsetpgrp: call('tcsetpgrp'),
    tcgetpgrp: call('tcgetpgrp'),
    getprocs: call('getprocs'),
    clock_gettime: call('clock_gettime'),
    nanosleep: call('nanosleep'),
    sched_yield: call('sched_yield'),
    uname: call('uname'),
    syslog: call('syslog'),
    hosts: call('hosts'),
    topology: call('topology'),
    socket: call('socket'),
    bind: call('bind'),
    listen: call('listen'),
    accept: call('accept'),
    accept4: call('accept4'),
    sendmsg: call('sendmsg'),
    recvmsg: call('recvmsg'),
    shutdown: call('shutdown'),
    epoll_create: call('epoll_create'),
    epoll_create1: call('epoll_create1'),
    epoll_ctl: call('epoll_ctl'),
    epoll_wait: call('epoll_wait'),
    spawn_thread: call('spawn_thread'),
    connect: call('connect'),
    sendto: call('sendto'),
    recvfrom: call('recvfrom'),
    getsockname: call('getsockname'),
    getpeername: call('getpeername'),
    setsockopt: call('setsockopt'),
    getsockopt: call('getsockopt'),
    journey_open: call('journey_open'),
    journey_read: call('journey_read'),
    journey_drop: call('journey_drop'),
  };
  return Object.freeze(sys);
}
