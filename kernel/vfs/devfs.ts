// devfs: the /dev tree. Drivers publish device nodes by path ("misc/tun", "tun/0",
// "net/ipro1000/0") and unpublish them when the device goes away; directories appear with their
// first node and vanish with their last, unless a driver asked for them to stay.
// A device node is served by Haiku-style hooks (Drivers.h device_hooks), each open producing a
// cookie that every later hook receives.

import { SysError, isSysError } from '../abi/errno.js';
import { O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_NONBLOCK, O_RDONLY } from '../abi/fcntl.js';
import { B_SET_BLOCKING_IO, B_SET_NONBLOCKING_IO } from '../abi/ioctl.js';
import type { SelectEvent } from '../abi/select.js';
import { type Dirent, S_IFCHR, S_IFDIR, type Stat } from '../abi/stat.js';
import type { Task } from '../sched/scheduler.js';
import { type IoContext, OpenFile, type SelectSync } from './file.js';
import { type Credentials, type FileSystem, permits } from './filesystem.js';

export interface DeviceHooks<C = unknown> {
  open(name: string, flags: number, ctx: IoContext): C | Promise<C>;
  /** The last fd was closed: wake anything blocked on this cookie. */
  close(cookie: C): void;
  /** Every operation in progress has finished: release the cookie. */
  free(cookie: C): void;
  control(cookie: C, op: number, arg: unknown, ctx: IoContext): number | Promise<number>;
  read(cookie: C, pos: number, len: number, ctx: IoContext): Uint8Array | Promise<Uint8Array>;
  write(cookie: C, pos: number, data: Uint8Array, ctx: IoContext): number | Promise<number>;
  select(cookie: C, event: SelectEvent, sync: SelectSync): void;
  deselect(cookie: C, event: SelectEvent, sync: SelectSync): void;
}

export interface DeviceNodeOptions {
  mode?: number;
  uid?: number;
  gid?: number;
  /** major << 8 | minor, for st_rdev. */
  rdev?: number;
}

interface DevNode {
  name: string;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  rdev: number;
  mtime: number;
  hooks?: DeviceHooks<any>;
  children?: Map<string, DevNode>;
  /** A directory a driver wants kept even while empty (/dev/net, /dev/misc). */
  sticky?: boolean;
}

/** What drivers need of devfs: publishing and removing their nodes. */
export interface DevicePublisher {
  publish<C>(path: string, hooks: DeviceHooks<C>, opts?: DeviceNodeOptions): void;
  unpublish(path: string): void;
  isPublished(path: string): boolean;
  /** Keep a directory even while it has no nodes. */
  mkdirSticky(path: string): void;
}

export class DevFs implements FileSystem, DevicePublisher {
  readonly name = 'devfs';
  private nextIno = 2;
  private readonly root: DevNode;

  constructor(
    readonly dev: number,
    private readonly nowNs: () => number,
  ) {
    this.root = this.dir('', true);
  }

  private dir(name: string, sticky = false): DevNode {
    return {
      name,
      ino: this.nextIno++,
      mode: S_IFDIR | 0o755,
      uid: 0,
      gid: 0,
      rdev: 0,
      mtime: this.nowNs(),
      children: new Map(),
      sticky,
    };
  }

  /** Keep a directory even while it has no nodes. */
  mkdirSticky(path: string): void {
    let node = this.root;
    for (const part of path.split('/').filter(Boolean)) {
      let next = node.children!.get(part);
      if (!next) node.children!.set(part, (next = this.dir(part, true)));
      next.sticky = true;
      node = next;
    }
  }

  publish<C>(path: string, hooks: DeviceHooks<C>, opts: DeviceNodeOptions = {}): void {
    const parts = path.split('/').filter(Boolean);
    const leaf = parts.pop();
    if (!leaf) throw new SysError('EINVAL', `bad device path ${path}`);
    let node = this.root;
    for (const part of parts) {
      let next = node.children!.get(part);
      if (!next) node.children!.set(part, (next = this.dir(part)));
      if (!next.children) throw new SysError('ENOTDIR', path);
      node = next;
    }
    if (node.children!.has(leaf)) throw new SysError('EEXIST', path);
    node.children!.set(leaf, {
      name: leaf,
      ino: this.nextIno++,
      mode: S_IFCHR | (opts.mode ?? 0o666),
      uid: opts.uid ?? 0,
      gid: opts.gid ?? 0,
      rdev: opts.rdev ?? 0,
      mtime: this.nowNs(),
      hooks,
    });
    node.mtime = this.nowNs();
  }

  /** Remove a node; open files on it keep working until they are closed. */
  unpublish(path: string): void {
    const parts = path.split('/').filter(Boolean);
    const chain: DevNode[] = [this.root];
    for (const part of parts) {
      const next = chain[chain.length - 1]!.children?.get(part);
      if (!next) return;
      chain.push(next);
    }
    for (let i = chain.length - 1; i > 0; i--) {
      const node = chain[i]!;
      const parent = chain[i - 1]!;
      if (node.children && (node.children.size > 0 || node.sticky)) break;
      parent.children!.delete(node.name);
      parent.mtime = this.nowNs();
    }
  }

  isPublished(path: string): boolean {
    return this.lookup(path)?.hooks !== undefined;
  }

  /** Every device path, for drivers and tests. */
  list(): string[] {
    const out: string[] = [];
    const walk = (n: DevNode, prefix: string) => {
      for (const [name, c] of n.children ?? []) {
        const p = prefix ? `${prefix}/${name}` : name;
        if (c.hooks) out.push(p);
        else walk(c, p);
      }
    };
    walk(this.root, '');
    return out.sort();
  }

  private lookup(rel: string): DevNode | undefined {
    let node: DevNode | undefined = this.root;
    for (const part of rel.split('/').filter(Boolean)) {
      node = node.children?.get(part);
      if (!node) return undefined;
    }
    return node;
  }

  private need(rel: string): DevNode {
    const n = this.lookup(rel);
    if (!n) throw new SysError('ENOENT');
    return n;
  }

  private statOf(n: DevNode): Stat {
    return {
      st_dev: this.dev,
      st_ino: n.ino,
      st_mode: n.mode,
      st_nlink: n.children ? 2 : 1,
      st_uid: n.uid,
      st_gid: n.gid,
      st_rdev: n.rdev,
      st_size: 0,
      st_mtime_ns: n.mtime,
    };
  }

  async open(rel: string, flags: number, _mode: number, cred: Credentials, ctx: IoContext): Promise<OpenFile> {
    const n = this.need(rel);
    // What every file system answers for these, devfs included (Linux's open checks them above the
    // file system): the node exists, a directory is not for writing, a device is no directory.
    if (flags & O_CREAT && flags & O_EXCL) throw new SysError('EEXIST');
    if (n.children) {
      if ((flags & O_ACCMODE) !== O_RDONLY) throw new SysError('EISDIR');
      return new DevDirFile(this, rel, flags, () => this.statOf(n));
    }
    if (flags & O_DIRECTORY) throw new SysError('ENOTDIR');
    const st = this.statOf(n);
    const want = (flags & 3) === 0 ? 4 : (flags & 3) === 1 ? 2 : 6;
    if (!permits(st, cred, want)) throw new SysError('EACCES');
    const hooks = n.hooks!;
    const cookie = await hooks.open(rel, flags, ctx);
    return new DeviceFile(`/dev/${rel}`, hooks, cookie, flags, () => this.statOf(n));
  }

  stat(rel: string): Stat {
    return this.statOf(this.need(rel));
  }

  readdir(rel: string): Dirent[] {
    const n = this.need(rel);
    if (!n.children) throw new SysError('ENOTDIR');
    return [...n.children.values()].map((c) => ({ d_name: c.name, d_ino: c.ino, d_type: c.mode & 0o170000 }));
  }

  mkdir(): void {
    throw new SysError('EPERM');
  }
  rmdir(): void {
    throw new SysError('EPERM');
  }
  unlink(): void {
    throw new SysError('EPERM');
  }
  rename(): void {
    throw new SysError('EPERM');
  }
}

/** An open directory of devfs (for readdir through an fd and fstat). */
class DevDirFile extends OpenFile {
  readonly kind = 'dir';
  constructor(
    private readonly fs: DevFs,
    private readonly rel: string,
    flags: number,
    private readonly statFn: () => Stat,
  ) {
    super(flags);
  }
  override read(): Uint8Array {
    throw new SysError('EISDIR');
  }
  stat(): Stat {
    return this.statFn();
  }
  select(_e: SelectEvent, sync: SelectSync): void {
    sync.notify(_e);
  }
  deselect(): void {}
  close(): void {}
  describe(): string {
    return `/dev/${this.rel}`;
  }
  entries(): Dirent[] {
    return this.fs.readdir(this.rel);
  }
}

/** An open device: every operation goes to the driver's hooks with the cookie from open. */
export class DeviceFile<C = unknown> extends OpenFile {
  readonly kind = 'chr';
  private closed = false;
  private freed = false;
  /** The task of each operation still waiting inside a hook. */
  private readonly waiting: Task[] = [];

  constructor(
    readonly path: string,
    readonly hooks: DeviceHooks<C>,
    readonly cookie: C,
    flags: number,
    private readonly statFn: () => Stat,
  ) {
    super(flags);
  }

  /** Count an operation in progress until it settles; a hook that answers at once costs nothing more. */
  private op<T>(ctx: IoContext, fn: () => T | Promise<T>): T | Promise<T> {
    this.busy++;
    let r: T | Promise<T>;
    try {
      r = fn();
    } catch (e) {
      this.done(null);
      throw e;
    }
    if (!(r instanceof Promise)) {
      this.done(null);
      return r;
    }
    const task = taskOf(ctx);
    if (task) this.waiting.push(task);
    return r.finally(() => this.done(task));
  }

  private done(task: Task | null): void {
    this.busy--;
    if (task) this.waiting.splice(this.waiting.indexOf(task), 1);
    this.maybeFree();
  }

  /**
   * free, once closed and no operation can still end. One whose process was killed while it waited
   * in a hook never ends (its task is gone and never resumes), so it no longer counts; otherwise the
   * cookie would never be freed.
   */
  private maybeFree(): void {
    if (!this.closed || this.freed) return;
    let stuck = 0;
    for (const t of this.waiting) if (t.state === 'exited') stuck++;
    if (this.busy > stuck) return;
    this.freed = true;
    this.hooks.free(this.cookie);
  }

  override read(ctx: IoContext, count: number): Uint8Array | Promise<Uint8Array> {
    return this.op(ctx, () => this.hooks.read(this.cookie, 0, count, ctx));
  }

  override write(ctx: IoContext, data: Uint8Array): number | Promise<number> {
    return this.op(ctx, () => this.hooks.write(this.cookie, 0, data, ctx));
  }

  override ioctl(ctx: IoContext, op: number, arg: unknown): number | Promise<number> {
    return this.op(ctx, async () => {
      try {
        return await this.hooks.control(this.cookie, op, arg, ctx);
      } catch (e) {
        // fd_ioctl(): a driver's "no such control" reaches userland as ENOTTY.
        if (isSysError(e, 'B_DEV_INVALID_IOCTL')) throw new SysError('ENOTTY');
        throw e;
      }
    });
  }

  override async setFlags(flags: number): Promise<void> {
    const was = this.flags & O_NONBLOCK;
    this.flags = flags;
    if ((flags & O_NONBLOCK) !== was) {
      // devfs set_flags(): O_NONBLOCK reaches the driver as a control call.
      const op = flags & O_NONBLOCK ? B_SET_NONBLOCKING_IO : B_SET_BLOCKING_IO;
      try {
        await this.hooks.control(this.cookie, op, null, NO_CONTEXT);
      } catch (e) {
        if (!isSysError(e, 'B_DEV_INVALID_IOCTL')) throw e;
      }
    }
  }

  stat(): Stat {
    return this.statFn();
  }

  select(event: SelectEvent, sync: SelectSync): void {
    this.hooks.select(this.cookie, event, sync);
  }

  deselect(event: SelectEvent, sync: SelectSync): void {
    this.hooks.deselect(this.cookie, event, sync);
  }

  close(): void {
    this.closed = true;
    this.hooks.close(this.cookie);
    this.maybeFree();
  }

  describe(): string {
    return this.path;
  }
}

/** The task an operation runs for; the kernel's own contexts have none (they never block). */
function taskOf(ctx: IoContext): Task | null {
  try {
    return ctx.task;
  } catch {
    return null;
  }
}

/** Context for controls the kernel itself issues (set_flags); they never block. */
const NO_CONTEXT: IoContext = {
  get task(): never {
    throw new Error('kernel-issued control must not block');
  },
  uid: 0,
  gid: 0,
  pid: 0,
  syscall: 'fcntl',
  raise() {},
};

export { DevDirFile };
