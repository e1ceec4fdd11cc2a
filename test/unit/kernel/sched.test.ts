import { describe, expect, it } from 'vitest';
import { defineProgram } from '../../../kernel/abi/program.js';
import { isSysError } from '../../../kernel/abi/errno.js';
import { CLOCK_MONOTONIC } from '../../../kernel/abi/syscalls.js';
import { O_NONBLOCK, F_SETFL, F_GETFL } from '../../../kernel/abi/fcntl.js';
import { SIGINT, SIGTERM, SIGKILL } from '../../../kernel/abi/signal.js';
import { WEXITSTATUS, WIFSIGNALED, WTERMSIG, exitedStatus } from '../../../kernel/abi/wait.js';
import { POLLIN } from '../../../kernel/abi/poll.js';
import { formatSyscall } from '../../../kernel/abi/strace.js';
import { print } from '../../../userland/lib/io.js';
import { run, start, testWorld } from '../../helpers/world.js';

const sleeper = defineProgram({
  name: 'sleeper',
  summary: 'sleeps N seconds and prints the clock',
  async main(argv, sys) {
    const t0 = await sys.clock_gettime(CLOCK_MONOTONIC);
    await sys.nanosleep(Number(argv[1]) * 1e9);
    const t1 = await sys.clock_gettime(CLOCK_MONOTONIC);
    await print(sys, `slept ${(t1 - t0) / 1e9}s\n`);
  },
});

describe('virtual time', () => {
  it('jumps to the next timer when every task is blocked', async () => {
    const w = testWorld([sleeper]);
    const wall = performance.now();
    const r = await run(w, 'haiku', ['sleeper', '3600']);
    expect(r.out).toBe('slept 3600s\n');
    expect(WEXITSTATUS(r.status)).toBe(0);
    expect(performance.now() - wall).toBeLessThan(2000);
    expect(w.sched.now()).toBe(3600e9);
  });

  it('orders timers by deadline and then by creation', async () => {
    const order: string[] = [];
    const pA = defineProgram({ name: 'a', summary: '', async main(_a, sys) { await sys.nanosleep(2e9); order.push('a2'); } });
    const pB = defineProgram({ name: 'b', summary: '', async main(_a, sys) { await sys.nanosleep(1e9); order.push('b1'); await sys.nanosleep(1e9); order.push('b2'); } });
    const w = testWorld([pA, pB]);
    const k = w.mustHost('haiku');
    const a = await start(k, ['a']);
    const b = await start(k, ['b']);
    await w.run({ until: () => !a.proc.alive && !b.proc.alive });
    expect(order).toEqual(['b1', 'a2', 'b2']);
  });
});

describe('a run until idle (a world\'s ready point)', () => {
  it('stops once every task has blocked, before the clock moves to the next timer', async () => {
    const steps: string[] = [];
    const p = defineProgram({
      name: 'p',
      summary: '',
      async main(_a, sys) {
        steps.push('started');
        await sys.nanosleep(0);
        steps.push('slept 0');
        await sys.nanosleep(5e9);
        steps.push('slept 5');
      },
    });
    const w = testWorld([p]);
    const s = await start(w.mustHost('haiku'), ['p']);
    expect(await w.run({ untilIdle: true })).toEqual({ kind: 'done' });
    // A timer due now is fired before the ready point; one in the future is not.
    expect(steps).toEqual(['started', 'slept 0']);
    expect(w.sched.now()).toBe(0);
    await w.run({ until: () => !s.proc.alive });
    expect(steps).toEqual(['started', 'slept 0', 'slept 5']);
    expect(w.sched.now()).toBe(5e9);
  });
});

describe('deadlock report', () => {
  it('reports two processes that each wait on a pipe the other should write, and does not hang', async () => {
    // Each child reads its own pipe before writing the other: a classic lock-step deadlock.
    const child = defineProgram({
      name: 'child',
      summary: '',
      async main(argv, sys) {
        const rfd = Number(argv[1]);
        const wfd = Number(argv[2]);
        await sys.read(rfd, 1);
        await sys.write(wfd, 'x');
      },
    });
    const parent = defineProgram({
      name: 'parent',
      summary: '',
      async main(_a, sys) {
        const [r1, w1] = await sys.pipe();
        const [r2, w2] = await sys.pipe();
        const a = await sys.spawn('/bin/child', ['child', '3', '4'], { fds: [0, 1, 2, r1, w2] });
        const b = await sys.spawn('/bin/child', ['child', '3', '4'], { fds: [0, 1, 2, r2, w1] });
        for (const fd of [r1, w1, r2, w2]) await sys.close(fd);
        await sys.waitpid(a);
        await sys.waitpid(b);
      },
    });
    const w = testWorld([child, parent]);
    const r = await run(w, 'haiku', ['parent']);
    expect(r.outcome.kind).toBe('deadlock');
    const report = w.describeStuck(r.outcome);
    expect(report).toContain('deadlock: every process is blocked');
    expect(report).toMatch(/haiku: pid 2 \(parent\)\s+waitpid, waiting on exit of pid 3/);
    expect(report).toMatch(/haiku: pid 3 \(child\)\s+read, waiting on pipe:\d+ \(waiting for data\)/);
    expect(report).toMatch(/haiku: pid 4 \(child\)\s+read, waiting on pipe:\d+ \(waiting for data\)/);
  });
});

describe('signals', () => {
  it('interrupts a blocked read with EINTR after running the handler', async () => {
    const reader = defineProgram({
      name: 'reader',
      summary: '',
      async main(_a, sys) {
        const [r] = await sys.pipe();
        let got = 0;
        await sys.sigaction(SIGINT, (s) => { got = s; });
        try {
          await sys.read(r, 10);
          await print(sys, 'read returned\n');
        } catch (e) {
          await print(sys, `${isSysError(e) ? e.errno : e} handler=${got}\n`);
        }
      },
    });
    const w = testWorld([reader]);
    const s = await start(w.mustHost('haiku'), ['reader']);
    w.sched.after(5e9, () => s.proc.signal(SIGINT));
    await w.run({ until: () => !s.proc.alive });
    expect(s.output()).toBe(`EINTR handler=${SIGINT}\n`);
  });

  it('terminates on SIGTERM by default and reports the signal in the wait status', async () => {
    const idle = defineProgram({ name: 'idle', summary: '', async main(_a, sys) { await sys.nanosleep(1e12); } });
    const w = testWorld([idle]);
    const s = await start(w.mustHost('haiku'), ['idle']);
    w.sched.after(1e9, () => s.proc.signal(SIGTERM));
    await w.run({ until: () => !s.proc.alive });
    expect(WIFSIGNALED(s.proc.status)).toBe(true);
    expect(WTERMSIG(s.proc.status)).toBe(SIGTERM);
  });

  it('SIGKILL cannot be caught; a killed process never returns from its syscall', async () => {
    let resumed = false;
    const stubborn = defineProgram({
      name: 'stubborn',
      summary: '',
      async main(_a, sys) {
        await expect(sys.sigaction(SIGKILL, () => {})).rejects.toMatchObject({ errno: 'EINVAL' });
        await sys.sigaction(SIGTERM, 'SIG_IGN');
        await sys.nanosleep(1e12);
        resumed = true;
      },
    });
    const w = testWorld([stubborn]);
    const s = await start(w.mustHost('haiku'), ['stubborn']);
    w.sched.after(1e9, () => s.proc.signal(SIGTERM));
    w.sched.after(2e9, () => s.proc.signal(SIGKILL));
    await w.run({ until: () => !s.proc.alive });
    expect(WTERMSIG(s.proc.status)).toBe(SIGKILL);
    expect(w.sched.now()).toBe(2e9);
    await w.run();
    expect(resumed).toBe(false);
  });

  it('a write to a pipe with no reader raises SIGPIPE (default: terminate) and fails with EPIPE when ignored', async () => {
    const writer = defineProgram({
      name: 'writer',
      summary: '',
      async main(argv, sys) {
        const [r, wfd] = await sys.pipe();
        await sys.close(r);
        if (argv[1] === 'ignore') await sys.sigaction(7, 'SIG_IGN');
        try {
          await sys.write(wfd, 'x');
        } catch (e) {
          await print(sys, `${(e as { errno: string }).errno}\n`);
        }
      },
    });
    const w = testWorld([writer]);
    const killed = await run(w, 'haiku', ['writer']);
    expect(WTERMSIG(killed.status)).toBe(7);
    const ignored = await run(w, 'haiku', ['writer', 'ignore']);
    expect(ignored.out).toBe('EPIPE\n');
    expect(ignored.status).toBe(exitedStatus(0));
  });
});

describe('crashes', () => {
  it('a program that throws is killed; its fds close and wake the reader of its pipe; others carry on', async () => {
    const crasher = defineProgram({
      name: 'crasher',
      summary: '',
      async main(_a, sys) {
        await sys.write(1, 'partial ');
        await sys.nanosleep(1e9);
        throw new TypeError('boom');
      },
    });
    const parent = defineProgram({
      name: 'parent',
      summary: '',
      async main(_a, sys) {
        const [r, wfd] = await sys.pipe();
        const pid = await sys.spawn('/bin/crasher', ['crasher'], { fds: [0, wfd, 2] });
        await sys.close(wfd);
        const chunks: string[] = [];
        for (;;) {
          const d = await sys.read(r, 100);
          if (d.length === 0) break;
          chunks.push(new TextDecoder().decode(d));
        }
        const { status } = await sys.waitpid(pid);
        await print(sys, `got "${chunks.join('')}" then EOF; child signal ${WTERMSIG(status)}\n`);
        const log = await sys.syslog();
        await print(sys, log.filter((l) => l.includes('crash')).join('\n') + '\n');
      },
    });
    const w = testWorld([crasher, parent]);
    const r = await run(w, 'haiku', ['parent']);
    expect(r.out).toBe('got "partial " then EOF; child signal 11\ncrasher[3]: crashed: TypeError: boom\n');
  });
});

describe('O_NONBLOCK and poll', () => {
  it('gives EAGAIN on an empty pipe and poll times out in virtual time', async () => {
    const prog = defineProgram({
      name: 'nb',
      summary: '',
      async main(_a, sys) {
        const [r, wfd] = await sys.pipe();
        await sys.fcntl(r, F_SETFL, O_NONBLOCK);
        const flags = await sys.fcntl(r, F_GETFL);
        await print(sys, `nonblock=${(flags & O_NONBLOCK) !== 0}\n`);
        await sys.read(r, 1).catch((e) => print(sys, `${e.errno}\n`));
        const fds = [{ fd: r, events: POLLIN, revents: 0 }];
        const t0 = await sys.clock_gettime(CLOCK_MONOTONIC);
        const n = await sys.poll(fds, 250);
        const t1 = await sys.clock_gettime(CLOCK_MONOTONIC);
        await print(sys, `poll=${n} after ${(t1 - t0) / 1e6}ms\n`);
        await sys.write(wfd, 'hi');
        const m = await sys.poll(fds, -1);
        await print(sys, `poll=${m} revents=${fds[0]!.revents}\n`);
      },
    });
    const r = await run(testWorld([prog]), 'haiku', ['nb']);
    expect(r.out).toBe('nonblock=true\nEAGAIN\npoll=0 after 250ms\npoll=1 revents=1\n');
  });
});

describe('determinism', () => {
  it('gives byte-identical output and syscall traces on every run', async () => {
    const chatty = defineProgram({
      name: 'chatty',
      summary: '',
      async main(_a, sys) {
        const fd = await sys.open('/dev/random', 0);
        const bytes = await sys.read(fd, 8);
        const [r, wfd] = await sys.pipe();
        const kid = await sys.spawn('/bin/sleeper', ['sleeper', '2'], { fds: [0, wfd, 2] });
        await sys.close(wfd);
        const got = await sys.read(r, 100);
        await sys.waitpid(kid);
        await print(sys, `${Buffer.from(bytes).toString('hex')} ${new TextDecoder().decode(got)}`);
      },
    });
    async function once() {
      const w = testWorld([chatty, sleeper], { seed: 42 });
      const trace: string[] = [];
      w.events.on('syscall', (e) => trace.push(`${e.host} ${e.pid} ${e.startNs} ${formatSyscall(e.name, e.args, e.result, e.errno)}`));
      const r = await run(w, 'haiku', ['chatty']);
      return { out: r.out, trace: trace.join('\n') };
    }
    const a = await once();
    const b = await once();
    expect(a.out).toMatch(/^[0-9a-f]{16} slept 2s\n$/);
    expect(b.out).toBe(a.out);
    expect(b.trace).toBe(a.trace);
    expect(a.trace).toContain('nanosleep(2000000000) = 0');
  });
});
