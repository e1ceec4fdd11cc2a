// A process's file descriptors: small integers naming open file descriptions, lowest free first,
// bounded like RLIMIT_NOFILE.

import { SysError } from '../abi/errno.js';
import type { OpenFile } from '../vfs/file.js';

export const DEFAULT_MAX_FDS = 256;

interface Slot {
  file: OpenFile;
  cloexec: boolean;
}

export class FdTable {
  private slots: Array<Slot | undefined> = [];

  constructor(readonly max = DEFAULT_MAX_FDS) {}

  get(fd: number): OpenFile {
    const s = Number.isInteger(fd) && fd >= 0 ? this.slots[fd] : undefined;
    if (!s) throw new SysError('EBADF');
    return s.file;
  }

  has(fd: number): boolean {
    return this.slots[fd] !== undefined;
  }

  /** Install `file` at the lowest free fd >= min. */
  install(file: OpenFile, cloexec = false, min = 0): number {
    for (let fd = min; fd < this.max; fd++) {
      if (!this.slots[fd]) {
        this.slots[fd] = { file, cloexec };
        file.refs++;
        return fd;
      }
    }
    throw new SysError('EMFILE');
  }

  /** dup2: put `file` at exactly `fd`, returning what was there (to be released by the caller). */
  installAt(fd: number, file: OpenFile, cloexec = false): OpenFile | undefined {
    if (!Number.isInteger(fd) || fd < 0 || fd >= this.max) throw new SysError('EBADF');
    const old = this.slots[fd]?.file;
    this.slots[fd] = { file, cloexec };
    file.refs++;
    return old;
  }

  /** Remove `fd`; the caller releases the returned file. */
  remove(fd: number): OpenFile {
    const file = this.get(fd);
    this.slots[fd] = undefined;
    return file;
  }

  getCloexec(fd: number): boolean {
    this.get(fd);
    return this.slots[fd]!.cloexec;
  }

  setCloexec(fd: number, on: boolean): void {
    this.get(fd);
    this.slots[fd]!.cloexec = on;
  }

  entries(): Array<[number, OpenFile]> {
    const out: Array<[number, OpenFile]> = [];
    this.slots.forEach((s, fd) => s && out.push([fd, s.file]));
    return out;
  }

  /** Remove every fd; the caller releases the files. */
  clear(): OpenFile[] {
    const files = this.entries().map(([, f]) => f);
    this.slots = [];
    return files;
  }

  /** Fds a child inherits by default: all but the close-on-exec ones. */
  inheritable(): Array<[number, OpenFile]> {
    const out: Array<[number, OpenFile]> = [];
    this.slots.forEach((s, fd) => s && !s.cloexec && out.push([fd, s.file]));
    return out;
  }
}

/** Drop one reference to an open file description, closing it with the last. */
export function release(file: OpenFile): void {
  file.refs--;
  if (file.refs === 0) file.close();
}
