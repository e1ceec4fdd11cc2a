// Resource limits, each with a clear error: open fds per process (EMFILE at RLIMIT_NOFILE, 256 by
// default), processes per host (EAGAIN from spawn past limits.maxProcs, zombies included), and what
// the shell and su make of them (a message and a status, never a crash).

import { describe, expect, it } from 'vitest';
import { F_DUPFD, O_RDONLY, O_RDWR } from '../../kernel/abi/fcntl.js';
import { IFF_NO_PI, IFF_TUN, TUNSETPERSIST } from '../../kernel/abi/ioctl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { SIGKILL } from '../../kernel/abi/signal.js';
import { AF_INET, SOCK_DGRAM } from '../../kernel/abi/socket.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import type { Kernel } from '../../kernel/kernel.js';
import { DEFAULT_MAX_FDS } from '../../kernel/proc/fd-table.js';
import { outcome, tunAlloc } from '../helpers/tun.js';
import { crashes, guardedWorld, JS_LEAK, runBounded, userlandWorld } from './harness.js';

let log: string[] = [];
const note = async (label: string, p: Promise<unknown>) => void log.push(`${label}: ${await outcome(p)}`);

/** Open /dev/null until the kernel refuses; the number of successes. */
async function fill(sys: Sys): Promise<number> {
  let n = 0;
  for (;;) {
    try {
      await sys.open('/dev/null', O_RDONLY);
      n++;
    } catch {
      return n;
    }
  }
}

const fds = defineProgram({
  name: 'fds',
  summary: '',
  async main(_a, sys) {
    // A persistent tun nobody holds, to attach to at the limit.
    const { fd: t } = await tunAlloc(sys, 'tun/0', IFF_TUN | IFF_NO_PI);
    await sys.ioctl(t, TUNSETPERSIST, 1);
    await sys.close(t);
    log.push(`opened ${await fill(sys)}`);
    await note('open', sys.open('/dev/null', O_RDONLY));
    await note('socket', sys.socket(AF_INET, SOCK_DGRAM, 0));
    await note('dup', sys.dup(0));
    await note('F_DUPFD', sys.fcntl(0, F_DUPFD, 0));
    await note('F_DUPFD past the limit', sys.fcntl(0, F_DUPFD, DEFAULT_MAX_FDS));
    await note('dup2 past the limit', sys.dup2(0, DEFAULT_MAX_FDS));
    await note('open /dev/tun/0', sys.open('/dev/tun/0', O_RDWR));
    log.push(`queues attached: ${host!.tun.devices.get('tun/0')!.queues.length}`);
    await sys.close(10);
    await note('pipe with one fd free', sys.pipe());
    await note('open /dev/tun/0 with one fd free', sys.open('/dev/tun/0', O_RDWR));
    log.push(`queues attached: ${host!.tun.devices.get('tun/0')!.queues.length}`);
  },
});
/** The host the program runs on, for the test's look at the driver from inside the program. */
let host: Kernel | null = null;

describe('open fds per process', () => {
  it(`EMFILE at ${DEFAULT_MAX_FDS} for every call that makes an fd; nothing half-made is left behind`, async () => {
    const { w, panics } = guardedWorld([fds]);
    host = w.mustHost('haiku');
    log = [];
    const r = await runBounded(w, 'haiku', ['fds']);
    expect(r.code).toBe(0);
    expect(log).toEqual([
      `opened ${DEFAULT_MAX_FDS - 3}`, // 0-2 are the terminal
      'open: EMFILE',
      'socket: EMFILE',
      'dup: EMFILE',
      'F_DUPFD: EMFILE',
      'F_DUPFD past the limit: EINVAL',
      'dup2 past the limit: EBADF',
      'open /dev/tun/0: EMFILE',
      'queues attached: 0', // the refused open did not stay attached
      'pipe with one fd free: EMFILE',
      'open /dev/tun/0 with one fd free: 10',
      'queues attached: 1',
    ]);
    expect(panics).toEqual([]);
  });

  it('follows the world limit (limits.maxFds) and tells the user in words through the shell', async () => {
    const { w, panics } = userlandWorld([], { maxFds: 16 });
    const r = await runBounded(w, 'a', ['sh', '-c', 'i=0; while syscall open /dev/null O_RDONLY; do i=$((i+1)); done; echo opened $i; echo a | cat; echo not reached']);
    // fds 0-2 are the terminal: 3 to 15 are the shell's to open.
    expect(r.out).toBe(`${Array.from({ length: 13 }, (_, i) => i + 3).join('\n')}\n-1 EMFILE (Too many open files)\nopened 13\nsh: pipe error: Too many open files\n`);
    expect(r.out).not.toMatch(JS_LEAK);
    expect(r.code).toBe(126);
    expect(crashes(w)).toEqual([]);
    expect(panics).toEqual([]);
  });

  it('a shell whose fds run out mid-redirection reports it and carries on', async () => {
    // Found by this test: the shell crashed (an uncaught SysError) when no fd was left to save one
    // in (applyInPlace), or to make a pipe (pipelines, subshells).
    const { w } = userlandWorld([], { maxFds: 16 });
    const r = await runBounded(w, 'a', ['sh', '-c', 'i=0; while [ $i -lt 40 ]; do syscall open /dev/null O_RDONLY >/dev/null; i=$((i+1)); done\necho next line\necho piped | cat\n(echo in a subshell)\necho done']);
    expect(r.out).toContain('sh: line 1: redirection error: cannot duplicate fd: Too many open files');
    expect(r.out).toContain('next line\n');
    // A pipe needs two fds; a subshell is a fork, which needs none.
    expect(r.out).toMatch(/sh: pipe error: Too many open files\nin a subshell\ndone\n$/);
    expect(crashes(w)).toEqual([]);
  });
});

const sleeper = defineProgram({
  name: 'sleeper',
  summary: '',
  async main(_a, sys) {
    await sys.nanosleep(1e15);
  },
});

const procs = defineProgram({
  name: 'procs',
  summary: '',
  async main(_a, sys) {
    const kids: number[] = [];
    for (;;) {
      try {
        kids.push(await sys.spawn('/bin/sleeper', ['sleeper'], { fds: [] }));
      } catch (e) {
        log.push(`spawned ${kids.length}, then ${await outcome(Promise.reject(e))}`);
        break;
      }
    }
    await sys.kill(kids[0]!, SIGKILL);
    await sys.nanosleep(1000);
    // A zombie still holds its slot until it is reaped.
    await note('spawn beside a zombie', sys.spawn('/bin/sleeper', ['sleeper'], { fds: [] }));
    await sys.waitpid(kids[0]!);
    await note('spawn after reaping', sys.spawn('/bin/sleeper', ['sleeper'], { fds: [] }).then(() => 'ok'));
  },
});

describe('processes per host', () => {
  it('EAGAIN past limits.maxProcs; a zombie counts until reaped', async () => {
    const { w, panics } = guardedWorld([procs, sleeper], ['haiku'], { maxProcs: 8 });
    log = [];
    const r = await runBounded(w, 'haiku', ['procs']);
    expect(r.code).toBe(0);
    expect(log).toEqual(['spawned 7, then EAGAIN', 'spawn beside a zombie: EAGAIN', 'spawn after reaping: ok']);
    expect(panics).toEqual([]);
  });

  it('the shell and su say so, with a status, and do not crash', async () => {
    // Found by this test: the shell crashed when a background job could not be started (EAGAIN from
    // the stand-in it spawns for a failed command), and su crashed on any spawn error but EPERM.
    const { w, panics } = userlandWorld([], { maxProcs: 3 });
    const sh = await runBounded(w, 'a', ['sh', '-c', 'sleep 100 & sleep 100 & sleep 100 & echo not reached\necho next line; true']);
    expect(sh.out).toBe('sh: fork: Operation would block (process limit reached)\nnext line\n');
    expect(sh.code).toBe(0);
    const { w: w2 } = userlandWorld([], { maxProcs: 1 });
    const su = await runBounded(w2, 'a', ['su', '1000', '-c', 'true']);
    // util-linux's words for its fork failing.
    expect(su.out).toBe('su: cannot create child process: Operation would block (process limit reached)\n');
    expect(su.code).toBe(1);
    expect([...crashes(w), ...crashes(w2)]).toEqual([]);
    expect(panics).toEqual([]);
  });
});
