// echo, printf, seq, basename, dirname, yes, true, false, clear: whole outputs, as GNU coreutils
// prints them (checked against coreutils 9.1 while writing these).

import { describe, expect, it } from 'vitest';
import { defineProgram, type Program } from '../../../kernel/abi/program.js';
import { SIGPIPE } from '../../../kernel/abi/signal.js';
import cat from '../../../userland/bin/cat.js';
import yes from '../../../userland/bin/yes.js';
import { sh, run1, world } from './utils-helpers.js';

/** The program run with SIGPIPE ignored, so that its writes fail with EPIPE instead. */
function ignoringSigpipe(p: Program): Program {
  return defineProgram({
    name: `${p.name}-nosigpipe`,
    summary: '',
    async main(argv, sys) {
      await sys.sigaction(SIGPIPE, 'SIG_IGN');
      return p.main([p.name, ...argv.slice(1)], sys);
    },
  });
}

describe('echo', () => {
  it('prints its arguments with a newline', async () => {
    expect(await run1(['echo', 'hello', 'world'])).toEqual({ out: 'hello world\n', status: 0 });
    expect(await run1(['echo'])).toEqual({ out: '\n', status: 0 });
  });
  it('-n leaves out the newline; -e interprets escapes; \\c stops everything', async () => {
    expect(await run1(['echo', '-n', 'a', 'b'])).toEqual({ out: 'a b', status: 0 });
    expect(await run1(['echo', '-e', 'a\\tb\\x41|\\101|\\0101|\\\\'])).toEqual({ out: 'a\tbA|A|A|\\\n', status: 0 });
    expect(await run1(['echo', '-e', 'one\\c', 'two'])).toEqual({ out: 'one', status: 0 });
    expect(await run1(['echo', '-E', 'a\\tb'])).toEqual({ out: 'a\\tb\n', status: 0 });
  });
  it('takes only n, e and E as options: anything else is text', async () => {
    expect(await run1(['echo', '-nx', '--', '-n'])).toEqual({ out: '-nx -- -n\n', status: 0 });
    expect(await run1(['echo', '--help', 'x'])).toEqual({ out: '--help x\n', status: 0 });
    const help = await run1(['echo', '--help']);
    expect(help.status).toBe(0);
    expect(help.out).toMatch(/^Usage: echo \[options\] \[string\.\.\.\]\n/);
  });
});

describe('printf', () => {
  it('formats %s %d %x %% and reuses the format for the remaining arguments', async () => {
    expect(await run1(['printf', '%s-%d-%x-%%\\n', 'a', '42', '255'])).toEqual({ out: 'a-42-ff-%\n', status: 0 });
    expect(await run1(['printf', '%s\\n', 'a', 'b', 'c'])).toEqual({ out: 'a\nb\nc\n', status: 0 });
    expect(await run1(['printf', '%d %d\\n', '1'])).toEqual({ out: '1 0\n', status: 0 });
  });
  it('handles widths, precisions, flags and the floating-point conversions', async () => {
    expect(await run1(['printf', '%5s|%-5s|%05d|%o|%X|%c|%e\\n', 'a', 'b', '42', '8', '255', 'xyz', '3'])).toEqual({
      out: '    a|b    |00042|10|FF|x|3.000000e+00\n',
      status: 0,
    });
    expect(await run1(['printf', '%5.2f|%-4d|%+d|%#x|%i|%g|%g\\n', '3.14159', '7', '5', '255', '12', '100000', '0.0001'])).toEqual({
      out: ' 3.14|7   |+5|0xff|12|100000|0.0001\n',
      status: 0,
    });
    expect(await run1(['printf', '%x %u\\n', '-1', '-1'])).toEqual({ out: 'ffffffffffffffff 18446744073709551615\n', status: 0 });
    expect(await run1(['printf', '%b|%q\\n', 'a\\tb', 'a b'])).toEqual({ out: "a\tb|'a b'\n", status: 0 });
  });
  it('reports a bad number but goes on, status 1; stops at an invalid conversion', async () => {
    expect(await run1(['printf', '%d|%d\\n', 'abc', '12x'])).toEqual({
      out: "0|12\nprintf: 'abc': expected a numeric value\nprintf: '12x': value not completely converted\n",
      status: 1,
    });
    expect(await run1(['printf', 'a%zb'])).toEqual({ out: 'aprintf: %z: invalid conversion specification\n', status: 1 });
    expect(await run1(['printf'])).toEqual({ out: 'printf: missing operand\nusage: printf [options] <format> [argument...]\n', status: 2 });
  });
});

describe('seq', () => {
  it('counts from 1, from FIRST, by INCREMENT, down, with the precision of its operands', async () => {
    expect(await run1(['seq', '3'])).toEqual({ out: '1\n2\n3\n', status: 0 });
    expect(await run1(['seq', '2', '4'])).toEqual({ out: '2\n3\n4\n', status: 0 });
    expect(await run1(['seq', '1', '0.5', '2'])).toEqual({ out: '1.0\n1.5\n2.0\n', status: 0 });
    expect(await run1(['seq', '3', '-1', '1'])).toEqual({ out: '3\n2\n1\n', status: 0 });
    expect(await run1(['seq', '5', '1'])).toEqual({ out: '', status: 0 });
    expect((await run1(['seq', '0', '0.1', '1'])).out.split('\n').slice(-3)).toEqual(['0.9', '1.0', '']);
  });
  it('-w pads, -s separates, -f formats', async () => {
    expect(await run1(['seq', '-w', '8', '10'])).toEqual({ out: '08\n09\n10\n', status: 0 });
    expect(await run1(['seq', '-s', ',', '3'])).toEqual({ out: '1,2,3\n', status: 0 });
    expect(await run1(['seq', '-f', 'x%gy', '1', '0.5', '2'])).toEqual({ out: 'x1y\nx1.5y\nx2y\n', status: 0 });
  });
  it('rejects bad operands with a usage message', async () => {
    expect(await run1(['seq', 'abc'])).toEqual({ out: "seq: invalid floating point argument: 'abc'\nusage: seq [options] [FIRST [INCREMENT]] LAST\n", status: 2 });
    expect(await run1(['seq', '1', '0', '3'])).toEqual({ out: "seq: invalid Zero increment value: '0'\nusage: seq [options] [FIRST [INCREMENT]] LAST\n", status: 2 });
    expect(await run1(['seq', '1', '2', '3', '4'])).toEqual({ out: "seq: extra operand '4'\nusage: seq [options] [FIRST [INCREMENT]] LAST\n", status: 2 });
  });
});

describe('basename and dirname', () => {
  it('strip directories and suffixes as coreutils does', async () => {
    expect(await run1(['basename', '/a/b/c.txt', '.txt'])).toEqual({ out: 'c\n', status: 0 });
    expect(await run1(['basename', '-a', 'x/y/', '/', 'z'])).toEqual({ out: 'y\n/\nz\n', status: 0 });
    expect(await run1(['basename', '-s', '.c', 'a.c', 'b.c'])).toEqual({ out: 'a\nb\n', status: 0 });
    expect(await run1(['dirname', 'a/b/', '/', 'a', '/x', 'x//y//'])).toEqual({ out: 'a\n/\n.\n/\nx\n', status: 0 });
  });
  it('want operands', async () => {
    expect(await run1(['basename'])).toEqual({ out: 'basename: missing operand\nusage: basename NAME [SUFFIX] | -a [-s SUFFIX] NAME...\n', status: 2 });
    expect(await run1(['basename', 'a', 'b', 'c'])).toEqual({ out: "basename: extra operand 'c'\nusage: basename NAME [SUFFIX] | -a [-s SUFFIX] NAME...\n", status: 2 });
    expect(await run1(['dirname'])).toEqual({ out: "dirname: missing required argument 'name'\nusage: dirname [options] <name...>\n", status: 2 });
  });
});

describe('yes, true, false, clear', () => {
  it('yes repeats until its reader goes away (SIGPIPE)', async () => {
    expect(await run1(['pipeline', 'yes', '|', 'head', '-n', '3'])).toEqual({ out: 'y\ny\ny\n[yes: signal 7]\n', status: 0 });
    expect(await run1(['pipeline', 'yes', 'a', 'b', '|', 'head', '-2'])).toEqual({ out: 'a b\na b\n[yes: signal 7]\n', status: 0 });
  });
  it('with SIGPIPE ignored, a closed pipe is EPIPE: yes stops, cat reports a write error', async () => {
    const w = world([ignoringSigpipe(yes), ignoringSigpipe(cat)]);
    expect(await sh(w, ['pipeline', 'yes-nosigpipe', '|', 'head', '-n', '1'])).toEqual({
      out: 'y\nyes: standard output: Broken pipe\n[yes-nosigpipe: status 1]\n',
      status: 0,
    });
    expect(await sh(w, ['pipeline', 'seq', '20000', '|', 'cat-nosigpipe', '|', 'head', '-c', '2'])).toEqual({
      // seq, writing on after cat left, meets SIGPIPE itself.
      out: '1\ncat: write error: Broken pipe\n[seq: signal 7]\n[cat-nosigpipe: status 1]\n',
      status: 0,
    });
  });
  it('true and false only exit', async () => {
    expect(await run1(['true', 'whatever', '--bogus'])).toEqual({ out: '', status: 0 });
    expect(await run1(['false', '--bogus'])).toEqual({ out: '', status: 1 });
    expect((await run1(['true', '--help'])).out).toMatch(/^Usage: true \[options\]\n/);
  });
  it('clear writes the home and erase-display sequence', async () => {
    expect(await run1(['clear'])).toEqual({ out: '\x1b[H\x1b[2J', status: 0 });
  });
});
