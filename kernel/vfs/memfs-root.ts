// The root file system: an in-memory tree (memfs) laid out like Haiku's, owned by the kernel's
// clock for its timestamps, bounded as a tmpfs is (fs-quota.ts). Nothing here ever touches the
// real disk.

import { Volume } from 'memfs';
import { SysError } from '../abi/errno.js';
import { O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_RDONLY, O_TRUNC, O_WRONLY } from '../abi/fcntl.js';
import { type Dirent, S_IFDIR, S_IFLNK, S_IFMT, S_IFSOCK, type Stat } from '../abi/stat.js';
import type { OpenFile } from './file.js';
import { type Credentials, type FileSystem, permits, stickyAllows } from './filesystem.js';
import { nodeCall } from './node-errors.js';
import { DEFAULT_FS_LIMITS, type FsLimits, FsQuota, type QuotaEntry } from './fs-quota.js';
import { type NodeFdApi, RegularFile } from './regular-file.js';

// Linux's numeric open flags, which memfs understands.
const L_WRONLY = 1;
const L_RDWR = 2;
const L_CREAT = 0o100;
const L_EXCL = 0o200;
const L_TRUNC = 0o1000;

export function toLinuxOpenFlags(flags: number): number {
  const acc = flags & O_ACCMODE;
  let out = acc === O_RDONLY ? 0 : acc === O_WRONLY ? L_WRONLY : L_RDWR;
  if (flags & O_CREAT) out |= L_CREAT;
  if (flags & O_EXCL) out |= L_EXCL;
  if (flags & O_TRUNC) out |= L_TRUNC;
  // O_APPEND is not handed down: RegularFile appends itself, by the description's flags, so that
  // F_SETFL can turn it off again (a backing fd opened with it appends every write whatever the
  // position asked, as Linux's pwrite and memfs do).
  return out;
}

interface NodeStats {
  mode: number;
  ino: number | bigint;
  nlink: number | bigint;
  uid: number | bigint;
  gid: number | bigint;
  size: number | bigint;
  mtimeMs: number | bigint;
}

export function toStat(dev: number, s: NodeStats): Stat {
  return {
    st_dev: dev,
    st_ino: Number(s.ino),
    st_mode: s.mode,
    st_nlink: Number(s.nlink),
    st_uid: Number(s.uid),
    st_gid: Number(s.gid),
    st_rdev: 0,
    st_size: Number(s.size),
    st_mtime_ns: Math.round(Number(s.mtimeMs) * 1e6),
  };
}

/**
 * The parts of memfs's core (@jsonjoy.com/fs-core's Superblock and Node) the root reaches into, the
 * one thing here that is not memfs's public API: memfs is pinned to an exact version in
 * package.json for it, and test/unit/kernel/memfs-root.test.ts fails if these members change.
 */
export interface MemfsNode {
  canRead(): boolean;
  canWrite(): boolean;
  canExecute(): boolean;
}
export interface MemfsCore {
  root: { getNode(): MemfsNode };
  createNode(mode: number): MemfsNode;
}

const granted = () => true;
function grantAll(n: MemfsNode): MemfsNode {
  n.canRead = n.canWrite = n.canExecute = granted;
  return n;
}

/**
 * What memfs asks "the process" (through its public `process` option): on Node, a uid and gid on
 * every node it creates and every path it walks, each a real system call. The kernel sets owners
 * itself, so this volume's answer is a constant: root.
 */
const VOLUME_PROCESS = {
  getuid: () => 0,
  getgid: () => 0,
  cwd: () => '/',
  env: {},
  platform: 'linux',
  emitWarning: () => {},
};

export class MemFsRoot implements FileSystem {
  readonly name = 'memfs';
  private volume: ReturnType<typeof Volume.fromJSON> | null = null;
  private readonly fsQuota: FsQuota;
  /**
   * The kernel's own setup (Haiku's tree, the syslog's lines), kept with the time it happened
   * until the file system is first used: most hosts of a large world never look at theirs, and
   * need not hold a volume. Replayed in order, at their times, it gives the same tree.
   */
  private boot: Array<{ at: number; op: () => void }> = [];
  private replayAt: number | null = null;
  /**
   * The inodes that are sockets. memfs has no socket nodes, so a socket file is an empty memfs file
   * whose inode is listed here: stat, readdir and ls see S_IFSOCK, and open refuses it (ENXIO).
   */
  private readonly sockets = new Set<number>();

  constructor(
    readonly dev: number,
    private readonly nowNs: () => number,
    limits: FsLimits = DEFAULT_FS_LIMITS,
  ) {
    this.fsQuota = new FsQuota(limits);
  }

  get vol(): ReturnType<typeof Volume.fromJSON> {
    return this.volume ?? this.materialize();
  }

  get quota(): FsQuota {
    this.vol;
    return this.fsQuota;
  }

  /** Whether the volume has been made (the file system used since boot); later() ops wait until it is. */
  get made(): boolean {
    return this.volume !== null;
  }

  /** Kernel setup that may wait until the file system is first used (see boot). */
  later(op: () => void): void {
    if (this.volume) op();
    else this.boot.push({ at: this.nowNs(), op });
  }

  private clock(): number {
    return this.replayAt ?? this.nowNs();
  }

  private materialize(): ReturnType<typeof Volume.fromJSON> {
    const vol = Volume.fromJSON({}, '/', { process: VOLUME_PROCESS });
    this.volume = vol;
    const core = (vol as unknown as { _core: MemfsCore })._core;
    // memfs checks permissions on its own, against the uid of the real Node process (not the
    // caller's, and with no exemption for root): a user could not reopen a 0600 file of their
    // own, root could not enter a 0700 directory of a user's, and the outcome depended on who ran
    // tunlab. The kernel checks with the caller's credentials (open, requireSearch,
    // requireWritableParent), so memfs's own checks always pass.
    const createNode = core.createNode.bind(core);
    core.createNode = (mode) => grantAll(createNode(mode));
    grantAll(core.root.getNode());
    const boot = this.boot;
    this.boot = [];
    try {
      for (const b of boot) {
        this.replayAt = b.at;
        b.op();
      }
    } finally {
      this.replayAt = null;
    }
    return vol;
  }

  private p(rel: string): string {
    return '/' + rel;
  }

  private touch(path: string): void {
    const t = this.clock() / 1e9;
    this.vol.utimesSync(path, t, t);
  }

  /**
   * A directory whose entries changed. memfs stamps it with the host's Date.now(); the kernel
   * clock must have the last word, or listings show the real date in a virtual-time world.
   */
  private touchParent(rel: string): void {
    this.touch(this.p(this.parentOf(rel)));
  }

  /** Boot-time setup: the node and every directory above it, each counted in the quota. */
  private touchChain(rel: string): void {
    for (let r = rel; ; r = this.parentOf(r)) {
      this.touch(this.p(r));
      const st = this.vol.lstatSync(this.p(r));
      this.quota.resize(this.quota.entry(Number(st.ino), 0), Number(st.size));
      if (r === '') return;
    }
  }

  private ino(path: string): number {
    return Number(nodeCall(() => this.vol.lstatSync(path)).ino);
  }

  private parentOf(rel: string): string {
    const i = rel.lastIndexOf('/');
    return i < 0 ? '' : rel.slice(0, i);
  }

  /** Search (x) permission on every directory on the way to `rel`, as path lookup needs. */
  private requireSearch(rel: string, cred: Credentials): void {
    if (cred.uid === 0 || rel === '') return;
    // From the root down, as a lookup walks: the first component that is no directory is ENOTDIR.
    const parts = rel.split('/');
    for (let i = 0; i < parts.length; i++) {
      const st = this.stat(parts.slice(0, i).join('/'), true);
      if ((st.st_mode & S_IFMT) !== S_IFDIR) throw new SysError('ENOTDIR');
      if (!permits(st, cred, 1)) throw new SysError('EACCES');
    }
  }

  /** Write permission on the parent, and the sticky bit's rule for the entry there. */
  private requireRemovable(rel: string, cred: Credentials): Stat {
    this.requireWritableParent(rel, cred);
    const st = this.stat(rel, false);
    if (!stickyAllows(this.stat(this.parentOf(rel), true), st, cred)) throw new SysError('EPERM');
    return st;
  }

  private requireWritableParent(rel: string, cred: Credentials): void {
    this.requireSearch(rel, cred);
    if (!permits(this.stat(this.parentOf(rel), true), cred, 2 | 1)) throw new SysError('EACCES');
  }

  open(rel: string, flags: number, mode: number, cred: Credentials): OpenFile {
    const path = this.p(rel);
    this.requireSearch(rel, cred);
    let existing: Stat | null = null;
    try {
      existing = this.stat(rel, true);
    } catch (e) {
      if (!(e instanceof SysError && e.errno === 'ENOENT') || !(flags & O_CREAT)) throw e;
    }
    const isDir = existing !== null && (existing.st_mode & S_IFMT) === S_IFDIR;
    if (existing) {
      if (flags & O_CREAT && flags & O_EXCL) throw new SysError('EEXIST');
      // open(2) of a socket file: ENXIO, on Linux as here.
      if ((existing.st_mode & S_IFMT) === S_IFSOCK) throw new SysError('ENXIO');
      if (isDir && (flags & O_ACCMODE) !== O_RDONLY) throw new SysError('EISDIR');
      if (!isDir && flags & O_DIRECTORY) throw new SysError('ENOTDIR');
      const want = (flags & O_ACCMODE) === O_RDONLY ? 4 : (flags & O_ACCMODE) === O_WRONLY ? 2 : 6;
      if (!permits(existing, cred, want)) throw new SysError('EACCES');
    } else {
      this.requireWritableParent(rel, cred);
      this.quota.reserveInode();
    }
    const fd = nodeCall(() => this.vol.openSync(path, isDir ? 0 : toLinuxOpenFlags(flags), mode & 0o7777));
    const st = this.vol.fstatSync(fd);
    const entry = existing ? this.quota.entry(Number(st.ino), existing.st_size) : this.quota.add(Number(st.ino));
    this.quota.open(entry);
    this.quota.resize(entry, Number(st.size));
    if (!existing) {
      nodeCall(() => this.vol.fchownSync(fd, cred.uid, cred.gid));
      this.touch(path);
      this.touchParent(rel);
    } else if (flags & O_TRUNC && !isDir) this.touch(path);
    return new RegularFile(this.boundedApi(entry), fd, path, flags, isDir, () => toStat(this.dev, this.vol.fstatSync(fd)), this.nowNs);
  }

  /** The volume's fd calls, with writes held to the quota and the inode's counts kept. */
  private boundedApi(entry: QuotaEntry): NodeFdApi {
    const vol = this.vol;
    const quota = this.quota;
    return {
      readSync: (fd, buf, off, len, pos) => vol.readSync(fd, buf, off, len, pos),
      writeSync: (fd, buf, off, len, pos) => {
        const n = vol.writeSync(fd, buf, off, quota.fit(entry.size, pos, len), pos);
        quota.resize(entry, Number(vol.fstatSync(fd).size));
        return n;
      },
      closeSync: (fd) => {
        vol.closeSync(fd);
        quota.close(entry);
      },
      futimesSync: (fd, a, m) => vol.futimesSync(fd, a, m),
    };
  }

  stat(rel: string, follow: boolean, cred?: Credentials): Stat {
    if (cred) this.requireSearch(rel, cred);
    const path = this.p(rel);
    const st = toStat(this.dev, nodeCall(() => (follow ? this.vol.statSync(path) : this.vol.lstatSync(path))));
    if (this.sockets.has(st.st_ino)) st.st_mode = S_IFSOCK | (st.st_mode & 0o7777);
    // A symbolic link's size is the length of its target (memfs says 0).
    if ((st.st_mode & S_IFMT) === S_IFLNK) st.st_size = Buffer.byteLength(String(nodeCall(() => this.vol.readlinkSync(path))));
    return st;
  }

  readdir(rel: string, cred: Credentials): Dirent[] {
    this.requireSearch(rel, cred);
    if (!permits(this.stat(rel, true), cred, 4)) throw new SysError('EACCES');
    const path = this.p(rel);
    const names = nodeCall(() => this.vol.readdirSync(path) as string[]);
    return names.sort().map((name) => {
      const st = this.stat(rel ? `${rel}/${name}` : name, false);
      return { d_name: name, d_ino: st.st_ino, d_type: st.st_mode & S_IFMT };
    });
  }

  mkdir(rel: string, mode: number, cred: Credentials): void {
    this.requireWritableParent(rel, cred);
    const path = this.p(rel);
    this.quota.reserveInode();
    nodeCall(() => this.vol.mkdirSync(path, mode & 0o7777));
    this.quota.add(this.ino(path));
    nodeCall(() => this.vol.chownSync(path, cred.uid, cred.gid));
    this.touch(path);
    this.touchParent(rel);
  }

  rmdir(rel: string, cred: Credentials): void {
    const st = this.requireRemovable(rel, cred);
    nodeCall(() => this.vol.rmdirSync(this.p(rel)));
    this.quota.unlinked(st.st_ino);
    this.touchParent(rel);
  }

  unlink(rel: string, cred: Credentials): void {
    const st = this.requireRemovable(rel, cred);
    if ((st.st_mode & S_IFMT) === S_IFDIR) throw new SysError('EISDIR');
    nodeCall(() => this.vol.unlinkSync(this.p(rel)));
    this.sockets.delete(st.st_ino);
    this.quota.unlinked(st.st_ino);
    this.touchParent(rel);
  }

  rename(from: string, to: string, cred: Credentials): void {
    const src = this.requireRemovable(from, cred);
    this.requireWritableParent(to, cred);
    // POSIX rename(2)'s checks, which memfs skips: it let a file replace a directory (and all it
    // held), a directory replace a file or a non-empty directory, and gave ENOENT for a directory
    // moved into itself.
    if (from === to) return;
    const srcDir = (src.st_mode & S_IFMT) === S_IFDIR;
    if (srcDir && to.startsWith(`${from}/`)) throw new SysError('EINVAL');
    let dst: Stat | null = null;
    try {
      dst = this.stat(to, false);
    } catch (e) {
      if (!(e instanceof SysError && e.errno === 'ENOENT')) throw e;
    }
    if (dst) {
      if (!stickyAllows(this.stat(this.parentOf(to), true), dst, cred)) throw new SysError('EPERM');
      const dstDir = (dst.st_mode & S_IFMT) === S_IFDIR;
      if (dstDir && !srcDir) throw new SysError('EISDIR');
      if (srcDir && !dstDir) throw new SysError('ENOTDIR');
      if (dstDir && nodeCall(() => this.vol.readdirSync(this.p(to))).length > 0) throw new SysError('ENOTEMPTY');
    }
    const replaced = () => {
      if (dst && dst.st_ino !== src.st_ino) {
        this.sockets.delete(dst.st_ino);
        this.quota.unlinked(dst.st_ino);
      }
    };
    if ((src.st_mode & S_IFMT) === S_IFLNK) this.renameLink(from, to, src, dst, replaced);
    else {
      nodeCall(() => this.vol.renameSync(this.p(from), this.p(to)));
      replaced();
    }
    this.touchParent(from);
    this.touchParent(to);
  }

  /**
   * memfs's rename follows a link in its last component: it moved the file a link points at and
   * left the link behind (mv of a link into /tmp took /etc/hostname with it). A link is an object
   * of its own, so it is moved as one: the same target, owner, mode and times at the new name.
   */
  private renameLink(from: string, to: string, src: Stat, dst: Stat | null, replaced: () => void): void {
    const target = this.readlink(from);
    const path = this.p(to);
    if (dst) nodeCall(() => this.vol.unlinkSync(path));
    // Before the new link is made: memfs may give it the number the replaced file had.
    replaced();
    nodeCall(() => this.vol.symlinkSync(target, path));
    nodeCall(() => this.vol.unlinkSync(this.p(from)));
    this.quota.unlinked(src.st_ino);
    this.quota.add(this.ino(path), src.st_size);
    nodeCall(() => this.vol.lchmodSync(path, 0o777));
    nodeCall(() => this.vol.lchownSync(path, src.st_uid, src.st_gid));
    nodeCall(() => this.vol.lutimesSync(path, src.st_mtime_ns / 1e9, src.st_mtime_ns / 1e9));
  }

  symlink(target: string, rel: string, cred: Credentials): void {
    this.requireWritableParent(rel, cred);
    const path = this.p(rel);
    this.quota.reserveInode();
    const size = Buffer.byteLength(target);
    if (size > this.quota.room()) throw new SysError('ENOSPC');
    nodeCall(() => this.vol.symlinkSync(target, path));
    this.quota.add(this.ino(path), size);
    // A link is lrwxrwxrwx and belongs to its creator (memfs makes it 0666, owned by the host user).
    nodeCall(() => this.vol.lchmodSync(path, 0o777));
    nodeCall(() => this.vol.lchownSync(path, cred.uid, cred.gid));
    const t = this.nowNs() / 1e9;
    nodeCall(() => this.vol.lutimesSync(path, t, t));
    this.touchParent(rel);
  }

  mksock(rel: string, mode: number, cred: Credentials): Stat {
    this.requireWritableParent(rel, cred);
    const path = this.p(rel);
    this.quota.reserveInode();
    const fd = nodeCall(() => this.vol.openSync(path, L_WRONLY | L_CREAT | L_EXCL, mode & 0o7777));
    this.vol.closeSync(fd);
    const ino = this.ino(path);
    this.quota.add(ino);
    this.sockets.add(ino);
    nodeCall(() => this.vol.chownSync(path, cred.uid, cred.gid));
    this.touch(path);
    this.touchParent(rel);
    return this.stat(rel, false);
  }

  readlink(rel: string): string {
    return String(nodeCall(() => this.vol.readlinkSync(this.p(rel))));
  }

  chmod(rel: string, mode: number, cred: Credentials): void {
    const st = this.stat(rel, true);
    if (cred.uid !== 0 && cred.uid !== st.st_uid) throw new SysError('EPERM');
    nodeCall(() => this.vol.chmodSync(this.p(rel), mode & 0o7777));
    // chmod changes the inode's ctime only; memfs moves mtime as well, so it is put back.
    const sec = st.st_mtime_ns / 1e9;
    nodeCall(() => this.vol.utimesSync(this.p(rel), sec, sec));
  }

  /** Kernel-side setup at boot: write a file as root with given mode. */
  install(rel: string, content: string | Uint8Array, mode = 0o644, uid = 0, gid = 0): void {
    const path = this.p(rel);
    this.vol.mkdirSync(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true });
    this.vol.writeFileSync(path, content, { mode });
    this.vol.chmodSync(path, mode);
    this.vol.chownSync(path, uid, gid);
    this.touchChain(rel);
  }

  installDir(rel: string, mode = 0o755, uid = 0, gid = 0): void {
    const path = this.p(rel);
    this.vol.mkdirSync(path, { recursive: true });
    this.vol.chmodSync(path, mode);
    this.vol.chownSync(path, uid, gid);
    this.touchChain(rel);
  }
}
