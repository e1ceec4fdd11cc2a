// A machine where some process never blocks, or waits on something no system call will bring:
// time must still move (sleepers wake, time limits stop the run, a deadlock is reported), in
// virtual time deterministically, in real time beside the busy process.

import { describe, expect, it } from 'vitest';
import { defineProgram } from '../../../kernel/abi/program.js';
import { SIGKILL } from '../../../kernel/abi/signal.js';
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

/** Starts stuck, sleeps 1 s beside it, kills it. */
const beside = defineProgram({
  name: 'beside',
  summary: '',
  async main(_argv, sys) {
    const child = await sys.spawn('/bin/stuck', ['stuck']);
    await sys.nanosleep(1e9);
    await sys.kill(child, SIGKILL);
    await sys.waitpid(child);
    await print(sys, 'woke and killed it\n');
  },
});

describe('a process that waits outside the kernel', () => {
  it('does not hold time still: a sleeper beside it wakes and can kill it', async () => {
    const r = await run(testWorld([stuck, beside]), 'haiku', ['beside']);
    expect(r.outcome.kind).toBe('done');
    expect(r.out).toBe('woke and killed it\n');
  });

  it('alone, is a deadlock, and the report says it is in its own code', async () => {
    const w = testWorld([stuck]);
    const r = await run(w, 'haiku', ['stuck']);
    expect(r.outcome.kind).toBe('deadlock');
    expect(w.describeStuck(r.outcome)).toMatch(/\n  haiku: pid \d+ \(stuck\)  running its own code, in no system call\n/);
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
