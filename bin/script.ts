// Reading the script tunlab was given, as bash reads `bash FILE`: a directory or an unreadable file
// is 126 with its errno's text, a missing one 127, a binary file (a NUL before the first newline in
// the first 80 bytes: bash's check_binary_file) "cannot execute binary file" and 126. Reading is
// bounded, so /dev/zero or an endless FIFO gives a one-line error instead of filling the memory.

import * as fs from 'node:fs';
import { getSystemErrorMap } from 'node:util';

/** A real file that is larger than the reader takes (errno EFBIG, "File too large"). */
class TooLargeError extends Error {
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
function readRealFile(file: string | number, limit: number, sample?: (head: Buffer) => void): Buffer {
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
        // A non-blocking stdin with nothing yet: wait for it as a blocking read would (10 ms naps).
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          continue;
        }
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

/** No script is larger (an 18 MB one runs; /dev/zero stops here). */
export const MAX_SCRIPT = 64 << 20;

/** How much of the start of a script bash looks at for a NUL (shell.c: sample_len 80). */
const SAMPLE = 80;

class BinaryFile extends Error {}

/** bash's texts for the errnos a script file gives; strerror(3)'s words. */
const TEXTS = new Map([
  ['ENOENT', 'No such file or directory'],
  ['EACCES', 'Permission denied'],
  ['EISDIR', 'Is a directory'],
  ['ENOTDIR', 'Not a directory'],
  ['ENAMETOOLONG', 'File name too long'],
  ['ELOOP', 'Too many levels of symbolic links'],
  ['EIO', 'Input/output error'],
]);

export function errnoText(e: NodeJS.ErrnoException): string {
  const known = e.code ? TEXTS.get(e.code) : undefined;
  if (known) return known;
  const uv = e.errno !== undefined ? getSystemErrorMap().get(e.errno)?.[1] : undefined;
  return uv ? uv[0]!.toUpperCase() + uv.slice(1) : e.message;
}

export type ScriptRead = { text: string } | { status: number; message: string };

/** The script at `file` (a path, or 0 for stdin), or what to say and the status to leave with. */
export function readScript(file: string | 0): ScriptRead {
  const name = file === 0 ? 'stdin' : file;
  try {
    const bytes = readRealFile(file, MAX_SCRIPT, (head) => {
      if (file === 0) return;
      const sample = head.subarray(0, SAMPLE);
      const nl = sample.indexOf(0x0a);
      if (sample.subarray(0, nl < 0 ? sample.length : nl).includes(0)) throw new BinaryFile();
    });
    return { text: bytes.toString('utf8') };
  } catch (e) {
    if (e instanceof BinaryFile) return { status: 126, message: `${name}: cannot execute binary file` };
    if (e instanceof TooLargeError) return { status: 126, message: `${name}: ${e.message}` };
    const err = e as NodeJS.ErrnoException;
    return { status: err.code === 'ENOENT' ? 127 : 126, message: `${name}: ${errnoText(err)}` };
  }
}
