// The robustness suites' harness: worlds whose kernel exceptions are caught and shown, programs
// run under a virtual-time bound (and an output and wall-clock bound, for programs that never
// block), killed when they overrun, and a heap measure with a real garbage collection.
//
// A kernel exception reaches Scheduler.onPanic (a soft interrupt or a timer that throws, a syscall
// that throws something other than a SysError); the default handler makes the next world.run()
// reject. guard() keeps that and also records every panic, so a test can assert there were none
// even where a run was not awaited to its end.

import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { O_RDWR } from '../../kernel/abi/fcntl.js';
import type { Program } from '../../kernel/abi/program.js';
import { SIGKILL } from '../../kernel/abi/signal.js';
import { WEXITSTATUS, WIFSIGNALED, WTERMSIG } from '../../kernel/abi/wait.js';
import type { Kernel, KernelLimits } from '../../kernel/kernel.js';
import type { Process } from '../../kernel/proc/process.js';
import type { RunOutcome } from '../../kernel/sched/scheduler.js';
import { buildWorld } from '../../kernel/world/build.js';
import { parseWorldFile } from '../../kernel/world/world-file.js';
import type { World } from '../../kernel/world/world.js';
import { userlandPrograms } from '../../userland/bin/registry.js';
import { ROUTED_WORLD } from '../helpers/net.js';
import { programsOf, testWorld } from '../helpers/world.js';

/** Property-test budget (test/unit/wire/runs.ts): FUZZ_RUNS=200000 for the long run. */
export const numRuns = Number(process.env.FUZZ_RUNS ?? 2000);
/** The long run: floods go to a million only then (a million takes ~10 s of wall time each). */
export const longRun = numRuns >= 20_000;
/** A test's time budget that grows with the number of cases (vitest's default is 30 s). */
export const budgetMs = (perCaseMs: number) => Math.max(30_000, numRuns * perCaseMs);

/** Record every kernel exception of the world; the scheduler still fails the next run with it. */
export function guard(w: World): unknown[] {
  const panics: unknown[] = [];
  const previous = w.sched.onPanic;
  w.sched.onPanic = (err) => {
    panics.push(err);
    previous(err);
  };
  return panics;
}

/** Lines of every host's kernel log that report a crashed program (a JavaScript exception in it). */
export function crashes(w: World): string[] {
  return [...w.hosts.values()].flatMap((k) => k.log.snapshot().filter((l) => /crashed:/.test(l)));
}

/** A guarded one-host world with the test's own programs. */
export function guardedWorld(programs: readonly Program[], hosts = ['haiku'], limits?: Partial<KernelLimits>): { w: World; panics: unknown[] } {
  const w = testWorld(programs, limits ? { limits } : {}, hosts);
  return { w, panics: guard(w) };
}

/** The routed world of test/helpers/net.ts (a --lan-- r --wan-- b) with every /bin program. */
export function userlandWorld(extra: readonly Program[] = [], limits?: Partial<KernelLimits>, share?: string): { w: World; panics: unknown[] } {
  const byName = new Map(extra.map((p) => [p.name, p]));
  const programs = {
    names: () => [...userlandPrograms.names(), ...byName.keys()],
    summary: (n: string) => userlandPrograms.summary(n),
    load: async (n: string) => byName.get(n) ?? userlandPrograms.load(n),
  };
  const w = buildWorld(parseWorldFile(JSON.stringify(ROUTED_WORLD)), { programs, seed: 1, checkErrno: true, ...(limits ? { limits } : {}), ...(share ? { share } : {}) }, '.').world;
  return { w, panics: guard(w) };
}

export { programsOf };

export interface Bounded {
  proc: Process;
  out: string;
  /** The exit code, or 128 + signal for a killed or crashed program (as a shell reports it). */
  code: number;
  /** The harness had to kill it (it overran its bound). */
  killed: boolean;
  outcome: RunOutcome;
  /** Virtual nanoseconds the run took. */
  elapsedNs: number;
}

export interface BoundOptions {
  uid?: number;
  /** Typed on the program's terminal, followed by end-of-file. */
  input?: string;
  tty?: boolean;
  /** Virtual-time bound (default 120 s). */
  limitNs?: number;
  /** Output bound, for programs that write forever without blocking (default 256 KiB). */
  maxOutput?: number;
  /** Wall-clock bound, the last resort for a program that neither blocks nor writes (default 10 s). */
  wallMs?: number;
}

/**
 * Run /bin/ARGV0 (or a path) on a host with a fresh terminal as fds 0-2, until it exits or a
 * bound is hit; then every process still alive on the host is killed, so nothing outlives the run.
 */
export async function runBounded(w: World, host: string, argv: string[], opts: BoundOptions = {}): Promise<Bounded> {
  const k = w.mustHost(host);
  const term = k.ttys.create(opts.tty ?? false);
  const chunks: string[] = [];
  let bytes = 0;
  const dec = new TextDecoder();
  const maxOutput = opts.maxOutput ?? 256 * 1024;
  term.onOutput = (d) => {
    bytes += d.length;
    if (bytes <= maxOutput * 2) chunks.push(dec.decode(d, { stream: true }));
  };
  const f = await k.openKernel(`/dev/${term.path}`, O_RDWR);
  if (opts.input !== undefined) {
    term.type(opts.input);
    term.endOfFile();
  }
  const path = argv[0]!.includes('/') ? argv[0]! : `/bin/${argv[0]}`;
  const t0 = w.sched.now();
  const proc = await k.spawn(null, path, argv, { files: [f, f, f], uid: opts.uid, gid: opts.uid });
  const wallEnd = Date.now() + (opts.wallMs ?? 10_000);
  const outcome = await w.run({
    until: () => !proc.alive || bytes > maxOutput || Date.now() > wallEnd,
    timeLimitNs: t0 + (opts.limitNs ?? 120e9),
  });
  const elapsedNs = w.sched.now() - t0;
  const killed = proc.alive;
  if (killed) await killAll(w, k);
  return { proc, out: chunks.join(''), code: exitCode(proc.status), killed, outcome, elapsedNs };
}

/** SIGKILL every live process of a host and let the world settle. */
export async function killAll(w: World, k: Kernel): Promise<void> {
  for (const p of [...k.procs.byPid.values()]) if (p.alive) p.signal(SIGKILL);
  await w.run({ until: () => [...k.procs.byPid.values()].every((p) => !p.alive), timeLimitNs: w.sched.now() + 1e9 });
}

export function exitCode(status: number): number {
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/** What a user must never see: a JavaScript stack frame or an exception's name. */
export const JS_LEAK = /^ {4}at |\b(TypeError|RangeError|ReferenceError|SyntaxError|Error):|\[object Object\]|\bundefined\b|\bNaN\b/m;
/**
 * The same, for a program whose real counterpart starts its own messages with "Error: " (iproute2's
 * ip prints the kernel's extended acks so): a bare "Error:" there is its wording, not a leak.
 */
export const JS_LEAK_BUT_ERROR = /^ {4}at |\b(TypeError|RangeError|ReferenceError|SyntaxError):|^Error: [A-Z][a-z]+Error\b|\[object Object\]|\bundefined\b|\bNaN\b/m;

let gcFn: (() => void) | null | undefined;
/** A full garbage collection (node's --expose-gc turned on at run time), or null where unavailable. */
export function gc(): (() => void) | null {
  if (gcFn === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    } catch {
      gcFn = null;
    }
  }
  return gcFn;
}

/**
 * The memory JavaScript objects hold after a full collection (twice: weak references and finalizers
 * settle): the heap plus the ArrayBuffers' backing stores, which live outside it.
 */
export function heapUsed(): number {
  const collect = gc();
  collect?.();
  collect?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
