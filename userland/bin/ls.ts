// ls: list directory contents as GNU ls (coreutils, which Haiku ships) does: names in C-locale
// order; columns (with tabs, as coreutils aligns them) on a terminal, one per line otherwise;
// -l gives "crw-rw-rw- 1 user root 1, 3 Jan  1 00:00 null": mode (d c p s l -), links, owner and
// group names (lib/users.ts), size or "major, minor" for devices, the time in UTC ("Mon dd HH:MM"
// within six months, "Mon dd  YYYY" otherwise), and "-> target" for links. Operands that are
// files come first; directories follow with "name:" headers when there is more than one operand.
// A missing operand is "ls: cannot access 'x': ..." and status 2, as coreutils calls it serious.

import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK, type Stat } from '../../kernel/abi/stat.js';
import { CLOCK_REALTIME, type Sys } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { errText, quote, warn } from '../lib/errors.js';
import { isatty, terminalWidth } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';
import { strftime } from '../lib/strftime.js';
import { joinPath } from '../lib/tree.js';
import { loadNames, NO_NAMES, type NameDb } from '../lib/users.js';

interface Options {
  all?: boolean;
  almostAll?: boolean;
  directory?: boolean;
  l?: boolean;
  1?: boolean;
  numericUidGid?: boolean;
  classify?: boolean;
  inode?: boolean;
}

interface Entry {
  name: string;
  /** Where to stat it / read the link. */
  path: string;
  st: Stat | null;
  link?: string;
}

const SIX_MONTHS_NS = (31_556_952 / 2) * 1e9;

export function modeString(mode: number): string {
  const type = mode & S_IFMT;
  const t = type === S_IFDIR ? 'd' : type === S_IFCHR ? 'c' : type === S_IFIFO ? 'p' : type === S_IFSOCK ? 's' : type === S_IFLNK ? 'l' : type === 0o060000 ? 'b' : '-';
  const rwx = (bits: number, special: boolean, letter: string) =>
    `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${special ? (bits & 1 ? letter : letter.toUpperCase()) : bits & 1 ? 'x' : '-'}`;
  return t + rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's') + rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's') + rwx(mode & 7, (mode & 0o1000) !== 0, 't');
}

/** coreutils' timestamp: recent files show the time, others (or future ones) the year. */
export function lsTime(mtimeNs: number, nowNs: number): string {
  const recent = mtimeNs > nowNs - SIX_MONTHS_NS && mtimeNs <= nowNs;
  return strftime(recent ? '%b %e %H:%M' : '%b %e  %Y', mtimeNs);
}

function indicator(st: Stat | null): string {
  if (!st) return '';
  const type = st.st_mode & S_IFMT;
  if (type === S_IFDIR) return '/';
  if (type === S_IFLNK) return '@';
  if (type === S_IFIFO) return '|';
  if (type === S_IFSOCK) return '=';
  if (type === S_IFREG && st.st_mode & 0o111) return '*';
  return '';
}

/** coreutils' many-per-line layout: as many columns as fit, filled top to bottom. */
export function columns(names: string[], width: number): string {
  const n = names.length;
  if (n === 0) return '';
  const maxCols = Math.max(1, Math.min(n, Math.floor(width / 3)));
  let chosen = { cols: 1, rows: n, widths: [Math.max(...names.map((s) => s.length))] };
  for (let cols = maxCols; cols >= 1; cols--) {
    const rows = Math.ceil(n / cols);
    const widths = new Array<number>(cols).fill(0);
    for (let i = 0; i < n; i++) {
      const c = Math.floor(i / rows);
      widths[c] = Math.max(widths[c]!, names[i]!.length + (c === cols - 1 ? 0 : 2));
    }
    if (widths.reduce((a, b) => a + b, 0) < width || cols === 1) {
      chosen = { cols, rows, widths };
      break;
    }
  }
  let s = '';
  for (let row = 0; row < chosen.rows; row++) {
    let pos = 0;
    for (let col = 0; ; col++) {
      const i = col * chosen.rows + row;
      const name = names[i]!;
      s += name;
      if (i + chosen.rows >= n) break;
      // Pad to the next column with tabs where a tab stop fits, then spaces (coreutils' indent()).
      let from = pos + name.length;
      const to = pos + chosen.widths[col]!;
      while (from < to) {
        if (Math.floor(to / 8) > Math.floor((from + 1) / 8)) {
          s += '\t';
          from += 8 - (from % 8);
        } else {
          s += ' ';
          from++;
        }
      }
      pos = to;
    }
    s += '\n';
  }
  return s;
}

class Lister {
  status = 0;
  constructor(
    private readonly sys: Sys,
    private readonly o: Options,
    private readonly names: NameDb,
    private readonly now: number,
    private readonly width: number | null,
  ) {}

  private owner(uid: number): string {
    return this.o.numericUidGid ? String(uid) : (this.names.user(uid) ?? String(uid));
  }
  private group(gid: number): string {
    return this.o.numericUidGid ? String(gid) : (this.names.group(gid) ?? String(gid));
  }

  private label(e: Entry): string {
    return this.o.classify ? e.name + indicator(e.st) : e.name;
  }

  /** The listing of a set of entries (already sorted). */
  format(entries: Entry[], total: boolean): string {
    if (!this.o.l) {
      const labels = entries.map((e) => (this.o.inode ? `${e.st?.st_ino ?? '?'} ` : '') + this.label(e));
      return this.width === null || this.o[1] ? labels.map((l) => `${l}\n`).join('') : columns(labels, this.width);
    }
    const rows = entries.map((e) => {
      const st = e.st;
      if (!st) return { e, cells: ['l?????????', '?', '?', '?', '?', '            '] };
      const type = st.st_mode & S_IFMT;
      const size = type === S_IFCHR || type === 0o060000 ? null : String(st.st_size);
      return {
        e,
        major: String(st.st_rdev >> 8),
        minor: String(st.st_rdev & 0xff),
        cells: [modeString(st.st_mode), String(st.st_nlink), this.owner(st.st_uid), this.group(st.st_gid), size, lsTime(st.st_mtime_ns, this.now)],
      };
    });
    const w = (k: number) => Math.max(0, ...rows.map((r) => (r.cells[k] ?? '').length));
    const majW = Math.max(0, ...rows.filter((r) => r.cells[4] === null).map((r) => r.major!.length));
    const minW = Math.max(0, ...rows.filter((r) => r.cells[4] === null).map((r) => r.minor!.length));
    const sizeW = Math.max(w(4), majW || minW ? majW + 2 + minW : 0);
    const inoW = Math.max(0, ...entries.map((e) => String(e.st?.st_ino ?? '?').length));
    let s = '';
    if (total) {
      // No st_blocks in tunlab: blocks are estimated as 1 KiB units of each regular file's size.
      const blocks = entries.reduce((n, e) => n + (e.st && (e.st.st_mode & S_IFMT) === S_IFREG ? Math.ceil(e.st.st_size / 1024) : 0), 0);
      s += `total ${blocks}\n`;
    }
    for (const r of rows) {
      const [mode, links, user, group, size, time] = r.cells as [string, string, string, string, string | null, string];
      const sizeText = size ?? `${r.major!.padStart(majW)}, ${r.minor!.padStart(minW)}`;
      const ino = this.o.inode ? `${String(r.e.st?.st_ino ?? '?').padStart(inoW)} ` : '';
      const link = r.e.link !== undefined ? ` -> ${r.e.link}` : '';
      s += `${ino}${mode} ${links.padStart(w(1))} ${user.padEnd(w(2))} ${group.padEnd(w(3))} ${sizeText.padStart(sizeW)} ${time} ${this.label(r.e)}${link}\n`;
    }
    return s;
  }

  async entry(name: string, path: string): Promise<Entry> {
    const e: Entry = { name, path, st: null };
    try {
      e.st = await this.sys.lstat(path);
      if (this.o.l && (e.st.st_mode & S_IFMT) === S_IFLNK) e.link = await this.sys.readlink(path);
    } catch (err) {
      if (!isSysError(err)) throw err;
      await warn(this.sys, 'ls', `cannot access ${quote(path)}: ${errText(err)}`);
      this.status = Math.max(this.status, 1);
    }
    return e;
  }

  /** The entries of a directory, sorted; null when it cannot be read. */
  async directory(path: string): Promise<Entry[] | null> {
    let list;
    try {
      list = await this.sys.readdir(path);
    } catch (err) {
      if (!isSysError(err)) throw err;
      await warn(this.sys, 'ls', `cannot open directory ${quote(path)}: ${errText(err)}`);
      this.status = Math.max(this.status, 2);
      return null;
    }
    const names = list.map((d) => d.d_name).filter((n) => n !== '.' && n !== '..');
    if (this.o.all) names.push('.', '..');
    const shown = names.filter((n) => this.o.all || this.o.almostAll || !n.startsWith('.')).sort(byteOrder);
    const entries: Entry[] = [];
    for (const n of shown) entries.push(await this.entry(n, joinPath(path, n)));
    return entries;
  }
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export default defineProgram({
  name: 'ls',
  summary: 'list directory contents',
  main: guarded('ls', async (argv, sys) => {
    const cmd = command('ls', 'list information about the FILEs (the current directory by default), sorted by name')
      .option('-a, --all', 'do not ignore entries starting with .')
      .option('-A, --almost-all', 'do not list implied . and ..')
      .option('-d, --directory', 'list directories themselves, not their contents')
      .option('-F, --classify', 'append indicator (one of */=@|) to entries')
      .option('-i, --inode', 'print the index number of each file')
      .option('-l', 'use a long listing format')
      .option('-n, --numeric-uid-gid', 'like -l, but list numeric user and group IDs')
      .option('-1', 'list one file per line')
      .argument('[file...]');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    if (o.numericUidGid) o.l = true;
    const width = !o.l && !o[1] && (await isatty(sys, 1)) ? await terminalWidth(sys, 1) : null;
    const names = o.l ? await loadNames(sys) : NO_NAMES;
    const lister = new Lister(sys, o, names, await sys.clock_gettime(CLOCK_REALTIME), width);
    const operands = r.args.length > 0 ? r.args : ['.'];
    const files: Entry[] = [];
    const dirs: string[] = [];
    for (const op of operands) {
      let st: Stat;
      try {
        st = await sys.lstat(op);
        // A link to a directory named on the command line is followed, unless -l, -d or -F.
        if ((st.st_mode & S_IFMT) === S_IFLNK && !o.l && !o.directory && !o.classify) {
          const target = await sys.stat(op).catch(() => null);
          if (target) st = target;
        }
      } catch (err) {
        if (!isSysError(err)) throw err;
        await warn(sys, 'ls', `cannot access ${quote(op)}: ${errText(err)}`);
        lister.status = 2;
        continue;
      }
      if ((st.st_mode & S_IFMT) === S_IFDIR && !o.directory) dirs.push(op);
      else files.push({ name: op, path: op, st, link: (st.st_mode & S_IFMT) === S_IFLNK && o.l ? await sys.readlink(op) : undefined });
    }
    files.sort((a, b) => byteOrder(a.name, b.name));
    dirs.sort(byteOrder);
    let text = lister.format(files, false);
    const headers = operands.length > 1 || files.length > 0;
    let first = files.length === 0;
    await out(sys, text);
    for (const d of dirs) {
      const entries = await lister.directory(d);
      if (!entries) continue;
      text = headers ? `${first ? '' : '\n'}${d}:\n` : '';
      first = false;
      await out(sys, text + lister.format(entries, true));
    }
    return lister.status;
  }),
});
