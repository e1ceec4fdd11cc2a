// A session: one world booted from a world file, with the userland programs installed, and a shell
// on one of its hosts talking to the outside through terminal devices. The tunlab command, the
// scenario tests and the benchmarks all start here.

import * as path from 'node:path';
import * as fs from 'node:fs';
import type { Program } from '../kernel/abi/program.js';
import { O_RDONLY, O_RDWR } from '../kernel/abi/fcntl.js';
import type { Terminal } from '../kernel/drivers/tty/tty.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Process } from '../kernel/proc/process.js';
import { SIGINT, SIGNAL_NAMES, SIGNAL_TEXTS, SIGPIPE, SIGSEGV } from '../kernel/abi/signal.js';
import { WIFSIGNALED, WTERMSIG } from '../kernel/abi/wait.js';
import type { OpenFile } from '../kernel/vfs/file.js';
import { ShareError } from '../kernel/vfs/hostfs.js';
import { type BuiltWorld, bootWorld, loadWorldFile } from '../kernel/world/build.js';
import type { RunOutcome, Scheduler } from '../kernel/sched/scheduler.js';
import { userlandPrograms } from '../userland/bin/registry.js';
import { DEFAULT_WORLD, GUEST_RUNTIME } from './paths.js';
import { describeGuest, guestProgram, NotAProgram } from '../kernel/proc/guest.js';
import type { World } from '../kernel/world/world.js';
import { parseCidr, parseForward, UplinkError } from '../kernel/world/uplink.js';

export interface SessionOptions {
  worldFile?: string;
  host?: string;
  clock: 'virtual' | 'real';
  seed?: number;
  /** Trace every process of the shell's host to this sink (strace format). */
  trace?: boolean;
  load?: string[];
  share?: string;
  /** Run the shell with this uid (0, Haiku's "user", by default). */
  uid?: number;
  /** --forward udp:REALPORT:HOST:PORT and tcp:REALPORT:HOST:PORT rules for the uplink. */
  forwards?: string[];
  /** --uplink-allow CIDR blocks beyond loopback. */
  uplinkAllow?: string[];
}

export class SessionError extends Error {}

export class Session {
  readonly built: BuiltWorld;
  readonly host: Kernel;

  private constructor(
    built: BuiltWorld,
    host: Kernel,
    readonly opts: SessionOptions,
  ) {
    this.built = built;
    this.host = host;
  }

  get world() {
    return this.built.world;
  }

  static async create(opts: SessionOptions): Promise<Session> {
    const file = opts.worldFile ?? DEFAULT_WORLD;
    let built: BuiltWorld;
    try {
      built = loadWorldFile(file, { programs: userlandPrograms, clock: opts.clock, seed: opts.seed ?? 1, share: opts.share, checkErrno: process.env.TUNLAB_CHECK_ERRNO === '1' });
    } catch (e) {
      if (e instanceof ShareError) throw new SessionError(e.message);
      throw e;
    }
    for (const p of opts.load ?? []) built.world.addProgram(await loadUserProgram(built.world, p));
    const hostName = opts.host ?? built.spec.hosts[0]!.name;
    const host = built.world.host(hostName);
    if (!host) throw new SessionError(`no host ${JSON.stringify(hostName)} in ${path.basename(file)} (hosts: ${built.world.hostNames().join(', ')})`);
    writeEtcHosts(built);
    const forwards = opts.forwards ?? [];
    const allow = opts.uplinkAllow ?? [];
    if ((forwards.length || allow.length) && !built.uplink) throw new SessionError(`${path.basename(file)} has no uplink (a world file's "uplink" field) for --forward or --uplink-allow`);
    try {
      await built.uplink?.configure(forwards.map(parseForward), allow.map(parseCidr));
    } catch (e) {
      built.uplink?.close();
      if (e instanceof UplinkError) throw new SessionError(e.message.replace(/^uplink: /, ''));
      throw e;
    }
    await bootWorld(built);
    return new Session(built, host, opts);
  }

  /** Let go of everything real: the uplink's sockets. */
  close(): void {
    this.built.uplink?.close();
  }

  /**
   * Start a shell on the session's host. `tty` gives it one terminal for fds 0-2 (the interactive
   * case); otherwise stdout and stderr are separate non-terminal streams and stdin is /dev/null.
   * A real stream (process.stdout) as a sink brings its backpressure: see streamSink.
   */
  async startShell(args: string[], io: { tty: true } | { tty: false; out: Sink; err: Sink }) {
    const k = this.host;
    let files: OpenFile[];
    let terminal: Terminal | null = null;
    if (io.tty) {
      terminal = k.ttys.create(true);
      const f = await k.openKernel(`/dev/${terminal.path}`, O_RDWR);
      files = [f, f, f];
    } else {
      const out = k.ttys.create(false);
      const err = k.ttys.create(false);
      this.sink(out, io.out);
      this.sink(err, io.err);
      files = [
        await k.openKernel('/dev/null', O_RDONLY),
        await k.openKernel(`/dev/${out.path}`, O_RDWR),
        await k.openKernel(`/dev/${err.path}`, O_RDWR),
      ];
    }
    if (this.opts.trace) k.procs.traceAll = files[2]!;
    const uid = this.opts.uid ?? 0;
    const shell: Process = await k.spawn(null, '/bin/sh', ['sh', ...args], {
      files,
      cwd: '/boot/home',
      uid,
      gid: uid,
      env: { PATH: '/bin', HOME: '/boot/home', USER: uid === 0 ? 'user' : String(uid), SHELL: '/bin/sh', TERM: 'xterm-256color' },
    });
    if (terminal) terminal.foregroundPgid = shell.pgid;
    return { shell, terminal };
  }

  private sink(t: Terminal, sink: Sink): void {
    if (typeof sink === 'function') t.onOutput = sink;
    else streamSink(t, sink, this.world.sched);
  }

  /**
   * What to tell the user when the session's own shell did not exit but was killed ("Killed",
   * or a crash with the kernel log's line about it), as a parent shell reports a killed job; null
   * when it exited, or died of a signal the user meant (SIGINT, SIGPIPE).
   */
  shellEnd(shell: Process): string | null {
    if (!WIFSIGNALED(shell.status)) return null;
    const sig = WTERMSIG(shell.status);
    if (sig === SIGINT || sig === SIGPIPE) return null;
    const crash = sig === SIGSEGV ? this.host.log.snapshot().findLast((l) => l.includes(`[${shell.pid}]: crashed:`)) : undefined;
    const what = `${SIGNAL_NAMES[sig] ?? `signal ${sig}`} (${SIGNAL_TEXTS[sig] ?? 'killed'})`;
    return `the shell (pid ${shell.pid}) was killed by ${what}${crash ? `; the kernel log says: ${crash.replace(/^\[[^\]]*\]\s*/, '')}` : ''}`;
  }

  run(until: () => boolean, timeLimitNs?: number): Promise<RunOutcome> {
    return this.world.run({ until, timeLimitNs });
  }
}

/** Where a non-terminal stdout or stderr goes: a callback, or a real stream. */
export type Sink = ((d: Uint8Array) => void) | NodeJS.WritableStream;

/**
 * Output to a real stream, with its backpressure: when the stream's buffer is full (its reader is
 * slower than the script), the terminal's writers wait, and virtual time with them, until it
 * drains. `tunlab -c yes | slow-reader` then holds one buffer, not gigabytes.
 */
function streamSink(t: Terminal, stream: NodeJS.WritableStream, sched: Scheduler): void {
  let release: (() => void) | null = null;
  t.onOutput = (d) => {
    const ok = stream.write(d);
    if (!ok && !release) {
      release = sched.holdTime();
      stream.once('drain', () => {
        release?.();
        release = null;
        t.drained();
      });
    }
    return ok;
  };
}

/**
 * /etc/hosts on every host: localhost and every host's first address, so `ping vpn` works. Written
 * as the kernel's own setup is (MemFsRoot.later): a host whose file system nobody has used yet
 * makes its volume when first looked at, where writing now would make every host's at start (the
 * default world's router and intranet: 2 of its 4, unused by a script that never reaches them).
 */
function writeEtcHosts(built: BuiltWorld): void {
  const lines = ['127.0.0.1\tlocalhost'];
  for (const h of built.spec.hosts) {
    const a = h.nics.find((n) => n.address)?.address;
    if (a) lines.push(`${[a.addr >>> 24, (a.addr >>> 16) & 255, (a.addr >>> 8) & 255, a.addr & 255].join('.')}\t${h.name}`);
  }
  const text = lines.join('\n') + '\n';
  for (const k of built.world.hosts.values()) k.root.later(() => k.root.install('etc/hosts', text));
}

/**
 * `--load prog.js`: a module whose default export is a program made with defineProgram. It runs as
 * a guest, in a thread of its own (kernel/proc/guest.ts): its name and summary are read there too,
 * so none of its code ever runs in the kernel's thread.
 */
async function loadUserProgram(world: World, file: string): Promise<Program> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new SessionError(`--load ${file}: cannot load: no such file`);
  let about: { name: string; summary: string };
  try {
    about = await describeGuest(world.port, GUEST_RUNTIME, abs);
  } catch (e) {
    if (e instanceof NotAProgram) throw new SessionError(`--load ${file}: ${e.message}`);
    throw new SessionError(`--load ${file}: cannot load: ${(e as Error).message}`);
  }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(about.name)) throw new SessionError(`--load ${file}: invalid program name ${JSON.stringify(about.name)}`);
  return guestProgram(world.port, GUEST_RUNTIME, abs, about.name, about.summary);
}
