// A tmpfs-style bound on an in-memory file system: bytes of file content and number of inodes.
// Linux's tmpfs takes size= and nr_inodes= at mount and answers ENOSPC past either; so does this.
// A write that would cross the limit writes what fits and returns the short count (the next one
// gets ENOSPC), as a real write(2) does. An unlinked file still open keeps its bytes counted until
// its last close, as tmpfs keeps its pages.

import { SysError } from '../abi/errno.js';

export interface FsLimits {
  /** Bytes of file content (and link targets). */
  bytes: number;
  inodes: number;
}

/**
 * The default for every host's root: 64 MiB and 16384 inodes. Keys, configs, logs and a few
 * captures fit many times over, and a thousand-host world that fills every disk still stays within
 * what one machine holds. A world file sets its own ("disk": {"size": "256M", "inodes": 100000}).
 */
export const DEFAULT_FS_LIMITS: FsLimits = { bytes: 64 * 1024 * 1024, inodes: 16384 };

/** What the quota knows of one inode: its counted size, its names, its open descriptions. */
export interface QuotaEntry {
  size: number;
  linked: boolean;
  opens: number;
}

export class FsQuota {
  usedBytes = 0;
  usedInodes = 0;
  /** Inodes by their number while they have a name (a number is reused once the inode is gone). */
  private readonly byIno = new Map<number, QuotaEntry>();

  constructor(readonly limits: FsLimits) {}

  /** A new inode is about to be made: ENOSPC when the table is full. */
  reserveInode(): void {
    if (this.usedInodes >= this.limits.inodes) throw new SysError('ENOSPC');
  }

  /** Count an inode (made at boot, or just made for someone), `size` bytes long. */
  add(ino: number, size = 0): QuotaEntry {
    const e: QuotaEntry = { size, linked: true, opens: 0 };
    const old = this.byIno.get(ino);
    if (old) this.drop(old);
    this.byIno.set(ino, e);
    this.usedInodes++;
    this.usedBytes += size;
    return e;
  }

  /** The entry of a named inode, counted from `size` if it was not known (a file of the layout). */
  entry(ino: number, size: number): QuotaEntry {
    return this.byIno.get(ino) ?? this.add(ino, size);
  }

  /** Bytes a file may still grow by. */
  room(): number {
    return Math.max(0, this.limits.bytes - this.usedBytes);
  }

  /**
   * How many of `len` bytes at `pos` fit in a file now `size` long; ENOSPC when none does (a
   * zero-length write never gets here).
   */
  fit(size: number, pos: number, len: number): number {
    const grow = pos + len - size;
    if (grow <= this.room()) return len;
    const n = size + this.room() - pos;
    if (n <= 0) throw new SysError('ENOSPC');
    return n;
  }

  resize(e: QuotaEntry, size: number): void {
    this.usedBytes += size - e.size;
    e.size = size;
  }

  open(e: QuotaEntry): void {
    e.opens++;
  }

  close(e: QuotaEntry): void {
    e.opens--;
    if (!e.linked && e.opens === 0) this.free(e);
  }

  /** The inode's last name is gone: freed now, or at its last close. */
  unlinked(ino: number): void {
    const e = this.byIno.get(ino);
    if (!e) return;
    this.byIno.delete(ino);
    this.drop(e);
  }

  private drop(e: QuotaEntry): void {
    e.linked = false;
    if (e.opens === 0) this.free(e);
  }

  private free(e: QuotaEntry): void {
    this.usedBytes -= e.size;
    this.usedInodes--;
    e.size = 0;
  }
}
