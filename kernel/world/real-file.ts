// Reading a real file (a world file, a script) whole, but bounded: a device or a FIFO with no end
// (/dev/zero, /dev/urandom) is refused once it passes the limit, instead of filling the memory.

import * as fs from 'node:fs';

/** A real file that is larger than the reader takes (errno EFBIG, "File too large"). */
export class TooLargeError extends Error {
  readonly code = 'EFBIG';
  constructor(readonly limit: number) {
    super(`File too large (over ${formatBytes(limit)})`);
  }
}

function formatBytes(n: number): string {
  return n % (1 << 20) === 0 ? `${n >> 20} MiB` : `${n} bytes`;
}

/**
 * The whole of a real file (a path, or an fd such as 0), at most `limit` bytes. `sample`, if
 * given, sees the first chunk before anything more is read and may throw (a binary file check).
 * Errors are Node's (ENOENT, EISDIR, EACCES ...) or TooLargeError.
 */
export function readRealFile(file: string | number, limit: number, sample?: (head: Buffer) => void): Buffer {
  const fd = typeof file === 'number' ? file : fs.openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(65536, limit + 1 - total));
      let n: number;
      try {
        n = fs.readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        // A non-blocking stdin with nothing yet: wait for it as a blocking read would.
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw e;
      }
      if (n === 0) break;
      if (total === 0 && sample) sample(chunk.subarray(0, n));
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw new TooLargeError(limit);
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (typeof file !== 'number') fs.closeSync(fd);
  }
}
