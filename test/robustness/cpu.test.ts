// Work that makes few or no system calls still takes virtual time once the machine is busy (never
// idle for BUSY_AFTER units of work): data moved counts as work as calls do, and a shell running
// builtins is preemptible at each command. So --max-time and ^C bound a `wc /dev/zero` or a loop
// of builtins in seconds of real time (wc /dev/zero once ran past 90 s with --max-time 2s).

import { describe, expect, it } from 'vitest';
import { O_RDONLY } from '../../kernel/abi/fcntl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { guardedWorld, runBounded, userlandWorld } from './harness.js';

const reader = defineProgram({
  name: 'reader',
  summary: '',
  async main(argv, sys) {
    const fd = await sys.open('/dev/zero', O_RDONLY);
    for (let i = 0; i < Number(argv[1]); i++) await sys.read(fd, 65536);
  },
});

describe('a busy machine is charged for the data its programs move', () => {
  it('2000 reads of 64 KiB take their time: the bytes count, not only the calls', async () => {
    const { w } = guardedWorld([reader]);
    const r = await runBounded(w, 'haiku', ['reader', '2000'], { limitNs: 3600e9 });
    expect(r.code).toBe(0);
    // 2000 calls alone would be free (under BUSY_AFTER); with 128 units per 64 KiB they are some
    // 258 000 units, charged 10 µs each past the first 100 000 (as far as the last preemption).
    expect(r.elapsedNs).toBeGreaterThan(0.5e9);
    expect(r.elapsedNs).toBeLessThan(2e9);
  });

  it('wc /dev/zero under a 2 s virtual bound reaches it long before a minute of real time', async () => {
    const { w } = userlandWorld();
    const r = await runBounded(w, 'a', ['wc', '/dev/zero'], { limitNs: 2e9, wallMs: 60_000 });
    expect(r.killed).toBe(true);
    expect(r.outcome.kind).toBe('time-limit');
  });
});

describe('a shell running builtins', () => {
  it('a script of 300 000 builtins is bounded by virtual time too', async () => {
    const { w } = userlandWorld();
    const r = await runBounded(w, 'a', ['sh', '-c', ':\n'.repeat(300_000) + 'echo never'], { limitNs: 1e9, wallMs: 60_000 });
    expect(r.killed).toBe(true);
    expect(r.outcome.kind).toBe('time-limit');
    expect(r.out).toBe('');
  });
});
