// One scheduler drives a whole world: every host's processes are tasks of it, every host's timers
// are its timers, and its run loop decides when time moves.
//
// A task is a process's flow. It is runnable from the moment it starts or returns from the kernel
// until it next sleeps in a system call (a wait queue), blocked while it sleeps, exited at the end.
//
// When time moves (the invariant; every run, virtual or real, keeps it):
//   1. Virtual time moves only when the world is quiescent: no task runnable, no soft interrupt
//      pending, no real I/O holding time (holdTime: a program's module loading). A runnable task
//      holds time whatever it is doing meanwhile: computing, or awaiting something outside the
//      kernel (a worker thread, node:tls); so the same inputs give the same run, byte for byte.
//   2. Quiescent, the clock jumps to the earliest timer (ties fire in the order they were set).
//      With no timer, outside sources that may still deliver (holdExternal: the terminal, uplink
//      sockets) are waited for in real time; with none of those either, nothing can ever wake the
//      blocked tasks: a deadlock, reported, never a hang.
//   3. Two costs are charged so that no task can hold time for ever: a machine that never goes
//      quiescent pays BUSY_SYSCALL_NS of virtual time per system call once BUSY_AFTER have passed
//      (deterministic: it counts calls); and a task that runs its own code for a whole CPU slice of
//      real time without a system call gets SIGXCPU, then SIGKILL a slice later (the only place a
//      virtual run looks at real time; it can only end a task that would hold the world for ever).
//   4. Outside input (a datagram, a key) enters as a soft interrupt: it runs before the timers due
//      at the same instant, and in virtual time it is waited for only when no timer is pending.
// In real time the clock moves by itself, and due timers fire beside a runnable task.

import { type Clock, VirtualClock } from './clock.js';
import type { EventLoop } from '../port/port.js';
import { type Timer, TimerHeap } from './timers.js';

export type WakeReason = 'woken' | 'timeout' | 'signal';

/** What a task belongs to: the process, which knows its name and its pending signals. */
export interface TaskOwner {
  describe(): { host: string; pid: number; command: string };
  hasDeliverableSignal(): boolean;
  /** The task ran its own code a whole CPU slice without a system call (the n-th slice in a row). */
  overran(slices: number): void;
}

export interface BlockInfo {
  syscall: string;
  channel: string;
}

interface Waiter {
  readonly syscall: string;
  /** Named when someone asks (a deadlock report, ps): naming can cost more than the sleep. */
  readonly channel: string | (() => string);
  readonly task: Task;
  readonly queues: readonly WaitQueue[];
  timer: Timer | null;
  interruptible: boolean;
  resolve: (r: WakeReason) => void;
}

export class Task {
  state: 'runnable' | 'blocked' | 'exited' = 'runnable';
  waiter: Waiter | null = null;
  /** System calls made: the CPU-slice watch sees progress by this count, not by the clock. */
  syscalls = 0;
  /** The count and the real time at which the watch last saw it change (see watchSlices). */
  watchedCalls = -1;
  watchedSince = 0n;
  slicesOverrun = 0;
  /** Calls left before this task next yields to the event loop (see PREEMPT_EVERY). */
  budget = PREEMPT_EVERY;
  constructor(
    readonly scheduler: Scheduler,
    readonly owner: TaskOwner,
  ) {}

  get blockedOn(): BlockInfo | null {
    const w = this.waiter;
    return w ? { syscall: w.syscall, channel: typeof w.channel === 'string' ? w.channel : w.channel() } : null;
  }
}

/**
 * A condition variable: tasks sleep on it until woken, timed out or interrupted by a signal.
 * Waiters are woken in the order they went to sleep.
 */
export class WaitQueue {
  readonly waiters = new Set<Waiter>();
  constructor(readonly name: string) {}

  get size(): number {
    return this.waiters.size;
  }

  wakeOne(): boolean {
    for (const w of this.waiters) {
      w.task.scheduler.finish(w, 'woken');
      return true;
    }
    return false;
  }

  wakeAll(): number {
    let n = 0;
    for (const w of [...this.waiters]) {
      w.task.scheduler.finish(w, 'woken');
      n++;
    }
    return n;
  }
}

export interface SleepOptions {
  syscall: string;
  /** The wait channel, or how to name it when asked. */
  channel: string | (() => string);
  /** Absolute deadline on the scheduler's clock, in nanoseconds. */
  deadline?: number;
  interruptible: boolean;
}

export type RunOutcome =
  | { kind: 'done' }
  | { kind: 'deadlock'; blocked: Task[] }
  | { kind: 'time-limit'; blocked: Task[] };

export interface RunOptions {
  /** Stop as soon as this holds (checked whenever everything is quiet). */
  until?: () => boolean;
  /** In virtual time: give up once the clock would pass this (ns since boot). */
  timeLimit?: number;
  /**
   * Return 'done' at the first quiet point: every task blocked, nothing queued, and no timer due
   * now, before the clock moves on. A world's boot ends there, as an init system reaches its target.
   */
  untilIdle?: boolean;
}

/** Syscalls between two forced yields to Node's event loop. */
const PREEMPT_EVERY = 512;

/**
 * Virtual time: computation is free, so a machine where some task never blocks would keep the
 * clock still for ever (`yes > /dev/null & sleep 1` would never end, nor would --max-time stop a
 * `while true` loop). Once this many syscalls have passed without the whole machine going idle,
 * each further syscall costs BUSY_SYSCALL_NS of virtual time: deterministic, since it counts
 * syscalls, not real time, and out of the way of ordinary runs, which go idle far more often.
 */
const BUSY_AFTER = 100_000;
const BUSY_SYSCALL_NS = 10_000;
/**
 * Data a syscall copies is work as well: every BYTES_PER_UNIT bytes read or written count as one
 * more syscall. A program that only moves data in large buffers (`wc /dev/zero`) makes few calls
 * for a lot of work; counted by calls alone, --max-time would take minutes of real time to stop it.
 */
const BYTES_PER_UNIT = 512;

/** How long a task may run its own code without a system call before SIGXCPU (see the header). */
export const DEFAULT_CPU_SLICE_NS = 10_000_000_000n;

/** How long the run loop rests between looks while runnable tasks run outside the kernel. */
const OUTSIDE_POLL_MS = 1;

const NEVER = new Promise<never>(() => {});
/** A promise that never settles: how a killed process's pending calls end. */
export function never<T>(): Promise<T> {
  return NEVER as Promise<T>;
}

export class Scheduler {
  readonly clock: Clock;
  readonly tasks = new Set<Task>();
  private readonly timers = new TimerHeap();
  private soft: Array<() => void> = [];
  /**
   * Soft-event drains so far: frames handed to a host in one instant wait in its backlog until the
   * next drain, so this names "the same instant" for whoever counts what a backlog holds (Segment).
   */
  softDrains = 0;
  private softScheduled = false;
  private yielding = 0;
  private externals = 0;
  private working = 0;
  /** Tasks stopped at syscall entry until real I/O ends (see ioBarrier). */
  private ioWaiters: Array<() => void> = [];
  /** Tasks able to run: created or woken and not yet blocked again. */
  private runnable = 0;
  /** The run loop, waiting for every task to block. */
  private settledWaiter: (() => void) | null = null;
  private idleKick: (() => void) | null = null;
  private failure: unknown = null;
  /** Syscalls since every task was last blocked at once. */
  private sinceIdle = 0;
  /** How many of those have been charged to the clock already (see BUSY_AFTER). */
  private charged = 0;
  /** sinceIdle at the last run-loop turn: whether any task made a call since (see run). */
  private lastSinceIdle = 0;
  /** Called when a kernel callback throws: a kernel bug, reported and kept from hiding. */
  onPanic: (err: unknown) => void = (err) => {
    this.failure ??= err;
  };

  constructor(
    clock: Clock,
    /** The host's event loop and real clock (kernel/port): turns the run loop waits on, CPU slices. */
    private readonly loop: EventLoop & { monotonicNs(): bigint },
    /** A task's CPU slice, in real ns (see the header, rule 3). */
    readonly cpuSliceNs: bigint = DEFAULT_CPU_SLICE_NS,
  ) {
    this.clock = clock;
  }

  get virtual(): boolean {
    return this.clock.kind === 'virtual';
  }

  now(): number {
    return this.clock.now();
  }

  // ---------------------------------------------------------------- timers and soft events

  at(when: number, fire: () => void): Timer {
    const t = this.timers.add(when, fire);
    this.idleKick?.();
    return t;
  }

  after(delayNs: number, fire: () => void): Timer {
    return this.at(this.now() + Math.max(0, delayNs), fire);
  }

  cancel(t: Timer | null | undefined): void {
    if (t) this.timers.cancel(t);
  }

  /**
   * Run `fn` at the current time, after whatever is running now: the kernel's soft interrupts
   * (a packet crossing a wire, a frame handed to a host). Runs in FIFO order, never re-entrantly.
   */
  soon(fn: () => void): void {
    this.soft.push(fn);
    this.idleKick?.();
    if (!this.softScheduled) {
      this.softScheduled = true;
      queueMicrotask(this.drainSoft);
    }
  }

  private readonly drainSoft = (): void => {
    this.softDrains++;
    // Soft events may queue more; they run in this same drain, in order.
    for (let i = 0; i < this.soft.length; i++) {
      try {
        this.soft[i]!();
      } catch (err) {
        this.onPanic(err);
      }
    }
    this.soft = [];
    this.softScheduled = false;
  };

  // ---------------------------------------------------------------- tasks and waiting

  createTask(owner: TaskOwner): Task {
    const t = new Task(this, owner);
    this.tasks.add(t);
    this.runnable++;
    return t;
  }

  /** The task is gone: whatever it was waiting for will never resume it. */
  exitTask(task: Task): void {
    const w = task.waiter;
    if (w) this.detach(w);
    if (task.state === 'runnable') this.lessRunnable();
    task.state = 'exited';
    this.tasks.delete(task);
  }

  private lessRunnable(): void {
    if (--this.runnable === 0) {
      this.settledWaiter?.();
      // A run loop resting while tasks ran outside the kernel looks again at once.
      this.idleKick?.();
    }
  }

  sleep(task: Task, queues: readonly WaitQueue[], opts: SleepOptions): Promise<WakeReason> {
    if (task.state === 'exited') return never();
    if (opts.interruptible && task.owner.hasDeliverableSignal()) return Promise.resolve('signal');
    if (opts.deadline !== undefined && opts.deadline <= this.now()) return Promise.resolve('timeout');
    return new Promise<WakeReason>((resolve) => {
      const w: Waiter = {
        task,
        queues,
        timer: null,
        interruptible: opts.interruptible,
        syscall: opts.syscall,
        channel: opts.channel,
        resolve,
      };
      for (const q of queues) q.waiters.add(w);
      if (opts.deadline !== undefined) w.timer = this.at(opts.deadline, () => this.finish(w, 'timeout'));
      task.waiter = w;
      task.state = 'blocked';
      this.lessRunnable();
    });
  }

  /** Sleep until a deadline with nothing else to wake the task (nanosleep). */
  sleepUntil(task: Task, deadline: number, opts: BlockInfo & { interruptible: boolean }): Promise<WakeReason> {
    return this.sleep(task, [], { ...opts, deadline });
  }

  /** A signal arrived: an interruptible sleep ends with 'signal'. */
  interrupt(task: Task): boolean {
    const w = task.waiter;
    if (!w || !w.interruptible) return false;
    this.finish(w, 'signal');
    return true;
  }

  /** @internal used by WaitQueue */
  finish(w: Waiter, reason: WakeReason): void {
    if (w.task.waiter !== w) return;
    this.detach(w);
    w.task.state = 'runnable';
    w.task.watchedCalls = -1;
    this.runnable++;
    w.resolve(reason);
  }

  private detach(w: Waiter): void {
    for (const q of w.queues) q.waiters.delete(w);
    this.cancel(w.timer);
    w.timer = null;
    w.task.waiter = null;
  }

  /** Count one syscall of `task`; true when the caller should preempt() before going on. */
  tick(task: Task): boolean {
    task.syscalls++;
    this.sinceIdle++;
    this.idleKick?.();
    // Each task's own count: when one task yields must not depend on what other hosts are doing.
    if (--task.budget > 0) return false;
    task.budget = PREEMPT_EVERY;
    return true;
  }

  /** A syscall copied this many bytes: counted as work (see BYTES_PER_UNIT). */
  moved(bytes: number): void {
    this.sinceIdle += Math.floor(bytes / BYTES_PER_UNIT);
  }

  /**
   * Let the rest of the machine run: a task that makes many syscalls without ever blocking would
   * otherwise keep Node's event loop from the terminal, real sockets and the run loop. The task
   * stays runnable meanwhile, so virtual time does not move under it.
   */
  preempt(): Promise<void> {
    if (this.sinceIdle > BUSY_AFTER && this.clock instanceof VirtualClock) {
      // A busy machine: the syscalls since the last charge took their time (see BUSY_AFTER).
      const owed = this.sinceIdle - Math.max(this.charged, BUSY_AFTER);
      this.charged = this.sinceIdle;
      this.clock.advanceTo(this.now() + owed * BUSY_SYSCALL_NS);
      this.fireDue();
    }
    this.yielding++;
    return new Promise<void>((resolve) =>
      this.loop.immediate(() => {
        this.yielding--;
        resolve();
      }),
    );
  }

  // ---------------------------------------------------------------- outside input

  /**
   * Something outside the world (the terminal, a real UDP socket) may still inject events: while
   * one is registered, blocked tasks are waiting for it, not deadlocked. Returns the release.
   */
  holdExternal(): () => void {
    this.externals++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.externals--;
        this.idleKick?.();
      }
    };
  }

  /**
   * Real I/O a task is waiting on that takes no time in the world (loading a program's module):
   * the clock must not move until it is done. Returns the release.
   */
  holdTime(): () => void {
    this.working++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        if (--this.working === 0) {
          const waiting = this.ioWaiters;
          this.ioWaiters = [];
          for (const go of waiting) go();
        }
        this.idleKick?.();
      }
    };
  }

  /**
   * In virtual time, while real I/O is in flight, a task entering a syscall waits here until it is
   * done. How far the other tasks got when the I/O completed would otherwise depend on the real
   * machine's speed; stopped at their next syscall they are always at the same point, and a run
   * stays byte-identical to the last. Null when there is nothing to wait for.
   */
  ioBarrier(): Promise<void> | null {
    if (this.working === 0 || !(this.clock instanceof VirtualClock)) return null;
    return new Promise<void>((resolve) => this.ioWaiters.push(resolve));
  }

  /** An outside event happened (real time): have the run loop look again. */
  kick(): void {
    this.idleKick?.();
  }

  // ---------------------------------------------------------------- the run loop

  async run(opts: RunOptions = {}): Promise<RunOutcome> {
    const until = opts.until ?? (() => this.tasks.size === 0);
    for (;;) {
      await this.settle();
      this.throwIfFailed();
      if (until()) return { kind: 'done' };
      if (this.soft.length > 0) {
        this.drainSoft();
        continue;
      }
      if (this.yielding > 0 || this.runnable > 0) {
        // Runnable tasks hold virtual time (rule 1) until they block, exit or overrun a slice.
        if (this.clock instanceof VirtualClock) {
          // Time moved under a busy machine (rule 3): the limit holds all the same.
          if (opts.timeLimit !== undefined && this.now() > opts.timeLimit) return this.stuck('time-limit');
        } else {
          // Real time passes whether or not a task computes: due timers fire beside it.
          const due = this.timers.peek();
          if (due && due.when <= this.now()) this.fireDue();
        }
        if (this.yielding === 0 && this.sinceIdle === this.lastSinceIdle && this.working === 0) {
          // No call since the last look: the runnable tasks run outside the kernel. Watch their
          // slices, and rest a moment rather than spin (a call or a wake-up ends the rest).
          this.watchSlices();
          await this.idle(OUTSIDE_POLL_MS * 1e6);
        }
        this.lastSinceIdle = this.sinceIdle;
        continue;
      }
      this.sinceIdle = 0;
      this.lastSinceIdle = 0;
      this.charged = 0;
      if (this.working > 0) {
        await this.idle(null);
        continue;
      }
      const next = this.timers.peek();
      if (opts.untilIdle && !(next && next.when <= this.now())) return { kind: 'done' };
      if (this.clock instanceof VirtualClock) {
        if (next) {
          if (opts.timeLimit !== undefined && next.when > opts.timeLimit) return this.stuck('time-limit');
          this.clock.advanceTo(next.when);
          this.fireDue();
          continue;
        }
        if (this.externals > 0) {
          await this.idle(null);
          continue;
        }
        return this.stuck('deadlock');
      }
      if (next && next.when <= this.now()) {
        this.fireDue();
        continue;
      }
      if (!next && this.externals === 0) return this.stuck('deadlock');
      await this.idle(next ? next.when - this.now() : null);
      this.fireDue();
    }
  }

  private settle(): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        if (this.settledWaiter === finish) this.settledWaiter = null;
        resolve();
      };
      if (this.runnable === 0 && this.soft.length === 0 && this.yielding === 0) {
        // Let whatever is queued right now run first.
        queueMicrotask(finish);
      } else {
        // Until every task blocks, or, at the latest, the next turn of Node's event loop. Tasks
        // nearly always block first: one pending turn serves every settle until it comes, rather
        // than an Immediate per timer fired, each left to run for nothing.
        this.settledWaiter = finish;
        if (!this.turnPending) {
          this.turnPending = true;
          this.loop.immediate(this.nextTurn);
        }
      }
    });
  }

  private turnPending = false;
  private readonly nextTurn = (): void => {
    this.turnPending = false;
    this.settledWaiter?.();
  };

  /**
   * Rule 3's CPU slice: a runnable task whose call count has not moved for a whole slice of real
   * time is told (its process gets SIGXCPU, then SIGKILL).
   */
  private watchSlices(): void {
    const now = this.loop.monotonicNs();
    for (const t of this.tasks) {
      if (t.state !== 'runnable') continue;
      if (t.watchedCalls !== t.syscalls) {
        t.watchedCalls = t.syscalls;
        t.watchedSince = now;
        t.slicesOverrun = 0;
      } else if (now - t.watchedSince >= this.cpuSliceNs) {
        t.watchedSince = now;
        t.owner.overran(++t.slicesOverrun);
      }
    }
  }

  private stuck(kind: 'deadlock' | 'time-limit'): RunOutcome {
    // Runnable ones are reported too: computing at a time limit, or stalled outside the kernel.
    const blocked = [...this.tasks].filter((t) => t.state !== 'exited');
    return { kind, blocked };
  }

  private fireDue(): void {
    const now = this.now();
    for (let t = this.timers.peek(); t && t.when <= now; t = this.timers.peek()) {
      this.timers.pop();
      try {
        t.fire();
      } catch (err) {
        this.onPanic(err);
      }
    }
  }

  /** Wait (in real time) for the next timer or an outside event. */
  private idle(delayNs: number | null): Promise<void> {
    return new Promise<void>((resolve) => {
      let cancel: (() => void) | null = null;
      const done = () => {
        cancel?.();
        this.idleKick = null;
        resolve();
      };
      this.idleKick = done;
      if (delayNs !== null) cancel = this.loop.timeout(Math.max(0, Math.ceil(delayNs / 1e6)), done);
    });
  }

  private throwIfFailed(): void {
    if (this.failure !== null) {
      const f = this.failure;
      this.failure = null;
      throw f;
    }
  }
}
