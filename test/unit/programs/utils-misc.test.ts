// env, id, tty, hexdump. hexdump's expected outputs are util-linux 2.38's, byte for byte
// (trailing spaces included).

import { describe, expect, it } from 'vitest';
import { install, run1, sh, world } from './utils-helpers.js';

describe('env', () => {
  it('prints the environment, changed by -i, -u and NAME=VALUE', async () => {
    expect(await run1(['env'])).toEqual({ out: 'PATH=/bin\nHOME=/boot/home\n', status: 0 });
    expect(await run1(['env', '-u', 'PATH', 'A=1', 'HOME=/tmp'])).toEqual({ out: 'HOME=/tmp\nA=1\n', status: 0 });
    expect(await run1(['env', '-i', 'X=a=b'])).toEqual({ out: 'X=a=b\n', status: 0 });
  });
  it('runs a command in the new environment and takes on its status', async () => {
    expect(await run1(['env', '-i', 'PATH=/bin', 'Y=2', 'env'])).toEqual({ out: 'PATH=/bin\nY=2\n', status: 0 });
    expect(await run1(['env', 'false'])).toEqual({ out: '', status: 1 });
    expect(await run1(['env', 'echo', '-n', 'hi'])).toEqual({ out: 'hi', status: 0 });
    expect(await run1(['pipeline', 'env', 'yes', '|', 'head', '-1'])).toEqual({ out: 'y\n[env: signal 7]\n', status: 0 });
  });
  it('reports a command it cannot run: 127 when missing, 126 otherwise', async () => {
    expect(await run1(['env', 'nosuch'])).toEqual({ out: "env: 'nosuch': No such file or directory\n", status: 127 });
    expect(await run1(['env', '/tmp'])).toEqual({ out: "env: '/tmp': Permission denied\n", status: 126 });
    expect(await run1(['env', '-i', 'PATH=/nowhere', 'ls'])).toEqual({ out: "env: 'ls': No such file or directory\n", status: 127 });
    // Without PATH, the search uses the default path, as execvp does.
    expect(await run1(['env', '-i', 'ls', '/boot'])).toEqual({ out: 'home\nsystem\n', status: 0 });
  });
});

describe('id', () => {
  it('prints ids with Haiku\'s names: uid 0 is "user", gid 0 "root"', async () => {
    expect(await run1(['id'])).toEqual({ out: 'uid=0(user) gid=0(root) groups=0(root)\n', status: 0 });
    expect(await run1(['id', '-u'])).toEqual({ out: '0\n', status: 0 });
    expect(await run1(['id', '-un'])).toEqual({ out: 'user\n', status: 0 });
    expect(await run1(['id', '-gn'])).toEqual({ out: 'root\n', status: 0 });
    expect(await run1(['id', 'user'])).toEqual({ out: 'uid=0(user) gid=0(root) groups=0(root)\n', status: 0 });
  });
  it('numbers for ids without names; /etc/passwd and /etc/group when present', async () => {
    const w = world();
    expect(await sh(w, ['id'], { uid: 1000 })).toEqual({ out: 'uid=1000 gid=1000 groups=1000\n', status: 0 });
    install(w, '/etc/passwd', 'user:x:0:0:user:/boot/home:/bin/sh\nbob:x:1000:100:Bob:/boot/home:/bin/sh\n');
    install(w, '/etc/group', 'root:x:0:\nusers:x:100:\n');
    expect(await sh(w, ['id'], { uid: 1000 })).toEqual({ out: 'uid=1000(bob) gid=1000 groups=1000\n', status: 0 });
    expect(await sh(w, ['id', 'bob'])).toEqual({ out: 'uid=1000(bob) gid=100(users) groups=100(users)\n', status: 0 });
  });
  it('reports unknown users and conflicting options', async () => {
    expect(await run1(['id', 'nobody'])).toEqual({ out: "id: 'nobody': no such user\n", status: 1 });
    expect(await run1(['id', '-u', '-g'])).toEqual({ out: 'id: cannot print "only" of more than one choice\nusage: id [options] [user]\n', status: 2 });
  });
});

describe('tty', () => {
  it('names the terminal on standard input, or says it is not one', async () => {
    expect(await run1(['tty'], { tty: true })).toEqual({ out: '/dev/tt/0\n', status: 0 });
    expect(await run1(['tty'])).toEqual({ out: 'not a tty\n', status: 1 });
    expect(await run1(['tty', '-s'])).toEqual({ out: '', status: 1 });
    expect(await run1(['pipeline', 'echo', '|', 'tty'])).toEqual({ out: 'not a tty\n[tty: status 1]\n', status: 0 });
  });
});

describe('hexdump', () => {
  const files = {
    '/tmp/hello': 'hello\n',
    '/tmp/odd': 'hello',
    '/tmp/rep': `${'abcdefghijklmnop'.repeat(3)}xyz`,
    '/tmp/empty': '',
  };
  it('default format: two-byte words, little-endian, a zero-padded odd byte, padded last line', async () => {
    expect(await run1(['hexdump', '/tmp/hello'], { files })).toEqual({ out: `0000000 6568 6c6c 0a6f${' '.repeat(25)}\n0000006\n`, status: 0 });
    expect(await run1(['hexdump', '/tmp/odd'], { files })).toEqual({ out: `0000000 6568 6c6c 006f${' '.repeat(25)}\n0000005\n`, status: 0 });
    expect(await run1(['hexdump', '/tmp/empty'], { files })).toEqual({ out: '', status: 0 });
  });
  it('-C canonical format, identical lines squeezed to "*" unless -v', async () => {
    const line = '61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e 6f 70  |abcdefghijklmnop|\n';
    expect(await run1(['hexdump', '-C', '/tmp/rep'], { files })).toEqual({
      out: `00000000  ${line}*\n00000030  78 79 7a${' '.repeat(42)}|xyz|\n00000033\n`,
      status: 0,
    });
    expect(await run1(['hexdump', '-Cv', '/tmp/rep'], { files })).toEqual({
      out: `00000000  ${line}00000010  ${line}00000020  ${line}00000030  78 79 7a${' '.repeat(42)}|xyz|\n00000033\n`,
      status: 0,
    });
  });
  it('reads standard input; -s skips, -n limits; -c shows characters', async () => {
    expect(await run1(['hexdump', '-C'], { input: 'hi\n' })).toEqual({ out: `00000000  68 69 0a${' '.repeat(42)}|hi.|\n00000003\n`, status: 0 });
    expect(await run1(['hexdump', '-C', '-s', '2', '-n', '3', '/tmp/hello'], { files })).toEqual({
      out: `00000002  6c 6c 6f${' '.repeat(42)}|llo|\n00000005\n`,
      status: 0,
    });
    expect(await run1(['hexdump', '-c', '/tmp/hello'], { files })).toEqual({ out: `0000000   h   e   l   l   o  \\n${' '.repeat(40)}\n0000006\n`, status: 0 });
  });
  it('reports inputs it cannot open or read', async () => {
    expect(await run1(['hexdump', '/nope'])).toEqual({ out: 'hexdump: /nope: No such file or directory\nhexdump: all input file arguments failed\n', status: 1 });
    expect(await run1(['hexdump', '-C', '/nope', '/tmp/odd'], { files })).toEqual({
      out: `hexdump: /nope: No such file or directory\n00000000  68 65 6c 6c 6f${' '.repeat(36)}|hello|\n00000005\n`,
      status: 1,
    });
    expect(await run1(['hexdump', '-n', 'x'])).toEqual({ out: "hexdump: failed to parse length: 'x'\nusage: hexdump [options] [file...]\n", status: 2 });
  });
});
