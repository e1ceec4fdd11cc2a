// Path lookup inside one real directory with openat2(RESOLVE_BENEATH) semantics, for --share.
//
// Node has no openat(), so a lookup walks the path one component at a time, holding each directory
// it passes through open as a real fd and naming the next component as "/proc/self/fd/N/NAME".
// The kernel follows the magic link /proc/self/fd/N to the very directory the fd holds, wherever
// it is now, and looks up only NAME in it: renaming or replacing a directory of the path half-way
// through cannot make the walk leave it. Each component is lstat()ed, never followed by the real
// kernel: a symbolic link is read and its target walked here in turn (relative from the link's
// directory, absolute from the share's root when it names a place inside it), ".." pops back to the
// directory the walk came from and is EACCES at the share's root, and a target that leaves the
// share (an absolute path elsewhere, or one that dangles towards the outside) is EACCES. Directories
// are opened with O_NOFOLLOW|O_DIRECTORY and their fstat() must be the inode the lstat() saw, so a
// component swapped for a link between the two fails instead of being followed. The caller then
// acts on the last component by the same "/proc/self/fd/N/NAME" name with calls that never follow
// a last component (lstat, mkdir, unlink, rmdir, rename, symlink, readlink, open with O_NOFOLLOW).
//
// Without /proc (not Linux) the directory's real path stands in for /proc/self/fd/N and the same
// checks run; a directory renamed by someone outside tunlab between two steps could then move the
// walk, which is the one race left on such systems.

import { SysError } from '../abi/errno.js';
import type { HostFiles, HostStats } from '../port/port.js';
import { nodeCall, toSysError } from './node-errors.js';

/** Linux's MAXSYMLINKS: links followed in one lookup before ELOOP. */
const MAX_SYMLINKS = 40;


export interface Dir {
  fd: number;
  /** The name that reaches the directory itself: /proc/self/fd/N (or its real path without /proc). */
  ref: string;
  st: HostStats;
}

/** Where a lookup ended: a directory entry, existing (st) or not (st null, to be created). */
export interface Found {
  /** The directory holding the entry; for the share's root itself, the root. */
  dir: Dir;
  /** The entry's name in `dir`, or null when the path names `dir` itself. */
  name: string | null;
  /** lstat() of the entry (of `dir` when name is null); null when it does not exist. */
  st: HostStats | null;
  /** The name that reaches the entry without following it. */
  ref: string;
}

export interface LookupOptions {
  /** Follow a symbolic link in the last component (stat, open) or not (lstat, unlink, rename). */
  follow: boolean;
  /** Called for every directory the walk searches, before looking into it (search permission). */
  search?: (st: HostStats) => void;
}

const components = (path: string) => path.split('/').filter((p) => p !== '');

/** A status that must be there (the share's own root): ENOENT when it went away. */
function existing(st: HostStats | undefined): HostStats {
  if (!st) throw new SysError('ENOENT');
  return st;
}

export function sameFile(a: HostStats, b: HostStats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export class BeneathRoot {
  readonly real: string;
  private readonly rootSt: HostStats;
  private readonly viaProc: boolean;
  /** How a directory of the walk is opened: never through a link, never blocking. */
  private readonly dirFlags: number;

  /**
   * @param dir the shared directory (already checked to be a directory)
   * @param mountedAt where it is mounted inside the system: absolute link targets under it lead
   *   back into the share, as they do for a program inside.
   * @param useProc walk through /proc/self/fd where there is one (false: the other systems' way)
   */
  constructor(
    dir: string,
    private readonly mountedAt: string,
    /** The real files, through the host port. */
    readonly files: HostFiles,
    useProc = true,
  ) {
    const { O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY, O_RDONLY } = files.constants;
    this.dirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
    this.real = files.realpath(dir);
    this.rootSt = existing(files.stat(this.real));
    const fd = this.files.open(this.real, this.dirFlags);
    try {
      const through = this.files.stat(`/proc/self/fd/${fd}`);
      this.viaProc = useProc && through !== undefined && sameFile(through, this.rootSt);
    } finally {
      this.files.close(fd);
    }
  }

  private openDir(path: string, seen: HostStats): Dir {
    const fd = nodeCall(() => this.files.open(path, this.dirFlags));
    const st = this.files.fstat(fd);
    if (!sameFile(st, seen)) {
      // Replaced between the lstat and the open: refused rather than guessed at.
      this.files.close(fd);
      throw new SysError('EACCES');
    }
    return { fd, ref: this.viaProc ? `/proc/self/fd/${fd}` : path, st };
  }

  /**
   * Look `rel` up (a path relative to the share, as the VFS hands it: no "." or ".."), run `fn` on
   * what was found while every directory of the walk is still open, then close them.
   */
  lookup<T>(rel: string, opts: LookupOptions, fn: (f: Found) => T): T {
    const stack: Dir[] = [];
    try {
      return this.walk(rel, opts, fn, stack);
    } catch (e) {
      throw toSysError(e);
    } finally {
      for (const d of stack) this.files.close(d.fd);
    }
  }

  private walk<T>(rel: string, opts: LookupOptions, fn: (f: Found) => T, stack: Dir[]): T {
    stack.push(this.openDir(this.real, this.rootSt));
    const todo = components(rel);
    let links = 0;
    while (todo.length > 0) {
      const name = todo.shift()!;
      if (name === '.') continue;
      if (name === '..') {
        if (stack.length === 1) throw new SysError('EACCES');
        this.files.close(stack.pop()!.fd);
        continue;
      }
      const dir = stack[stack.length - 1]!;
      opts.search?.(dir.st);
      const ref = `${dir.ref}/${name}`;
      const st = this.files.lstat(ref);
      const last = todo.length === 0;
      if (!st) {
        if (last) return fn({ dir, name, st: null, ref });
        throw new SysError('ENOENT');
      }
      if (st.isSymbolicLink() && (!last || opts.follow)) {
        if (++links > MAX_SYMLINKS) throw new SysError('ELOOP');
        const target = this.files.readlink(ref);
        const inside = this.insideShare(target);
        if (inside !== null) {
          // An absolute target starts again from the share's root.
          while (stack.length > 1) this.files.close(stack.pop()!.fd);
          todo.unshift(...components(inside));
        } else todo.unshift(...components(target));
        continue;
      }
      if (last) return fn({ dir, name, st, ref });
      if (!st.isDirectory()) throw new SysError('ENOTDIR');
      stack.push(this.openDir(ref, st));
    }
    // The path names a directory of the walk itself (the root, or where ".." led).
    const dir = stack[stack.length - 1]!;
    return fn({ dir, name: null, st: dir.st, ref: dir.ref });
  }

  /**
   * For an absolute link target: the part after the share's root when it points inside the share
   * (by its real path, or by where the share is mounted inside); EACCES for anywhere else. Null for
   * a relative target.
   */
  private insideShare(target: string): string | null {
    if (!target.startsWith('/')) return null;
    for (const base of [this.real, this.mountedAt]) {
      if (target === base) return '';
      if (target.startsWith(`${base}/`)) return target.slice(base.length + 1);
    }
    throw new SysError('EACCES');
  }

  /**
   * Open what `f` found for an operation on its inode (reading a directory, fchmod): never through
   * a link, never blocking, and only if it is still the inode the lookup saw.
   */
  openFound(f: Found, flags: number): number {
    const { O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY, O_RDONLY } = this.files.constants;
    if (f.name === null) return nodeCall(() => this.files.open(f.ref, O_RDONLY | O_DIRECTORY | O_NONBLOCK));
    const fd = nodeCall(() => this.files.open(f.ref, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
    const st = this.files.fstat(fd);
    if (f.st && !sameFile(st, f.st)) {
      this.files.close(fd);
      throw new SysError('EACCES');
    }
    return fd;
  }

  /** The entries of the directory `f` found, each with its lstat(), in C-locale order. */
  readdir(f: Found): Array<{ name: string; st: HostStats }> {
    const { O_DIRECTORY, O_RDONLY } = this.files.constants;
    const fd = this.openFound(f, O_RDONLY | O_DIRECTORY);
    try {
      // Listed through the fd, so it is the directory the lookup checked.
      const ref = this.viaProc ? `/proc/self/fd/${fd}` : f.ref;
      const out: Array<{ name: string; st: HostStats }> = [];
      for (const name of this.files.readdir(ref).sort()) {
        const st = this.files.lstat(`${ref}/${name}`);
        if (st) out.push({ name, st });
      }
      return out;
    } finally {
      this.files.close(fd);
    }
  }
}
