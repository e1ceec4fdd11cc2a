// Determinism when a program's module takes real time to load: whatever that time, the world's
// processes must be at the same point when the new program starts, so a run's output never
// depends on the speed of the real machine.

import { describe, expect, it } from 'vitest';
import { defineProgram, type Program } from '../../../kernel/abi/program.js';
import { World } from '../../../kernel/world/world.js';
import { print } from '../../../userland/lib/io.js';
import { start } from '../../helpers/world.js';

/** Writes s0..s299, one syscall each: it races whatever starts beside it. */
const spinner = defineProgram({
  name: 'spinner',
  summary: '',
  async main(_argv, sys) {
    for (let i = 0; i < 300; i++) await print(sys, `s${i}\n`);
  },
});

const late = defineProgram({
  name: 'late',
  summary: '',
  async main(_argv, sys) {
    await print(sys, 'late\n');
  },
});

/** Starts the spinner, then `late` whose module takes `loadMs` of real time to arrive. */
const parent = defineProgram({
  name: 'parent',
  summary: '',
  async main(_argv, sys) {
    const a = await sys.spawn('/bin/spinner', ['spinner']);
    const b = await sys.spawn('/bin/late', ['late']);
    await sys.waitpid(a);
    await sys.waitpid(b);
  },
});

async function runWith(loadMs: number): Promise<string> {
  const programs: Record<string, Program> = { spinner, late, parent };
  const w = new World({
    programs: {
      names: () => Object.keys(programs),
      load: (name) =>
        name === 'late' && loadMs > 0
          ? new Promise((resolve) => setTimeout(() => resolve(programs[name]), loadMs))
          : Promise.resolve(programs[name]),
    },
    checkErrno: true,
  });
  w.addHost('haiku');
  const s = await start(w.mustHost('haiku'), ['parent']);
  await w.run({ until: () => !s.proc.alive });
  return s.output();
}

describe('a slow program load', () => {
  it('changes nothing in what the world does', async () => {
    const fast = await runWith(0);
    expect(fast.split('\n')).toContain('late');
    expect(fast.split('\n').filter((l) => l.startsWith('s'))).toHaveLength(300);
    for (const ms of [5, 30]) expect(await runWith(ms)).toBe(fast);
  });
});
