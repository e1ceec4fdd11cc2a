// journey -o FILE: the journeys as one self-contained HTML page (userland/lib/journey/html.ts).

import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { O_CREAT, O_TRUNC, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { writeAll } from '../../lib/io.js';
import { journeyPage, pageData } from '../../lib/journey/html.js';
import type { Recording } from './recording.js';

/** Write the page; an error message, or null. */
export async function writePage(sys: Sys, path: string, rec: Recording): Promise<string | null> {
  const html = journeyPage(pageData(rec.journeys, rec.startNs, rec.command, rec.lost));
  let fd: number;
  try {
    fd = path === '-' ? 1 : await sys.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  } catch (e) {
    if (isSysError(e)) return strerror(e.errno);
    throw e;
  }
  try {
    await writeAll(sys, fd, html);
  } catch (e) {
    if (isSysError(e)) return strerror(e.errno);
    throw e;
  } finally {
    if (fd !== 1) await sys.close(fd);
  }
  return null;
}
