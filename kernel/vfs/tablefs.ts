// A file system of named values, as Linux's /proc/sys and /sys/module/*/parameters are: each file
// is one value the kernel reads out as text when the file is opened, and a write hands the text
// to the value's own check, whose errno the write(2) fails with. Directories are the paths'
// prefixes. Nothing can be created or removed; a value without a writer is read-only even for root,
// as proc_sys_permission() has it.

import { type ErrnoName, SysError } from '../abi/errno.js';
import { O_ACCMODE, O_RDONLY } from '../abi/fcntl.js';
import { type Dirent, S_IFDIR, S_IFREG, type Stat } from '../abi/stat.js';
import type { IoContext, OpenFile } from './file.js';
import { type Credentials, type FileSystem, permits } from './filesystem.js';
import { MemoryFile } from './memory-file.js';

export interface TableEntry {
  /** Relative to the mount, slash-separated: "sys/net/ipv4/tcp_rmem". */
  readonly path: string;
  /** The value as the file shows it, without the trailing newline. */
  read(): string;
  /** Apply written text; the errno write(2) fails with, or null. Absent: read-only. */
  write?(text: string): ErrnoName | null;
}

export class TableFs implements FileSystem {
  private readonly table = new Map<string, TableEntry & { ino: number }>();
  private readonly dirTable = new Map<string, number>([['', 1]]);
  private nextIno = 2;
  /**
   * Entries to add when the file system is first looked at: most hosts of a large world never
   * open /proc, and need not hold its table (the inodes come out as if added at once).
   */
  private later: Array<() => readonly TableEntry[]> = [];

  constructor(
    readonly dev: number,
    readonly name: string,
    private readonly nowNs: () => number,
  ) {}

  /** Add entries, made only when the file system is first used. */
  addLater(entries: () => readonly TableEntry[]): void {
    this.later.push(entries);
  }

  private get entries(): Map<string, TableEntry & { ino: number }> {
    this.materialize();
    return this.table;
  }

  private get dirs(): Map<string, number> {
    this.materialize();
    return this.dirTable;
  }

  private materialize(): void {
    if (this.later.length === 0) return;
    const later = this.later;
    this.later = [];
    for (const make of later) for (const e of make()) this.add(e);
  }

  add(entry: TableEntry): void {
    this.materialize();
    const parts = entry.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!this.dirTable.has(d)) this.dirTable.set(d, this.nextIno++);
    }
    this.table.set(entry.path, { ...entry, read: entry.read, write: entry.write, ino: this.nextIno++ });
  }

  private statOf(rel: string): Stat {
    const base = { st_dev: this.dev, st_nlink: 1, st_uid: 0, st_gid: 0, st_rdev: 0, st_size: 0, st_mtime_ns: this.nowNs() };
    const e = this.entries.get(rel);
    if (e) return { ...base, st_ino: e.ino, st_mode: S_IFREG | (e.write ? 0o644 : 0o444) };
    const d = this.dirs.get(rel);
    if (d !== undefined) return { ...base, st_ino: d, st_mode: S_IFDIR | 0o555, st_nlink: 2 };
    const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    throw new SysError(this.entries.has(parent) ? 'ENOTDIR' : 'ENOENT');
  }

  stat(rel: string): Stat {
    return this.statOf(rel);
  }

  open(rel: string, flags: number, _mode: number, cred: Credentials): OpenFile {
    const st = this.statOf(rel);
    const e = this.entries.get(rel);
    const writing = (flags & O_ACCMODE) !== O_RDONLY;
    if (!e) {
      if (writing) throw new SysError('EISDIR');
      return new ValueFile(`/${this.name}/${rel}`, '', flags, () => st, 'dir', null);
    }
    // The values are root's (0644): a user who could write ping_group_range could let itself in.
    if (writing && (!e.write || !permits(st, cred, 2))) throw new SysError('EACCES');
    return new ValueFile(`/${this.name}/${rel}`, `${e.read()}\n`, flags, () => this.statOf(rel), 'file', e.write ? (t) => e.write!(t) : null);
  }

  readdir(rel: string): Dirent[] {
    const st = this.statOf(rel);
    if ((st.st_mode & S_IFDIR) === 0) throw new SysError('ENOTDIR');
    const prefix = rel === '' ? '' : `${rel}/`;
    const out: Dirent[] = [];
    for (const [d, ino] of this.dirs) {
      if (d !== '' && d.startsWith(prefix) && !d.slice(prefix.length).includes('/')) out.push({ d_name: d.slice(prefix.length), d_ino: ino, d_type: S_IFDIR });
    }
    for (const [p, e] of this.entries) {
      if (p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) out.push({ d_name: p.slice(prefix.length), d_ino: e.ino, d_type: S_IFREG });
    }
    return out.sort((a, b) => (a.d_name < b.d_name ? -1 : a.d_name > b.d_name ? 1 : 0));
  }

  mkdir(): void {
    throw new SysError('EACCES');
  }
  rmdir(): void {
    throw new SysError('EACCES');
  }
  unlink(): void {
    throw new SysError('EACCES');
  }
  rename(): void {
    throw new SysError('EACCES');
  }
}

/** An open value: the text as it was at open(), read at this description's offset; each write parsed whole. */
class ValueFile extends MemoryFile {
  constructor(
    path: string,
    text: string,
    flags: number,
    statFn: () => Stat,
    kind: 'file' | 'dir',
    private readonly writer: ((text: string) => ErrnoName | null) | null,
  ) {
    super(path, new TextEncoder().encode(text), flags, statFn, kind);
  }

  /**
   * As proc_dointvec parses one write's buffer. proc_sys_call_handler checks the writer again at
   * each write (EPERM), so a descriptor root opened gives nothing to a user it is passed to.
   */
  override write(ctx: IoContext, data: Uint8Array): number {
    if (!this.writer) throw new SysError('EACCES');
    if (!permits(this.stat(), ctx, 2)) throw new SysError('EPERM');
    const err = this.writer(new TextDecoder().decode(data));
    if (err) throw new SysError(err);
    return data.length;
  }
}
