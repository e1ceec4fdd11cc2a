// The root file system against its dependency and its bounds: the memfs internals it patches are
// still there and still patched (11.14: memfs is pinned to an exact version for them), and the
// tmpfs-style limits hold (12.18): bytes and inodes counted, a short write then ENOSPC, space given
// back by unlink at the last close, and a full file system holds about its limit in memory.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { O_CREAT, O_RDWR, O_TRUNC, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import type { Credentials } from '../../../kernel/vfs/filesystem.js';
import { DEFAULT_FS_LIMITS } from '../../../kernel/vfs/fs-quota.js';
import { MemFsRoot, type MemfsCore } from '../../../kernel/vfs/memfs-root.js';
import { buildWorld } from '../../../kernel/world/build.js';
import { parseWorldFile, WorldFileError } from '../../../kernel/world/world-file.js';
import { crashes, gc, heapUsed, runBounded, userlandWorld } from '../../robustness/harness.js';
import { programsOf } from '../../helpers/world.js';
import { errnoSync } from '../../helpers/probe.js';

const ROOT: Credentials = { uid: 0, gid: 0 };
const USER: Credentials = { uid: 1000, gid: 1000 };
const io = undefined as never;

const errno = errnoSync;

describe('11.14: the memfs internals the root relies on', () => {
  it('memfs is pinned to the exact version whose internals are patched', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['memfs']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("memfs's Volume is @jsonjoy.com/fs-node's, which the bundle takes in memfs's place (rolldown.config.mjs)", async () => {
    const { Volume } = await import('memfs');
    const fromMemfs = createRequire(createRequire(import.meta.url).resolve('memfs'));
    expect((fromMemfs('@jsonjoy.com/fs-node') as { Volume: unknown }).Volume).toBe(Volume);
  });

  it('exist with the shape the patch expects, and every node the volume makes grants memfs\'s own checks', () => {
    const root = new MemFsRoot(1, () => 0);
    const core = (root.vol as unknown as { _core: MemfsCore })._core;
    expect(typeof core.createNode).toBe('function');
    const rootNode = core.root.getNode();
    for (const m of ['canRead', 'canWrite', 'canExecute'] as const) expect(rootNode[m]()).toBe(true);
    // A node made through the public API after the patch: locked down to nobody, owned by someone else.
    root.installDir('locked', 0o000, 4242, 4242);
    root.install('locked/f', 'x', 0o000, 4242, 4242);
    const made = core.createNode(0o100000);
    for (const m of ['canRead', 'canWrite', 'canExecute'] as const) expect(made[m]()).toBe(true);
    // So only the kernel's checks decide: root reads through a 0000 directory, a user does not.
    const f = root.open('locked/f', 0, 0, ROOT);
    expect(new TextDecoder().decode(f.read(io, 10) as Uint8Array)).toBe('x');
    f.close();
    expect(errno(() => root.open('locked/f', 0, 0, USER))).toBe('EACCES');
  });
});

describe('12.2: a link is an object of its own in the root file system', () => {
  it('rename moves the link (its target, owner and times), never the file it points at', () => {
    const root = new MemFsRoot(1, () => 5e9, DEFAULT_FS_LIMITS);
    root.installDir('tmp', 0o1777);
    root.installDir('etc', 0o755);
    root.install('etc/hostname', 'haiku\n');
    root.symlink('/etc/hostname', 'tmp/l', USER);
    const before = root.stat('tmp/l', false);
    const inodes = root.quota.usedInodes;
    root.rename('tmp/l', 'tmp/m', USER);
    expect(errno(() => root.stat('tmp/l', false))).toBe('ENOENT');
    const after = root.stat('tmp/m', false);
    expect({ mode: after.st_mode, uid: after.st_uid, size: after.st_size, mtime: after.st_mtime_ns }).toEqual({ mode: before.st_mode, uid: 1000, size: 13, mtime: before.st_mtime_ns });
    expect(root.readlink('tmp/m')).toBe('/etc/hostname');
    expect(root.stat('etc/hostname', false).st_size).toBe(6);
    expect(root.quota.usedInodes).toBe(inodes);
    // Over an existing file: the file goes, the link takes its name.
    root.open('tmp/f', O_WRONLY | O_CREAT, 0o644, USER).close();
    root.rename('tmp/m', 'tmp/f', USER);
    expect(root.readlink('tmp/f')).toBe('/etc/hostname');
    expect(root.quota.usedInodes).toBe(inodes);
  });

  it('from the shell: mv of a link, then rm, leaves /etc/hostname alone', async () => {
    const { w } = userlandWorld();
    const r = await runBounded(w, 'a', ['sh', '-c', 'ln -s /etc/hostname /tmp/l; mv /tmp/l /tmp/m; ls -l /tmp | cut -c1-10; rm /tmp/m; cat /etc/hostname'], { limitNs: 30e9, wallMs: 5000 });
    expect(r.out).toBe('total 0\nlrwxrwxrwx\na\n');
  });
});

describe('12.18: the root file system is bounded as a tmpfs', () => {
  const small = () => new MemFsRoot(1, () => 0, { bytes: 64 * 1024, inodes: 100 });
  const bytes = (n: number) => new Uint8Array(n).fill(0x61);

  it('writes what fits, returns the short count, then ENOSPC; unlink gives the space back', () => {
    const root = small();
    root.installDir('tmp', 0o1777);
    const used = root.quota.usedBytes;
    const f = root.open('tmp/a', O_WRONLY | O_CREAT, 0o644, ROOT);
    expect(f.write(io, bytes(40 * 1024))).toBe(40 * 1024);
    expect(f.write(io, bytes(40 * 1024))).toBe(24 * 1024 - used);
    expect(errno(() => f.write(io, bytes(1)))).toBe('ENOSPC');
    expect(root.stat('tmp/a', true).st_size).toBe(64 * 1024 - used);
    // Writing over existing bytes needs no room.
    f.lseek(0, 0);
    expect(f.write(io, bytes(1000))).toBe(1000);
    f.close();
    root.unlink('tmp/a', ROOT);
    expect(root.quota.usedBytes).toBe(used);
    const g = root.open('tmp/b', O_WRONLY | O_CREAT, 0o644, ROOT);
    expect(g.write(io, bytes(1000))).toBe(1000);
    g.close();
  });

  it('an unlinked file keeps its bytes until its last close; O_TRUNC and a sparse write count right', () => {
    const root = small();
    root.installDir('tmp', 0o1777);
    const base = root.quota.usedBytes;
    const f = root.open('tmp/a', O_RDWR | O_CREAT, 0o644, ROOT);
    f.write(io, bytes(30 * 1024));
    root.unlink('tmp/a', ROOT);
    expect(root.quota.usedBytes).toBe(base + 30 * 1024);
    f.close();
    expect(root.quota.usedBytes).toBe(base);
    const g = root.open('tmp/g', O_WRONLY | O_CREAT, 0o644, ROOT);
    g.lseek(70 * 1024, 0);
    expect(errno(() => g.write(io, bytes(1)))).toBe('ENOSPC');
    g.lseek(10 * 1024, 0);
    expect(g.write(io, bytes(1))).toBe(1);
    expect(root.quota.usedBytes).toBe(base + 10 * 1024 + 1);
    g.close();
    root.open('tmp/g', O_WRONLY | O_TRUNC, 0, ROOT).close();
    expect(root.quota.usedBytes).toBe(base);
  });

  it('counts inodes: files, directories and links; ENOSPC when the table is full', () => {
    const root = new MemFsRoot(1, () => 0, { bytes: 1 << 20, inodes: 20 });
    root.installDir('tmp', 0o1777);
    let made = 0;
    for (;;) {
      const e = errno(() => (made % 3 === 0 ? root.mkdir(`tmp/d${made}`, 0o755, ROOT) : made % 3 === 1 ? root.symlink('x', `tmp/l${made}`, ROOT) : root.open(`tmp/f${made}`, O_WRONLY | O_CREAT, 0o644, ROOT).close()));
      if (e !== 'ok') {
        expect(e).toBe('ENOSPC');
        break;
      }
      made++;
    }
    expect(root.quota.usedInodes).toBe(20);
    root.rmdir('tmp/d0', ROOT);
    root.mkdir('tmp/again', 0o755, ROOT);
    expect(errno(() => root.mkdir('tmp/more', 0o755, ROOT))).toBe('ENOSPC');
  });

  it('the default is 64 MiB and 16384 inodes; a world file sets its own', () => {
    expect(DEFAULT_FS_LIMITS).toEqual({ bytes: 64 * 1024 * 1024, inodes: 16384 });
    const spec = parseWorldFile(JSON.stringify({ disk: { size: '1m', inodes: 500 }, hosts: { a: {} } }));
    expect(spec.disk).toEqual({ bytes: 1024 * 1024, inodes: 500 });
    expect(buildWorld(spec, { programs: programsOf([]) }, '.').world.mustHost('a').root.quota.limits).toEqual({ bytes: 1024 * 1024, inodes: 500 });
    expect(parseWorldFile(JSON.stringify({ disk: { size: 1 << 20 }, hosts: { a: {} } })).disk).toEqual({ bytes: 1 << 20, inodes: 16384 });
    for (const [disk, message] of [
      [{ size: '1t' }, 'disk.size: must be a size from 64k to 4g, as bytes or with k, m or g (like "64m"), not "1t"'],
      [{ size: 100 }, 'disk.size: must be a size from 64k to 4g, as bytes or with k, m or g (like "64m"), not 100'],
      [{ inodes: 1.5 }, 'disk.inodes: must be a whole number from 64 to 10000000, not 1.5'],
      [{ sise: '1m' }, 'disk.sise: unknown field (expected one of: size, inodes)'],
    ] as const) {
      expect(() => parseWorldFile(JSON.stringify({ disk, hosts: { a: {} } }))).toThrow(new WorldFileError(message.slice(0, message.indexOf(': ')), message.slice(message.indexOf(': ') + 2)));
    }
  });

  it('from the shell: filling /tmp ends in "No space left on device", and memory stays near the limit', async () => {
    const collect = gc();
    const before = collect ? heapUsed() : 0;
    const { w, panics } = userlandWorld([], { disk: { bytes: 8 * 1024 * 1024, inodes: 1000 } });
    const r = await runBounded(w, 'a', ['sh', '-c', 'yes 0123456789 > /tmp/full; echo status $?; ls -l /tmp/full; rm /tmp/full; echo ok > /tmp/after && cat /tmp/after'], { limitNs: 600e9, wallMs: 60_000 });
    expect(r.out).toMatch(/^yes: standard output: No space left on device\nstatus 1\n/);
    const size = Number(/ root +(\d+) /.exec(r.out)?.[1]);
    expect(size).toBeGreaterThan(7 * 1024 * 1024);
    expect(size).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(r.out).toMatch(/\nok\n$/);
    if (collect) {
      // memfs doubles a file's buffer as it grows: at most twice the limit, never more.
      expect(heapUsed() - before).toBeLessThan(2 * 8 * 1024 * 1024 + 8 * 1024 * 1024);
    }
    expect([...crashes(w), ...panics]).toEqual([]);
  });
});
