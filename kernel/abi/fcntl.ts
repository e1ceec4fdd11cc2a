// open() and fcntl() constants with Haiku's values (headers/posix/fcntl.h).

export const O_RDONLY = 0x0000;
export const O_WRONLY = 0x0001;
export const O_RDWR = 0x0002;
export const O_ACCMODE = 0x0003;
export const O_CLOEXEC = 0x0040;
export const O_NONBLOCK = 0x0080;
export const O_EXCL = 0x0100;
export const O_CREAT = 0x0200;
export const O_TRUNC = 0x0400;
export const O_APPEND = 0x0800;
export const O_NOCTTY = 0x1000;
export const O_DIRECTORY = 0x0020_0000; // tunlab: open() of a directory for readdir

export const F_DUPFD = 0x0001;
export const F_GETFD = 0x0002;
export const F_SETFD = 0x0004;
export const F_GETFL = 0x0008;
export const F_SETFL = 0x0010;
export const FD_CLOEXEC = 1;

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

/** Status flags F_SETFL may change; the access mode and creation flags are fixed at open(). */
export const SETFL_MASK = O_NONBLOCK | O_APPEND;

export const OPEN_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [O_CLOEXEC, 'O_CLOEXEC'],
  [O_NONBLOCK, 'O_NONBLOCK'],
  [O_EXCL, 'O_EXCL'],
  [O_CREAT, 'O_CREAT'],
  [O_TRUNC, 'O_TRUNC'],
  [O_APPEND, 'O_APPEND'],
  [O_NOCTTY, 'O_NOCTTY'],
  [O_DIRECTORY, 'O_DIRECTORY'],
];

export const ACCESS_MODE_NAMES = ['O_RDONLY', 'O_WRONLY', 'O_RDWR'] as const;
