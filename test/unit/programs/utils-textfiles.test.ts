// cat, head, tail, wc, tee, grep: whole outputs and error paths, worded as GNU coreutils and GNU
// grep word them (checked against coreutils 9.1 and grep 3.8 while writing these).

import { describe, expect, it } from 'vitest';
import { start } from '../../helpers/world.js';
import { install, run1, sh, world } from './utils-helpers.js';

const T = 'hello world\nfoo\n';
const LINES = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
const files = { '/tmp/t': T, '/tmp/nonl': 'x\ny', '/tmp/lines': LINES, '/tmp/empty': '' };

describe('cat', () => {
  it('concatenates files and standard input ("-"), numbers lines with -n', async () => {
    expect(await run1(['cat', '/tmp/t', '-', '/tmp/nonl'], { files, input: 'typed\n' })).toEqual({ out: `${T}typed\nx\ny`, status: 0 });
    expect(await run1(['cat'], { input: 'a\nb\n' })).toEqual({ out: 'a\nb\n', status: 0 });
    expect(await run1(['cat', '-n', '/tmp/nonl', '/tmp/t'], { files })).toEqual({
      // The unterminated "y" and "hello world" are one line, as cat -n sees it.
      out: '     1\tx\n     2\tyhello world\n     3\tfoo\n',
      status: 0,
    });
  });
  it('reports each file it cannot read, goes on, and exits 1', async () => {
    expect(await run1(['cat', '/nope', '/tmp/t', '/tmp', 'a b'], { files })).toEqual({
      out: `cat: /nope: No such file or directory\n${T}cat: /tmp: Is a directory\ncat: 'a b': No such file or directory\n`,
      status: 1,
    });
  });
});

describe('head and tail', () => {
  it('head: 10 lines, -n N, -n -N, -c N, the obsolete -N, headers for several files', async () => {
    expect((await run1(['head', '/tmp/lines'], { files })).out).toBe(LINES.split('\n').slice(0, 10).join('\n') + '\n');
    expect(await run1(['head', '-3', '/tmp/lines'], { files })).toEqual({ out: 'line 1\nline 2\nline 3\n', status: 0 });
    expect(await run1(['head', '-n', '-10', '/tmp/lines'], { files })).toEqual({ out: 'line 1\nline 2\n', status: 0 });
    expect(await run1(['head', '-c', '3', '/tmp/t'], { files })).toEqual({ out: 'hel', status: 0 });
    expect(await run1(['head', '-c', '-3', '/tmp/t'], { files })).toEqual({ out: 'hello world\nf', status: 0 });
    expect(await run1(['head', '-n', '1', '/tmp/t', '/tmp/nonl'], { files })).toEqual({ out: '==> /tmp/t <==\nhello world\n\n==> /tmp/nonl <==\nx\n', status: 0 });
    expect(await run1(['head', '-n', '1'], { input: 'first\nsecond\n' })).toEqual({ out: 'first\n', status: 0 });
  });
  it('tail: last lines, +N, -c, the obsolete forms, a last line without newline', async () => {
    expect(await run1(['tail', '-n', '2', '/tmp/lines'], { files })).toEqual({ out: 'line 11\nline 12\n', status: 0 });
    expect(await run1(['tail', '-n', '+11', '/tmp/lines'], { files })).toEqual({ out: 'line 11\nline 12\n', status: 0 });
    expect(await run1(['tail', '+12', '/tmp/lines'], { files })).toEqual({ out: 'line 12\n', status: 0 });
    expect(await run1(['tail', '-1', '/tmp/nonl'], { files })).toEqual({ out: 'y', status: 0 });
    expect(await run1(['tail', '-c', '4', '/tmp/t'], { files })).toEqual({ out: 'foo\n', status: 0 });
    expect(await run1(['tail', '-n', '1', '/tmp/t', '/tmp/empty'], { files })).toEqual({ out: '==> /tmp/t <==\nfoo\n\n==> /tmp/empty <==\n', status: 0 });
    expect(await run1(['pipeline', 'seq', '100000', '|', 'tail', '-n', '2'])).toEqual({ out: '99999\n100000\n', status: 0 });
  });
  it('tail -f prints what is appended to a file', async () => {
    const w = world();
    install(w, '/tmp/log', 'one\n');
    const k = w.mustHost('haiku');
    w.sched.after(2.5e9, () => k.root.vol.appendFileSync('/tmp/log', 'two\n'));
    const s = await start(k, ['tail', '-f', '/tmp/log']);
    await w.run({ until: () => w.sched.now() >= 6e9 });
    s.proc.signal(15);
    await w.run({ until: () => !s.proc.alive });
    expect(s.output()).toBe('one\ntwo\n');
  });
  it('report files they cannot open or read, and bad counts', async () => {
    expect(await run1(['head', '/nope', '/tmp/t'], { files })).toEqual({
      out: "head: cannot open '/nope' for reading: No such file or directory\n==> /tmp/t <==\nhello world\nfoo\n",
      status: 1,
    });
    expect(await run1(['tail', '/tmp'], { files })).toEqual({ out: "tail: error reading '/tmp': Is a directory\n", status: 1 });
    expect(await run1(['head', '-n', 'abc'])).toEqual({ out: "head: invalid number of lines: 'abc'\nusage: head [options] [file...]\n", status: 2 });
    expect(await run1(['tail', '-c', '1x'])).toEqual({ out: "tail: invalid number of bytes: '1x'\nusage: tail [options] [file...]\n", status: 2 });
  });
});

describe('wc', () => {
  it('counts lines, words and bytes with coreutils column widths', async () => {
    expect(await run1(['wc', '/tmp/t'], { files })).toEqual({ out: ' 2  3 16 /tmp/t\n', status: 0 });
    expect(await run1(['wc', '-l', '/tmp/t'], { files })).toEqual({ out: '2 /tmp/t\n', status: 0 });
    expect(await run1(['wc', '/tmp/t', '/tmp/nonl'], { files })).toEqual({ out: ' 2  3 16 /tmp/t\n 1  2  3 /tmp/nonl\n 3  5 19 total\n', status: 0 });
    expect(await run1(['wc'], { input: 'a b\nc\n' })).toEqual({ out: '      2       3       6\n', status: 0 });
    expect(await run1(['wc', '-w'], { input: 'a b\nc\n' })).toEqual({ out: '3\n', status: 0 });
    expect(await run1(['wc', '-m', '-c', '/tmp/u'], { files: { '/tmp/u': 'héllo\n' } })).toEqual({ out: '6 7 /tmp/u\n', status: 0 });
  });
  it('reports missing files and directories', async () => {
    expect(await run1(['wc', '/nope', '/tmp/t'], { files })).toEqual({ out: 'wc: /nope: No such file or directory\n 2  3 16 /tmp/t\n 2  3 16 total\n', status: 1 });
    expect(await run1(['wc', '/tmp'], { files })).toEqual({ out: 'wc: /tmp: Is a directory\n      0       0       0 /tmp\n', status: 1 });
  });
});

describe('tee', () => {
  it('copies standard input to standard output and files; -a appends', async () => {
    const w = world();
    install(w, '/tmp/a', 'old\n');
    expect(await sh(w, ['tee', '/tmp/b', '/tmp/c'], { input: 'x\ny\n' })).toEqual({ out: 'x\ny\n', status: 0 });
    expect(await sh(w, ['tee', '-a', '/tmp/a'], { input: 'new\n' })).toEqual({ out: 'new\n', status: 0 });
    expect(await sh(w, ['cat', '/tmp/a', '/tmp/b', '/tmp/c'])).toEqual({ out: 'old\nnew\nx\ny\nx\ny\n', status: 0 });
  });
  it('reports a file it cannot open and still copies to the others', async () => {
    const w = world();
    expect(await sh(w, ['tee', '/nope/x', '/tmp', '/tmp/ok'], { input: 'data\n' })).toEqual({
      out: 'tee: /nope/x: No such file or directory\ntee: /tmp: Is a directory\ndata\n',
      status: 1,
    });
    expect((await sh(w, ['cat', '/tmp/ok'])).out).toBe('data\n');
  });
});

describe('grep', () => {
  it('prints matching lines; -n -c -i -v -l -w -x -F -E -e; file names with several files', async () => {
    expect(await run1(['grep', 'o', '/tmp/t'], { files })).toEqual({ out: T, status: 0 });
    expect(await run1(['grep', '-n', 'foo', '/tmp/t'], { files })).toEqual({ out: '2:foo\n', status: 0 });
    expect(await run1(['grep', '-c', 'o', '/tmp/t', '/tmp/nonl'], { files })).toEqual({ out: '/tmp/t:2\n/tmp/nonl:0\n', status: 0 });
    expect(await run1(['grep', '-i', 'HELLO', '/tmp/t'], { files })).toEqual({ out: 'hello world\n', status: 0 });
    expect(await run1(['grep', '-v', 'o', '/tmp/t', '/tmp/nonl'], { files })).toEqual({ out: '/tmp/nonl:x\n/tmp/nonl:y\n', status: 0 });
    expect(await run1(['grep', '-l', 'o', '/tmp/t', '/tmp/nonl', '/tmp/lines'], { files })).toEqual({ out: '/tmp/t\n', status: 0 });
    expect(await run1(['grep', '-w', 'hell', '/tmp/t'], { files })).toEqual({ out: '', status: 1 });
    expect(await run1(['grep', '-x', 'fo*', '/tmp/t'], { files })).toEqual({ out: 'foo\n', status: 0 });
    expect(await run1(['grep', '-F', 'l.*', '/tmp/t'], { files })).toEqual({ out: '', status: 1 });
    expect(await run1(['grep', 'line 1\\(0\\|2\\)$', '/tmp/lines'], { files })).toEqual({ out: 'line 10\nline 12\n', status: 0 });
    expect(await run1(['grep', '-E', '^line (3|4)$', '/tmp/lines'], { files })).toEqual({ out: 'line 3\nline 4\n', status: 0 });
    expect(await run1(['grep', '-e', 'foo', '-e', '[[:upper:]]', '/tmp/t'], { files })).toEqual({ out: 'foo\n', status: 0 });
    expect(await run1(['grep', 'b'], { input: 'abc\nxyz\nbcd\n' })).toEqual({ out: 'abc\nbcd\n', status: 0 });
    expect(await run1(['grep', '-H', 'y'], { input: 'xyz\n' })).toEqual({ out: '(standard input):xyz\n', status: 0 });
  });
  it('exits 1 when nothing matched, 2 on errors, even after a match', async () => {
    expect(await run1(['grep', 'zzz', '/tmp/t'], { files })).toEqual({ out: '', status: 1 });
    expect(await run1(['grep', 'foo', '/tmp/t', '/nope'], { files })).toEqual({ out: '/tmp/t:foo\ngrep: /nope: No such file or directory\n', status: 2 });
    expect(await run1(['grep', '-s', 'foo', '/nope'])).toEqual({ out: '', status: 2 });
    expect(await run1(['grep', '-q', 'foo', '/tmp/t', '/nope'], { files })).toEqual({ out: '', status: 0 });
    expect(await run1(['grep', 'a\\(', '/tmp/t'], { files })).toEqual({ out: 'grep: Unmatched ( or \\(\n', status: 2 });
    expect(await run1(['grep', '[a', '/tmp/t'], { files })).toEqual({ out: 'grep: Unmatched [, [^, [:, [., or [=\n', status: 2 });
    expect(await run1(['grep'])).toEqual({ out: 'grep: missing pattern\nusage: grep [options] [patterns] [file...]\n', status: 2 });
  });
});
