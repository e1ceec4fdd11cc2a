// journey -o FILE: the journeys as one self-contained HTML page (userland/lib/journey/html.ts).
// The file is opened before the command runs, so a path that cannot be written is said at once,
// not after the whole command.

import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { O_CLOEXEC, O_CREAT, O_TRUNC, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { writeAll } from '../../lib/io.js';
import { journeyPage, PageTooLarge, pageData } from '../../lib/journey/html.js';
import type { Recording } from './recording.js';

/** Open the page's file (`-`: standard output): its fd, or an error message. */
export async function openPage(sys: Sys, path: string): Promise<number | string> {
  if (path === '-') return 1;
  try {
    return await sys.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644);
  } catch (e) {
    if (isSysError(e)) return strerror(e.errno);
    throw e;
  }
}

/** Write the page to `fd` (opened by openPage) and close it; an error message, or null. */
export async function writePage(sys: Sys, fd: number, rec: Recording): Promise<string | null> {
  try {
    await writeAll(sys, fd, journeyPage(pageData(rec.journeys, rec.startNs, rec.command, rec.lost)));
  } catch (e) {
    if (e instanceof PageTooLarge) return e.message;
    if (isSysError(e)) return strerror(e.errno);
    throw e;
  } finally {
    if (fd !== 1) await sys.close(fd);
  }
  return null;
}
