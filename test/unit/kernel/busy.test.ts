// A machine where some process never blocks, or waits on something no system call will bring. A
// runnable process holds virtual time (the scheduler's rule 1), so the run stays the same every
// time; but nothing holds it for ever: a machine busy with system calls is charged time per call,
// and a process that runs its own code a whole CPU slice without one gets SIGXCPU, then SIGKILL.

import { describe, expect, it } from 'vitest';
import { defineProgram } from '../../../kernel/abi/program.js';
import { SIGKILL, SIGXCPU } from '../../../kernel/abi/signal.js';
import { WTERMSIG } from '../../../kernel/abi/wait.js';
import { print } from '../../../userland/lib/io.js';
import { run, start, testWorld } from '../../helpers/world.js';

/** Never blocks: a system call at a time, for ever. */
const spin = defineProgram({
  name: 'spin',
  summary: '',
  async main(_argv, sys) {
    for (;;) await sys.sched_yield();
  },
});

/** Starts spin, sleeps argv[1] ns beside it, says how long the sleep took, stops spin. */
const napper = defineProgram({
  name: 'napper',
  summary: '',
  async main(argv, sys) {
    const child = await sys.spawn('/bin/spin', ['spin']);
    const t0 = await sys.clock_gettime(1);
    await sys.nanosleep(Number(argv[1]));
    await print(sys, `slept ${(await sys.clock_gettime(1)) - t0} ns\n`);
    await sys.kill(child, SIGKILL);
    await sys.waitpid(child);
  },
});

/** A loaded program's bug: it awaits a promise that no system call will ever settle. */
const stuck = defineProgram({
  name: 'stuck',
  summary: '',
  async main() {
    await new Promise<never>(() => {});
  },
});

/** A process that catches SIGXCPU, and then awaits for ever all the same. */
const stubborn = defineProgram({
  name: 'stubborn',
  summary: '',
  async main(_argv, sys) {
    await sys.sigaction(SIGXCPU, () => {});
    await new Promise<never>(() => {});
  },
});

/** Starts argv[1], sleeps 1 s beside it, says when it woke and how the other one ended. */
const beside = defineProgram({
  name: 'beside',
  summary: '',
  async main(argv, sys) {
    const child = await sys.spawn(`/bin/${argv[1]}`, [argv[1]!]);
    await sys.nanosleep(1e9);
    const { status } = await sys.waitpid(child);
    await print(sys, `woke at ${(await sys.clock_gettime(1)) / 1e9} s; ${argv[1]} ended by signal ${WTERMSIG(status)}\n`);
  },
});

/** A world whose CPU slice is short, so that the tests take milliseconds. */
const sliced = (programs: Parameters<typeof testWorld>[0]) => testWorld(programs, { cpuSliceMs: 30 });

describe('a process that waits outside the kernel', () => {
  it('holds virtual time until its CPU slice runs out; SIGXCPU ends it, and a sleeper beside it wakes on time', async () => {
    const w = sliced([stuck, beside]);
    const r = await run(w, 'haiku', ['beside', 'stuck']);
    expect(r.outcome.kind).toBe('done');
    expect(r.out).toBe(`woke at 1 s; stuck ended by signal ${SIGXCPU}\n`);
    expect(w.mustHost('haiku').log.snapshot()).toContainEqual(expect.stringMatching(/^stuck\[\d+\]: ran 0\.03 s without a system call: SIGXCPU$/));
  });

  it('that catches SIGXCPU is killed a slice later', async () => {
    const w = sliced([stubborn, beside]);
    const r = await run(w, 'haiku', ['beside', 'stubborn']);
    expect(r.out).toBe(`woke at 1 s; stubborn ended by signal ${SIGKILL}\n`);
    expect(w.mustHost('haiku').log.snapshot().filter((l) => l.startsWith('stubborn'))).toEqual([
      expect.stringMatching(/ran 0\.03 s without a system call: SIGXCPU$/),
      expect.stringMatching(/ran 0\.06 s without a system call: SIGKILL$/),
    ]);
  });

  it('alone, ends the same way, and the run is done', async () => {
    const w = sliced([stuck]);
    const r = await run(w, 'haiku', ['stuck']);
    expect(r.outcome.kind).toBe('done');
    expect(WTERMSIG(r.status)).toBe(SIGXCPU);
  });
});

describe('a busy machine', () => {
  it('in virtual time, a sleeper beside a process that never blocks still wakes, at the same time every run', async () => {
    const outs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const w = testWorld([spin, napper]);
      const r = await run(w, 'haiku', ['napper', String(50e6)]);
      expect(r.outcome.kind).toBe('done');
      outs.push(r.out);
    }
    const ns = Number(/slept (\d+) ns/.exec(outs[0]!)![1]);
    expect(ns).toBeGreaterThanOrEqual(50e6);
    expect(ns).toBeLessThan(60e6);
    expect(outs[1]).toBe(outs[0]);
  });

  it('in virtual time, a time limit stops a run that never blocks and names the busy process', async () => {
    const w = testWorld([spin]);
    const s = await start(w.mustHost('haiku'), ['spin']);
    const outcome = await w.run({ until: () => !s.proc.alive, timeLimitNs: w.sched.now() + 20e6 });
    expect(outcome.kind).toBe('time-limit');
    if (outcome.kind === 'time-limit') expect(outcome.blocked.map((t) => [t.owner.describe().command, t.state])).toEqual([['spin', 'runnable']]);
    s.proc.exit(SIGKILL);
  });

  it('in real time, timers fire beside a process that never blocks', async () => {
    const w = testWorld([spin, napper], { clock: 'real' });
    const r = await run(w, 'haiku', ['napper', String(20e6)]);
    expect(r.outcome.kind).toBe('done');
    expect(r.out).toMatch(/^slept \d+ ns\n$/);
  });
});
