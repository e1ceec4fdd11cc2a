// A process: identity, credentials, working directory, environment, fds, signal dispositions and
// its one task. Its lifecycle ends in exit(): fds closed (waking whoever waits on them), children
// handed to init, the parent told with SIGCHLD, and the zombie kept until the parent reaps it.

import { DEFAULT_IGNORED, SIGCHLD, SIGCONT, SIGKILL, SIGSTOP, STOP_SIGNALS, type SignalHandler } from '../abi/signal.js';
import { stoppedStatus } from '../abi/wait.js';
import { WaitQueue, type Task, type TaskOwner } from '../sched/scheduler.js';
import type { IoContext, OpenFile } from '../vfs/file.js';
import { FdTable, release } from './fd-table.js';
import type { TracedCall } from './trace-log.js';

/** The mask of the first process, as Haiku's and Linux's init start with: 022. */
export const DEFAULT_UMASK = 0o022;

/** Linux keeps a process's groups sorted (groups_sort(), for groups_search()): getgroups shows them so. */
export function sortGroups(groups: readonly number[]): number[] {
  return [...groups].sort((a, b) => a - b);
}

/** The kernel services a process needs; implemented by Kernel. */
export interface ProcessHost {
  readonly name: string;
  onProcessExit(p: Process): void;
  /** The parent collected the zombie's status. */
  reap(p: Process): void;
  processByPid(pid: number): Process | undefined;
  /** The process ran its own code a whole CPU slice without a system call (see the scheduler). */
  overran(p: Process, slices: number): void;
}

export interface Tracer {
  file: OpenFile;
  followForks: boolean;
  /** The process strace started: its end is strace's own to report, after its waitpid. */
  rootPid: number;
}

export class Process implements TaskOwner {
  readonly children = new Set<Process>();
  readonly childExit: WaitQueue;
  readonly handlers = new Map<number, SignalHandler>();
  /** Signals with a handler, waiting for the process to reach a syscall boundary. */
  readonly pending: number[] = [];
  state: 'running' | 'zombie' = 'running';
  status = 0;
  task!: Task;
  /** Tasks of the threads spawn_thread started besides the main one; they end with the process. */
  readonly threads = new Set<Task>();
  tracer: Tracer | null = null;
  /** The call a traced process is in, from its start to its end (kernel/proc/trace-log.ts). */
  tracedCall: TracedCall | null = null;
  /** Set while a signal handler runs, so a handler's own syscalls do not re-enter delivery. */
  inHandler = false;
  /** Stopped by SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU: held at its next syscall boundary until SIGCONT. */
  stopped = false;
  /** The wait status of the stop, until the parent's waitpid(WUNTRACED) has seen it. */
  stopToReport: number | null = null;
  /** Continued by SIGCONT, until the parent's waitpid(WCONTINUED) has seen it. */
  continueToReport = false;
  readonly continued: WaitQueue;
  /** Supplementary groups (setgroups), beside the gid. */
  groups: number[] = [];
  /** The file mode creation mask (umask(2)): inherited by children, kept across execve. */
  umask = DEFAULT_UMASK;
  /** What the parent forked this process with (SpawnOptions.forkImage), until it execs. */
  forkImage: string | null = null;
  /** Called when the program image ends (exit or execve): a guest's thread is stopped there. */
  readonly imageEnd: Array<() => void> = [];

  constructor(
    readonly host: ProcessHost,
    readonly pid: number,
    public parent: Process | null,
    public pgid: number,
    public uid: number,
    public gid: number,
    public cwd: string,
    readonly env: Map<string, string>,
    public argv: string[],
    public command: string,
    readonly fds: FdTable,
    readonly startNs: number,
  ) {
    this.childExit = new WaitQueue(`children of pid ${pid}`);
    this.continued = new WaitQueue('stopped (waiting for SIGCONT)');
  }

  get ppid(): number {
    return this.parent?.pid ?? 0;
  }

  get alive(): boolean {
    return this.state === 'running';
  }

  describe(): { host: string; pid: number; command: string } {
    return { host: this.host.name, pid: this.pid, command: this.command };
  }

  overran(slices: number): void {
    this.host.overran(this, slices);
  }

  hasDeliverableSignal(): boolean {
    return this.pending.length > 0 && !this.inHandler;
  }

  /** The context of a call made by the main task, or by one of the threads. */
  ioContext(syscall: string, task: Task = this.task): IoContext {
    const p = this;
    return {
      task,
      uid: this.uid,
      gid: this.gid,
      groups: this.groups,
      pid: this.pid,
      syscall,
      // execve changes it, and a call's context is made once per process.
      get command() {
        return p.command;
      },
      raise: (signo) => this.signal(signo),
      caller: this,
    };
  }

  /**
   * Send a signal. Default actions happen at once (a process killed while blocked never returns
   * from its syscall); a handler runs when the process next crosses a syscall boundary, and a
   * blocked interruptible call returns EINTR so that it does.
   */
  signal(signo: number): void {
    if (!this.alive) return;
    // SIGCONT continues a stopped process whatever its disposition; a handler then runs as well.
    if (signo === SIGCONT) this.resume();
    const h = signo === SIGKILL || signo === SIGSTOP ? 'SIG_DFL' : (this.handlers.get(signo) ?? 'SIG_DFL');
    if (h === 'SIG_IGN') return;
    if (h === 'SIG_DFL') {
      if (STOP_SIGNALS.has(signo)) this.stop(signo);
      else if (!DEFAULT_IGNORED.has(signo)) this.exit(signo & 0x7f);
      return;
    }
    if (!this.pending.includes(signo)) this.pending.push(signo);
    this.task.scheduler.interrupt(this.task);
  }

  /** Run the handlers of pending signals; called at syscall entry and exit. */
  deliverPending(): void {
    while (this.alive && this.pending.length > 0 && !this.inHandler) {
      const signo = this.pending.shift()!;
      const h = this.handlers.get(signo);
      if (typeof h !== 'function') continue;
      this.inHandler = true;
      try {
        h(signo);
      } finally {
        this.inHandler = false;
      }
    }
  }

  /** The parent hears of a change (exit, stop, continue): waitpid wakes, SIGCHLD arrives. */
  private tellParent(): void {
    const parent = this.parent;
    if (parent) {
      parent.childExit.wakeAll();
      parent.signal(SIGCHLD);
    }
  }

  /** Stop (a stop signal's default action): the parent hears of it through SIGCHLD and waitpid. */
  private stop(signo: number): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopToReport = stoppedStatus(signo);
    this.continueToReport = false;
    this.tellParent();
  }

  private resume(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopToReport = null;
    this.continueToReport = true;
    this.continued.wakeAll();
    this.tellParent();
  }

  /** Every thread but the main one ends (exit, and execve, which keeps only the caller). */
  endThreads(): void {
    for (const t of this.threads) t.scheduler.exitTask(t);
    this.threads.clear();
  }

  /** The program image ends: whatever it held outside the kernel is let go. */
  endImage(): void {
    for (const fn of this.imageEnd.splice(0)) fn();
  }

  /** End the process with a wait status (see abi/wait.ts). */
  exit(status: number): void {
    if (!this.alive) return;
    this.endImage();
    this.state = 'zombie';
    this.status = status;
    this.pending.length = 0;
    this.task.scheduler.exitTask(this.task);
    this.endThreads();
    for (const f of this.fds.clear()) release(f);
    this.host.onProcessExit(this);
    this.tellParent();
  }
}
