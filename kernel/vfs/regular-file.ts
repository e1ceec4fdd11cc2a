// An open regular file or directory of a node-style file system (memfs for the root, node:fs for
// a --share mount): reads and writes go to the backing fd at this description's own offset.

import { SysError } from '../abi/errno.js';
import { O_APPEND, SEEK_CUR, SEEK_END, SEEK_SET } from '../abi/fcntl.js';
import { B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../abi/select.js';
import type { Stat } from '../abi/stat.js';
import { type IoContext, OpenFile, type SelectSync } from './file.js';
import { nodeCall } from './node-errors.js';

/** The handful of fd calls a node-style file system provides (memfs Volume and node:fs both do). */
export interface NodeFdApi {
  readSync(fd: number, buf: Uint8Array, off: number, len: number, pos: number): number;
  writeSync(fd: number, buf: Uint8Array, off: number, len: number, pos: number): number;
  closeSync(fd: number): void;
  futimesSync(fd: number, atime: number, mtime: number): void;
}

export class RegularFile extends OpenFile {
  readonly kind: 'file' | 'dir';
  private offset = 0;

  constructor(
    private readonly api: NodeFdApi,
    private readonly fd: number,
    private readonly path: string,
    flags: number,
    isDir: boolean,
    private readonly statFn: () => Stat,
    private readonly nowNs: () => number,
  ) {
    super(flags);
    this.kind = isDir ? 'dir' : 'file';
  }

  override read(_ctx: IoContext, count: number): Uint8Array {
    if (this.kind === 'dir') throw new SysError('EISDIR');
    if (!this.readable) throw new SysError('EBADF');
    // What is there to read, not what was asked for: a read of 2 GB from a small file allocates little.
    const want = Math.max(0, Math.min(count, this.stat().st_size - this.offset));
    const buf = new Uint8Array(want);
    const n = want === 0 ? 0 : nodeCall(() => this.api.readSync(this.fd, buf, 0, want, this.offset));
    this.offset += n;
    return n === want ? buf : buf.subarray(0, n);
  }

  override write(_ctx: IoContext, data: Uint8Array): number {
    if (!this.writable) throw new SysError('EBADF');
    // POSIX: a zero-length write to a regular file returns 0 "and has no other results".
    if (data.length === 0) return 0;
    if (this.flags & O_APPEND) this.offset = this.stat().st_size;
    const n = nodeCall(() => this.api.writeSync(this.fd, data, 0, data.length, this.offset));
    this.offset += n;
    // File times come from the kernel clock, so listings are the same on every run.
    const t = this.nowNs() / 1e9;
    nodeCall(() => this.api.futimesSync(this.fd, t, t));
    return n;
  }

  override lseek(offset: number, whence: number): number {
    const base = whence === SEEK_SET ? 0 : whence === SEEK_CUR ? this.offset : whence === SEEK_END ? this.stat().st_size : NaN;
    if (Number.isNaN(base)) throw new SysError('EINVAL');
    const pos = base + offset;
    if (pos < 0) throw new SysError('EINVAL');
    this.offset = pos;
    return pos;
  }

  stat(): Stat {
    return this.statFn();
  }

  select(event: SelectEvent, sync: SelectSync): void {
    // Regular files are always ready.
    if (event === B_SELECT_READ || event === B_SELECT_WRITE) sync.notify(event);
  }

  deselect(): void {}

  close(): void {
    try {
      this.api.closeSync(this.fd);
    } catch {
      // already closed by the backing store; nothing left to release
    }
  }

  describe(): string {
    return this.path;
  }
}
