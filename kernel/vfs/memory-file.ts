// An open file whose bytes are in memory, fixed at open(): read at this description's own
// offset, seekable, always ready. packagefs's program stubs and the value files of /proc and /sys
// are such files; a value file adds its write.

import { SysError } from '../abi/errno.js';
import { B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../abi/select.js';
import type { Stat } from '../abi/stat.js';
import { type IoContext, OpenFile, type SelectSync } from './file.js';

export class MemoryFile extends OpenFile {
  private offset = 0;

  constructor(
    private readonly path: string,
    private readonly bytes: Uint8Array,
    flags: number,
    private readonly statFn: () => Stat,
    readonly kind: 'file' | 'dir',
  ) {
    super(flags);
  }

  override read(_ctx: IoContext, count: number): Uint8Array {
    if (this.kind === 'dir') throw new SysError('EISDIR');
    const out = this.bytes.slice(this.offset, this.offset + count);
    this.offset += out.length;
    return out;
  }

  override lseek(offset: number, whence: number): number {
    const base = whence === 0 ? 0 : whence === 1 ? this.offset : whence === 2 ? this.bytes.length : NaN;
    if (Number.isNaN(base) || base + offset < 0) throw new SysError('EINVAL');
    this.offset = base + offset;
    return this.offset;
  }

  stat(): Stat {
    return this.statFn();
  }

  select(event: SelectEvent, sync: SelectSync): void {
    if (event === B_SELECT_READ || event === B_SELECT_WRITE) sync.notify(event);
  }

  deselect(): void {}
  close(): void {}

  describe(): string {
    return this.path;
  }
}
