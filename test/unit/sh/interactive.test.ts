// The interactive shell on a real terminal device, in virtual time. Job control: ^Z stops the
// foreground job, `jobs` lists it, `bg` and `fg` continue it; a background job that reads the
// terminal is stopped with SIGTTIN until `fg` gives it the terminal. History, in pipelines too.

import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../../../bin/session.js';
import type { Terminal } from '../../../kernel/drivers/tty/tty.js';
import type { Process } from '../../../kernel/proc/process.js';

const sessions: Session[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

async function interactiveShell() {
  const s = await Session.create({ clock: 'virtual' });
  sessions.push(s);
  const { shell, terminal } = await s.startShell([], { tty: true });
  const term = terminal as Terminal;
  let out = '';
  const dec = new TextDecoder();
  term.onOutput = (d) => void (out += dec.decode(d, { stream: true }));
  const alive = (command: string) => [...s.host.procs.byPid.values()].some((p: Process) => p.command === command && p.alive);
  /** Run until the shell (or a job) waits for a line, then return what was printed meanwhile. */
  async function settle(until: () => boolean = () => term.readersWaiting > 0 || !shell.alive): Promise<string> {
    const before = out.length;
    const outcome = await s.run(until, s.world.sched.now() + 3600e9);
    expect(outcome.kind, s.world.describeStuck(outcome) + out).toBe("done");
    return out.slice(before);
  }
  /** Type a line at the prompt and return what it printed up to the next read. */
  async function typed(line: string, until?: () => boolean): Promise<string> {
    term.type(`${line}\n`);
    return settle(until);
  }
  await settle();
  return { s, term, shell, settle, typed, alive };
}

describe('job numbers and notices (11.10)', () => {
  it('a stop is told once; numbers go on after the highest job and start again at 1 when none is left, as bash', async () => {
    const { typed } = await interactiveShell();
    const said = (await typed('cat &')) + (await typed('true')) + (await typed('true'));
    expect(said.split('Stopped (tty input)').length - 1).toBe(1);
    expect(await typed('sleep 100 &')).toMatch(/^\[2\] \d+\n/);
    await typed('kill %1');
    await typed('true');
    expect(await typed('sleep 200 &')).toMatch(/^\[3\] \d+\n/);
    await typed('kill %2 %3');
    await typed('wait');
    expect(await typed('sleep 1 &')).toMatch(/^\[1\] \d+\n/);
  });
});

describe('a long line', () => {
  it('a line of 100 000 characters reaches the shell whole (12.20: it was dropped at 64 KiB)', async () => {
    const { typed } = await interactiveShell();
    expect(await typed(`echo ${'a'.repeat(100_000)} | wc -c`)).toBe('100001\nhaiku:~> ');
  });
});

describe('job control', () => {
  it('^Z stops the foreground job; jobs lists it; bg and fg continue it; its status is 128 + SIGTSTP', async () => {
    const { term, settle, typed, alive } = await interactiveShell();
    const job = 'ping -q -c 5 127.0.0.1';
    await typed(job, () => alive('ping') && term.readersWaiting === 0);
    term.suspend();
    expect(await settle()).toContain(`[1]+  Stopped                 ${job}\nhaiku:~> `);
    expect(await typed('echo $?')).toContain('141\n');
    expect(await typed('jobs')).toContain(`[1]+  Stopped                 ${job}\n`);
    expect(await typed('bg')).toContain(`[1]+ ${job} &\n`);
    expect(await typed('jobs')).toContain(`[1]+  Running                 ${job}\n`);
    await typed('kill -STOP %1');
    expect(await typed('jobs')).toContain(`[1]+  Stopped (signal)        ${job}\n`);
    // fg: the rest of the pings in the foreground, then the prompt again.
    const rest = await typed('fg');
    expect(rest).toContain(`${job}\n`);
    expect(rest).toContain('5 packets transmitted, 5 packets received');
    expect(alive('ping')).toBe(false);
    expect(await typed('echo $?; jobs')).toMatch(/^0\nhaiku:~> $/);
  });

  it('^Z at a builtin stops nothing: the interactive shell ignores SIGTSTP', async () => {
    const { term, settle, typed } = await interactiveShell();
    term.type('sleep 3\n');
    await settle(() => term.readersWaiting === 0);
    term.suspend();
    await settle();
    expect(await typed('echo still here')).toContain('still here\n');
  });

  it('a background job that reads the terminal is stopped (tty input) until fg gives it the terminal', async () => {
    const { term, settle, typed, alive } = await interactiveShell();
    const started = await typed('cat &');
    expect(started).toMatch(/\[1\] \d+\n/);
    // The line typed next is the shell's, not cat's.
    expect(await typed('jobs')).toContain('[1]+  Stopped (tty input)     cat\n');
    expect(await typed('fg', () => term.readersWaiting > 0 && alive('cat'))).toContain('cat\n');
    expect(await typed('hello')).toContain('hello\n');
    term.endOfFile();
    await settle();
    expect(alive('cat')).toBe(false);
  });
});

describe('job control, the hard cases', () => {
  it('a reader stopped by ^Z does not take the next line typed for the shell; fg gives it back', async () => {
    const { term, settle, typed, alive } = await interactiveShell();
    await typed('cat', () => alive('cat') && term.readersWaiting > 0);
    term.suspend();
    expect(await settle()).toContain('[1]+  Stopped                 cat\n');
    expect(await typed('echo hello-shell')).toContain('hello-shell\n');
    expect(await typed('fg', () => alive('cat') && term.readersWaiting > 0)).toContain('cat\n');
    expect(await typed('for-cat', () => term.readersWaiting > 0)).toBe('for-cat\n');
    term.endOfFile();
    await settle();
    expect(alive('cat')).toBe(false);
  });

  it('wait on a stopped job neither continues it nor hangs; kill -CONT shows it running again', async () => {
    const { typed, alive } = await interactiveShell();
    await typed('cat &');
    // bash: wait waits for the running jobs only, warns of a stopped one, and is 0.
    expect(await typed('wait; echo "status $?"')).toBe('sh: wait: warning: job 1[3] stopped\nstatus 0\nhaiku:~> ');
    expect(await typed('jobs')).toContain('[1]+  Stopped (tty input)     cat\n');
    await typed('ping -q -c 50 127.0.0.1 &');
    await typed('kill -STOP %2');
    expect(await typed('jobs')).toContain('[2]+  Stopped (signal)        ping -q -c 50 127.0.0.1\n');
    await typed('kill -CONT %2');
    expect(await typed('jobs')).toContain('[2]+  Running                 ping -q -c 50 127.0.0.1\n');
    await typed('kill %1 %2');
    await typed('true');
    expect(alive('cat') || alive('ping')).toBe(false);
  });

  it('a group of commands with stdin from a file still runs in the foreground', async () => {
    const { typed } = await interactiveShell();
    await typed('echo abc > /tmp/f');
    expect(await typed('{ cat; } < /tmp/f')).toBe('abc\nhaiku:~> ');
  });

  it('a program on another host reads the terminal through `on`', async () => {
    const { term, s, settle, typed } = await interactiveShell();
    const remoteCat = () => [...s.world.mustHost('vpn').procs.byPid.values()].some((p) => p.command === 'cat' && p.alive);
    await typed('on vpn cat', () => remoteCat() && term.readersWaiting > 0);
    expect(await typed('to-vpn', () => term.readersWaiting > 0)).toBe('to-vpn\n');
    term.endOfFile();
    await settle();
    expect(remoteCat()).toBe(false);
  });

  it('leaving the shell hangs up its stopped jobs: nothing stays stopped for ever', async () => {
    const { term, settle, typed, alive } = await interactiveShell();
    await typed('ping -q -c 100 127.0.0.1', () => alive('ping') && term.readersWaiting === 0);
    term.suspend();
    await settle();
    // As bash: the first exit is refused with a word, the second in a row leaves.
    expect(await typed('exit')).toBe('There are stopped jobs.\nhaiku:~> ');
    await typed('exit', () => !alive('sh') && !alive('ping'));
  });

  it('^D with stopped jobs: warned once, then it leaves', async () => {
    const { term, settle, typed, alive } = await interactiveShell();
    await typed('ping -q -c 100 127.0.0.1', () => alive('ping') && term.readersWaiting === 0);
    term.suspend();
    await settle();
    term.endOfFile();
    expect(await settle()).toBe('There are stopped jobs.\nhaiku:~> ');
    term.endOfFile();
    await settle(() => !alive('sh') && !alive('ping'));
  });
});

describe('history', () => {
  it('lists the lines typed, in a pipeline too (the subshell has them)', async () => {
    const { typed } = await interactiveShell();
    await typed('echo one');
    await typed('echo two');
    expect(await typed('history | tail -2')).toBe('    2  echo two\n    3  history | tail -2\nhaiku:~> ');
    expect(await typed('history 1')).toBe('    4  history 1\nhaiku:~> ');
  });
});

describe('the prompt', () => {
  it("names a user other than root, so a shell from su shows whose it is (11.10: su left the prompt as it was)", async () => {
    const { typed } = await interactiveShell();
    expect(await typed('su 1000')).toBe('1000@haiku:~> ');
    expect(await typed('id -u')).toBe('1000\n1000@haiku:~> ');
    expect(await typed('exit')).toBe('haiku:~> ');
    await typed("echo 'bob:x:1001:1001::/boot/home:/bin/sh' >> /etc/passwd");
    expect(await typed('su bob')).toBe('bob@haiku:~> ');
    expect(await typed('exit')).toBe('haiku:~> ');
  });
});
