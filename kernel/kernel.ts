// One emulated host's kernel: its file systems, devices, processes, network stack and log. Hosts of
// a world share one scheduler and one event bus, and nothing else.

import { SysError } from './abi/errno.js';
import { O_RDONLY } from './abi/fcntl.js';
import { TIOCSPGRP } from './abi/ioctl.js';
import { PROGRAM_MAGIC, type Program } from './abi/program.js';
import type { ProcessInfo, SpawnOptions } from './abi/syscalls.js';
import { DEFAULT_MAX_FDS, FdTable, release } from './proc/fd-table.js';
import { Process, type ProcessHost } from './proc/process.js';
import { makeSys } from './proc/sys.js';
import { exitedStatus, signaledStatus } from './abi/wait.js';
import { SIGSEGV } from './abi/signal.js';
import type { EventBus } from './events.js';
import type { Random } from './sched/random.js';
import type { Scheduler } from './sched/scheduler.js';
import { DevFs } from './vfs/devfs.js';
import type { IoContext, OpenFile } from './vfs/file.js';
import { permits } from './vfs/filesystem.js';
import { HostFs, type HostShare } from './vfs/hostfs.js';
import { MemFsRoot } from './vfs/memfs-root.js';
import { DEFAULT_FS_LIMITS, type FsLimits } from './vfs/fs-quota.js';
import { BinFs } from './vfs/binfs.js';
import { Vfs } from './vfs/vfs.js';
import { KernelLog } from './log.js';
import { installBaseDevices } from './drivers/base.js';
import { NetStack } from './net/stack.js';
import { installBridges } from './net/iface/bridge.js';
import { installTunDriver, type TunDriver } from './drivers/tun/driver.js';

export type ProgramLoader = (name: string) => Promise<Program | undefined>;

/** What a kernel may ask of the world it lives in. */
export interface WorldLink {
  hostNames(): string[];
  host(name: string): Kernel | undefined;
}

export interface KernelLimits {
  /** Open fds per process (RLIMIT_NOFILE): EMFILE beyond. */
  maxFds: number;
  /** Processes per host: EAGAIN from spawn beyond, as fork() gives. */
  maxProcs: number;
  /** Bytes a pipe holds before writers block. */
  pipeCapacity: number;
  /** The root file system's size and inodes, as tmpfs's size= and nr_inodes=: ENOSPC beyond. */
  disk: FsLimits;
}

export const DEFAULT_LIMITS: KernelLimits = { maxFds: DEFAULT_MAX_FDS, maxProcs: 1024, pipeCapacity: 65536, disk: DEFAULT_FS_LIMITS };

export interface KernelOptions {
  hostname: string;
  scheduler: Scheduler;
  events: EventBus;
  random: Random;
  loadProgram: ProgramLoader;
  /** Built-in programs, installed as /bin/<name>. */
  programs: ReadonlyArray<{ name: string; summary: string }>;
  world?: WorldLink;
  limits?: Partial<KernelLimits>;
  /** A real directory to mount at /host (--share), one for the whole world. */
  share?: HostShare;
  /** The /bin every host of a world shares; a kernel on its own makes one. */
  bin?: BinFs;
}

export const KERNEL_TEAM_PID = 1;

/**
 * What a successful execve returns to the syscall gate: the old program's flow ends there, and
 * the gate starts the new one once the call is reported (strace shows execve before what follows).
 */
export class Execed {
  constructor(readonly start: () => void) {}
}

const KERNEL_IO: IoContext = {
  get task(): never {
    throw new Error('the kernel opened a file that wants to block');
  },
  uid: 0,
  gid: 0,
  pid: KERNEL_TEAM_PID,
  syscall: 'open',
  raise() {},
};

export class Kernel implements ProcessHost {
  readonly name: string;
  readonly sched: Scheduler;
  readonly events: EventBus;
  readonly random: Random;
  readonly limits: KernelLimits;
  readonly vfs = new Vfs();
  readonly root: MemFsRoot;
  readonly devfs: DevFs;
  readonly log: KernelLog;
  readonly bin: BinFs;
  readonly procs = new Map<number, Process>();
  readonly bootNs: number;
  world: WorldLink | null;
  readonly net: NetStack;
  readonly tun: TunDriver;
  /** Trace every process of this host (`tunlab --trace`). */
  traceAll: OpenFile | null = null;
  private nextPid = KERNEL_TEAM_PID + 1;
  private readonly loadProgram: ProgramLoader;

  constructor(opts: KernelOptions) {
    this.name = opts.hostname;
    this.sched = opts.scheduler;
    this.events = opts.events;
    this.random = opts.random;
    this.loadProgram = opts.loadProgram;
    this.world = opts.world ?? null;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.bootNs = this.sched.now();
    const now = () => this.sched.clock.wallNs();
    this.root = new MemFsRoot(1, now, this.limits.disk);
    this.devfs = new DevFs(2, now);
    this.log = new KernelLog(this, 1000);
    this.bin = opts.bin ?? new BinFs(4, this.wallNs());
    this.layoutRoot();
    for (const p of opts.programs) this.installProgram(p.name, p.summary);
    this.vfs.mount('/', this.root);
    this.vfs.mount('/bin', this.bin);
    this.vfs.mount('/dev', this.devfs);
    if (opts.share) {
      this.root.installDir('host');
      this.vfs.mount('/host', new HostFs(3, opts.share, now, (line) => this.log.write(line)));
    }
    installBaseDevices(this);
    this.net = new NetStack(this);
    this.tun = installTunDriver(this);
    installBridges(this);
  }

  /** Haiku's tree: /boot/home for the user, /bin for commands, /var/log for the syslog. */
  private layoutRoot(): void {
    const r = this.root;
    r.installDir(''); // the root itself: drwxr-xr-x, owned by the kernel clock
    for (const d of ['boot', 'boot/system', 'boot/home', 'boot/home/config', 'boot/home/config/settings', 'bin', 'dev', 'etc', 'var', 'var/log'])
      r.installDir(d);
    r.installDir('tmp', 0o1777);
    r.installDir('boot/home/Desktop');
    r.install('etc/hostname', `${this.name}\n`);
    r.install('etc/motd', `Welcome to ${this.name}, a tunlab host.\n`);
    r.install('var/log/syslog', '');
  }

  /** Make a program runnable as /bin/<name>. */
  installProgram(name: string, summary = ''): void {
    this.bin.add(name, summary);
  }

  /**
   * Open a file for the kernel itself (a front end's terminal, a boot process's stdio): as root,
   * from a context that must not block.
   */
  async openKernel(path: string, flags: number): Promise<OpenFile> {
    const r = this.vfs.resolve('/', path);
    const file = await r.fs.open(r.rel, flags, 0o644, { uid: 0, gid: 0 }, KERNEL_IO);
    file.flags = flags & 0x0883;
    return file;
  }

  wallNs(): number {
    return this.sched.clock.wallNs();
  }

  // ------------------------------------------------------------------ processes

  processByPid(pid: number): Process | undefined {
    return this.procs.get(pid);
  }

  /**
   * Create a process running the executable at `path`. The file must exist and be executable; a
   * "#!tunlab-program NAME" file runs that built-in program, a "#!INTERPRETER" file runs the
   * interpreter with the file as its first argument (scripts for /bin/sh).
   */
  async spawn(
    parent: Process | null,
    path: string,
    argv: string[],
    opts: SpawnOptions & { inheritFrom?: Process; files?: OpenFile[] } = {},
  ): Promise<Process> {
    if (this.procs.size >= this.limits.maxProcs) throw new SysError('EAGAIN', 'process limit reached');
    const cred = parent ?? { uid: 0, gid: 0, cwd: '/boot/home' };
    const cwd = opts.cwd ?? cred.cwd;
    const { program, argv: finalArgv } = await this.loadExecutable(cwd, path, argv, cred);
    const uid = opts.uid ?? cred.uid;
    const gid = opts.gid ?? cred.gid;
    if ((opts.uid !== undefined || opts.gid !== undefined) && cred.uid !== 0) throw new SysError('EPERM');

    const fds = new FdTable(this.limits.maxFds);
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
            if (!e || !Number.isInteger(to) || to < 0 || to >= this.limits.maxFds) throw new SysError('EBADF');
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
    const p = new Process(this, pid, parent, pgid, uid, gid, cwd, env, finalArgv, command, fds, this.sched.now());
    p.task = this.sched.createTask(p);
    if (parent) parent.children.add(p);
    if (opts.trace) {
      const traceFrom = parent ?? source;
      if (!traceFrom) throw new SysError('EINVAL');
      p.tracer = { file: traceFrom.fds.get(opts.trace.fd), followForks: opts.trace.followForks ?? false };
      p.tracer.file.refs++;
    } else if (parent?.tracer?.followForks) {
      p.tracer = parent.tracer;
      p.tracer.file.refs++;
    }
    this.procs.set(pid, p);
    if (this.events.listening('process')) this.events.emit('process', { host: this.name, pid, command, what: 'spawn' });
    this.run(p, program);
    return p;
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
    p.command = basename(finalArgv[0] ?? program.name);
    this.sched.exitTask(p.task);
    p.task = this.sched.createTask(p);
    if (this.events.listening('process')) this.events.emit('process', { host: this.name, pid: p.pid, command: p.command, what: 'spawn' });
    return new Execed(() => this.run(p, program));
  }

  private run(p: Process, program: Program): void {
    const sys = makeSys(this, p);
    Promise.resolve()
      .then(() => program.main(p.argv, sys))
      .then(
        (code) => p.exit(exitedStatus(typeof code === 'number' ? code : 0)),
        (err) => this.crash(p, err),
      );
  }

  /** A program threw: it dies like a crashed process; the kernel and everyone else carry on. */
  private crash(p: Process, err: unknown): void {
    if (!p.alive) return;
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.log.write(`${p.command}[${p.pid}]: crashed: ${what}`);
    p.exit(signaledStatus(SIGSEGV));
  }

  async loadExecutable(
    cwd: string,
    path: string,
    argv: string[],
    cred: { uid: number; gid: number },
    depth = 0,
  ): Promise<{ program: Program; argv: string[] }> {
    const r = this.vfs.resolve(cwd, path);
    const st = r.fs.stat(r.rel, true, cred);
    if ((st.st_mode & 0o170000) === 0o040000) throw new SysError('EACCES');
    if (!permits(st, cred, 1) || (st.st_mode & 0o111) === 0) throw new SysError('EACCES');
    const head = this.readHead(r.path);
    if (head.startsWith(PROGRAM_MAGIC)) {
      const name = head.slice(PROGRAM_MAGIC.length).trim();
      // Loading a program's module is real I/O outside the world: time must wait for it.
      const release = this.sched.holdTime();
      let program: Program | undefined;
      try {
        program = await this.loadProgram(name);
      } finally {
        release();
      }
      if (!program) throw new SysError('ENOEXEC', `no program ${name}`);
      return { program, argv };
    }
    if (head.startsWith('#!') && depth < 4) {
      const [interp, ...iargs] = head.slice(2).trim().split(/\s+/);
      if (!interp) throw new SysError('ENOEXEC');
      return this.loadExecutable(cwd, interp, [interp, ...iargs, r.path, ...argv.slice(1)], cred, depth + 1);
    }
    throw new SysError('ENOEXEC');
  }

  /** The first line of a file, read by the kernel itself (exec's header check). */
  private readHead(path: string): string {
    const r = this.vfs.resolve('/', path);
    const opened = r.fs.open(r.rel, O_RDONLY, 0, { uid: 0, gid: 0 }, undefined as never);
    if (opened instanceof Promise) throw new SysError('ENOEXEC');
    const f: OpenFile = opened;
    try {
      const bytes = f.read(undefined as never, 256) as Uint8Array;
      const text = Buffer.from(bytes).toString('latin1');
      const nl = text.indexOf('\n');
      return nl >= 0 ? text.slice(0, nl) : text;
    } finally {
      f.close();
    }
  }

  onProcessExit(p: Process): void {
    // A run loop idling in real time may be waiting for exactly this.
    this.sched.kick();
    if (this.events.listening('process'))
      this.events.emit('process', { host: this.name, pid: p.pid, command: p.command, what: 'exit', status: p.status });
    if (p.tracer) {
      const t = p.tracer;
      p.tracer = null;
      t.file.refs--;
      if (t.file.refs === 0) t.file.close();
    }
    // Orphans go to the kernel team, which reaps them as they exit.
    for (const c of p.children) {
      c.parent = null;
      if (!c.alive) this.procs.delete(c.pid);
    }
    p.children.clear();
    if (!p.parent) this.procs.delete(p.pid);
  }

  /** waitpid's end: the zombie is gone. */
  reap(p: Process): void {
    p.parent?.children.delete(p);
    this.procs.delete(p.pid);
  }

  processTable(): ProcessInfo[] {
    const rows: ProcessInfo[] = [
      { pid: KERNEL_TEAM_PID, ppid: 0, pgid: KERNEL_TEAM_PID, uid: 0, gid: 0, state: 'sleeping', command: 'kernel_team', args: ['kernel_team'], wchan: '', startNs: this.bootNs },
    ];
    for (const p of [...this.procs.values()].sort((a, b) => a.pid - b.pid)) {
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
      });
    }
    return rows;
  }

  /** Signal every process of a group; ESRCH when there is none. */
  signalGroup(pgid: number, signo: number): number {
    let n = 0;
    for (const p of [...this.procs.values()]) {
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
