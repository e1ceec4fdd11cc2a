// Jobs: the pipelines a shell started, waited for in the foreground or left running in the
// background (`&`, `jobs`, `wait`, `fg`, `bg`, `kill %N`). An interactive shell gives each job its
// own process group and hands it the terminal while it runs in the foreground, so ^C and ^Z reach
// the job and not the shell; a job that ^Z (or SIGTTIN, SIGSTOP) stopped waits in the table for
// `fg` or `bg`.

import { isSysError } from '../../../kernel/abi/errno.js';
import { SIGCONT, SIGHUP, SIGINT, SIGNAL_TEXTS, SIGPIPE } from '../../../kernel/abi/signal.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { WCONTINUED, WIFCONTINUED, WIFSIGNALED, WIFSTOPPED, WNOHANG, WSTOPSIG, WTERMSIG, WUNTRACED, shellStatus } from '../../../kernel/abi/wait.js';

export interface Job {
  id: number;
  pgid: number;
  pids: number[];
  /** Wait status per pid, once it ended. */
  statuses: Map<number, number>;
  command: string;
  /** Set when a background job's end was reported at a prompt. */
  reported: boolean;
  /** The wait status of the stop while the job is stopped (WIFSTOPPED), else null. */
  stopped: number | null;
  /** Set once the stop was announced. */
  stopReported: boolean;
}

/** Finished jobs a shell without job control keeps for `jobs` (bash's list is bounded too). */
const MAX_DONE = 64;
/** Statuses of reaped background processes kept for `wait PID`, as bash keeps its bgpids. */
const MAX_REAPED = 1024;

export class JobTable {
  readonly jobs: Job[] = [];
  /** Exit statuses of background processes reaped before anyone waited for them, by pid. */
  private readonly reaped = new Map<number, number>();
  /** Command lines run so far, and the one at which leaving was refused for stopped jobs. */
  private lines = 0;
  private warnedAt: number | null = null;

  constructor(
    private readonly sys: Sys,
    private readonly jobControl: () => boolean,
    private readonly shellPgid: () => number,
    /** Writes one line of the shell's own to stderr (with "sh: line N: " in a script). */
    private readonly say: (line: string) => Promise<void>,
  ) {}

  /** A background job: numbered, one past the highest number in use (bash's), and listed by `jobs`. */
  add(pids: number[], pgid: number, command: string): Job {
    const job = this.make(pids, pgid, command);
    job.id = this.nextNumber();
    this.jobs.push(job);
    return job;
  }

  private nextNumber(): number {
    return this.jobs.reduce((max, j) => Math.max(max, j.id), 0) + 1;
  }

  /**
   * Reap, without blocking, every background process that has ended, as bash's SIGCHLD handler
   * does: before a new job starts, so a script that starts thousands never runs into the process
   * limit with zombies. The shell waits for its foreground children itself, so between commands
   * any child waitpid(-1) finds is a background one.
   */
  async reapFinished(): Promise<void> {
    if (!this.jobs.some((j) => !this.done(j))) return;
    for (;;) {
      let r: { pid: number; status: number };
      try {
        r = await this.sys.waitpid(-1, WNOHANG);
      } catch (e) {
        if (isSysError(e, 'ECHILD') || isSysError(e, 'EINTR')) break;
        throw e;
      }
      if (r.pid === 0) break;
      this.remember(r.pid, r.status);
      this.jobs.find((j) => j.pids.includes(r.pid))?.statuses.set(r.pid, r.status);
    }
    if (!this.jobControl()) this.trimDone();
  }

  private remember(pid: number, status: number): void {
    this.reaped.set(pid, status);
    if (this.reaped.size > MAX_REAPED) this.reaped.delete(this.reaped.keys().next().value!);
  }

  /** The status of a background process reaped earlier, for `wait PID` (undefined if unknown). */
  reapedStatus(pid: number): number | undefined {
    return this.reaped.get(pid);
  }

  /** Without job control nobody is told of finished jobs: keep the last MAX_DONE for `jobs`. */
  private trimDone(): void {
    let done = this.jobs.filter((j) => this.done(j)).length;
    for (let i = 0; i < this.jobs.length && done > MAX_DONE; ) {
      if (this.done(this.jobs[i]!)) {
        this.jobs.splice(i, 1);
        done--;
      } else i++;
    }
  }

  /**
   * May the interactive shell leave? Not at the first attempt while jobs are stopped: bash says
   * "There are stopped jobs." and stays; a second attempt in a row leaves (and hangs them up).
   */
  mayLeave(): boolean {
    if (!this.jobs.some((j) => j.stopped !== null)) return true;
    if (this.warnedAt !== null && this.warnedAt >= this.lines - 1) return true;
    this.warnedAt = this.lines;
    return false;
  }

  /** The user has seen the jobs (`jobs`): leaving now needs no warning, as in bash. */
  jobsShown(): void {
    this.warnedAt = this.lines;
  }

  /** A command line ran: an attempt to leave after it is a new first attempt. */
  lineRan(): void {
    this.lines++;
  }

  /** A foreground job: waited for at once, never numbered (as in bash). */
  make(pids: number[], pgid: number, command: string): Job {
    return { id: 0, pgid, pids, statuses: new Map(), command, reported: false, stopped: null, stopReported: false };
  }

  done(job: Job): boolean {
    return job.pids.every((p) => job.statuses.has(p));
  }

  find(spec: string): Job | undefined {
    const live = this.jobs.filter((j) => !this.done(j) || !j.reported);
    if (spec === '%%' || spec === '%+' || spec === '%') return live[live.length - 1];
    if (spec === '%-') return live[live.length - 2];
    const m = /^%(\d+)$/.exec(spec);
    if (m) return this.jobs.find((j) => j.id === Number(m[1]));
    const prefix = spec.replace(/^%/, '');
    return live.find((j) => j.command.startsWith(prefix));
  }

  /** Wait for every process of a job; its status is the last command's (or the first failure, with pipefail). */
  async wait(job: Job, pipefail: boolean, foreground: boolean): Promise<number> {
    const sys = this.sys;
    const untraced = this.jobControl();
    const tty = foreground && untraced;
    // `wait` for a stopped job does not continue it (nor wait for ever): it says it is stopped.
    if (!foreground && job.stopped !== null) return 128 + WSTOPSIG(job.stopped);
    if (tty) await sys.tcsetpgrp(0, job.pgid).catch(() => {});
    try {
      // fg of a stopped job: the terminal is the job's, now it may go on.
      if (job.stopped !== null) await this.resume(job);
      for (const pid of job.pids) {
        while (!job.statuses.has(pid)) {
          try {
            const r = untraced ? await sys.waitpid(pid, WUNTRACED) : await sys.waitpid(pid);
            if (WIFSTOPPED(r.status)) {
              if (foreground) await this.stopped(job, r.status);
              else job.stopped = r.status;
              return 128 + WSTOPSIG(r.status);
            }
            job.statuses.set(r.pid, r.status);
          } catch (e) {
            if (isSysError(e, 'EINTR')) continue;
            if (isSysError(e, 'ECHILD')) job.statuses.set(pid, 0);
            else throw e;
          }
        }
      }
    } finally {
      if (tty) await sys.tcsetpgrp(0, this.shellPgid()).catch(() => {});
    }
    job.reported = true;
    if (foreground) await this.reportKilled(job);
    return this.statusOf(job, pipefail);
  }

  /**
   * The interactive shell leaves: its stopped jobs would stay stopped for ever with nobody to
   * continue them, so they get SIGHUP then SIGCONT, as the kernel treats an orphaned stopped group.
   */
  async hangUpStopped(): Promise<void> {
    for (const job of this.jobs) {
      if (job.stopped === null) continue;
      await this.sys.kill(-job.pgid, SIGHUP).catch(() => {});
      await this.sys.kill(-job.pgid, SIGCONT).catch(() => {});
    }
  }

  /** SIGCONT to the job's group: it runs again (in whichever of fore- or background it is). */
  async resume(job: Job): Promise<void> {
    job.stopped = null;
    job.stopReported = false;
    await this.sys.kill(-job.pgid, SIGCONT).catch(() => {});
  }

  /** A foreground job stopped (^Z): it joins the table, numbered, and the user is told, as bash does. */
  private async stopped(job: Job, status: number): Promise<void> {
    job.stopped = status;
    if (!this.jobs.includes(job)) {
      job.id = this.nextNumber();
      this.jobs.push(job);
    } else {
      // The current job (`%+`) is the one that stopped last.
      this.jobs.splice(this.jobs.indexOf(job), 1);
      this.jobs.push(job);
    }
    job.stopReported = true;
    // The terminal has echoed ^Z and its newline: the line follows straight on.
    await this.say(this.line(job));
  }

  /**
   * As bash: a foreground job that a signal ended says which ("Killed", "Segmentation fault": a
   * program that crashed), except SIGINT and SIGPIPE, which the user or the pipe meant. A script
   * names the process and command too.
   */
  private async reportKilled(job: Job): Promise<void> {
    const pid = job.pids[job.pids.length - 1]!;
    const status = job.statuses.get(pid) ?? 0;
    if (!WIFSIGNALED(status)) return;
    const sig = WTERMSIG(status);
    if (sig === SIGINT || sig === SIGPIPE) return;
    const text = this.describe(job);
    await this.say(this.jobControl() ? text : `${pid} ${text.padEnd(24)}${job.command}`);
  }

  statusOf(job: Job, pipefail: boolean): number {
    const statuses = job.pids.map((p) => job.statuses.get(p) ?? 0);
    if (pipefail) {
      for (let i = statuses.length - 1; i >= 0; i--) if (shellStatus(statuses[i]!) !== 0) return shellStatus(statuses[i]!);
      return 0;
    }
    return shellStatus(statuses[statuses.length - 1]!);
  }

  /** Collect the statuses of background processes that ended, without blocking. */
  async reap(): Promise<void> {
    for (const job of this.jobs) {
      for (const pid of job.pids) {
        if (job.statuses.has(pid)) continue;
        try {
          const r = await this.sys.waitpid(pid, WNOHANG | (this.jobControl() ? WUNTRACED | WCONTINUED : 0));
          if (r.pid !== pid) continue;
          if (WIFCONTINUED(r.status)) {
            // `kill -CONT %1`: running again, in the background.
            job.stopped = null;
          } else if (WIFSTOPPED(r.status)) {
            // A background job stopped (SIGTTIN when it read the terminal): told at the next prompt.
            job.stopped = r.status;
            job.stopReported = false;
          } else {
            job.statuses.set(pid, r.status);
            job.stopped = null;
          }
        } catch (e) {
          if (isSysError(e, 'ECHILD')) job.statuses.set(pid, 0);
          else if (!isSysError(e, 'EINTR')) throw e;
        }
      }
    }
  }

  /** The state word `jobs` prints: Running, Done, Exit N, or the signal's name. */
  describe(job: Job): string {
    if (job.stopped !== null) return SIGNAL_TEXTS[WSTOPSIG(job.stopped)] ?? 'Stopped';
    if (!this.done(job)) return 'Running';
    const last = job.statuses.get(job.pids[job.pids.length - 1]!) ?? 0;
    if (WIFSIGNALED(last)) return SIGNAL_TEXTS[WTERMSIG(last)] ?? `Signal ${WTERMSIG(last)}`;
    const s = shellStatus(last);
    return s === 0 ? 'Done' : `Exit ${s}`;
  }

  line(job: Job): string {
    const marker = job === this.jobs[this.jobs.length - 1] ? '+' : job === this.jobs[this.jobs.length - 2] ? '-' : ' ';
    return `[${job.id}]${marker}  ${this.describe(job).padEnd(24)}${job.command}`;
  }

  /** Lines announcing background jobs that finished since the last prompt; forgets them. */
  async notifications(): Promise<string[]> {
    await this.reap();
    const out: string[] = [];
    for (const job of this.jobs) {
      if (this.done(job) && !job.reported) {
        out.push(this.line(job));
        job.reported = true;
      } else if (job.stopped !== null && !job.stopReported) {
        out.push(this.line(job));
        job.stopReported = true;
      }
    }
    this.prune();
    return out;
  }

  prune(): void {
    for (let i = this.jobs.length - 1; i >= 0; i--) if (this.done(this.jobs[i]!) && this.jobs[i]!.reported) this.jobs.splice(i, 1);
  }
}
