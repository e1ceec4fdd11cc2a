// File helpers a libc would provide over the syscalls: isatty(), terminal width, opening an
// operand where "-" means standard input, copying an fd to another, mkdir -p.

import { isSysError } from '../../kernel/abi/errno.js';
import { O_RDONLY } from '../../kernel/abi/fcntl.js';
import { TCGETS, TIOCGWINSZ } from '../../kernel/abi/ioctl.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { writeAll } from './io.js';

/** isatty(): the terminal ioctl succeeds (ENOTTY for pipes, files and plain output streams). */
export async function isatty(sys: Sys, fd: number): Promise<boolean> {
  try {
    await sys.ioctl(fd, TCGETS, {});
    return true;
  } catch (e) {
    if (isSysError(e)) return false;
    throw e;
  }
}

/** Columns of the terminal on `fd`: $COLUMNS, else TIOCGWINSZ, else 80. */
export async function terminalWidth(sys: Sys, fd: number): Promise<number> {
  const env = Number(sys.getenv('COLUMNS'));
  if (Number.isInteger(env) && env > 0) return env;
  try {
    const ws = { ws_col: 0, ws_row: 0 };
    await sys.ioctl(fd, TIOCGWINSZ, ws);
    if (ws.ws_col > 0) return ws.ws_col;
  } catch (e) {
    if (!isSysError(e)) throw e;
  }
  return 80;
}

/** Open an input operand: "-" is standard input (which the caller must not close). */
export async function openInput(sys: Sys, path: string): Promise<number> {
  return path === '-' ? 0 : sys.open(path, O_RDONLY);
}

export async function closeInput(sys: Sys, fd: number): Promise<void> {
  if (fd > 2) {
    try {
      await sys.close(fd);
    } catch (e) {
      if (!isSysError(e)) throw e;
    }
  }
}

/** What failed while copying: reading the input or writing the output. */
export class CopyError {
  constructor(
    readonly side: 'read' | 'write',
    readonly cause: unknown,
  ) {}
}

/** Copy `from` to `to` until end of file. */
export async function copyFd(sys: Sys, from: number, to: number): Promise<void> {
  for (;;) {
    let chunk: Uint8Array;
    try {
      chunk = await sys.read(from, 65536);
    } catch (e) {
      throw new CopyError('read', e);
    }
    if (chunk.length === 0) return;
    try {
      await writeAll(sys, to, chunk);
    } catch (e) {
      throw new CopyError('write', e);
    }
  }
}

/** mkdir -p: each missing directory of `path`, 0755; those that exist are left as they are. */
export async function mkdirAll(sys: Sys, path: string): Promise<void> {
  let at = '';
  for (const part of path.split('/').filter(Boolean)) {
    at += `/${part}`;
    try {
      await sys.mkdir(at, 0o755);
    } catch (e) {
      if (!isSysError(e, 'EEXIST')) throw e;
    }
  }
}
