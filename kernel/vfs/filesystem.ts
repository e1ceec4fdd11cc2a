// What a mounted file system offers the VFS. Paths handed in are relative to the mount point,
// already normalised ("" is the mount's root, no "." or "..").

import type { Dirent, Stat } from '../abi/stat.js';
import type { IoContext, OpenFile } from './file.js';

export interface Credentials {
  uid: number;
  gid: number;
  /** Supplementary groups: a file of any of them is the caller's group's (in_group_p). */
  groups?: readonly number[];
}

/** in_group_p(): the effective gid, or one of the supplementary groups. */
export function inGroup(cred: Credentials, gid: number): boolean {
  return cred.gid === gid || (cred.groups?.includes(gid) ?? false);
}

export interface FileSystem {
  /** Device number reported in st_dev. */
  readonly dev: number;
  readonly name: string;
  open(rel: string, flags: number, mode: number, cred: Credentials, ctx: IoContext): OpenFile | Promise<OpenFile>;
  /** With `cred`, a path lookup on someone's behalf: search permission on the way is checked. */
  stat(rel: string, follow: boolean, cred?: Credentials): Stat;
  readdir(rel: string, cred: Credentials): Dirent[];
  mkdir(rel: string, mode: number, cred: Credentials): void;
  rmdir(rel: string, cred: Credentials): void;
  unlink(rel: string, cred: Credentials): void;
  rename(from: string, to: string, cred: Credentials): void;
  symlink?(target: string, rel: string, cred: Credentials): void;
  readlink?(rel: string): string;
  chmod?(rel: string, mode: number, cred: Credentials): void;
  /**
   * Make a socket file (bind() of an AF_UNIX socket): EEXIST if the name is taken. A file system
   * without it cannot hold sockets (EPERM, as mknod(2) says).
   */
  mksock?(rel: string, mode: number, cred: Credentials): Stat;
}

/** Unix permission check: may `cred` do `want` (4 read, 2 write, 1 execute) to a file with `st`? */
export function permits(st: Stat, cred: Credentials, want: number): boolean {
  if (cred.uid === 0) return want !== 1 || (st.st_mode & 0o111) !== 0 || (st.st_mode & 0o170000) === 0o040000;
  const bits =
    cred.uid === st.st_uid ? (st.st_mode >> 6) & 7 : inGroup(cred, st.st_gid) ? (st.st_mode >> 3) & 7 : st.st_mode & 7;
  return (bits & want) === want;
}

/**
 * The sticky bit (S_ISVTX) of a directory, /tmp's: only the entry's owner, the directory's owner or
 * root may remove or rename an entry of it, whoever may write the directory (EPERM otherwise).
 */
export function stickyAllows(dir: Stat, entry: Stat, cred: Credentials): boolean {
  return !(dir.st_mode & 0o1000) || cred.uid === 0 || cred.uid === entry.st_uid || cred.uid === dir.st_uid;
}
