// The host boundary of --share (issue 12, items 1-5): nothing inside reaches a real file outside the
// shared directory, symbolic links are objects of their own, no setuid bit reaches the real disk,
// the emulated permission checks hold for shared files, and no special file freezes the lab. Each
// case runs against a real scratch directory: a share, and an "outside" beside it that must stay
// untouched.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { O_CREAT, O_RDONLY, O_WRONLY } from '../../kernel/abi/fcntl.js';
import { S_IFLNK, S_IFMT } from '../../kernel/abi/stat.js';
import type { Credentials } from '../../kernel/vfs/filesystem.js';
import { BeneathRoot } from '../../kernel/vfs/host-path.js';
import { HostFs, HostShare, ShareError, shareProblem } from '../../kernel/vfs/hostfs.js';
import { nodePort } from '../../kernel/port/node.js';
import { errnoSync } from '../helpers/probe.js';
import { crashes, JS_LEAK, runBounded, userlandWorld } from './harness.js';

const ROOT: Credentials = { uid: 0, gid: 0 };
const USER: Credentials = { uid: 1000, gid: 1000 };

let tmp = '';
let share = '';
let outside = '';
let logged: string[] = [];

beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-share-')));
  share = path.join(tmp, 'share');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(share);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret'), 'secret\n');
  logged = [];
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function hostFs(): HostFs {
  return new HostFs(3, new HostShare(share, nodePort.files), () => 0, (l) => logged.push(l));
}

const errno = errnoSync;

const put = (rel: string, text = 'x\n') => {
  fs.mkdirSync(path.dirname(path.join(share, rel)), { recursive: true });
  fs.writeFileSync(path.join(share, rel), text);
};
const link = (target: string, rel: string) => fs.symlinkSync(target, path.join(share, rel));
const read = (h: HostFs, rel: string, cred = ROOT) => {
  const f = h.open(rel, O_RDONLY, 0, cred);
  try {
    return new TextDecoder().decode(f.read(undefined as never, 4096) as Uint8Array);
  } finally {
    f.close();
  }
};
const write = (h: HostFs, rel: string, text: string, cred = ROOT, mode = 0o644) => {
  const f = h.open(rel, O_WRONLY | O_CREAT, mode, cred);
  try {
    f.write(undefined as never, new TextEncoder().encode(text));
  } finally {
    f.close();
  }
};

describe('12.1: every component resolves inside the share', () => {
  it('a write through a dangling link to the outside creates nothing there (EACCES)', () => {
    link(path.join(outside, 'created'), 'dl');
    link('../outside/created2', 'dl2');
    const h = hostFs();
    expect(errno(() => write(h, 'dl', 'x'))).toBe('EACCES');
    expect(errno(() => write(h, 'dl2', 'x'))).toBe('EACCES');
    expect(fs.readdirSync(outside)).toEqual(['secret']);
  });

  it('links that leave the share are refused, whatever the way out', () => {
    fs.mkdirSync(path.join(share, 'sub'));
    link(path.join(outside, 'secret'), 'abs');
    link('../outside/secret', 'rel');
    link('../../outside/secret', 'sub/deep');
    link(`${share}/../outside/secret`, 'abs-dotdot');
    link(outside, 'dir');
    link('/', 'slash');
    const h = hostFs();
    for (const rel of ['abs', 'rel', 'sub/deep', 'abs-dotdot', 'dir/secret', 'slash/etc/passwd']) {
      expect([rel, errno(() => read(h, rel))]).toEqual([rel, 'EACCES']);
      expect([rel, errno(() => h.stat(rel, true, ROOT))]).toEqual([rel, 'EACCES']);
    }
    expect(errno(() => h.readdir('dir', ROOT))).toBe('EACCES');
    expect(errno(() => h.mkdir('dir/new', 0o755, ROOT))).toBe('EACCES');
    expect(errno(() => h.unlink('dir/secret', ROOT))).toBe('EACCES');
    expect(errno(() => h.chmod('abs', 0o777, ROOT))).toBe('EACCES');
    expect(fs.readdirSync(outside)).toEqual(['secret']);
    expect(fs.statSync(path.join(outside, 'secret')).mode & 0o777).not.toBe(0o777);
  });

  it('links that stay inside resolve: relative chains, absolute by real path or by /host, dangling ones create inside', () => {
    // packetdrill's layout: each test directory reaches ../common/defaults.sh through links.
    put('common/defaults.sh', 'defaults\n');
    fs.mkdirSync(path.join(share, 'tcp/fast'), { recursive: true });
    link('../common', 'tcp/common');
    link('../common/defaults.sh', 'tcp/fast/defaults.sh');
    link('../tcp/fast/defaults.sh', 'common/again');
    link(path.join(share, 'common/defaults.sh'), 'by-real-path');
    link('/host/common/defaults.sh', 'by-mount');
    link('tcp/../common/./defaults.sh', 'dotted');
    const h = hostFs();
    for (const rel of ['tcp/common/defaults.sh', 'tcp/fast/defaults.sh', 'common/again', 'by-real-path', 'by-mount', 'dotted']) {
      expect([rel, read(h, rel)]).toEqual([rel, 'defaults\n']);
    }
    link('made-by-link', 'dangling');
    write(h, 'dangling', 'through\n');
    expect(fs.readFileSync(path.join(share, 'made-by-link'), 'utf8')).toBe('through\n');
  });

  it('a loop of links is ELOOP, a file in the path is ENOTDIR', () => {
    link('b', 'a');
    link('a', 'b');
    put('f');
    const h = hostFs();
    expect(errno(() => read(h, 'a'))).toBe('ELOOP');
    expect(errno(() => read(h, 'f/g'))).toBe('ENOTDIR');
    expect(errno(() => read(h, 'none/g'))).toBe('ENOENT');
  });

  it('from the shell, through the syscall gate: a way out is Permission denied, a loop ELOOP, nothing made outside', async () => {
    link(path.join(outside, 'made'), 'dl');
    link('loop', 'loop');
    const { w, panics } = userlandWorld([], undefined, share);
    const r = await runBounded(w, 'a', ['sh', '-c', 'echo x > /host/dl; cat /host/loop; ls /host']);
    expect(r.out).toMatch(/^sh: line 1: \/host\/dl: Permission denied\ncat: \/host\/loop: .+\ndl\nloop\n$/);
    expect(fs.readdirSync(outside)).toEqual(['secret']);
    expect([...crashes(w), ...panics]).toEqual([]);
  });

  it('holds each directory it walks through: one swapped for a link to the outside half-way is not followed', () => {
    put('a/b/f', 'inside\n');
    fs.mkdirSync(path.join(outside, 'b'));
    fs.writeFileSync(path.join(outside, 'b', 'f'), 'outside\n');
    const h = new HostShare(share, nodePort.files);
    let searched = 0;
    const text = h.root.lookup('a/b/f', {
      follow: true,
      search: () => {
        // Once the walk holds "a", "a" is renamed away and replaced by a link to the outside.
        if (++searched === 2) {
          fs.renameSync(path.join(share, 'a'), path.join(share, 'a2'));
          fs.symlinkSync(outside, path.join(share, 'a'));
        }
      },
    }, (f) => fs.readFileSync(f.ref, 'utf8'));
    expect(text).toBe('inside\n');
  });
});

describe('12.1 without /proc (the walk by real paths other systems get)', () => {
  it('resolves the same: links inside work, links out and loops do not', () => {
    put('common/defaults.sh', 'defaults\n');
    fs.mkdirSync(path.join(share, 'sub'));
    link('../common/defaults.sh', 'sub/in');
    link('/host/common', 'by-mount');
    link('../outside/secret', 'out');
    link('loop', 'loop');
    const root = new BeneathRoot(share, '/host', nodePort.files, false);
    const look = (rel: string) => errno(() => root.lookup(rel, { follow: true }, (f) => (f.st ? fs.readFileSync(f.ref, 'utf8') : null)));
    const text = (rel: string) => root.lookup(rel, { follow: true }, (f) => fs.readFileSync(f.ref, 'utf8'));
    expect([text('sub/in'), text('by-mount/defaults.sh')]).toEqual(['defaults\n', 'defaults\n']);
    expect([look('out'), look('loop'), look('sub/in/x')]).toEqual(['EACCES', 'ELOOP', 'ENOTDIR']);
    expect(root.lookup('common', { follow: true }, (f) => f.ref)).toBe(path.join(share, 'common'));
  });
});

describe('12.2: links are objects of their own', () => {
  it('lstat, readlink, unlink, rename and rmdir act on the link; the target stays', () => {
    put('target', 'kept\n');
    fs.mkdirSync(path.join(share, 'dir'));
    link('target', 'l');
    link('dir', 'ldir');
    link(path.join(outside, 'secret'), 'out');
    const h = hostFs();
    const st = h.stat('l', false, ROOT);
    expect(st.st_mode & S_IFMT).toBe(S_IFLNK);
    expect(st.st_size).toBe('target'.length);
    expect(h.readlink('l')).toBe('target');
    expect(h.readlink('out')).toBe(path.join(outside, 'secret'));
    expect(errno(() => h.readlink('target'))).toBe('EINVAL');
    expect(errno(() => h.rmdir('ldir', ROOT))).toBe('ENOTDIR');
    h.rename('l', 'l2', ROOT);
    expect(fs.readlinkSync(path.join(share, 'l2'))).toBe('target');
    h.unlink('l2', ROOT);
    h.unlink('ldir', ROOT);
    h.unlink('out', ROOT);
    expect(fs.readdirSync(share).sort()).toEqual(['dir', 'target']);
    expect(fs.readFileSync(path.join(share, 'target'), 'utf8')).toBe('kept\n');
    expect(fs.readdirSync(outside)).toEqual(['secret']);
  });

  it('symlink makes a link inside, even one pointing out; following that one is refused', () => {
    const h = hostFs();
    h.symlink(path.join(outside, 'secret'), 'made', ROOT);
    expect(fs.readlinkSync(path.join(share, 'made'))).toBe(path.join(outside, 'secret'));
    expect(errno(() => read(h, 'made'))).toBe('EACCES');
    expect(errno(() => h.symlink('x', 'made', ROOT))).toBe('EEXIST');
    h.mkdir('pub', 0o777, ROOT);
    // The real umask still applies to what is made on the real disk.
    h.chmod('pub', 0o777, ROOT);
    h.symlink('../made', 'pub/mine', USER);
    expect(h.stat('pub/mine', false, ROOT).st_uid).toBe(1000);
    expect(h.stat('made', false, ROOT).st_uid).toBe(0);
  });

  it('ls -l shows a link as l with its target; rm, mv and rmdir from the shell act on links', async () => {
    put('file', 'kept\n');
    fs.mkdirSync(path.join(share, 'dir'));
    link('file', 'lf');
    link('dir', 'ld');
    const { w, panics } = userlandWorld([], undefined, share);
    const r = await runBounded(w, 'a', ['sh', '-c', 'ls -l /host | grep lf; rm /host/lf; mv /host/ld /host/ld2; rmdir /host/ld2; ls /host; cat /host/file']);
    expect(r.out).toMatch(/^lrwxrwxrwx 1 user root +4 \w{3} [ \d]\d +[\d:]+ lf -> file\n/);
    expect(r.out).toContain("rmdir: failed to remove '/host/ld2': Not a directory\n");
    expect(r.out).toMatch(/\ndir\nfile\nld2\nkept\n$/);
    expect([...crashes(w), ...panics]).toEqual([]);
  });
});

describe('12.3: modes and owners', () => {
  it('no setuid, setgid or sticky bit reaches a real file, by open or by chmod', () => {
    const h = hostFs();
    write(h, 'f', 'x', ROOT, 0o7777);
    expect(fs.statSync(path.join(share, 'f')).mode & 0o7000).toBe(0);
    h.chmod('f', 0o4755, ROOT);
    expect(fs.statSync(path.join(share, 'f')).mode & 0o7777).toBe(0o755);
    h.mkdir('d', 0o3777, ROOT);
    expect(fs.statSync(path.join(share, 'd')).mode & 0o7000).toBe(0);
  });

  it('shared files belong to the emulated root unless an emulated user made them; the checks apply', () => {
    put('rootfile', 'root\n');
    fs.chmodSync(path.join(share, 'rootfile'), 0o644);
    fs.mkdirSync(path.join(share, 'pub'));
    fs.chmodSync(path.join(share, 'pub'), 0o777);
    fs.mkdirSync(path.join(share, 'closed'));
    fs.chmodSync(path.join(share, 'closed'), 0o700);
    put('closed/inner');
    fs.chmodSync(share, 0o755);
    const h = hostFs();
    expect(h.stat('rootfile', true, USER).st_uid).toBe(0);
    expect(errno(() => h.unlink('rootfile', USER))).toBe('EACCES');
    expect(errno(() => write(h, 'rootfile', 'x', USER))).toBe('EACCES');
    expect(errno(() => h.chmod('rootfile', 0o666, USER))).toBe('EPERM');
    expect(errno(() => write(h, 'new', 'x', USER))).toBe('EACCES');
    expect(errno(() => read(h, 'closed/inner', USER))).toBe('EACCES');
    expect(read(h, 'rootfile', USER)).toBe('root\n');
    write(h, 'pub/mine', 'mine\n', USER);
    expect(h.stat('pub/mine', true, USER)).toMatchObject({ st_uid: 1000, st_gid: 1000 });
    h.chmod('pub/mine', 0o600, USER);
    expect(read(h, 'pub/mine', USER)).toBe('mine\n');
    h.unlink('pub/mine', USER);
    expect(fs.existsSync(path.join(share, 'rootfile'))).toBe(true);
  });

  it('from the shell: su 1000 cannot delete or overwrite root\'s shared files', async () => {
    put('rootfile', 'root\n');
    fs.chmodSync(share, 0o755);
    const { w, panics } = userlandWorld([], undefined, share);
    const r = await runBounded(w, 'a', ['su', '1000', '-c', 'rm /host/rootfile; echo x > /host/rootfile; ls -ln /host']);
    expect(r.out).toContain("rm: cannot remove '/host/rootfile': Permission denied\n");
    expect(r.out).toMatch(/Permission denied/);
    expect(r.out).toMatch(/-rw-r--r-- 1 0 0 5 .* rootfile\n/);
    expect(fs.readFileSync(path.join(share, 'rootfile'), 'utf8')).toBe('root\n');
    expect([...crashes(w), ...panics]).toEqual([]);
  });
});

describe('12.3: a sticky directory, shared or not', () => {
  it('in a 1777 directory a user removes and renames only what it owns, in /host as in /tmp', async () => {
    fs.chmodSync(share, 0o1777);
    put('rootfile', 'root\n');
    const { w, panics } = userlandWorld([], undefined, share);
    const setup = await runBounded(w, 'a', ['sh', '-c', 'echo root > /tmp/rootfile']);
    expect(setup.code).toBe(0);
    for (const dir of ['/host', '/tmp']) {
      const r = await runBounded(w, 'a', ['su', '1000', '-c', `rm ${dir}/rootfile; mv ${dir}/rootfile ${dir}/x; echo mine > ${dir}/mine && mv ${dir}/mine ${dir}/mine2 && rm ${dir}/mine2 && echo own ok`]);
      expect(r.out).toBe(`rm: cannot remove '${dir}/rootfile': Operation not allowed\nmv: cannot move '${dir}/rootfile' to '${dir}/x': Operation not allowed\nown ok\n`);
    }
    expect(fs.readdirSync(share)).toEqual(['rootfile']);
    expect([...crashes(w), ...panics]).toEqual([]);
  });
});

describe('12.4: special files never freeze the lab', () => {
  it('a FIFO is refused with ENXIO and a log line, without blocking; lstat still shows it', async () => {
    const fifo = path.join(share, 'fifo');
    const mk = await import('node:child_process').then((cp) => cp.spawnSync('mkfifo', [fifo]));
    expect(mk.status).toBe(0);
    const h = hostFs();
    expect(errno(() => read(h, 'fifo'))).toBe('ENXIO');
    expect(errno(() => write(h, 'fifo', 'x'))).toBe('ENXIO');
    expect(errno(() => h.chmod('fifo', 0o600, ROOT))).toBe('EPERM');
    expect(logged).toEqual(new Array(3).fill('hostfs: /host/fifo is a FIFO of the real machine: only regular files and directories are shared'));
    expect(h.stat('fifo', false, ROOT).st_mode & S_IFMT).toBe(0o010000);
    const { w, panics } = userlandWorld([], undefined, share);
    const r = await runBounded(w, 'a', ['sh', '-c', 'cat /host/fifo; echo x > /host/fifo; ls -l /host'], { wallMs: 5000 });
    expect(r.killed).toBe(false);
    // ENXIO, in Haiku's words.
    expect(r.out).toContain('cat: /host/fifo: Device not accessible\nsh: line 1: /host/fifo: Device not accessible\n');
    expect(r.out).toMatch(/\nprw-r--r-- 1 user root 0 .* fifo\n/);
    expect(r.out).not.toMatch(JS_LEAK);
    expect([...crashes(w), ...panics]).toEqual([]);
  });
});

describe('12.5: what may be shared', () => {
  it('a regular file, /, or a path whose real path is / is refused', () => {
    put('plain');
    link('/', 'to-root');
    expect(shareProblem(path.join(share, 'plain'), nodePort.files)).toBe('not a directory');
    expect(shareProblem('/', nodePort.files)).toBe('is the root of the real file system (share a directory below it)');
    expect(shareProblem(path.join(share, 'to-root'), nodePort.files)).toBe('is the root of the real file system (share a directory below it)');
    expect(shareProblem(path.join(share, 'none'), nodePort.files)).toBe('no such directory');
    expect(shareProblem(share, nodePort.files)).toBeNull();
    expect(() => new HostShare('/', nodePort.files)).toThrow(ShareError);
  });
});
