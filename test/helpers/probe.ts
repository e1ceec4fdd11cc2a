// Kernel probes: a test's program that makes syscalls and notes what each one gave, so a test
// compares one list of lines (exact errno names, exact bytes) after the world has run.

import { defineProgram, type Program } from '../../kernel/abi/program.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { WorldOptions } from '../../kernel/world/world.js';
import { run, testWorld } from './world.js';

/** What a syscall gave: its value, "N bytes" for data, or the errno name of its failure. */
import { isSysError } from '../../kernel/abi/errno.js';
export { outcome as errnoOf } from './tun.js';

export const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** The errno a synchronous kernel-side call fails with, or 'ok'. */
export function errnoSync(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (isSysError(e)) return e.errno;
    throw e;
  }
}
export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export type Note = (line: string) => void;

export interface ProbeOptions {
  /** Other programs the probe may spawn or exec (they may note too, through the same list). */
  programs?: (note: Note) => Program[];
  world?: Partial<WorldOptions>;
  uid?: number;
  /** Runs on the kernel before the probe starts (a test driver's publish_devices, timers). */
  setup?: (k: Kernel) => void;
}

/**
 * Run `body` as /bin/probe on host "haiku" of a fresh world until it ends. Returns the lines it
 * (and the programs it started) noted, its wait status and the world (for its clock and kernel).
 */
export async function probe(body: (sys: Sys, note: Note, argv: string[]) => Promise<number | void>, opts: ProbeOptions = {}) {
  const lines: string[] = [];
  const note: Note = (line) => void lines.push(line);
  const main = defineProgram({ name: 'probe', summary: 'a test probe', main: (argv, sys) => body(sys, note, argv) });
  const w = testWorld([main, ...(opts.programs?.(note) ?? [])], opts.world);
  opts.setup?.(w.mustHost('haiku'));
  const r = await run(w, 'haiku', ['probe'], { uid: opts.uid });
  return { lines, status: r.status, outcome: r.outcome.kind, world: w, kernel: w.mustHost('haiku') };
}
