// /bin: the system's programs, read-only, as Haiku's packagefs serves /boot/system/bin. Every host
// of a world mounts the same one: a thousand hosts share one directory instead of each keeping a
// copy of the same fifty files. Each file is a two-line stub naming a built-in program, which
// exec() recognises.

import { SysError } from '../abi/errno.js';
import { PROGRAM_MAGIC } from '../abi/program.js';
import { type Dirent, S_IFDIR, S_IFREG, type Stat } from '../abi/stat.js';
import type { OpenFile } from './file.js';
import type { FileSystem } from './filesystem.js';
import { MemoryFile } from './memory-file.js';

interface Entry {
  ino: number;
  content: Uint8Array;
}

export class BinFs implements FileSystem {
  readonly name = 'packagefs';
  private readonly entries = new Map<string, Entry>();
  private nextIno = 2;
  private mtimeNs: number;

  constructor(
    readonly dev: number,
    bootNs: number,
  ) {
    this.mtimeNs = bootNs;
  }

  add(name: string, summary: string): void {
    const text = `${PROGRAM_MAGIC}${name}\n${summary ? `# ${summary}\n` : ''}`;
    const prev = this.entries.get(name);
    this.entries.set(name, { ino: prev?.ino ?? this.nextIno++, content: new TextEncoder().encode(text) });
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  private entry(rel: string): Entry {
    const e = this.entries.get(rel);
    if (!e) throw new SysError(rel.includes('/') ? 'ENOTDIR' : 'ENOENT');
    return e;
  }

  private fileStat(e: Entry): Stat {
    return { st_dev: this.dev, st_ino: e.ino, st_mode: S_IFREG | 0o555, st_nlink: 1, st_uid: 0, st_gid: 0, st_rdev: 0, st_size: e.content.length, st_mtime_ns: this.mtimeNs };
  }

  private dirStat(): Stat {
    return { st_dev: this.dev, st_ino: 1, st_mode: S_IFDIR | 0o555, st_nlink: 2, st_uid: 0, st_gid: 0, st_rdev: 0, st_size: 0, st_mtime_ns: this.mtimeNs };
  }

  open(rel: string, flags: number): OpenFile {
    if ((flags & 3) !== 0 || flags & 0x0600) throw new SysError('EROFS');
    if (rel === '') return new MemoryFile('/bin', new Uint8Array(0), flags, () => this.dirStat(), 'dir');
    const e = this.entry(rel);
    return new MemoryFile(`/bin/${rel}`, e.content, flags, () => this.fileStat(e), 'file');
  }

  stat(rel: string): Stat {
    return rel === '' ? this.dirStat() : this.fileStat(this.entry(rel));
  }

  readdir(rel: string): Dirent[] {
    if (rel !== '') throw new SysError('ENOTDIR');
    return [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, e]) => ({ d_name: name, d_ino: e.ino, d_type: S_IFREG }));
  }

  mkdir(): void {
    throw new SysError('EROFS');
  }
  rmdir(): void {
    throw new SysError('EROFS');
  }
  unlink(): void {
    throw new SysError('EROFS');
  }
  rename(): void {
    throw new SysError('EROFS');
  }
}

