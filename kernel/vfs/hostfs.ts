// --share DIR: one real directory of the machine running tunlab, mounted at /host. It is the only
// way anything of the real file system becomes reachable, and nothing outside DIR ever is: every
// lookup stays beneath it (host-path.ts), symbolic links included, and links are objects of their
// own (lstat, unlink, rename and rmdir act on the link, never on what it points at).
//
// Rules that keep the lab from reaching past the share:
// - Only regular files and directories are opened. A FIFO, socket or device of the real machine
//   would block the one thread every host runs on (an open or read of a FIFO waits for a writer),
//   so it is refused with ENXIO and a kernel log line; lstat and ls still show it.
// - Modes reaching real files are masked to 0777: no setuid, setgid or sticky bit is ever set on
//   the real disk from inside.
// - Owners: a real file's owner means nothing inside, so every shared file belongs to the
//   emulated root, except files and directories an emulated user made through the share: the
//   share remembers their owner (by device, inode and birth time, so a recycled inode is not
//   mistaken for it) for as long as the world runs. The kernel's usual permission checks then
//   apply to /host as to any directory, so `--user 1000` cannot delete or rewrite root's files
//   in a 0755 directory. What the real kernel refuses tunlab's own real user still fails, with
//   the real errno.

import { SysError } from '../abi/errno.js';
import { O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_RDONLY, O_TRUNC, O_WRONLY } from '../abi/fcntl.js';
import { S_IFMT, type Dirent, type Stat } from '../abi/stat.js';
import type { HostFiles, HostStats } from '../port/port.js';
import type { OpenFile } from './file.js';
import { type Credentials, type FileSystem, permits, stickyAllows } from './filesystem.js';
import { BeneathRoot, type Found, sameFile } from './host-path.js';
import { toStat } from './memfs-root.js';
import { nodeCall } from './node-errors.js';
import { RegularFile } from './regular-file.js';

/** Why a directory cannot be shared, or null when it can. */
export function shareProblem(dir: string, files: HostFiles): string | null {
  let real: string;
  try {
    real = files.realpath(dir);
  } catch {
    return 'no such directory';
  }
  if (!files.stat(real)?.isDirectory()) return 'not a directory';
  if (real === '/') return 'is the root of the real file system (share a directory below it)';
  return null;
}

export class ShareError extends Error {}

/** The shared directory, one per world: every host mounts it, and they agree on who owns what. */
export class HostShare {
  readonly root: BeneathRoot;
  private readonly owners = new Map<string, Credentials>();

  constructor(
    dir: string,
    /** The real files, through the host port. */
    readonly files: HostFiles,
    readonly mountedAt = '/host',
  ) {
    const problem = shareProblem(dir, files);
    if (problem) throw new ShareError(`--share ${dir}: ${problem}`);
    this.root = new BeneathRoot(dir, mountedAt, files);
  }

  private key(st: HostStats): string {
    return `${st.dev}:${st.ino}:${st.birthtimeMs}`;
  }

  ownerOf(st: HostStats): Credentials {
    return this.owners.get(this.key(st)) ?? { uid: 0, gid: 0 };
  }

  setOwner(st: HostStats, cred: Credentials): void {
    if (cred.uid === 0 && cred.gid === 0) this.owners.delete(this.key(st));
    else this.owners.set(this.key(st), { uid: cred.uid, gid: cred.gid });
  }

  /** A file's last name is gone. */
  forget(st: HostStats): void {
    if (st.isDirectory() || st.nlink <= 1) this.owners.delete(this.key(st));
  }
}

function specialKind(st: HostStats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'a special file';
}

/** The access mode and truncation, in the real kernel's numbers; creation is done apart. */
function hostAccess(flags: number, H: HostFiles['constants']): number {
  const acc = flags & O_ACCMODE;
  return acc === O_RDONLY ? H.O_RDONLY : acc === O_WRONLY ? H.O_WRONLY : H.O_RDWR;
}

export class HostFs implements FileSystem {
  readonly name = 'hostfs';

  constructor(
    readonly dev: number,
    private readonly share: HostShare,
    private readonly nowNs: () => number,
    /** The kernel log of the host this mount belongs to. */
    private readonly log: (line: string) => void,
  ) {}

  private get root(): BeneathRoot {
    return this.share.root;
  }

  private get files(): HostFiles {
    return this.share.files;
  }

  /** A file that was there a moment ago is not: ENOENT, as the real call would have said. */
  private gone(): never {
    throw new SysError('ENOENT');
  }

  private path(rel: string): string {
    return rel ? `${this.share.mountedAt}/${rel}` : this.share.mountedAt;
  }

  private emulated(st: HostStats): Stat {
    const s = toStat(this.dev, st);
    const owner = this.share.ownerOf(st);
    s.st_uid = owner.uid;
    s.st_gid = owner.gid;
    return s;
  }

  private searcher(cred: Credentials): ((st: HostStats) => void) | undefined {
    if (cred.uid === 0) return undefined;
    return (st) => {
      if (!permits(this.emulated(st), cred, 1)) throw new SysError('EACCES');
    };
  }

  private require(st: HostStats, cred: Credentials, want: number): void {
    if (!permits(this.emulated(st), cred, want)) throw new SysError('EACCES');
  }

  /** Write permission on the directory, and the sticky bit's rule for the entry in it. */
  private requireRemovable(dir: HostStats, entry: HostStats, cred: Credentials): void {
    this.require(dir, cred, 2 | 1);
    if (!stickyAllows(this.emulated(dir), this.emulated(entry), cred)) throw new SysError('EPERM');
  }

  /** ENXIO for an open, as for a device with nothing behind it; EPERM for a chmod. */
  private refuseSpecial(rel: string, st: HostStats, errno: 'ENXIO' | 'EPERM' = 'ENXIO'): never {
    this.log(`hostfs: ${this.path(rel)} is ${specialKind(st)} of the real machine: only regular files and directories are shared`);
    throw new SysError(errno);
  }

  private lookup<T>(rel: string, follow: boolean, cred: Credentials | undefined, fn: (f: Found) => T): T {
    return this.root.lookup(rel, { follow, search: cred && this.searcher(cred) }, fn);
  }

  /** Look up an existing entry. */
  private existing<T>(rel: string, follow: boolean, cred: Credentials | undefined, fn: (f: Found, st: HostStats) => T): T {
    return this.lookup(rel, follow, cred, (f) => {
      if (!f.st) throw new SysError('ENOENT');
      return fn(f, f.st);
    });
  }

  /** Look up a name to create in a directory `cred` may write. */
  private absent(rel: string, cred: Credentials, fn: (f: Found) => void): void {
    this.lookup(rel, false, cred, (f) => {
      if (f.st) throw new SysError('EEXIST');
      this.require(f.dir.st, cred, 2 | 1);
      fn(f);
      this.share.setOwner(nodeCall(() => this.files.lstat(f.ref) ?? this.gone()), cred);
    });
  }

  open(rel: string, flags: number, mode: number, cred: Credentials): OpenFile {
    // O_CREAT|O_EXCL never follows a link in the last component, as open(2) says.
    const follow = !(flags & O_CREAT && flags & O_EXCL);
    const H = this.files.constants;
    const fd = this.lookup(rel, follow, cred, (f) => {
      if (!f.st) {
        if (!(flags & O_CREAT)) throw new SysError('ENOENT');
        this.require(f.dir.st, cred, 2 | 1);
        // O_EXCL|O_NOFOLLOW: what is made is a new file right here, never something a link leads to.
        const made = nodeCall(() => this.files.open(f.ref, hostAccess(flags, H) | H.O_CREAT | H.O_EXCL | H.O_NOFOLLOW | H.O_NONBLOCK | H.O_NOCTTY, mode & 0o777));
        this.share.setOwner(this.files.fstat(made), cred);
        return made;
      }
      const st = f.st;
      if (flags & O_CREAT && flags & O_EXCL) throw new SysError('EEXIST');
      const isDir = st.isDirectory();
      if (!isDir && !st.isFile()) this.refuseSpecial(rel, st);
      if (isDir && (flags & O_ACCMODE) !== O_RDONLY) throw new SysError('EISDIR');
      if (!isDir && flags & O_DIRECTORY) throw new SysError('ENOTDIR');
      const acc = flags & O_ACCMODE;
      this.require(st, cred, acc === O_RDONLY ? 4 : acc === O_WRONLY ? 2 : 6);
      const opened = this.root.openFound(f, isDir ? H.O_RDONLY | H.O_DIRECTORY : hostAccess(flags, H));
      // Truncated only once the fd is known to be the file that was checked.
      if (!isDir && flags & O_TRUNC && acc !== O_RDONLY) nodeCall(() => this.files.ftruncate(opened, 0));
      return opened;
    });
    const isDir = this.files.fstat(fd).isDirectory();
    const api = {
      readSync: (f: number, b: Uint8Array, o: number, l: number, p: number) => this.files.read(f, b, o, l, p),
      writeSync: (f: number, b: Uint8Array, o: number, l: number, p: number) => this.files.write(f, b, o, l, p),
      closeSync: (f: number) => this.files.close(f),
      futimesSync: () => {
        // The real file keeps the real machine's time.
      },
    };
    return new RegularFile(api, fd, this.path(rel), flags, isDir, () => this.emulated(this.files.fstat(fd)), this.nowNs);
  }

  stat(rel: string, follow: boolean, cred?: Credentials): Stat {
    return this.existing(rel, follow, cred, (_f, st) => this.emulated(st));
  }

  readdir(rel: string, cred: Credentials): Dirent[] {
    return this.existing(rel, true, cred, (f, st) => {
      if (!st.isDirectory()) throw new SysError('ENOTDIR');
      this.require(st, cred, 4);
      return this.root.readdir(f).map((e) => ({ d_name: e.name, d_ino: e.st.ino, d_type: e.st.mode & S_IFMT }));
    });
  }

  mkdir(rel: string, mode: number, cred: Credentials): void {
    this.absent(rel, cred, (f) => nodeCall(() => this.files.mkdir(f.ref, mode & 0o777)));
  }

  symlink(target: string, rel: string, cred: Credentials): void {
    // A link may point anywhere, as on a real kernel; following one that leaves the share is what
    // is refused.
    this.absent(rel, cred, (f) => nodeCall(() => this.files.symlink(target, f.ref)));
  }

  readlink(rel: string): string {
    return this.existing(rel, false, undefined, (f, st) => {
      if (!st.isSymbolicLink()) throw new SysError('EINVAL');
      return nodeCall(() => this.files.readlink(f.ref));
    });
  }

  /** Remove a name: the link itself, never what it points at. */
  private remove(rel: string, cred: Credentials, dir: boolean): void {
    this.existing(rel, false, cred, (f, st) => {
      if (f.name === null) throw new SysError('EBUSY');
      if (dir && !st.isDirectory()) throw new SysError('ENOTDIR');
      if (!dir && st.isDirectory()) throw new SysError('EISDIR');
      this.requireRemovable(f.dir.st, st, cred);
      nodeCall(() => (dir ? this.files.rmdir(f.ref) : this.files.unlink(f.ref)));
      this.share.forget(st);
    });
  }

  rmdir(rel: string, cred: Credentials): void {
    this.remove(rel, cred, true);
  }

  unlink(rel: string, cred: Credentials): void {
    this.remove(rel, cred, false);
  }

  rename(from: string, to: string, cred: Credentials): void {
    this.existing(from, false, cred, (a, src) =>
      this.lookup(to, false, cred, (b) => {
        if (a.name === null || b.name === null) throw new SysError('EBUSY');
        this.requireRemovable(a.dir.st, src, cred);
        if (b.st) this.requireRemovable(b.dir.st, b.st, cred);
        else this.require(b.dir.st, cred, 2 | 1);
        if (src.isDirectory() && to.startsWith(`${from}/`)) throw new SysError('EINVAL');
        // The real rename(2) gives EISDIR, ENOTDIR and ENOTEMPTY itself.
        nodeCall(() => this.files.rename(a.ref, b.ref));
        if (b.st && !sameFile(b.st, src)) this.share.forget(b.st);
      }),
    );
  }

  chmod(rel: string, mode: number, cred: Credentials): void {
    this.existing(rel, true, cred, (f, st) => {
      if (cred.uid !== 0 && cred.uid !== this.share.ownerOf(st).uid) throw new SysError('EPERM');
      // Changing it would mean opening it, which a FIFO or a device must not be.
      if (!st.isFile() && !st.isDirectory()) this.refuseSpecial(rel, st, 'EPERM');
      const fd = this.root.openFound(f, this.files.constants.O_RDONLY);
      try {
        // No setuid, setgid or sticky bit on the real disk.
        nodeCall(() => this.files.fchmod(fd, mode & 0o777));
      } finally {
        this.files.close(fd);
      }
    });
  }
}

