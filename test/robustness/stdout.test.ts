// tunlab's own stdout is a real stream: it has backpressure (a slow reader holds the script back,
// instead of output piling up: `yes` into a slow reader once grew to 6 GB), and when its reader
// goes away tunlab ends quietly, as a program killed by SIGPIPE (`tunlab -c yes | head -2` once
// died with an EPIPE stack trace).

import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { SIGKILL } from '../../kernel/abi/signal.js';
import { Session } from '../../bin/session.js';
import { TUNLAB_COMMAND } from '../helpers/command.js';

/** A stream that takes `capacity` bytes, then says it is full until the test drains it. */
class SlowStream extends EventEmitter {
  buffered = 0;
  total = 0;
  constructor(private readonly capacity: number) {
    super();
  }
  write(d: Uint8Array): boolean {
    this.buffered += d.length;
    this.total += d.length;
    return this.buffered < this.capacity;
  }
  drain(): void {
    this.buffered = 0;
    this.emit('drain');
  }
}

/** Let Node's event loop turn: whatever can run, runs. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** Turn the event loop until `cond` holds (a program's module loads in real time first). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000_000 && !cond(); i++) await turns(1);
  expect(cond()).toBe(true);
}

describe("a slow reader of tunlab's stdout", () => {
  it('holds the writer (and virtual time) until the stream drains: output never piles up', async () => {
    const session = await Session.create({ clock: 'virtual' });
    const out = new SlowStream(64 * 1024);
    const { shell } = await session.startShell(['-c', 'yes'], { tty: false, out: out as unknown as NodeJS.WritableStream, err: () => {} });
    const done = session.run(() => !shell.alive);
    await until(() => out.buffered >= 64 * 1024);
    const t0 = session.world.sched.now();
    const first = out.total;
    // Full: one write past the capacity at most, however long the machine is left to run.
    expect(first).toBeGreaterThanOrEqual(64 * 1024);
    await turns(300);
    expect(out.total).toBe(first);
    expect(session.world.sched.now()).toBe(t0);
    out.drain();
    await until(() => out.total > first);
    await turns(300);
    expect(out.total).toBeLessThan(first + 64 * 1024 + 65536);
    shell.signal(SIGKILL);
    out.drain();
    expect((await done).kind).toBe('done');
    session.close();
  });
});

describe('a reader that goes away', () => {
  it('tunlab -c yes | head -2: two lines, nothing on stderr, status 141 as SIGPIPE gives', () => {
    const r = spawnSync('bash', ['-c', `'${process.execPath}' '${TUNLAB_COMMAND}' -c yes | head -2; echo "status \${PIPESTATUS[0]}"`], { encoding: 'utf8', timeout: 20_000 });
    expect({ out: r.stdout, err: r.stderr }).toEqual({ out: 'y\ny\nstatus 141\n', err: '' });
  });
});
