// The scheduler's invariant (kernel/sched/scheduler.ts, header), case by case, on a bare
// scheduler with tasks of the test's own: when virtual time may move, what holds it, in which
// order a soft interrupt, a timer and a woken task go when they meet at one instant.

import { describe, expect, it } from 'vitest';
import { nodePort } from '../../../kernel/port/node.js';
import { VirtualClock } from '../../../kernel/sched/clock.js';
import { Scheduler, type Task, type TaskOwner, WaitQueue } from '../../../kernel/sched/scheduler.js';

function owner(name: string, log: string[]): TaskOwner & { signalled: boolean } {
  return {
    signalled: false,
    describe: () => ({ host: 'h', pid: 1, command: name }),
    hasDeliverableSignal() {
      return this.signalled;
    },
    overran: (n) => void log.push(`${name} overran ${n}`),
  };
}

function world(sliceNs = 10_000_000_000n) {
  const sched = new Scheduler(new VirtualClock(0), nodePort, sliceNs);
  const log: string[] = [];
  const at = (what: string) => log.push(`${sched.now() / 1e9}s ${what}`);
  return { sched, log, at };
}

/** A task's flow: `body` gets its task, and the task exits when the body ends. */
function task(sched: Scheduler, o: TaskOwner, body: (t: Task) => Promise<void>): Task {
  const t = sched.createTask(o);
  void body(t).then(() => sched.exitTask(t));
  return t;
}

describe('virtual time moves only when the world is quiescent', () => {
  it('is held by a task that awaits something outside the kernel, however long that takes', async () => {
    const { sched, log, at } = world();
    task(sched, owner('sleeper', log), async (t) => {
      await sched.sleepUntil(t, 1e9, { syscall: 'nanosleep', channel: 'timer', interruptible: true });
      at('sleeper woke');
    });
    task(sched, owner('outside', log), async (t) => {
      // Twenty real milliseconds of something that is not a system call (a worker, node:tls).
      await new Promise((r) => setTimeout(r, 20));
      sched.tick(t);
      at('outside made its call');
    });
    await sched.run();
    expect(log).toEqual(['0s outside made its call', '1s sleeper woke']);
  });

  it('jumps straight to the earliest timer once every task sleeps', async () => {
    const { sched, log, at } = world();
    for (const [name, s] of [['b', 2], ['a', 1], ['c', 2]] as const) {
      task(sched, owner(name, log), async (t) => {
        await sched.sleepUntil(t, s * 1e9, { syscall: 'nanosleep', channel: 'timer', interruptible: true });
        at(name);
      });
    }
    await sched.run();
    // Ties fire in the order they were set.
    expect(log).toEqual(['1s a', '2s b', '2s c']);
  });

  it('reports a deadlock when every task sleeps with no timer and no outside source', async () => {
    const { sched, log } = world();
    const q = new WaitQueue('nobody');
    task(sched, owner('waiter', log), async (t) => void (await sched.sleep(t, [q], { syscall: 'read', channel: 'nobody', interruptible: true })));
    const r = await sched.run();
    expect(r.kind).toBe('deadlock');
  });

  it('waits in real time for an outside source instead, and goes on when it delivers', async () => {
    const { sched, log, at } = world();
    const q = new WaitQueue('the terminal');
    task(sched, owner('reader', log), async (t) => {
      await sched.sleep(t, [q], { syscall: 'read', channel: q.name, interruptible: true });
      at('reader got its line');
    });
    const release = sched.holdExternal();
    setTimeout(() => {
      sched.soon(() => q.wakeAll());
      release();
    }, 10);
    expect((await sched.run()).kind).toBe('done');
    expect(log).toEqual(['0s reader got its line']);
  });
});

describe('at one instant', () => {
  it('runs a soft interrupt before a timer due at the same time', async () => {
    const { sched, log, at } = world();
    task(sched, owner('t', log), async (t) => {
      sched.at(0, () => at('timer'));
      sched.soon(() => at('soft interrupt'));
      await sched.sleepUntil(t, 1, { syscall: 'nanosleep', channel: 'timer', interruptible: true });
    });
    await sched.run();
    expect(log).toEqual(['0s soft interrupt', '0s timer']);
  });

  it('wakes a task signalled while the clock wants to jump at the current time: the jump waits for it', async () => {
    const { sched, log, at } = world();
    const o = owner('sleeper', log);
    const t = task(sched, o, async (t) => {
      const r = await sched.sleepUntil(t, 10e9, { syscall: 'nanosleep', channel: 'timer', interruptible: true });
      at(`sleeper: ${r}`);
      await sched.sleepUntil(t, sched.now() + 1e9, { syscall: 'nanosleep', channel: 'timer', interruptible: true });
      at('sleeper slept its second sleep');
    });
    // Everything sleeps and a timer is due at 10 s; a signal (from the terminal, say) comes in
    // as a soft interrupt before the loop looks: it is handled first, and the clock stays put.
    sched.soon(() => {
      o.signalled = true;
      sched.interrupt(t);
      o.signalled = false;
    });
    await sched.run();
    expect(log).toEqual(['0s sleeper: signal', '1s sleeper slept its second sleep']);
  });
});

describe('the CPU slice', () => {
  it('tells the owner of a task that ran its own code a whole slice without a call, slice after slice', async () => {
    const { sched, log } = world(20_000_000n);
    const t = task(sched, owner('loop', log), () => new Promise<void>(() => {}));
    const r = await sched.run({ until: () => log.length >= 2 });
    expect(r.kind).toBe('done');
    expect(log).toEqual(['loop overran 1', 'loop overran 2']);
    expect(sched.now()).toBe(0);
    sched.exitTask(t);
  });

  it('does not count a task that keeps making calls, however long it runs', async () => {
    const { sched, log } = world(20_000_000n);
    let calls = 0;
    task(sched, owner('busy', log), async (t) => {
      const until = Date.now() + 100;
      while (Date.now() < until) {
        sched.tick(t);
        calls++;
        await new Promise((r) => setImmediate(r));
      }
    });
    await sched.run();
    expect(calls).toBeGreaterThan(5);
    expect(log).toEqual([]);
  });
});
