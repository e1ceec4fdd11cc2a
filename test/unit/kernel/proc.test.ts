// Processes through syscalls: the process table, what a child inherits, waitpid's statuses,
// SIGCHLD, kill's permission rule, execve, the kernel log and its /var/log/syslog mirror, syscall
// observation, and `--load` of a program file.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Session, SessionError } from '../../../bin/session.js';
import { O_RDONLY, O_WRONLY, O_CREAT } from '../../../kernel/abi/fcntl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { SIGCHLD, SIGKILL, SIGTERM, SIGUSR1, SIGUSR2 } from '../../../kernel/abi/signal.js';
import { CLOCK_MONOTONIC, type Sys } from '../../../kernel/abi/syscalls.js';
import { exitedStatus, signaledStatus, WEXITSTATUS, WIFEXITED, WIFSIGNALED, WNOHANG, WTERMSIG } from '../../../kernel/abi/wait.js';
import type { SyscallEvent } from '../../../kernel/obs/events.js';
import { errnoOf, probe, text } from '../../helpers/probe.js';
import { run } from '../../helpers/world.js';

const seconds = async (sys: Sys) => (await sys.clock_gettime(CLOCK_MONOTONIC)) / 1e9;

/** A child that sleeps argv[1] seconds and exits with argv[2]. */
const napper = defineProgram({
  name: 'napper',
  summary: '',
  async main(argv, sys) {
    await sys.nanosleep(Number(argv[1] ?? 0) * 1e9);
    return Number(argv[2] ?? 0);
  },
});

describe('the process table', () => {
  it('gives a child its own pid, its parent as ppid, and shows both in getprocs with uid, gid, command and args', async () => {
    const r = await probe(
      async (sys, note) => {
        note(`probe pid ${sys.getpid()} ppid ${sys.getppid()} uid ${sys.getuid()} gid ${sys.getgid()}`);
        const kid = await sys.spawn('/bin/napper', ['napper', '5', '0'], { uid: 100, gid: 200 });
        const other = await sys.spawn('/bin/whoami', ['whoami']);
        await sys.waitpid(other);
        for (const p of await sys.getprocs())
          note(`ps: ${p.pid} ppid ${p.ppid} uid ${p.uid} gid ${p.gid} ${p.state} ${p.wchan || '-'} ${p.command} [${p.args.join(' ')}]`);
        await sys.kill(kid, SIGKILL);
        await sys.waitpid(kid);
      },
      {
        uid: 0,
        programs: (note) => [
          napper,
          defineProgram({
            name: 'whoami',
            summary: '',
            async main(_a, sys) {
              note(`child pid ${sys.getpid()} ppid ${sys.getppid()} uid ${sys.getuid()}`);
            },
          }),
        ],
      },
    );
    expect(r.lines).toEqual([
      'probe pid 2 ppid 0 uid 0 gid 0',
      'child pid 4 ppid 2 uid 0',
      'ps: 1 ppid 0 uid 0 gid 0 sleeping - kernel_team [kernel_team]',
      'ps: 2 ppid 1 uid 0 gid 0 running - probe [probe]',
      'ps: 3 ppid 2 uid 100 gid 200 sleeping nanosleep napper [napper 5 0]',
    ]);
  });

  it('a child inherits uid, gid, cwd and environment; spawn options replace them; only root may choose another uid', async () => {
    const r = await probe(
      async (sys, note) => {
        await sys.chdir('/tmp');
        sys.setenv('GREETING', 'hello');
        sys.unsetenv('HOME');
        const show = async (label: string, opts = {}) => {
          const kid = await sys.spawn('/bin/env-of', ['env-of', label], opts);
          await sys.waitpid(kid);
        };
        await show('inherited');
        await show('replaced', { cwd: '/etc', env: { ONLY: '1' } });
        await show('relative cwd', { cwd: '../var/log' });
        note(`missing cwd: ${await errnoOf(sys.spawn('/bin/env-of', ['env-of', 'x'], { cwd: '/nowhere' }))}`);
        note(`cwd on a file: ${await errnoOf(sys.spawn('/bin/env-of', ['env-of', 'x'], { cwd: '/etc/motd' }))}`);
        note(`parent afterwards: cwd ${await sys.getcwd()} GREETING ${sys.getenv('GREETING')} CHANGED ${sys.getenv('CHANGED')}`);
        note(`as user 100, spawn as 0: ${await errnoOf(sys.spawn('/bin/env-of', ['env-of', 'x'], { uid: 0 }))}`);
      },
      {
        uid: 100,
        programs: (note) => [
          defineProgram({
            name: 'env-of',
            summary: '',
            async main(argv, sys) {
              note(`${argv[1]}: uid ${sys.getuid()} gid ${sys.getgid()} cwd ${await sys.getcwd()} env ${JSON.stringify(sys.environ())}`);
              sys.setenv('CHANGED', 'yes');
              await sys.chdir('/');
            },
          }),
        ],
      },
    );
    expect(r.lines).toEqual([
      'inherited: uid 100 gid 100 cwd /tmp env {"PATH":"/bin","GREETING":"hello"}',
      'replaced: uid 100 gid 100 cwd /etc env {"ONLY":"1"}',
      'relative cwd: uid 100 gid 100 cwd /var/log env {"PATH":"/bin","GREETING":"hello"}',
      'missing cwd: ENOENT',
      'cwd on a file: ENOTDIR',
      'parent afterwards: cwd /tmp GREETING hello CHANGED undefined',
      'as user 100, spawn as 0: EPERM',
    ]);
  });
});

describe('waitpid', () => {
  it('reports an exit code, a killing signal, WNOHANG while the child runs, and ECHILD when there is nothing to wait for', async () => {
    const r = await probe(
      async (sys, note) => {
        note(`no children: ${await errnoOf(sys.waitpid(-1))}`);
        const a = await sys.spawn('/bin/napper', ['napper', '1', '42']);
        const b = await sys.spawn('/bin/napper', ['napper', '100', '0']);
        const nohang = await sys.waitpid(a, WNOHANG);
        note(`WNOHANG at ${await seconds(sys)}s: pid ${nohang.pid} status ${nohang.status}`);
        note(`a stranger's pid: ${await errnoOf(sys.waitpid(1))}; no such pid: ${await errnoOf(sys.waitpid(999))}`);
        await sys.nanosleep(2e9);
        const zombie = (await sys.getprocs()).find((p) => p.pid === a)!;
        note(`a at 2s before waitpid: ${zombie.state}`);
        const ea = await sys.waitpid(a, WNOHANG);
        note(`a: pid ${ea.pid === a} exited ${WIFEXITED(ea.status)} code ${WEXITSTATUS(ea.status)}; in the table: ${(await sys.getprocs()).some((p) => p.pid === a)}`);
        note(`a again: ${await errnoOf(sys.waitpid(a))}`);
        await sys.kill(b, SIGTERM);
        const eb = await sys.waitpid(-1);
        note(`b: pid ${eb.pid === b} signaled ${WIFSIGNALED(eb.status)} by ${WTERMSIG(eb.status)} status ${eb.status === signaledStatus(SIGTERM)}`);
        note(`after both: ${await errnoOf(sys.waitpid(-1, WNOHANG))}`);
      },
      { programs: () => [napper] },
    );
    expect(r.lines).toEqual([
      'no children: ECHILD',
      'WNOHANG at 0s: pid 0 status 0',
      "a stranger's pid: ECHILD; no such pid: ECHILD",
      'a at 2s before waitpid: zombie',
      'a: pid true exited true code 42; in the table: false',
      'a again: ECHILD',
      `b: pid true signaled true by ${SIGTERM} status true`,
      'after both: ECHILD',
    ]);
  });

  it('a blocked waitpid returns when the child exits, in virtual time', async () => {
    const r = await probe(
      async (sys, note) => {
        const kid = await sys.spawn('/bin/napper', ['napper', '30', '3']);
        const { pid, status } = await sys.waitpid(kid);
        note(`${pid === kid} ${status === exitedStatus(3)} at ${await seconds(sys)}s`);
      },
      { programs: () => [napper] },
    );
    expect(r.lines).toEqual(['true true at 30s']);
  });
});

describe('SIGCHLD', () => {
  it('runs the parent\'s handler when a child exits, interrupting a sleep with EINTR; ignored by default', async () => {
    const r = await probe(
      async (sys, note) => {
        const kid = await sys.spawn('/bin/napper', ['napper', '1', '0']);
        note(`default disposition: nanosleep ${await errnoOf(sys.nanosleep(2e9))} at ${await seconds(sys)}s`);
        await sys.waitpid(kid);
        await sys.sigaction(SIGCHLD, (signo) => note(`handler: signal ${signo}`));
        await sys.spawn('/bin/napper', ['napper', '1', '0']);
        note(`with a handler: nanosleep ${await errnoOf(sys.nanosleep(100e9))} at ${await seconds(sys)}s`);
        const { status } = await sys.waitpid(-1);
        note(`reaped: ${WEXITSTATUS(status)}`);
      },
      { programs: () => [napper] },
    );
    expect(r.lines).toEqual(['default disposition: nanosleep 0 at 2s', `handler: signal ${SIGCHLD}`, 'with a handler: nanosleep EINTR at 3s', 'reaped: 0']);
  });
});

describe('kill', () => {
  it('lets a user signal only their own processes (EPERM otherwise, also for signal 0), root anyone; ESRCH and EINVAL', async () => {
    const r = await probe(
      async (sys, note) => {
        const victim = await sys.spawn('/bin/napper', ['napper', '100', '0'], { uid: 200, gid: 200 });
        const mate = await sys.spawn('/bin/napper', ['napper', '100', '0'], { uid: 100, gid: 100 });
        const attacker = await sys.spawn('/bin/attacker', ['attacker', String(victim), String(mate)], { uid: 100, gid: 100 });
        await sys.waitpid(attacker);
        note(`victim still there: ${(await sys.getprocs()).some((p) => p.pid === victim && p.state !== 'zombie')}`);
        note(`root kills it: ${await sys.kill(victim, SIGTERM)}`);
        note(`victim: ${WTERMSIG((await sys.waitpid(victim)).status)}; mate: ${WTERMSIG((await sys.waitpid(mate)).status)}`);
      },
      {
        programs: (note) => [
          napper,
          defineProgram({
            name: 'attacker',
            summary: '',
            async main(argv, sys) {
              const victim = Number(argv[1]);
              const mate = Number(argv[2]);
              note(`uid ${sys.getuid()} kill uid 200: ${await errnoOf(sys.kill(victim, SIGTERM))}; signal 0: ${await errnoOf(sys.kill(victim, 0))}`);
              note(`kill no such pid: ${await errnoOf(sys.kill(9999, SIGTERM))}; bad signal: ${await errnoOf(sys.kill(mate, 99))}`);
              note(`kill own uid's process: ${await errnoOf(sys.kill(mate, SIGUSR1))}`);
            },
          }),
        ],
      },
    );
    expect(r.lines).toEqual([
      'uid 100 kill uid 200: EPERM; signal 0: EPERM',
      'kill no such pid: ESRCH; bad signal: EINVAL',
      "kill own uid's process: 0",
      'victim still there: true',
      'root kills it: 0',
      `victim: ${SIGTERM}; mate: ${SIGUSR1}`,
    ]);
  });
});

describe('execve', () => {
  it('replaces the program: same pid and parent, new argv and command, caught signals back to default, ignored ones stay ignored', async () => {
    const r = await probe(
      async (sys, note) => {
        const kid = await sys.spawn('/bin/before', ['before']);
        await sys.nanosleep(1e9);
        const row = (await sys.getprocs()).find((p) => p.pid === kid)!;
        note(`at 1s pid ${kid} runs ${row.command} [${row.args.join(' ')}]`);
        await sys.kill(kid, SIGUSR2);
        await sys.nanosleep(1e9);
        note(`after SIGUSR2 (ignored): alive ${(await sys.getprocs()).some((p) => p.pid === kid && p.state !== 'zombie')}`);
        await sys.kill(kid, SIGUSR1);
        const { status } = await sys.waitpid(kid);
        note(`after SIGUSR1 (its handler did not survive execve): killed by ${WTERMSIG(status)}`);
      },
      {
        programs: (note) => [
          defineProgram({
            name: 'before',
            summary: '',
            async main(_a, sys) {
              await sys.sigaction(SIGUSR1, () => note('old handler ran'));
              await sys.sigaction(SIGUSR2, 'SIG_IGN');
              note(`before: pid ${sys.getpid()} ppid ${sys.getppid()}`);
              await sys.execve('/bin/after', ['after', 'one', 'two'], { FROM: 'before' });
              note('after execve: never printed');
            },
          }),
          defineProgram({
            name: 'after',
            summary: '',
            async main(argv, sys) {
              note(`after: pid ${sys.getpid()} ppid ${sys.getppid()} argv ${argv.join(' ')} env ${JSON.stringify(sys.environ())}`);
              await sys.nanosleep(100e9);
            },
          }),
        ],
      },
    );
    expect(r.lines).toEqual([
      'before: pid 3 ppid 2',
      'after: pid 3 ppid 2 argv after one two env {"FROM":"before"}',
      'at 1s pid 3 runs after [after one two]',
      'after SIGUSR2 (ignored): alive true',
      `after SIGUSR1 (its handler did not survive execve): killed by ${SIGUSR1}`,
    ]);
  });

  it('fails without replacing anything: ENOENT, EACCES for a directory or a file without x, ENOEXEC for an executable that is no program', async () => {
    const r = await probe(async (sys, note) => {
      const fd = await sys.open('/tmp/notaprogram', O_WRONLY | O_CREAT, 0o755);
      await sys.write(fd, 'just text\n');
      await sys.close(fd);
      for (const p of ['/bin/nothing', '/tmp', '/etc/motd', '/tmp/notaprogram']) note(`${p}: ${await errnoOf(sys.execve(p, [p]))}`);
      note(`still the probe, pid ${sys.getpid()}`);
      return 5;
    });
    expect(r.lines).toEqual(['/bin/nothing: ENOENT', '/tmp: EACCES', '/etc/motd: EACCES', '/tmp/notaprogram: ENOEXEC', 'still the probe, pid 2']);
    expect(r.status).toBe(exitedStatus(5));
  });
});

describe('the kernel log', () => {
  it('keeps the last 1000 lines in its ring buffer (syslog) and writes a crash to /var/log/syslog with the kernel clock', async () => {
    let logEvents: string[] = [];
    const r = await probe(
      async (sys, note) => {
        const before = await sys.syslog();
        note(`ring: ${before.length} lines, first "${before[0]}", last "${before[before.length - 1]}"`);
        const kid = await sys.spawn('/bin/crasher', ['crasher']);
        await sys.waitpid(kid);
        const after = await sys.syslog();
        note(`ring: ${after.length} lines, first "${after[0]}", last "${after[after.length - 1]}"`);
        const fd = await sys.open('/var/log/syslog', O_RDONLY);
        const lines = text(await sys.read(fd, 1 << 20)).split('\n');
        note(`/var/log/syslog ends with ${JSON.stringify(lines.slice(-2))}`);
      },
      {
        programs: () => [
          defineProgram({
            name: 'crasher',
            summary: '',
            async main(_a, sys) {
              await sys.nanosleep(61e9);
              throw new RangeError('boom');
            },
          }),
        ],
        setup: (k) => {
          k.events.on('log', (e) => logEvents.push(`${e.host} ${e.timeNs} ${e.line}`));
          for (let i = 0; i < 1005; i++) k.log.write(`line ${i}`);
          logEvents = [];
        },
      },
    );
    expect(r.lines).toEqual([
      'ring: 1000 lines, first "line 5", last "line 1004"',
      'ring: 1000 lines, first "line 6", last "crasher[3]: crashed: RangeError: boom"',
      '/var/log/syslog ends with ["2026-01-01 00:01:01 KERN: crasher[3]: crashed: RangeError: boom",""]',
    ]);
    expect(logEvents).toEqual(['haiku 61000000000 crasher[3]: crashed: RangeError: boom']);
  });
});

describe('syscall observation', () => {
  it('reports each call once it returns: name, arguments, result or errno, and its entry and exit times', async () => {
    const events: SyscallEvent[] = [];
    const r = await probe(
      async (sys) => {
        const fd = await sys.open('/etc/hostname', O_RDONLY);
        await sys.read(fd, 3);
        await sys.open('/nope', O_RDONLY).catch(() => {});
        await sys.nanosleep(1.5e9);
        await sys.close(fd);
      },
      { setup: (k) => void k.events.on('syscall', (e) => events.push(e)) },
    );
    expect(r.status).toBe(exitedStatus(0));
    const seen = events.map((e) => ({
      where: `${e.host} ${e.pid} ${e.command}`,
      call: `${e.name}(${e.args.map((a) => (a instanceof Uint8Array ? `<${a.length}>` : JSON.stringify(a))).join(', ')})`,
      out: e.errno ?? (e.result instanceof Uint8Array ? text(e.result) : e.result),
      ns: [e.startNs, e.endNs],
    }));
    expect(seen).toEqual([
      { where: 'haiku 2 probe', call: `open("/etc/hostname", ${O_RDONLY})`, out: 3, ns: [0, 0] },
      { where: 'haiku 2 probe', call: 'read(3, 3)', out: 'hai', ns: [0, 0] },
      { where: 'haiku 2 probe', call: `open("/nope", ${O_RDONLY})`, out: 'ENOENT', ns: [0, 0] },
      { where: 'haiku 2 probe', call: 'nanosleep(1500000000)', out: 0, ns: [0, 1.5e9] },
      { where: 'haiku 2 probe', call: 'close(3)', out: 0, ns: [1.5e9, 1.5e9] },
    ]);
  });
});

describe('--load', () => {
  const dirs: string[] = [];
  const sessions: Session[] = [];
  afterEach(() => {
    for (const s of sessions.splice(0)) s.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  function programFile(name: string, source: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-load-'));
    dirs.push(dir);
    const file = path.join(dir, name);
    fs.writeFileSync(file, source);
    return file;
  }

  it('installs a user program file as /bin/NAME on every host and runs it through syscalls', async () => {
    const file = programFile(
      'hello.mjs',
      [
        'export default {',
        "  name: 'hello-load',",
        "  summary: 'a loaded program',",
        '  async main(argv, sys) {',
        "    const fd = await sys.open('/etc/hostname', 0);",
        '    const host = new TextDecoder().decode(await sys.read(fd, 64)).trim();',
        "    await sys.write(1, `hello from ${host}, pid ${sys.getpid()}, args ${argv.slice(1).join(',')}\\n`);",
        '    return 3;',
        '  },',
        '};',
        '',
      ].join('\n'),
    );
    const session = await Session.create({ clock: 'virtual', load: [file] });
    sessions.push(session);
    const k = session.host;
    const r = await run(session.world, k.name, ['hello-load', 'a', 'b']);
    expect(r.out).toMatch(new RegExp(`^hello from ${k.name}, pid \\d+, args a,b\\n$`));
    expect(r.status).toBe(exitedStatus(3));
    // Every host of the world shares the one /bin.
    const other = session.world.hostNames().find((h) => h !== k.name)!;
    expect((await run(session.world, other, ['hello-load'])).out).toMatch(new RegExp(`^hello from ${other}, pid \\d+, args \n$`));
  });

  it('refuses a file whose default export is not a program, in words', async () => {
    const file = programFile('bad.mjs', 'export default { name: "no main" };\n');
    const err = await Session.create({ clock: 'virtual', load: [file] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionError);
    expect((err as Error).message).toBe(`--load ${file}: the default export must be a program: defineProgram({ name, summary, main(argv, sys) })`);
  });
});
