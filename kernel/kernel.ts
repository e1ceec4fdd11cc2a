// One emulated host's kernel: composition only. It builds the host's file systems, devices,
// process table, network stack and log from the layers below, wires each to the narrow services
// it asks for, and hands programs the system call gate. Hosts of a world share one scheduler and
// one event bus, and nothing else.

import { O_ACCMODE, O_APPEND, O_NONBLOCK } from './abi/fcntl.js';
import type { Sys } from './abi/syscalls.js';
import { installBaseDevices } from './drivers/base.js';
import type { DriverEnv } from './drivers/env.js';
import { NicDriver } from './drivers/ethernet/nic.js';
import { TtyDriver } from './drivers/tty/tty.js';
import { TunDriver } from './drivers/tun/driver.js';
import { installBridges } from './net/iface/bridge.js';
import { NetStack } from './net/iface/stack.js';
import { SocketLayer } from './net/socket/sockets.js';
import { TcpProtocol } from './net/socket/tcp-protocol.js';
import { UdpProtocol } from './net/udp/udp.js';
import type { EventBus } from './obs/events.js';
import { KernelLog } from './obs/log.js';
import { DEFAULT_LIMITS, type KernelLimits } from './proc/limits.js';
import type { Process } from './proc/process.js';
import { type ProgramLoader, ProcessTable, type SpawnRequest } from './proc/table.js';
import type { HostPort } from './port/port.js';
import type { Random } from './sched/random.js';
import type { Scheduler, Task } from './sched/scheduler.js';
import type { HostDirectory } from './syscalls/context.js';
import { type GateHost, makeSys } from './syscalls/gate.js';
import { BinFs } from './vfs/binfs.js';
import { DevFs } from './vfs/devfs.js';
import type { IoContext, OpenFile } from './vfs/file.js';
import { HostFs, type HostShare } from './vfs/hostfs.js';
import { MemFsRoot } from './vfs/memfs-root.js';
import { PipeFs } from './vfs/pipe.js';
import { syslogWriter } from './vfs/syslog.js';
import { TableFs } from './vfs/tablefs.js';
import { Vfs } from './vfs/vfs.js';

export type { KernelLimits } from './proc/limits.js';
export type { ProgramLoader } from './proc/table.js';

/** What a kernel may ask of the world it lives in. */
export interface WorldLink extends HostDirectory {
  host(name: string): Kernel | undefined;
}

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
  /** Fail loudly when a call raises an errno its abi list does not declare (the test suite). */
  checkErrno?: boolean;
  /** The machine underneath: real randomness for /dev/random in real time. */
  port: HostPort;
}

/** The context of files the kernel opens for itself: root, and never blocking. */
const KERNEL_IO: IoContext = {
  get task(): never {
    throw new Error('the kernel opened a file that wants to block');
  },
  uid: 0,
  gid: 0,
  pid: 1,
  syscall: 'open',
  raise() {},
};

export class Kernel implements GateHost {
  readonly name: string;
  readonly sched: Scheduler;
  readonly events: EventBus;
  readonly random: Random;
  readonly limits: KernelLimits;
  readonly checkErrno: boolean;
  readonly vfs = new Vfs();
  readonly root: MemFsRoot;
  readonly devfs: DevFs;
  readonly pipes: PipeFs;
  readonly bin: BinFs;
  readonly log: KernelLog;
  readonly procs: ProcessTable;
  readonly net: NetStack;
  readonly sockets: SocketLayer;
  /** /proc: the sysctl values (/proc/sys); /sys: module parameters. */
  readonly procfs: TableFs;
  readonly sysfs: TableFs;
  readonly tun: TunDriver;
  readonly nics: NicDriver;
  readonly ttys: TtyDriver;
  world: WorldLink | null;

  constructor(opts: KernelOptions) {
    this.name = opts.hostname;
    this.sched = opts.scheduler;
    this.events = opts.events;
    this.random = opts.random;
    this.world = opts.world ?? null;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.checkErrno = opts.checkErrno ?? false;
    const now = () => this.wallNs();
    this.root = new MemFsRoot(1, now, this.limits.disk);
    this.devfs = new DevFs(2, now);
    this.pipes = new PipeFs(this.limits.pipeCapacity, now);
    this.bin = opts.bin ?? new BinFs(4, now());
    this.log = new KernelLog(this.name, this.sched, this.events);
    this.log.sink = syslogWriter(this.root, now);
    this.layoutRoot();
    for (const p of opts.programs) this.bin.add(p.name, p.summary);
    this.vfs.mount('/', this.root);
    this.vfs.mount('/bin', this.bin);
    this.vfs.mount('/dev', this.devfs);
    if (opts.share) {
      this.root.later(() => this.root.installDir('host'));
      this.vfs.mount('/host', new HostFs(3, opts.share, now, (line) => this.log.write(line)));
    }
    this.procs = new ProcessTable({
      host: this.name,
      sched: this.sched,
      events: this.events,
      log: this.log,
      vfs: this.vfs,
      limits: this.limits,
      loadProgram: opts.loadProgram,
      makeSys: (p: Process, task?: Task): Sys => makeSys(this, p, task),
    });
    installBaseDevices(this.devfs, this.sched.virtual ? this.random.fork('dev/random') : opts.port);
    this.ttys = new TtyDriver({ devfs: this.devfs, jobs: this.procs, kick: () => this.sched.kick() });
    this.net = new NetStack({ host: this.name, timers: this.sched, random: this.random, log: this.log, events: this.events });
    const tcp = new TcpProtocol(this.net);
    this.sockets = new SocketLayer(this.net, new UdpProtocol(this.net), tcp);
    this.procfs = new TableFs(5, 'proc', now);
    this.sysfs = new TableFs(6, 'sys', now);
    let files: ReturnType<typeof tcp.files> | null = null;
    this.procfs.addLater(() => [...(files ??= tcp.files()).proc, ...this.sockets.files()]);
    this.sysfs.addLater(() => (files ??= tcp.files()).sys);
    this.root.later(() => {
      this.root.installDir('proc', 0o555);
      this.root.installDir('sys', 0o555);
    });
    this.vfs.mount('/proc', this.procfs);
    this.vfs.mount('/sys', this.sysfs);
    const drivers: DriverEnv = { devfs: this.devfs, net: this.net, log: this.log, random: this.random };
    this.tun = new TunDriver(drivers);
    this.nics = new NicDriver(this.net, this.devfs, this.name);
    installBridges(this.net);
  }

  /** Haiku's tree: /boot/home for the user, /bin for commands, /var/log for the syslog. */
  private layoutRoot(): void {
    this.root.later(() => this.installLayout());
  }

  private installLayout(): void {
    const r = this.root;
    r.installDir(''); // the root itself: drwxr-xr-x, owned by the kernel clock
    for (const d of ['boot', 'boot/system', 'boot/home', 'boot/home/config', 'boot/home/config/settings', 'bin', 'dev', 'etc', 'var', 'var/log'])
      r.installDir(d);
    r.installDir('tmp', 0o1777);
    r.installDir('boot/home/Desktop');
    r.install('etc/hostname', `${this.name}\n`);
    r.install('etc/motd', `Welcome to ${this.name}, a tunlab host.\n`);
    // Haiku's accounts: its one user "user" has uid 0, in group 0 "root" (getpwuid, id, su, sg).
    r.install('etc/passwd', 'user:x:0:0:user:/boot/home:/bin/sh\n');
    r.install('etc/group', 'root:x:0:\n');
    r.install('var/log/syslog', '');
  }

  wallNs(): number {
    return this.sched.clock.wallNs();
  }

  /**
   * Open a file for the kernel itself (a front end's terminal, a boot process's stdio): as root,
   * from a context that must not block.
   */
  async openKernel(path: string, flags: number): Promise<OpenFile> {
    const r = this.vfs.resolve('/', path);
    const file = await r.fs.open(r.rel, flags, 0o644, { uid: 0, gid: 0 }, KERNEL_IO);
    file.flags = flags & (O_ACCMODE | O_NONBLOCK | O_APPEND);
    return file;
  }

  /** Start a process with no parent (a boot command, a session's shell, a test's program). */
  spawn(parent: Process | null, path: string, argv: string[], opts?: SpawnRequest): Promise<Process> {
    return this.procs.spawn(parent, path, argv, opts);
  }
}
