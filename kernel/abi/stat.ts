// File types and the stat structure.

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFBLK = 0o060000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

export interface Stat {
  st_dev: number;
  st_ino: number;
  st_mode: number;
  st_nlink: number;
  st_uid: number;
  st_gid: number;
  st_rdev: number;
  st_size: number;
  /** Modification time, in nanoseconds since the Unix epoch, from the kernel clock. */
  st_mtime_ns: number;
}

export interface Dirent {
  d_name: string;
  d_ino: number;
  /** The entry's S_IF* type bits, so `ls` can colour without a stat per entry. */
  d_type: number;
}

export const S_ISDIR = (m: number) => (m & S_IFMT) === S_IFDIR;
export const S_ISREG = (m: number) => (m & S_IFMT) === S_IFREG;
export const S_ISCHR = (m: number) => (m & S_IFMT) === S_IFCHR;
export const S_ISFIFO = (m: number) => (m & S_IFMT) === S_IFIFO;
export const S_ISSOCK = (m: number) => (m & S_IFMT) === S_IFSOCK;
