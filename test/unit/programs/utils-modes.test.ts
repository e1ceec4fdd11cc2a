// chmod, ln and which: the messages and statuses of GNU chmod and ln and of Debian's which
// (checked against coreutils 9.1 and debianutils while writing these).

import { describe, expect, it } from 'vitest';
import { install, sh, world } from './utils-helpers.js';

const mode = async (w: ReturnType<typeof world>, path: string) => (await sh(w, ['ls', '-ld', path])).out.split(' ')[0];

describe('chmod', () => {
  it('takes octal and symbolic modes, with the umask where no who is given', async () => {
    const w = world();
    install(w, '/tmp/f', '', 0o640);
    expect(await sh(w, ['chmod', '-v', 'u+x,o+r', '/tmp/f'])).toEqual({ out: "mode of '/tmp/f' changed from 0640 (rw-r-----) to 0744 (rwxr--r--)\n", status: 0 });
    expect(await sh(w, ['chmod', '-c', '744', '/tmp/f'])).toEqual({ out: '', status: 0 });
    expect(await sh(w, ['chmod', '-v', '744', '/tmp/f'])).toEqual({ out: "mode of '/tmp/f' retained as 0744 (rwxr--r--)\n", status: 0 });
    // A mode that looks like an option is a mode.
    expect(await sh(w, ['chmod', '-w', '/tmp/f'])).toEqual({ out: '', status: 0 });
    expect(await mode(w, '/tmp/f')).toBe('-r-xr--r--');
    expect(await sh(w, ['chmod', '=rw,+X', '/tmp/f'])).toEqual({ out: '', status: 0 });
    expect(await mode(w, '/tmp/f')).toBe('-rw-r--r--');
    expect(await sh(w, ['chmod', 'g=u,o=rwt', '/tmp/f'])).toEqual({ out: '', status: 0 });
    expect(await mode(w, '/tmp/f')).toBe('-rw-rw-rwT');
    expect(await sh(w, ['chmod', '4755', '/tmp/f'])).toEqual({ out: '', status: 0 });
    expect(await mode(w, '/tmp/f')).toBe('-rwsr-xr-x');
  });
  it('-R goes through directories', async () => {
    const w = world();
    install(w, '/tmp/d/e/x', '');
    expect(await sh(w, ['chmod', '-R', 'a-w', '/tmp/d'])).toEqual({ out: '', status: 0 });
    expect([await mode(w, '/tmp/d'), await mode(w, '/tmp/d/e'), await mode(w, '/tmp/d/e/x')]).toEqual(['dr-xr-xr-x', 'dr-xr-xr-x', '-r--r--r--']);
  });
  it('reports bad modes, missing operands and files, and refusals', async () => {
    const w = world();
    install(w, '/tmp/f', '');
    const usage = 'usage: chmod [options] MODE[,MODE]... FILE...\n';
    expect(await sh(w, ['chmod', '999', '/tmp/f'])).toEqual({ out: `chmod: invalid mode: '999'\n${usage}`, status: 2 });
    expect(await sh(w, ['chmod', 'u+q', '/tmp/f'])).toEqual({ out: `chmod: invalid mode: 'u+q'\n${usage}`, status: 2 });
    expect(await sh(w, ['chmod'])).toEqual({ out: `chmod: missing operand\n${usage}`, status: 2 });
    expect(await sh(w, ['chmod', '644'])).toEqual({ out: `chmod: missing operand after '644'\n${usage}`, status: 2 });
    expect(await sh(w, ['chmod', '-R', '644', '/nosuch', '/tmp/f'])).toEqual({ out: "chmod: cannot access '/nosuch': No such file or directory\n", status: 1 });
    expect(await sh(w, ['chmod', '-f', '644', '/nosuch'])).toEqual({ out: '', status: 1 });
    expect(await sh(w, ['chmod', '777', '/tmp/f'], { uid: 1000 })).toEqual({ out: "chmod: changing permissions of '/tmp/f': Operation not allowed\n", status: 1 });
  });
});

describe('ln', () => {
  it('makes symbolic links; -f replaces, -v reports, into a directory', async () => {
    const w = world();
    install(w, '/tmp/f', 'data\n');
    expect(await sh(w, ['ln', '-s', 'f', '/tmp/g'])).toEqual({ out: '', status: 0 });
    expect(await sh(w, ['cat', '/tmp/g'])).toEqual({ out: 'data\n', status: 0 });
    expect(await sh(w, ['ln', '-s', 'f', '/tmp/g'])).toEqual({ out: "ln: failed to create symbolic link '/tmp/g': File or Directory already exists\n", status: 1 });
    expect(await sh(w, ['ln', '-sfv', 'h', '/tmp/g'])).toEqual({ out: "'/tmp/g' -> 'h'\n", status: 0 });
    expect((await sh(w, ['ls', '-l', '/tmp/g'])).out).toMatch(/ \/tmp\/g -> h\n$/);
    await sh(w, ['mkdir', '/tmp/d']);
    expect(await sh(w, ['ln', '-s', '/tmp/f', '/tmp/x', '/tmp/d'])).toEqual({ out: '', status: 0 });
    expect((await sh(w, ['ls', '/tmp/d'])).out).toBe('f\nx\n');
    expect(await sh(w, ['ln', '-sf', 'f', '/tmp/d'])).toEqual({ out: '', status: 0 });
    expect(await sh(w, ['ln', '-sfT', 'f', '/tmp/d'])).toEqual({ out: "ln: '/tmp/d': cannot overwrite directory\n", status: 1 });
  });
  it('-n replaces a link to a directory instead of going into it', async () => {
    const w = world();
    await sh(w, ['mkdir', '/tmp/d']);
    await sh(w, ['ln', '-s', '/tmp/d', '/tmp/l']);
    expect(await sh(w, ['ln', '-sfn', '/tmp/e', '/tmp/l'])).toEqual({ out: '', status: 0 });
    expect((await sh(w, ['ls', '-l', '/tmp/l'])).out).toMatch(/ \/tmp\/l -> \/tmp\/e\n$/);
    expect((await sh(w, ['ls', '/tmp/d'])).out).toBe('');
  });
  it('refuses hard links (this filesystem has none) and a target that is no directory', async () => {
    const w = world();
    install(w, '/tmp/f', '');
    expect(await sh(w, ['ln', '/tmp/f', '/tmp/h'])).toEqual({ out: "ln: failed to create hard link '/tmp/h' => '/tmp/f': Operation not supported\n", status: 1 });
    expect(await sh(w, ['ln', '/tmp/nosuch', '/tmp/h'])).toEqual({ out: "ln: failed to access '/tmp/nosuch': No such file or directory\n", status: 1 });
    expect(await sh(w, ['ln', '-s', 'a', 'b', '/tmp/f'])).toEqual({ out: "ln: target '/tmp/f' is not a directory\n", status: 1 });
    expect(await sh(w, ['ln'])).toEqual({ out: 'ln: missing file operand\nusage: ln [options] TARGET [LINK_NAME] | TARGET... DIRECTORY\n', status: 2 });
  });
});

describe('which', () => {
  it('prints the first executable in $PATH (-a: all), status 1 when one is missing', async () => {
    const w = world();
    install(w, '/tmp/bin/ls', '#!/bin/sh\n', 0o755);
    install(w, '/tmp/bin/plain', '', 0o644);
    expect(await sh(w, ['env', 'PATH=/bin:/tmp/bin', 'which', 'ls', 'cat'])).toEqual({ out: '/bin/ls\n/bin/cat\n', status: 0 });
    expect(await sh(w, ['env', 'PATH=/bin:/tmp/bin', 'which', '-a', 'ls'])).toEqual({ out: '/bin/ls\n/tmp/bin/ls\n', status: 0 });
    expect(await sh(w, ['env', 'PATH=/bin:/tmp/bin', 'which', 'nosuch', 'plain', 'ls'])).toEqual({ out: '/bin/ls\n', status: 1 });
    expect(await sh(w, ['which', '/tmp/bin/ls'])).toEqual({ out: '/tmp/bin/ls\n', status: 0 });
    expect(await sh(w, ['which'])).toEqual({ out: '', status: 1 });
  });
});
