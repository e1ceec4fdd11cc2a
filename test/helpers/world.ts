// Test helpers: a world with the test's own programs, processes started with captured output.

import type { Program } from '../../kernel/abi/program.js';
import { O_RDWR } from '../../kernel/abi/fcntl.js';
import type { Terminal } from '../../kernel/drivers/tty/tty.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Process } from '../../kernel/proc/process.js';
import { type ProgramSource, World, type WorldOptions } from '../../kernel/world/world.js';

export function programsOf(list: readonly Program[]): ProgramSource {
  const byName = new Map(list.map((p) => [p.name, p]));
  return { names: () => [...byName.keys()], load: async (n) => byName.get(n) };
}

export function testWorld(programs: readonly Program[], opts: Partial<WorldOptions> = {}, hosts = ['haiku']): World {
  const w = new World({ programs: programsOf(programs), checkErrno: true, ...opts });
  for (const h of hosts) w.addHost(h);
  return w;
}

export interface Started {
  proc: Process;
  term: Terminal;
  output(): string;
}

/** Start /bin/<argv0> on a host with a fresh terminal (not a tty unless asked) as fds 0-2. */
export async function start(k: Kernel, argv: string[], opts: { tty?: boolean; input?: string; uid?: number } = {}): Promise<Started> {
  const term = k.ttys.create(opts.tty ?? false);
  const chunks: string[] = [];
  const dec = new TextDecoder();
  term.onOutput = (d) => chunks.push(dec.decode(d, { stream: true }));
  const f = await k.openKernel(`/dev/${term.path}`, O_RDWR);
  if (opts.input !== undefined) {
    term.type(opts.input);
    term.endOfFile();
  }
  const path = argv[0]!.includes('/') ? argv[0]! : `/bin/${argv[0]}`;
  const proc = await k.spawn(null, path, argv, { files: [f, f, f], uid: opts.uid, gid: opts.uid });
  return { proc, term, output: () => chunks.join('') };
}

/** Run one program to completion; the world's other processes keep running until it ends. */
export async function run(w: World, host: string, argv: string[], opts: { tty?: boolean; input?: string; uid?: number } = {}) {
  const s = await start(w.mustHost(host), argv, opts);
  const outcome = await w.run({ until: () => !s.proc.alive });
  return { ...s, outcome, status: s.proc.status, out: s.output() };
}

/** Let the world run for ns of its time, whatever its processes do. */
export async function advance(w: World, ns: number): Promise<void> {
  await w.run({ until: () => false, timeLimitNs: w.sched.now() + ns });
}
