// Names that a plain JavaScript object already "has" (constructor, __proto__, toString, valueOf,
// hasOwnProperty) are ordinary words to the shell and its tables: `syscall constructor` once killed
// the shell, `set -o constructor` succeeded, `export __proto__=1` vanished, `[[:__proto__:]]`
// threw. Each is typed here where a table keyed by user input would look it up. (Every program's
// own operands get these names in programs-table.ts.)

import { describe, expect, it } from 'vitest';
import { crashes, JS_LEAK, runBounded, userlandWorld } from './harness.js';

export const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'] as const;

async function sh(script: string): Promise<{ out: string; code: number }> {
  const { w, panics } = userlandWorld();
  const r = await runBounded(w, 'a', ['sh', '-c', script], { limitNs: 30e9, wallMs: 5000 });
  expect(r.killed).toBe(false);
  expect(r.out).not.toMatch(JS_LEAK);
  expect(crashes(w)).toEqual([]);
  expect(panics).toEqual([]);
  return { out: r.out, code: r.code };
}

describe.each(PROTOTYPE_NAMES)('the name %s', (name) => {
  it('is no system call, flag or ioctl request of `syscall`', async () => {
    expect(await sh(`syscall ${name}; echo "status $?"`)).toEqual({ out: `syscall: unknown system call ${name} (try: syscall help)\nstatus 2\n`, code: 0 });
    const flag = await sh(`syscall open /etc/hostname ${name}`);
    expect(flag).toEqual({ out: `syscall open: unknown flag: ${name}\nusage: syscall open PATH [FLAGS] [MODE]   e.g. open /dev/misc/tun O_RDWR,O_NONBLOCK\n`, code: 2 });
    expect((await sh(`syscall ioctl 0 ${name}`)).out).toMatch(new RegExp(`^syscall ioctl: unknown ioctl request ${name} `));
  });

  it('is no shell option, and no builtin to ask help about', async () => {
    expect(await sh(`set -o ${name}; echo "status $?"`)).toEqual({ out: `sh: line 1: set: ${name}: invalid option name\nstatus 2\n`, code: 0 });
    expect(await sh(`help ${name}`)).toEqual({ out: `sh: line 1: help: no help topics match \`${name}'.  Try \`${name} --help'.\n`, code: 1 });
  });

  it('is a variable like any other: set, exported, given to a command, counted in arithmetic', async () => {
    expect(await sh(`${name}=5; echo $${name} $((${name} * 2)); export ${name}; env | grep '^${name}='`)).toEqual({ out: `5 10\n${name}=5\n`, code: 0 });
    expect(await sh(`${name}=6 env | grep '^${name}='; env ${name}=7 env | grep '^${name}='`)).toEqual({ out: `${name}=6\n${name}=7\n`, code: 0 });
  });

  it('is a function name like any other', async () => {
    expect(await sh(`${name}() { echo "in $1"; }; ${name} f; type ${name}`)).toEqual({ out: `in f\n${name} is a function\n`, code: 0 });
  });

  it('is no character class of a pattern or a regular expression', async () => {
    expect(await sh(`case a in [[:${name}:]]) echo matched;; *) echo no;; esac`)).toEqual({ out: 'no\n', code: 0 });
    expect(await sh(`grep '[[:${name}:]]' /etc/hostname`)).toEqual({ out: 'grep: Invalid character class name\n', code: 2 });
  });

  it('is no port or protocol of a capture filter, no count suffix, no hexdump format', async () => {
    expect(await sh(`tcpdump -c 1 port ${name}`)).toEqual({ out: `tcpdump: unknown port '${name}'\n`, code: 1 });
    expect(await sh(`tcpdump -c 1 ip proto ${name}`)).toEqual({ out: `tcpdump: invalid protocol '${name}'\n`, code: 1 });
    expect(await sh(`head -n 5${name} /etc/hostname`)).toEqual({ out: `head: invalid number of lines: '5${name}'\nusage: head [options] [file...]\n`, code: 2 });
    expect(await sh(`hexdump ${name}`)).toEqual({ out: `hexdump: ${name}: No such file or directory\nhexdump: all input file arguments failed\n`, code: 1 });
  });

  it('is no program to run from a "#!tunlab-program NAME" file', async () => {
    expect(await sh(`printf '#!tunlab-program ${name}\\n' > /tmp/p; syscall chmod /tmp/p 0755 >/dev/null; /tmp/p`)).toEqual({
      out: `sh: line 1: /tmp/p: Not an executable (no program ${name})\n`,
      code: 126,
    });
  });
});
