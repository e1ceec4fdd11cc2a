// The processes of one host: pids, spawn and exec, the program loader, exits and reaping, and the
// table `ps` reads. A process runs a Program (userland's main) with a Sys handle the kernel makes
// for it; this table only asks for one, so it knows nothing of how system calls are dispatched.

import { SysError } from '../abi/errno.js';
import { O_RDONLY } from '../abi/fcntl.js';
import { TIOCSPGRP } from '../abi/ioctl.js';
import { PROGRAM_MAGIC, type Program } from '../abi/program.js';
import { SIGKILL, SIGSEGV, SIGXCPU } from '../abi/signal.js';
import type { ProcessInfo, SpawnOptions, Sys } from '../abi/syscalls.js';
import { exitedStatus, signaledStatus } from '../abi/wait.js';
import type { EventBus } from '../obs/events.js';
import type { KernelLog } from '../obs/log.js';
import type { Scheduler, Task } from '../sched/scheduler.js';
import type { OpenFile } from '../vfs/file.js';
import { permits } from '../vfs/filesystem.js';
import type { Vfs } from '../vfs/vfs.js';
import { FdTable, release } from './fd-table.js';
import type { KernelLimits } from './limits.js';
import { Process, sortGroups, type ProcessHost } from './process.js';
import { TraceLogs } from './trace-log.js';

export type ProgramLoader = (name: string) => Promise<Program | undefined>;

/** The pid of the kernel team, which adopts orphans (Haiku's "kernel_team", Linux's init). */
export const KERNEL_TEAM_PID = 1;

/**
 * What a successful execve returns to the syscall gate: the old program's flow ends there, and
 * the gate starts the new one once the call is reported (strace shows execve before what follows).
 */
export class Execed {
  constructor(readonly start: () => void) {}
}

export interface ProcessTableDeps {
  readonly host: string;
  readonly sched: Scheduler;
  readonly events: EventBus;
  readonly log: KernelLog;
  readonly vfs: Vfs;
  readonly limits: KernelLimits;
  readonly loadProgram: ProgramLoader;
  /** The system call handle a process's program receives (or one of its threads, on its task). */
  makeSys(p: Process, task?: Task): Sys;
}

export type SpawnRequest = SpawnOptions & { inheritFrom?: Process; files?: OpenFile[] };

/** What a program the kernel itself hosts (a guest's relay) may do besides main: know its image. */
export interface ImageHooks {
  /** Run `fn` when the image ends (the process exits or execs another program). */
  atEnd(fn: () => void): void;
  /**
   * The image is being loaded outside the world (a guest's thread starting): time waits for it, and
   * it is not the program's CPU time. Returns the release.
   */
  loading(): () => void;
}

/** A program the kernel hosts: main with the image's hooks (kernel/proc/guest.ts). */
export interface HostedProgram extends Program {
  hostedMain(argv: string[], sys: Sys, image: ImageHooks): Promise<number | void>;
}

function isHosted(p: Program): p is HostedProgram {
  return typeof (p as Partial<HostedProgram>).hostedMain === 'function';
}

export class ProcessTable implements ProcessHost {
  readonly byPid = new Map<number, Process>();
  readonly bootNs: number;
  /** Trace every process of this host (`tunlab --trace`). */
  traceAll: OpenFile | null = null;
  /** What each trace file ends with, shared by the processes that write to it. */
  readonly traceLogs = new TraceLogs();
  private nextPid = KERNEL_TEAM_PID + 1;
  private nextThreadId = 1;

  constructor(private readonly d: ProcessTableDeps) {
    this.bootNs = d.sched.now();
  }

  get name(): string {
    return this.d.host;
  }

  processByPid(pid: number): Process | undefined {
    return this.byPid.get(pid);
  }

  /**
   * Create a process running the executable at `path`. The file must exist and be executable; a
   * "#!tunlab-program NAME" file runs that built-in program, a "#!INTERPRETER" file runs the
   * interpreter with the file as its first argument (scripts for /bin/sh).
   */
  async spawn(parent: Process | null, path: string, argv: string[], opts: SpawnRequest = {}): Promise<Process> {
    const d = this.d;
    if (this.byPid.size >= d.limits.maxProcs) throw new SysError('EAGAIN', 'process limit reached');
    const cred = parent ?? { uid: 0, gid: 0, cwd: '/boot/home' };
    const cwd = opts.cwd ?? cred.cwd;
    const { program, argv: finalArgv } = await this.loadExecutable(cwd, path, argv, cred);
    const uid = opts.uid ?? cred.uid;
    const gid = opts.gid ?? cred.gid;
    if ((opts.uid !== undefined || opts.gid !== undefined || opts.groups !== undefined) && cred.uid !== 0) throw new SysError('EPERM');
    const fds = this.childFds(parent, opts);
    const env = new Map<string, string>(
      opts.env ? Object.entries(opts.env) : parent ? parent.env : [['PATH', '/bin'], ['HOME', '/boot/home']],
    );
    const pid = this.nextPid++;
    const pgid = opts.pgid === undefined ? (parent?.pgid ?? pid) : opts.pgid === 0 ? pid : opts.pgid;
    if (opts.tcsetpgrp !== undefined && parent) {
      // Best effort, as a shell's own tcsetpgrp: an fd that is no terminal (stdin redirected
      // from a file for a group of commands) is left alone.
      try {
        await parent.fds.get(opts.tcsetpgrp).ioctl(parent.ioContext('spawn'), TIOCSPGRP, { value: pgid });
      } catch {
        // not a terminal, or closed: nothing to hand over
      }
    }
    const command = basename(finalArgv[0] ?? program.name);
    const p = new Process(this, pid, parent, pgid, uid, gid, cwd, env, finalArgv, command, fds, d.sched.now());
    if (opts.forkImage !== undefined) p.forkImage = opts.forkImage;
    p.groups = opts.groups ? sortGroups(opts.groups) : [...(parent?.groups ?? [])];
    if (parent) p.umask = parent.umask;
    p.task = d.sched.createTask(p);
    if (parent) parent.children.add(p);
    const source = opts.inheritFrom ?? parent;
    if (opts.trace) {
      const traceFrom = parent ?? source;
      if (!traceFrom) throw new SysError('EINVAL');
      p.tracer = { file: traceFrom.fds.get(opts.trace.fd), followForks: opts.trace.followForks ?? false, rootPid: pid };
      p.tracer.file.refs++;
    } else if (parent?.tracer?.followForks) {
      p.tracer = parent.tracer;
      p.tracer.file.refs++;
    }
    this.byPid.set(pid, p);
    if (d.events.listening('process')) d.events.emit('process', { host: d.host, pid, command, what: 'spawn' });
    this.run(p, program);
    return p;
  }

  /** The child's fd table, from explicit files, an fd map, posix_spawn actions or inheritance. */
  private childFds(parent: Process | null, opts: SpawnRequest): FdTable {
    const fds = new FdTable(this.d.limits.maxFds);
    const source = opts.inheritFrom ?? parent;
    try {
      if (opts.files) {
        opts.files.forEach((f, i) => fds.installAt(i, f));
      } else if (opts.fds) {
        opts.fds.forEach((from, i) => {
          if (from >= 0 && source) fds.installAt(i, source.fds.get(from));
        });
      } else if (source && opts.fileActions) {
        // posix_spawn: the actions see the whole table; close-on-exec fds go only afterwards.
        const table = new Map<number, { file: OpenFile; cloexec: boolean }>();
        for (const [fd, f] of source.fds.entries()) table.set(fd, { file: f, cloexec: source.fds.getCloexec(fd) });
        for (const a of opts.fileActions) {
          if ('dup2' in a) {
            const [from, to] = a.dup2;
            const e = table.get(from);
            if (!e || !Number.isInteger(to) || to < 0 || to >= this.d.limits.maxFds) throw new SysError('EBADF');
            table.set(to, { file: e.file, cloexec: false });
          } else table.delete(a.close);
        }
        for (const [fd, e] of table) if (!e.cloexec) fds.installAt(fd, e.file);
      } else if (source) {
        for (const [fd, f] of source.fds.inheritable()) fds.installAt(fd, f);
      }
    } catch (e) {
      // A bad fd in the request: nothing half-built may keep files open.
      for (const f of fds.clear()) release(f);
      throw e;
    }
    return fds;
  }

  /**
   * execve: the process becomes another program. Same pid, parent, fds (less the close-on-exec
   * ones), credentials and ignored signals; handlers go back to their defaults; the old program's
   * flow never resumes.
   */
  async exec(p: Process, path: string, argv: string[], env?: Record<string, string>): Promise<Execed> {
    const { program, argv: finalArgv } = await this.loadExecutable(p.cwd, path, argv, p);
    for (const [fd] of p.fds.entries()) if (p.fds.getCloexec(fd)) release(p.fds.remove(fd));
    for (const [signo, h] of [...p.handlers]) if (h !== 'SIG_IGN') p.handlers.delete(signo);
    p.pending.length = 0;
    if (env) {
      p.env.clear();
      for (const [k, v] of Object.entries(env)) p.env.set(k, v);
    }
    p.argv = finalArgv;
    p.forkImage = null;
    p.command = basename(finalArgv[0] ?? program.name);
    p.endImage();
    const sched = this.d.sched;
    p.endThreads();
    sched.exitTask(p.task);
    p.task = sched.createTask(p);
    if (this.d.events.listening('process')) this.d.events.emit('process', { host: this.d.host, pid: p.pid, command: p.command, what: 'spawn' });
    return new Execed(() => this.run(p, program));
  }

  private run(p: Process, program: Program): void {
    const sys = this.d.makeSys(p);
    const image: ImageHooks = { atEnd: (fn) => void p.imageEnd.push(fn), loading: () => this.d.sched.holdTime() };
    Promise.resolve()
      .then(() => (isHosted(program) ? program.hostedMain(p.argv, sys, image) : program.main(p.argv, sys)))
      .then(
        (code) => p.exit(exitedStatus(typeof code === 'number' ? code : 0)),
        (err) => this.crash(p, err),
      );
  }

  /**
   * spawn_thread: `entry` runs on a task of its own in `p` (sharing its fds, signals and exit);
   * when it returns the thread ends, when it throws the process crashes as its main flow would.
   */
  spawnThread(p: Process, entry: (sys: Sys) => Promise<unknown>): number {
    const task = this.d.sched.createTask(p);
    p.threads.add(task);
    const sys = this.d.makeSys(p, task);
    const end = () => {
      if (p.threads.delete(task)) this.d.sched.exitTask(task);
    };
    Promise.resolve()
      .then(() => entry(sys))
      .then(end, (err) => {
        end();
        this.crash(p, err);
      });
    return this.nextThreadId++;
  }

  /** A program threw: it dies like a crashed process; the kernel and everyone else carry on. */
  private crash(p: Process, err: unknown): void {
    if (!p.alive) return;
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.d.log.write(`${p.command}[${p.pid}]: crashed: ${what}`);
    p.exit(signaledStatus(SIGSEGV));
  }

  async loadExecutable(
    cwd: string,
    path: string,
    argv: string[],
    cred: { uid: number; gid: number },
    depth = 0,
  ): Promise<{ program: Program; argv: string[] }> {
    const r = this.d.vfs.resolve(cwd, path);
    const st = r.fs.stat(r.rel, true, cred);
    if ((st.st_mode & 0o170000) === 0o040000) throw new SysError('EACCES');
    if (!permits(st, cred, 1) || (st.st_mode & 0o111) === 0) throw new SysError('EACCES');
    const head = this.readHead(r.path);
    if (head.startsWith(PROGRAM_MAGIC)) {
      const name = head.slice(PROGRAM_MAGIC.length).trim();
      // Loading a program's module is real I/O outside the world: time must wait for it.
      const release = this.d.sched.holdTime();
      let program: Program | undefined;
      try {
        program = await this.d.loadProgram(name);
      } finally {
        release();
      }
      if (!program) throw new SysError('ENOEXEC', `no program ${name}`);
      return { program, argv };
    }
    if (head.startsWith('#!') && depth < 4) {
      const [interp, ...iargs] = head.slice(2).trim().split(/\s+/);
      if (!interp) throw new SysError('ENOEXEC');
      // The script as the caller named it (Linux's bprm->filename): its $0 is `./run.sh`, not a
      // path the caller never wrote.
      return this.loadExecutable(cwd, interp, [interp, ...iargs, path, ...argv.slice(1)], cred, depth + 1);
    }
    throw new SysError('ENOEXEC');
  }

  /** The first line of a file, read by the kernel itself (exec's header check). */
  private readHead(path: string): string {
    const r = this.d.vfs.resolve('/', path);
    const opened = r.fs.open(r.rel, O_RDONLY, 0, { uid: 0, gid: 0 }, undefined as never);
    if (opened instanceof Promise) throw new SysError('ENOEXEC');
    const f: OpenFile = opened;
    try {
      const bytes = f.read(undefined as never, 256) as Uint8Array;
      const text = new TextDecoder('latin1').decode(bytes);
      const nl = text.indexOf('\n');
      return nl >= 0 ? text.slice(0, nl) : text;
    } finally {
      f.close();
    }
  }

  onProcessExit(p: Process): void {
    const d = this.d;
    // A run loop idling in real time may be waiting for exactly this.
    d.sched.kick();
    if (d.events.listening('process')) d.events.emit('process', { host: d.host, pid: p.pid, command: p.command, what: 'exit', status: p.status });
    this.traceEnd(p);
    if (p.tracer) {
      const t = p.tracer;
      p.tracer = null;
      t.file.refs--;
      if (t.file.refs === 0) t.file.close();
    }
    // Orphans go to the kernel team, which reaps them as they exit.
    for (const c of p.children) {
      c.parent = null;
      if (!c.alive) this.byPid.delete(c.pid);
    }
    p.children.clear();
    if (!p.parent) this.byPid.delete(p.pid);
  }

  /**
   * The end of a traced process, as strace writes it: the call it died in, and its
   * `+++ exited with N +++` where a tracer follows it (strace reports its own child itself). The
   * lines go out without waiting: the process is gone, and a full trace pipe loses them.
   */
  private traceEnd(p: Process): void {
    const sinks: Array<readonly [OpenFile, boolean]> = [];
    if (p.tracer) sinks.push([p.tracer.file, p.tracer.followForks && p.tracer.rootPid !== p.pid]);
    if (this.traceAll) sinks.push([this.traceAll, true]);
    const call = p.tracedCall;
    p.tracedCall = null;
    if (sinks.length === 0) return;
    const prefix = p.tracer?.followForks || this.traceAll ? `[pid ${String(p.pid).padStart(5)}] ` : '';
    for (const [sink, text] of this.traceLogs.died(sinks, call, prefix, p.status)) {
      try {
        const done = sink.write(p.ioContext('trace'), new TextEncoder().encode(text));
        if (done instanceof Promise) done.catch(() => {});
      } catch {
        // the tracer went away
      }
    }
  }

  /**
   * A whole CPU slice of real time in its own code without a system call: SIGXCPU (RLIMIT_CPU's
   * soft limit), and SIGKILL a slice later if it is still there (the hard limit).
   */
  overran(p: Process, slices: number): void {
    const secs = Number(this.d.sched.cpuSliceNs) / 1e9;
    const signo = slices === 1 ? SIGXCPU : SIGKILL;
    this.d.log.write(`${p.command}[${p.pid}]: ran ${secs * slices} s without a system call: ${signo === SIGXCPU ? 'SIGXCPU' : 'SIGKILL'}`);
    p.signal(signo);
  }

  /** waitpid's end: the zombie is gone. */
  reap(p: Process): void {
    p.parent?.children.delete(p);
    this.byPid.delete(p.pid);
  }

  /** The rows `ps` shows: the kernel team, then every process in pid order. */
  list(): ProcessInfo[] {
    const rows: ProcessInfo[] = [
      { pid: KERNEL_TEAM_PID, ppid: 0, pgid: KERNEL_TEAM_PID, uid: 0, gid: 0, state: 'sleeping', command: 'kernel_team', args: ['kernel_team'], wchan: '', startNs: this.bootNs },
    ];
    for (const p of [...this.byPid.values()].sort((a, b) => a.pid - b.pid)) {
      const blocked = p.task.blockedOn;
      rows.push({
        pid: p.pid,
        ppid: p.parent?.pid ?? KERNEL_TEAM_PID,
        pgid: p.pgid,
        uid: p.uid,
        gid: p.gid,
        state: !p.alive ? 'zombie' : p.stopped ? 'stopped' : blocked ? 'sleeping' : 'running',
        command: p.command,
        args: [...p.argv],
        wchan: blocked?.syscall ?? '',
        startNs: p.startNs,
        ...socketsOf(p),
      });
    }
    return rows;
  }

  /** Signal every process of a group; how many were signalled. */
  signalGroup(pgid: number, signo: number): number {
    let n = 0;
    for (const p of [...this.byPid.values()]) {
      if (p.pgid === pgid && p.alive) {
        p.signal(signo);
        n++;
      }
    }
    return n;
  }
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** A process's socket fds with their inodes, for ss -p; nothing when it has none. */
function socketsOf(p: Process): { sockets?: Array<{ fd: number; ino: number }> } {
  const sockets = p.fds
    .entries()
    .filter(([, f]) => f.kind === 'sock')
    .map(([fd, f]) => ({ fd, ino: f.stat().st_ino }));
  return sockets.length ? { sockets } : {};
}
