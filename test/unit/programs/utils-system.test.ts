// ps, kill, sleep, uptime, date, dmesg, uname, hostname: the process table and the clocks. Every
// world boots at 2026-01-01 00:00:00 UTC on the virtual clock.

import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../bin/paths.js';
import { loadWorldFile } from '../../../kernel/world/build.js';
import { SIGINT, SIGKILL, SIGTERM } from '../../../kernel/abi/signal.js';
import { WTERMSIG } from '../../../kernel/abi/wait.js';
import { userlandPrograms } from '../../../userland/bin/registry.js';
import { start } from '../../helpers/world.js';
import { install, run1, sh, world } from './utils-helpers.js';

describe('ps', () => {
  it("prints Haiku's team table, kernel_team first", async () => {
    const w = world();
    const k = w.mustHost('haiku');
    await start(k, ['sleep', '100']);
    expect(await sh(w, ['ps'])).toEqual({
      out:
        'Team                                                  Id #Threads  Gid  Uid\n' +
        'kernel_team                                            1        1    0    0\n' +
        'sleep 100                                              2        1    0    0\n' +
        'ps                                                     3        1    0    0\n',
      status: 0,
    });
  });
  it('-a -s adds the threads, their states and wait channels; a TEAM operand filters', async () => {
    const w = world();
    await start(w.mustHost('haiku'), ['sleep', '100']);
    await start(w.mustHost('haiku'), ['cat'], { uid: 1000 });
    const thread = 'Thread                                   Id    State Prio    UTime    KTime\n';
    expect(await sh(w, ['ps', 'cat'])).toEqual({
      out:
        'Team                                                  Id #Threads  Gid  Uid\n' +
        'cat                                                    3        1 1000 1000\n\n' +
        thread +
        'cat                                       3     wait   10        0        0 \n',
      status: 0,
    });
    const team = 'Team                                                  Id #Threads  Gid  Uid\n';
    const sep = `${'-'.repeat(75)}\n`;
    expect(await sh(w, ['ps', '-a', '-s'])).toEqual({
      out:
        `${team}kernel_team                                            1        1    0    0\n\n${thread}` +
        `kernel_team                               1     wait   10        0        0 \n${sep}` +
        `${team}sleep 100                                              2        1    0    0\n\n${thread}` +
        `sleep                                     2      zzz   10        0        0 \n${sep}` +
        `${team}cat                                                    3        1 1000 1000\n\n${thread}` +
        `cat                                       3     wait   10        0        0 read\n${sep}` +
        `${team}ps -a -s                                               5        1    0    0\n\n${thread}` +
        `ps                                        5      run   10        0        0 \n${sep}`,
      status: 0,
    });
  });
  it('-l shows parents, groups, ids, states and wait channels', async () => {
    const w = world();
    await start(w.mustHost('haiku'), ['sleep', '100']);
    expect(await sh(w, ['ps', '-l'])).toEqual({
      out:
        '  PID  PPID  PGID   UID   GID STAT WCHAN      COMMAND\n' +
        '    1     0     1     0     0 S    -          kernel_team\n' +
        '    2     1     2     0     0 S    nanosleep  sleep 100\n' +
        '    3     1     3     0     0 R    -          ps -l\n',
      status: 0,
    });
  });
  it("cuts a team's arguments at 63 characters, as team_info.args does", async () => {
    const r = await run1(['ps', 'ps', 'x'.repeat(100)]);
    expect(r.status).toBe(2);
    const w = world();
    // sleep adds up its operands: forty of them make a long command line that stays valid.
    await start(w.mustHost('haiku'), ['sleep', ...Array<string>(40).fill('1')]);
    const args = `sleep ${Array<string>(40).fill('1').join(' ')}`.slice(0, 63);
    expect((await sh(w, ['ps'])).out.split('\n')[2]).toBe(`${args}     2        1    0    0`);
  });
});

describe('ps, where a table would break', () => {
  it('shows an unreaped child as a zombie: [NAME] <defunct>, state Z', async () => {
    const w = world();
    const k = w.mustHost('haiku');
    const parent = await start(k, ['sleep', '100']);
    const child = await k.spawn(parent.proc, '/bin/true', ['true']);
    await w.run({ until: () => !child.alive });
    const r = await sh(w, ['ps', '-l']);
    expect(r.out.split('\n')[3]).toBe('    3     2     2     0     0 Z    -          [true] <defunct>');
    expect((await sh(w, ['ps'])).out.split('\n')[3]).toBe(`${'[true] <defunct>'.padEnd(50)}     3        1    0    0`);
  });

  it("keeps a multi-line command line on its row, and the columns in line past Haiku's widths", async () => {
    const w = world([(await userlandPrograms.load('sh'))!]);
    const k = w.mustHost('haiku');
    await start(k, ['sh', '-c', 'sleep 100\n\t:']);
    await start(k, ['sleep', '1'.repeat(55)]);
    const rows = (await sh(w, ['ps'])).out.split('\n');
    // The longest command line is 61 characters: the Team column is that wide, not 50.
    expect(rows.slice(0, 4)).toEqual([
      `${'Team'.padEnd(61)}    Id #Threads  Gid  Uid`,
      `${'kernel_team'.padEnd(61)}     1        1    0    0`,
      `${'sh -c sleep 100??:'.padEnd(61)}     2        1    0    0`,
      `sleep ${'1'.repeat(55)}     3        1    0    0`,
    ]);
    const long = (await sh(w, ['ps', '-l'])).out.split('\n');
    expect(long[2]).toBe('    2     1     2     0     0 S    nanosleep  sh -c sleep 100??:');
  });
});

describe('kill', () => {
  it('sends SIGTERM by default, or the signal named or numbered', async () => {
    for (const [args, sig] of [[[], SIGTERM], [['-9'], SIGKILL], [['-s', 'INT'], SIGINT], [['-SIGKILL'], SIGKILL], [['-n', '2'], SIGINT]] as const) {
      const w = world();
      const victim = await start(w.mustHost('haiku'), ['sleep', '100']);
      expect(await sh(w, ['kill', ...args, '2'])).toEqual({ out: '', status: 0 });
      expect(WTERMSIG(victim.proc.status)).toBe(sig);
    }
  });
  it('signals a process group with -PGID, and only checks with -0', async () => {
    const w = world();
    const victim = await start(w.mustHost('haiku'), ['sleep', '100']);
    expect(await sh(w, ['kill', '-0', '2'])).toEqual({ out: '', status: 0 });
    expect(victim.proc.alive).toBe(true);
    expect(await sh(w, ['kill', '-9', '-2'])).toEqual({ out: '', status: 0 });
    expect(WTERMSIG(victim.proc.status)).toBe(SIGKILL);
  });
  it("words errors as bash's kill does", async () => {
    expect(await run1(['kill', '999', '%1', 'abc'])).toEqual({
      out: 'kill: (999) - No such process\nkill: %1: no such job\nkill: abc: arguments must be process or job IDs\n',
      status: 1,
    });
    expect(await run1(['kill', '-s', 'FOO', '1'])).toEqual({ out: 'kill: FOO: invalid signal specification\n', status: 1 });
    const w = world();
    await start(w.mustHost('haiku'), ['sleep', '100']);
    expect(await sh(w, ['kill', '2'], { uid: 1000 })).toEqual({ out: 'kill: (2) - Operation not allowed\n', status: 1 });
    expect(await run1(['kill'])).toEqual({
      out: 'kill: missing process id\nusage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n',
      status: 2,
    });
  });
  it('-l lists the signals as bash does and translates numbers and names', async () => {
    expect(await run1(['kill', '-l'])).toEqual({
      out:
        ' 1) SIGHUP\t 2) SIGINT\t 3) SIGQUIT\t 5) SIGCHLD\t 6) SIGABRT\n' +
        ' 7) SIGPIPE\t 9) SIGKILL\t10) SIGSTOP\t11) SIGSEGV\t12) SIGCONT\n' +
        '13) SIGTSTP\t14) SIGALRM\t15) SIGTERM\t16) SIGTTIN\t17) SIGTTOU\n' +
        // A last line that is not full ends with a tab, as bash's display_signal_list leaves it.
        '18) SIGUSR1\t19) SIGUSR2\t20) SIGWINCH\t28) SIGXCPU\t\n',
      status: 0,
    });
    expect(await run1(['kill', '-l', '9', 'TERM', '135', '4'])).toEqual({ out: 'KILL\n15\nPIPE\nkill: 4: invalid signal specification\n', status: 1 });
  });
});

describe('sleep, uptime, date', () => {
  it('sleep waits on the kernel clock, fractions and suffixes added up', async () => {
    const w = world();
    expect(await sh(w, ['sleep', '0.5'])).toEqual({ out: '', status: 0 });
    expect(w.sched.now()).toBe(0.5e9);
    expect(await sh(w, ['sleep', '1m', '1.5'])).toEqual({ out: '', status: 0 });
    expect(w.sched.now()).toBe(62e9);
    expect(await sh(w, ['sleep', '1x'])).toEqual({ out: "sleep: invalid time interval '1x'\nusage: sleep [options] [number...]\n", status: 2 });
    expect(await sh(w, ['sleep'])).toEqual({ out: 'sleep: missing operand\nusage: sleep [options] [number...]\n', status: 2 });
  });
  it('uptime prints the time, the time since boot and load averages', async () => {
    const w = world();
    expect(await sh(w, ['uptime'])).toEqual({ out: ' 00:00:00 up 0 min, load average: 0.00, 0.00, 0.00\n', status: 0 });
    await sh(w, ['sleep', '312']);
    expect(await sh(w, ['uptime'])).toEqual({ out: ' 00:05:12 up 5 min, load average: 0.00, 0.00, 0.00\n', status: 0 });
    await sh(w, ['sleep', '2d', '3h']);
    expect(await sh(w, ['uptime'])).toEqual({ out: ' 03:05:12 up 2 days,  3:05, load average: 0.00, 0.00, 0.00\n', status: 0 });
    expect(await sh(w, ['uptime', '-p'])).toEqual({ out: 'up 2 days, 3 hours, 5 minutes\n', status: 0 });
    expect(await sh(w, ['uptime', '-s'])).toEqual({ out: '2026-01-01 00:00:00\n', status: 0 });
  });
  it('date prints the UTC time, in +FORMAT, of -d DATE or of a file (-r)', async () => {
    const w = world();
    expect(await sh(w, ['date'])).toEqual({ out: 'Thu Jan  1 00:00:00 UTC 2026\n', status: 0 });
    await sh(w, ['sleep', '3725']);
    expect(await sh(w, ['date', '+%Y-%m-%d %H:%M:%S %j %s %%'])).toEqual({ out: '2026-01-01 01:02:05 001 1767229325 %\n', status: 0 });
    expect(await sh(w, ['date', '-d', '@1795461497'])).toEqual({ out: 'Mon Nov 23 19:18:17 UTC 2026\n', status: 0 });
    expect(await sh(w, ['date', '-d', '2024-02-29 13:05', '+%a %e %b %-d %_m %I%p %Z %z'])).toEqual({ out: 'Thu 29 Feb 29  2 01PM UTC +0000\n', status: 0 });
    install(w, '/tmp/f', 'x');
    expect(await sh(w, ['date', '-r', '/tmp/f', '+%T'])).toEqual({ out: '01:02:05\n', status: 0 });
    expect(await sh(w, ['date', '-R', '-d', '@86400'])).toEqual({ out: 'Fri, 02 Jan 1970 00:00:00 +0000\n', status: 0 });
  });
  it('date reports bad dates and missing files', async () => {
    expect(await run1(['date', '-d', 'xx'])).toEqual({ out: "date: invalid date 'xx'\n", status: 1 });
    expect(await run1(['date', '2026'])).toEqual({ out: "date: invalid date '2026'\n", status: 1 });
    expect(await run1(['date', '-r', '/nope'])).toEqual({ out: 'date: /nope: No such file or directory\n', status: 1 });
  });
});

describe('dmesg, uname, hostname', () => {
  it('dmesg prints the kernel log, oldest line first', async () => {
    const w = world();
    const k = w.mustHost('haiku');
    k.log.write('first line');
    k.log.write('second line');
    const r = await sh(w, ['dmesg']);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/\nfirst line\nsecond line\n$/);
  });
  it('dmesg at boot tells what the kernel found: drivers and devices published, links up', async () => {
    const built = loadWorldFile(path.join(PACKAGE_ROOT, 'fixtures', 'worlds', 'default.json'), { programs: userlandPrograms, seed: 1 });
    const r = await sh(built.world, ['dmesg']);
    expect(r.status).toBe(0);
    expect(r.out.split('\n').slice(0, 5)).toEqual([
      'tun: driver loaded, /dev/misc/tun published',
      expect.stringMatching(/^ipro1000: \/dev\/net\/ipro1000\/0 published, MAC 52:54:00(:[0-9a-f]{2}){3}$/),
      '/dev/net/ipro1000/0: media change, media 0x100033 quality 1000 speed 1000000000',
      'virtio: /dev/net/virtio/0 published, MAC 52:54:00:12:34:57',
      '/dev/net/virtio/0: media change, media 0x10003b quality 1000 speed 10000000000',
    ]);
  });
  it('uname prints the fields coreutils prints, in its order', async () => {
    expect(await run1(['uname'])).toEqual({ out: 'Haiku\n', status: 0 });
    expect(await run1(['uname', '-a'])).toEqual({ out: 'Haiku haiku 1 hrev57937+tunlab x86_64 x86_64 Haiku\n', status: 0 });
    expect(await run1(['uname', '-m', '-n', '-r'])).toEqual({ out: 'haiku 1 x86_64\n', status: 0 });
    expect(await run1(['uname', '-svpi'])).toEqual({ out: 'Haiku hrev57937+tunlab x86_64 unknown\n', status: 0 });
    expect(await run1(['uname', 'x'])).toEqual({ out: "uname: too many arguments. Expected 0 arguments but got 1.\nusage: uname [options]\n", status: 2 });
  });
  it('hostname prints the node name and cannot set it', async () => {
    expect(await run1(['hostname'])).toEqual({ out: 'haiku\n', status: 0 });
    expect(await run1(['hostname', 'other'])).toEqual({ out: "hostname: cannot set name to 'other': Function not implemented\n", status: 1 });
  });
});
