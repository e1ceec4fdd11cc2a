// Real files a world reads as it is built: the world file itself and the files its hosts take
// "from" beside it. Both are read whole, so both are bounded, and only regular files are read: a
// FIFO would block the one thread of the lab, /dev/zero never ends.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/** The largest world file or "from" file read (a key or a config is a few KiB). */
export const MAX_WORLD_INPUT = 16 * 1024 * 1024;

const KINDS: ReadonlyArray<readonly [(s: fs.Stats) => boolean, string]> = [
  [(s) => s.isDirectory(), 'a directory'],
  [(s) => s.isFIFO(), 'a FIFO'],
  [(s) => s.isCharacterDevice(), 'a character device'],
  [(s) => s.isBlockDevice(), 'a block device'],
  [(s) => s.isSocket(), 'a socket'],
];

/** A regular file's bytes, or why it cannot be read (one line, no stack). */
export function readBounded(path: string, max = MAX_WORLD_INPUT): Uint8Array | string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO would otherwise wait for a writer before fstat could refuse it.
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (e) {
    return `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return `${path} is ${KINDS.find(([is]) => is(st))?.[1] ?? 'not a regular file'}, not a regular file`;
    if (st.size > max) return `${path} is ${st.size} bytes, more than the ${max} read`;
    // The size may grow while it is read: never more than the bound.
    const buf = new Uint8Array(Math.min(max + 1, st.size + 1));
    let n = 0;
    for (let r = 1; r > 0 && n < buf.length; n += r) r = fs.readSync(fd, buf, n, buf.length - n, n);
    if (n > max) return `${path} is more than the ${max} bytes read`;
    return buf.subarray(0, n);
  } catch (e) {
    return `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Where a world file's `"from"` may read: `rel` resolved against the world file's directory, real
 * path and all (symbolic links followed), must lie inside one of `roots` (that directory, and the
 * --share directory when there is one). Returns the real path, or why it is refused.
 */
export function insideRoots(baseDir: string, rel: string, roots: readonly string[]): { path: string } | { problem: string } {
  const wanted = nodePath.resolve(baseDir, rel);
  let real: string;
  try {
    real = fs.realpathSync(wanted);
  } catch (e) {
    return { problem: `cannot read ${wanted}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  for (const root of roots) {
    let r: string;
    try {
      r = fs.realpathSync(root);
    } catch {
      continue;
    }
    if (real.startsWith(r === '/' ? '/' : `${r}/`)) return { path: real };
  }
  return { problem: `${wanted} is outside ${roots.map((r) => nodePath.resolve(r)).join(' and ')} (a world reads files beside it, or in --share)` };
}
