// Copying and removing files and directory trees for cp, mv and rm, with coreutils' messages
// ("cp: cannot create regular file 'x': ...", "rm: cannot remove 'x': ..."). Each function
// reports its own failures and returns whether everything went well.

import { isSysError, strerror } from '../../kernel/abi/errno.js';
import { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY } from '../../kernel/abi/fcntl.js';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type Stat } from '../../kernel/abi/stat.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { errText, quote, warn } from './errors.js';
import { writeAll } from './io.js';

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

export function lastComponent(path: string): string {
  const t = path.replace(/\/+$/, '');
  return t === '' ? '/' : t.slice(t.lastIndexOf('/') + 1);
}

/** Lexically normalised absolute path, for "into itself" checks. */
export function absolute(cwd: string, path: string): string {
  const parts: string[] = [];
  for (const p of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

export function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent === '/' ? '/' : `${parent}/`);
}

export async function statOrNull(sys: Sys, path: string, follow = true): Promise<Stat | null> {
  try {
    return follow ? await sys.stat(path) : await sys.lstat(path);
  } catch (e) {
    if (isSysError(e)) return null;
    throw e;
  }
}

export interface CopyOptions {
  prog: string;
  recursive: boolean;
  verbose: boolean;
}

async function copyFile(sys: Sys, src: string, dst: string, mode: number, o: CopyOptions): Promise<boolean> {
  let in_: number;
  try {
    in_ = await sys.open(src, O_RDONLY);
  } catch (e) {
    await warn(sys, o.prog, `cannot open ${quote(src)} for reading: ${errText(e)}`);
    return false;
  }
  let outFd: number;
  try {
    outFd = await sys.open(dst, O_WRONLY | O_CREAT | O_TRUNC, mode & 0o7777);
  } catch (e) {
    await sys.close(in_).catch(() => 0);
    await warn(sys, o.prog, `cannot create regular file ${quote(dst)}: ${errText(e)}`);
    return false;
  }
  try {
    for (;;) {
      let chunk: Uint8Array;
      try {
        chunk = await sys.read(in_, 65536);
      } catch (e) {
        await warn(sys, o.prog, `error reading ${quote(src)}: ${errText(e)}`);
        return false;
      }
      if (chunk.length === 0) return true;
      try {
        await writeAll(sys, outFd, chunk);
      } catch (e) {
        await warn(sys, o.prog, `error writing ${quote(dst)}: ${errText(e)}`);
        return false;
      }
    }
  } finally {
    await sys.close(in_).catch(() => 0);
    await sys.close(outFd).catch(() => 0);
  }
}

/**
 * Copy `src` to `dst` (a full target path). At the top a symbolic link is followed; inside a
 * recursive copy it is copied as a link.
 */
export async function copyPath(sys: Sys, src: string, dst: string, o: CopyOptions, top = true): Promise<boolean> {
  let st: Stat;
  try {
    st = top ? await sys.stat(src) : await sys.lstat(src);
  } catch (e) {
    await warn(sys, o.prog, `cannot stat ${quote(src)}: ${errText(e)}`);
    return false;
  }
  const type = st.st_mode & S_IFMT;
  const existing = await statOrNull(sys, dst);
  if (existing && existing.st_dev === st.st_dev && existing.st_ino === st.st_ino && type !== S_IFDIR) {
    await warn(sys, o.prog, `${quote(src)} and ${quote(dst)} are the same file`);
    return false;
  }
  if (type === S_IFDIR) {
    if (!o.recursive) {
      await warn(sys, o.prog, `-r not specified; omitting directory ${quote(src)}`);
      return false;
    }
    const cwd = await sys.getcwd();
    if (isInside(absolute(cwd, dst), absolute(cwd, src))) {
      await warn(sys, o.prog, `cannot copy a directory, ${quote(src)}, into itself, ${quote(dst)}`);
      return false;
    }
    if (!existing) {
      try {
        await sys.mkdir(dst, st.st_mode & 0o7777);
      } catch (e) {
        await warn(sys, o.prog, `cannot create directory ${quote(dst)}: ${errText(e)}`);
        return false;
      }
    } else if ((existing.st_mode & S_IFMT) !== S_IFDIR) {
      await warn(sys, o.prog, `cannot overwrite non-directory ${quote(dst)} with directory ${quote(src)}`);
      return false;
    }
    if (o.verbose) await writeAll(sys, 1, `${quote(src)} -> ${quote(dst)}\n`);
    let entries;
    try {
      entries = await sys.readdir(src);
    } catch (e) {
      await warn(sys, o.prog, `cannot access ${quote(src)}: ${errText(e)}`);
      return false;
    }
    let ok = true;
    for (const d of entries) {
      if (d.d_name === '.' || d.d_name === '..') continue;
      ok = (await copyPath(sys, joinPath(src, d.d_name), joinPath(dst, d.d_name), o, false)) && ok;
    }
    return ok;
  }
  if (type === S_IFLNK) {
    try {
      await sys.symlink(await sys.readlink(src), dst);
    } catch (e) {
      await warn(sys, o.prog, `cannot create symbolic link ${quote(dst)}: ${errText(e)}`);
      return false;
    }
  } else if (type !== S_IFREG && !top) {
    // Device nodes and fifos cannot be made from userland (there is no mknod).
    await warn(sys, o.prog, `cannot create special file ${quote(dst)}: ${strerror('EOPNOTSUPP')}`);
    return false;
  } else if (!(await copyFile(sys, src, dst, st.st_mode, o))) {
    return false;
  }
  if (o.verbose) await writeAll(sys, 1, `${quote(src)} -> ${quote(dst)}\n`);
  return true;
}

export interface RemoveOptions {
  prog: string;
  recursive: boolean;
  /** rm -d: remove empty directories. */
  dirs: boolean;
  force: boolean;
  verbose: boolean;
}

/** Remove a path (a tree with `recursive`), reporting failures as rm does. */
export async function removePath(sys: Sys, path: string, o: RemoveOptions): Promise<boolean> {
  let st: Stat;
  try {
    st = await sys.lstat(path);
  } catch (e) {
    if (o.force && isSysError(e, 'ENOENT')) return true;
    await warn(sys, o.prog, `cannot remove ${quote(path)}: ${errText(e)}`);
    return false;
  }
  if ((st.st_mode & S_IFMT) === S_IFDIR) {
    if (!o.recursive && !o.dirs) {
      await warn(sys, o.prog, `cannot remove ${quote(path)}: Is a directory`);
      return false;
    }
    let ok = true;
    if (o.recursive) {
      let entries;
      try {
        entries = await sys.readdir(path);
      } catch (e) {
        await warn(sys, o.prog, `cannot remove ${quote(path)}: ${errText(e)}`);
        return false;
      }
      for (const d of entries) {
        if (d.d_name === '.' || d.d_name === '..') continue;
        ok = (await removePath(sys, joinPath(path, d.d_name), o)) && ok;
      }
    }
    if (!ok) return false;
    try {
      await sys.rmdir(path);
    } catch (e) {
      await warn(sys, o.prog, `cannot remove ${quote(path)}: ${errText(e)}`);
      return false;
    }
    if (o.verbose) await writeAll(sys, 1, `removed directory ${quote(path)}\n`);
    return true;
  }
  try {
    await sys.unlink(path);
  } catch (e) {
    await warn(sys, o.prog, `cannot remove ${quote(path)}: ${errText(e)}`);
    return false;
  }
  if (o.verbose) await writeAll(sys, 1, `removed ${quote(path)}\n`);
  return true;
}
