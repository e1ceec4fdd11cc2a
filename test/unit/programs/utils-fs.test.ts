// ls, mkdir, rmdir, rm, cp, mv, touch: listings and messages as GNU coreutils gives them. The
// virtual clock starts at 2026-01-01 00:00 UTC, so every boot-time file shows "Jan  1 00:00".

import { describe, expect, it } from 'vitest';
import { install, run1, sh, world } from './utils-helpers.js';

describe('ls', () => {
  it('lists names one per line when not on a terminal, in C-locale order, hiding dot files', async () => {
    const files = { '/tmp/d/b': '', '/tmp/d/a': '', '/tmp/d/B': '', '/tmp/d/.hidden': '' };
    expect(await run1(['ls', '/tmp/d'], { files })).toEqual({ out: 'B\na\nb\n', status: 0 });
    expect(await run1(['ls', '-a', '/tmp/d'], { files })).toEqual({ out: '.\n..\n.hidden\nB\na\nb\n', status: 0 });
    expect(await run1(['ls', '-A', '/tmp/d'], { files })).toEqual({ out: '.hidden\nB\na\nb\n', status: 0 });
  });
  it('fills columns (aligned with tabs, as coreutils does) on a terminal', async () => {
    const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'omicron', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega'];
    const r = await run1(['ls', '/tmp/g'], { tty: true, files: Object.fromEntries(names.map((n) => [`/tmp/g/${n}`, ''])) });
    expect(r.out).toBe(
      'alpha  delta\tgamma  lambda  omega\tpi   sigma  upsilon\n' +
        'beta   epsilon\tiota   mu      omicron\tpsi  tau    xi\n' +
        'chi    eta\tkappa  nu      phi\trho  theta  zeta\n',
    );
  });
  it('-l: mode, links, owner, group, size or device numbers, date, name, link target', async () => {
    const w = world();
    install(w, '/tmp/l/file', 'hello\n');
    install(w, '/tmp/l/script', '#!/bin/sh\n', 0o755);
    await sh(w, ['mkdir', '/tmp/l/sub']);
    w.mustHost('haiku').root.symlink('file', 'tmp/l/link', { uid: 0, gid: 0 });
    expect(await sh(w, ['ls', '-l', '/tmp/l'])).toEqual({
      out:
        'total 2\n' +
        '-rw-r--r-- 1 user root  6 Jan  1 00:00 file\n' +
        'lrwxrwxrwx 1 user root  4 Jan  1 00:00 link -> file\n' +
        '-rwxr-xr-x 1 user root 10 Jan  1 00:00 script\n' +
        'drwxr-xr-x 2 user root  0 Jan  1 00:00 sub\n',
      status: 0,
    });
    expect(await sh(w, ['ls', '-F', '/tmp/l'])).toEqual({ out: 'file\nlink@\nscript*\nsub/\n', status: 0 });
  });
  it('-l on devices shows "major, minor"; -d lists a directory itself; the sticky bit shows as t', async () => {
    expect(await run1(['ls', '-l', '/dev/null', '/dev/zero', '/dev/random'])).toEqual({
      out: 'crw-rw-rw- 1 user root 1, 3 Jan  1 00:00 /dev/null\ncrw-rw-rw- 1 user root 1, 8 Jan  1 00:00 /dev/random\ncrw-rw-rw- 1 user root 1, 5 Jan  1 00:00 /dev/zero\n',
      status: 0,
    });
    expect(await run1(['ls', '-ld', '/tmp', '/bin'])).toEqual({
      out: expect.stringMatching(/^dr-xr-xr-x \d+ user root 0 Jan {2}1 00:00 \/bin\ndrwxrwxrwt \d+ user root 0 Jan {2}1 00:00 \/tmp\n$/),
      status: 0,
    });
    expect(await run1(['ls', '-ln', '/dev/tt'], { tty: true })).toEqual({ out: 'total 0\ncrw--w---- 1 0 0 4, 0 Jan  1 00:00 0\n', status: 0 });
  });
  it('names users from /etc/passwd and /etc/group when the host has them', async () => {
    const w = world();
    install(w, '/etc/passwd', 'user:x:0:0:user:/boot/home:/bin/sh\nbob:x:1000:100:Bob:/boot/home:/bin/sh\n');
    install(w, '/etc/group', 'root:x:0:\nusers:x:100:\n');
    w.mustHost('haiku').root.install('tmp/bob', 'b', 0o600, 1000, 100);
    w.mustHost('haiku').root.install('tmp/other', 'o', 0o600, 2000, 2000);
    expect(await sh(w, ['ls', '-l', '/tmp/bob', '/tmp/other'])).toEqual({
      out: '-rw------- 1 bob  users 1 Jan  1 00:00 /tmp/bob\n-rw------- 1 2000 2000  1 Jan  1 00:00 /tmp/other\n',
      status: 0,
    });
  });
  it('lists files first, then each directory under a header; a missing operand is status 2', async () => {
    const files = { '/tmp/d/x': '', '/tmp/e/y': '', '/tmp/f': '' };
    expect(await run1(['ls', '/tmp/e', '/nope', '/tmp/f', '/tmp/d'], { files })).toEqual({
      out: "ls: cannot access '/nope': No such file or directory\n/tmp/f\n\n/tmp/d:\nx\n\n/tmp/e:\ny\n",
      status: 2,
    });
    expect(await run1(['ls', '/nope'])).toEqual({ out: "ls: cannot access '/nope': No such file or directory\n", status: 2 });
  });
});

describe('mkdir and rmdir', () => {
  it('mkdir makes directories, -p parents, -v tells, -m sets the mode', async () => {
    const w = world();
    expect(await sh(w, ['mkdir', '-v', '/tmp/a', '/tmp/b'])).toEqual({ out: "mkdir: created directory '/tmp/a'\nmkdir: created directory '/tmp/b'\n", status: 0 });
    expect(await sh(w, ['mkdir', '-p', '/tmp/a/x/y/z', '/tmp/a'])).toEqual({ out: '', status: 0 });
    expect(await sh(w, ['mkdir', '-m', '700', '/tmp/m'])).toEqual({ out: '', status: 0 });
    expect((await sh(w, ['ls', '-ld', '/tmp/m', '/tmp/a/x/y/z'])).out).toBe(
      'drwxr-xr-x 2 user root 0 Jan  1 00:00 /tmp/a/x/y/z\ndrwx------ 2 user root 0 Jan  1 00:00 /tmp/m\n',
    );
  });
  it('mkdir reports what exists or cannot be made', async () => {
    const files = { '/tmp/f': '' };
    expect(await run1(['mkdir', '/tmp', '/nope/x', '/tmp/f/y'], { files })).toEqual({
      out:
        "mkdir: cannot create directory '/tmp': File or Directory already exists\n" +
        "mkdir: cannot create directory '/nope/x': No such file or directory\n" +
        "mkdir: cannot create directory '/tmp/f/y': Not a directory\n",
      status: 1,
    });
    expect(await run1(['mkdir', '-p', '/tmp/f/y'], { files })).toEqual({ out: "mkdir: cannot create directory '/tmp/f': Not a directory\n", status: 1 });
    expect(await run1(['mkdir', '-m', '999', 'x'])).toEqual({ out: "mkdir: invalid mode '999'\nusage: mkdir [options] <directory...>\n", status: 2 });
  });
  it('rmdir removes empty directories, -p their parents', async () => {
    const w = world();
    await sh(w, ['mkdir', '-p', '/tmp/a/b/c']);
    install(w, '/tmp/full/f', '');
    expect(await sh(w, ['rmdir', '/tmp/full', '/nope', '/tmp/full/f'])).toEqual({
      out:
        "rmdir: failed to remove '/tmp/full': Directory not empty\n" +
        "rmdir: failed to remove '/nope': No such file or directory\n" +
        "rmdir: failed to remove '/tmp/full/f': Not a directory\n",
      status: 1,
    });
    expect(await sh(w, ['rmdir', '-p', '-v', '/tmp/a/b/c'])).toEqual({
      out:
        "rmdir: removing directory, '/tmp/a/b/c'\nrmdir: removing directory, '/tmp/a/b'\nrmdir: removing directory, '/tmp/a'\n" +
        "rmdir: removing directory, '/tmp'\nrmdir: failed to remove '/tmp': Directory not empty\n",
      status: 1,
    });
  });
});

describe('rm', () => {
  it('removes files, -r trees, -f ignores what is missing', async () => {
    const w = world();
    install(w, '/tmp/t/a/b/file', 'x');
    install(w, '/tmp/t/top', 'y');
    expect(await sh(w, ['rm', '/tmp/t/top', '/tmp/t/a', '/nope'])).toEqual({
      out: "rm: cannot remove '/tmp/t/a': Is a directory\nrm: cannot remove '/nope': No such file or directory\n",
      status: 1,
    });
    expect(await sh(w, ['rm', '-rv', '/tmp/t'])).toEqual({
      out: "removed '/tmp/t/a/b/file'\nremoved directory '/tmp/t/a/b'\nremoved directory '/tmp/t/a'\nremoved directory '/tmp/t'\n",
      status: 0,
    });
    expect(await sh(w, ['rm', '-f', '/nope'])).toEqual({ out: '', status: 0 });
    expect(await sh(w, ['rm', '-f'])).toEqual({ out: '', status: 0 });
  });
  it('refuses rm -r / and "."', async () => {
    expect(await run1(['rm', '-r', '/', '.'])).toEqual({
      out: "rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe\nrm: refusing to remove '.' or '..' directory: skipping '.'\n",
      status: 1,
    });
    expect(await run1(['rm'])).toEqual({ out: 'rm: missing operand\nusage: rm [options] [file...]\n', status: 2 });
  });
});

describe('cp, mv, touch', () => {
  it('cp copies a file, into a directory, and trees with -r', async () => {
    const w = world();
    install(w, '/tmp/src/a', 'A');
    install(w, '/tmp/src/sub/b', 'B', 0o600);
    await sh(w, ['mkdir', '/tmp/dst']);
    expect(await sh(w, ['cp', '/tmp/src/a', '/tmp/copy'])).toEqual({ out: '', status: 0 });
    expect(await sh(w, ['cp', '-v', '/tmp/src/a', '/tmp/copy', '/tmp/dst'])).toEqual({ out: "'/tmp/src/a' -> '/tmp/dst/a'\n'/tmp/copy' -> '/tmp/dst/copy'\n", status: 0 });
    expect(await sh(w, ['cp', '-r', '/tmp/src', '/tmp/tree'])).toEqual({ out: '', status: 0 });
    expect(await sh(w, ['cat', '/tmp/copy', '/tmp/dst/a', '/tmp/tree/a', '/tmp/tree/sub/b'])).toEqual({ out: 'AAAB', status: 0 });
    expect((await sh(w, ['ls', '-l', '/tmp/tree/sub'])).out).toBe('total 1\n-rw------- 1 user root 1 Jan  1 00:00 b\n');
  });
  it('cp errors are worded as coreutils words them', async () => {
    const files = { '/tmp/f': 'x', '/tmp/g': 'y', '/tmp/d/in': 'z' };
    expect(await run1(['cp', '/nope', '/tmp/d', '/tmp/f', '/tmp/d/in'], { files })).toEqual({ out: "cp: target '/tmp/d/in' is not a directory\n", status: 1 });
    expect(await run1(['cp', '/nope', '/tmp/f', '/tmp/d', '/tmp/d/in2'], { files })).toEqual({ out: "cp: target '/tmp/d/in2' is not a directory\n", status: 1 });
    expect(await run1(['cp', '/nope', '/tmp/d', '/tmp/f', '/tmp/out'], { files: { ...files, '/tmp/out/keep': '' } })).toEqual({
      out: "cp: cannot stat '/nope': No such file or directory\ncp: -r not specified; omitting directory '/tmp/d'\n",
      status: 1,
    });
    expect(await run1(['cp', '/nope', '/tmp/f', '/tmp/d', '/tmp/g'], { files })).toEqual({ out: "cp: target '/tmp/g' is not a directory\n", status: 1 });
    expect(await run1(['cp', '/tmp/f', '/tmp/f'], { files })).toEqual({ out: "cp: '/tmp/f' and '/tmp/f' are the same file\n", status: 1 });
    expect(await run1(['cp', '-r', '/tmp/d', '/tmp/d/sub'], { files })).toEqual({ out: "cp: cannot copy a directory, '/tmp/d', into itself, '/tmp/d/sub'\n", status: 1 });
    expect(await run1(['cp', '/tmp/f', '/nope/x'], { files })).toEqual({ out: "cp: cannot create regular file '/nope/x': No such file or directory\n", status: 1 });
    expect(await run1(['cp', '/tmp/f'], { files })).toEqual({ out: "cp: missing destination file operand after '/tmp/f'\nusage: cp [options] SOURCE DEST | SOURCE... DIRECTORY\n", status: 2 });
  });
  it('mv renames and moves into directories', async () => {
    const w = world();
    install(w, '/tmp/a', 'A');
    install(w, '/tmp/d/keep', '');
    expect(await sh(w, ['mv', '-v', '/tmp/a', '/tmp/b'])).toEqual({ out: "renamed '/tmp/a' -> '/tmp/b'\n", status: 0 });
    expect(await sh(w, ['mv', '/tmp/b', '/tmp/d'])).toEqual({ out: '', status: 0 });
    expect(await sh(w, ['ls', '/tmp/d'])).toEqual({ out: 'b\nkeep\n', status: 0 });
    expect(await sh(w, ['mv', '/nope', '/tmp/x'])).toEqual({ out: "mv: cannot stat '/nope': No such file or directory\n", status: 1 });
    expect(await sh(w, ['mv', '/tmp/d', '/tmp/d/sub'])).toEqual({ out: "mv: cannot move '/tmp/d' to a subdirectory of itself, '/tmp/d/sub'\n", status: 1 });
    expect(await sh(w, ['mv', '/tmp/d/b', '/nope/x'])).toEqual({ out: "mv: cannot move '/tmp/d/b' to '/nope/x': No such file or directory\n", status: 1 });
  });
  it('touch creates missing files and leaves existing ones', async () => {
    const w = world();
    install(w, '/tmp/old', 'keep');
    expect(await sh(w, ['touch', '/tmp/new', '/tmp/old', '/nope/x'])).toEqual({ out: "touch: cannot touch '/nope/x': No such file or directory\n", status: 1 });
    expect(await sh(w, ['touch', '-c', '/tmp/none'])).toEqual({ out: '', status: 0 });
    expect(await sh(w, ['wc', '-c', '/tmp/new', '/tmp/old'])).toEqual({ out: '0 /tmp/new\n4 /tmp/old\n4 total\n', status: 0 });
    expect(await sh(w, ['ls', '/tmp/none'])).toEqual({ out: "ls: cannot access '/tmp/none': No such file or directory\n", status: 2 });
  });
});
