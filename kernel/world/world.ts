// A world: hosts sharing one scheduler, one event bus and one seeded random source. It boots hosts,
// starts processes on them, and runs until a condition holds or nothing more can happen.

import type { Program } from '../abi/program.js';
import { EventBus } from '../obs/events.js';
import { nodePort } from '../port/node.js';
import type { HostPort } from '../port/port.js';
import { Kernel, type KernelLimits, type WorldLink } from '../kernel.js';
import { type Clock, DEFAULT_VIRTUAL_EPOCH_NS, RealClock, VirtualClock } from '../sched/clock.js';
import { formatDeadlock } from '../sched/deadlock.js';
import type { BinFs } from '../vfs/binfs.js';
import { HostShare } from '../vfs/hostfs.js';
import { Random } from '../sched/random.js';
import { type RunOutcome, Scheduler } from '../sched/scheduler.js';

/** Where programs come from: the userland registry, or a test's own programs. */
export interface ProgramSource {
  names(): readonly string[];
  /** One line about the program, written into its /bin file for `help`. */
  summary?(name: string): string | undefined;
  load(name: string): Promise<Program | undefined>;
}

export interface WorldOptions {
  clock?: 'virtual' | 'real';
  seed?: number | string;
  /** Wall-clock time at boot in virtual time (ns since the Unix epoch). */
  epochNs?: number;
  programs: ProgramSource;
  limits?: Partial<KernelLimits>;
  /** A real directory every host mounts at /host. */
  share?: string;
  /** Treat an errno a syscall does not declare in kernel/abi as a kernel bug (the test suite). */
  checkErrno?: boolean;
  /** The machine underneath (Node's, unless a test or another host gives its own). */
  port?: HostPort;
  /** A task's CPU slice in real ms: how long it may run its own code without a system call. */
  cpuSliceMs?: number;
}

export class World implements WorldLink {
  readonly sched: Scheduler;
  readonly events = new EventBus();
  readonly random: Random;
  readonly port: HostPort;
  readonly hosts = new Map<string, Kernel>();
  private readonly programs: ProgramSource;
  private readonly extraPrograms = new Map<string, Program>();
  /** One /bin for every host, as one packagefs image is shared by every boot of a system. */
  private bin: BinFs | null = null;
  /** The --share directory, mounted by every host (they agree on who owns its files). */
  private readonly share: HostShare | null;

  constructor(readonly opts: WorldOptions) {
    this.port = opts.port ?? nodePort;
    const clock: Clock = opts.clock === 'real' ? new RealClock(this.port) : new VirtualClock(opts.epochNs ?? DEFAULT_VIRTUAL_EPOCH_NS);
    this.sched = new Scheduler(clock, this.port, opts.cpuSliceMs !== undefined ? BigInt(Math.round(opts.cpuSliceMs * 1e6)) : undefined);
    this.random = new Random(opts.seed ?? 1);
    this.programs = opts.programs;
    this.share = opts.share ? new HostShare(opts.share, this.port.files) : null;
  }

  hostNames(): string[] {
    return [...this.hosts.keys()];
  }

  host(name: string): Kernel | undefined {
    return this.hosts.get(name);
  }

  mustHost(name: string): Kernel {
    const k = this.hosts.get(name);
    if (!k) throw new Error(`no host named ${JSON.stringify(name)} in this world`);
    return k;
  }

  addHost(name: string): Kernel {
    if (this.hosts.has(name)) throw new Error(`host ${name} exists already`);
    const k = new Kernel({
      hostname: name,
      scheduler: this.sched,
      events: this.events,
      random: this.random.fork(`host:${name}`),
      loadProgram: (n) => this.loadProgram(n),
      programs: this.bin
        ? []
        : [
            ...this.programs.names().map((n) => ({ name: n, summary: this.programs.summary?.(n) ?? '' })),
            ...[...this.extraPrograms.values()].map((p) => ({ name: p.name, summary: p.summary })),
          ],
      bin: this.bin ?? undefined,
      world: this,
      limits: this.opts.limits,
      share: this.share ?? undefined,
      checkErrno: this.opts.checkErrno,
      port: this.port,
    });
    this.bin ??= k.bin;
    this.hosts.set(name, k);
    return k;
  }

  /** A program loaded at run time (`tunlab --load prog.js`): installed on every host as /bin/NAME. */
  addProgram(p: Program): void {
    this.extraPrograms.set(p.name, p);
    // Every host shares the one /bin.
    if (this.bin) this.bin.add(p.name, p.summary);
  }

  private async loadProgram(name: string): Promise<Program | undefined> {
    return this.extraPrograms.get(name) ?? this.programs.load(name);
  }

  run(opts: { until?: () => boolean; timeLimitNs?: number; untilIdle?: boolean } = {}): Promise<RunOutcome> {
    return this.sched.run({ until: opts.until, timeLimit: opts.timeLimitNs, untilIdle: opts.untilIdle });
  }

  /** The text to show when a run ended blocked. */
  describeStuck(outcome: RunOutcome): string {
    if (outcome.kind === 'done') return '';
    return formatDeadlock(outcome.kind, outcome.blocked);
  }
}
