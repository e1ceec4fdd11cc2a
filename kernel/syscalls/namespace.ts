// The calls on names: stat, readdir, mkdir, rmdir, unlink, rename, symlink, readlink, chmod,
// chdir and getcwd, and umask, the mask every name created is made with. The mount that serves a path does the work; these resolve it and check
// what Linux's namei checks above every file system.

import { S_IFDIR } from '../abi/stat.js';
import { checkPath } from './fd.js';
import type { SyscallTable } from './table.js';

export const namespaceSyscalls = {
  stat(c, path) {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(c, path));
    return r.fs.stat(r.rel, true, c.p);
  },

  lstat(c, path) {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(c, path));
    return r.fs.stat(r.rel, false, c.p);
  },

  readdir(c, path) {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(c, path));
    const entries = r.fs.readdir(r.rel, c.p);
    // Mount points show in their parent directory.
    for (const m of c.k.vfs.mountPoints()) {
      if (m.at !== '/' && m.at.slice(0, m.at.lastIndexOf('/')) === (r.path === '/' ? '' : r.path)) {
        const name = m.at.slice(m.at.lastIndexOf('/') + 1);
        if (!entries.some((e) => e.d_name === name)) entries.push({ d_name: name, d_ino: 0, d_type: S_IFDIR });
      }
    }
    return entries.sort((a, b) => (a.d_name < b.d_name ? -1 : a.d_name > b.d_name ? 1 : 0));
  },

  mkdir(c, path, mode = 0o755) {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(c, path));
    if (r.rel === '') c.fail('EEXIST');
    // vfs_mkdir keeps the permission and sticky bits only: a directory is never made setuid this way.
    r.fs.mkdir(r.rel, mode & 0o1777 & ~c.p.umask, c.p);
    return 0;
  },

  rmdir(c, path) {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(c, path));
    if (r.rel === '') c.fail('EBUSY');
    r.fs.rmdir(r.rel, c.p);
    return 0;
  },

  unlink(c, path) {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(c, path));
    if (r.rel === '') c.fail('EISDIR');
    r.fs.unlink(r.rel, c.p);
    return 0;
  },

  rename(c, from, to) {
    const a = c.k.vfs.resolve(c.p.cwd, checkPath(c, from));
    const b = c.k.vfs.resolve(c.p.cwd, checkPath(c, to));
    if (a.fs !== b.fs) c.fail('EXDEV');
    a.fs.rename(a.rel, b.rel, c.p);
    return 0;
  },

  symlink(c, target, path) {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(c, path));
    if (!r.fs.symlink) return c.fail('EPERM');
    r.fs.symlink(checkPath(c, target), r.rel, c.p);
    return 0;
  },

  readlink(c, path) {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(c, path));
    if (!r.fs.readlink) return c.fail('EINVAL');
    return r.fs.readlink(r.rel);
  },

  chmod(c, path, mode) {
    const r = c.k.vfs.resolve(c.p.cwd, checkPath(c, path));
    if (!r.fs.chmod) return c.fail('EPERM');
    r.fs.chmod(r.rel, mode, c.p);
    return 0;
  },

  umask(c, mask) {
    if (typeof mask !== 'number' || !Number.isInteger(mask)) return c.fail('EINVAL');
    const old = c.p.umask;
    c.p.umask = mask & 0o777;
    return old;
  },

  chdir(c, path) {
    c.p.cwd = c.k.vfs.workingDirectory(c.p.cwd, checkPath(c, path), c.p);
    return 0;
  },

  getcwd(c) {
    return c.p.cwd;
  },
} satisfies SyscallTable<'stat' | 'lstat' | 'readdir' | 'mkdir' | 'rmdir' | 'unlink' | 'rename' | 'symlink' | 'readlink' | 'chmod' | 'umask' | 'chdir' | 'getcwd'>;
