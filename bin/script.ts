// Reading the script tunlab was given, as bash reads `bash FILE`: a directory or an unreadable file
// is 126 with its errno's text, a missing one 127, a binary file (a NUL before the first newline in
// the first 80 bytes: bash's check_binary_file) "cannot execute binary file" and 126. Reading is
// bounded, so /dev/zero or an endless FIFO gives a one-line error instead of filling the memory.

import { getSystemErrorMap } from 'node:util';
import { readRealFile, TooLargeError } from '../kernel/world/real-file.js';

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

function errnoText(e: NodeJS.ErrnoException): string {
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
