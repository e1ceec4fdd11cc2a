// Reading input for the text utilities: whole inputs, or chunk by chunk, with read failures told
// apart from write failures (ReadError) so each is reported the way the tool words it.

import { isSysError } from '../../kernel/abi/errno.js';
import type { Sys } from '../../kernel/abi/syscalls.js';

export class ReadError {
  constructor(readonly cause: unknown) {}
}

export async function readChunk(sys: Sys, fd: number, size = 65536): Promise<Uint8Array> {
  try {
    return await sys.read(fd, size);
  } catch (e) {
    if (isSysError(e)) throw new ReadError(e);
    throw e;
  }
}

/** Everything up to end of file, bounded (64 MiB) like any buffer in tunlab. */
export async function readWhole(sys: Sys, fd: number, limit = 1 << 26): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = await readChunk(sys, fd);
    if (chunk.length === 0) break;
    parts.push(chunk);
    total += chunk.length;
    if (total >= limit) break;
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return all;
}

/** Offsets just past each newline in `data`. */
export function lineEnds(data: Uint8Array): number[] {
  const ends: number[] = [];
  for (let i = 0; i < data.length; i++) if (data[i] === 0x0a) ends.push(i + 1);
  return ends;
}

/** Lines of an fd, decoded as UTF-8, without their newlines, handed over as they complete. */
export async function* textLines(sys: Sys, fd: number): AsyncGenerator<string> {
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const chunk = await readChunk(sys, fd);
    if (chunk.length === 0) break;
    buf += dec.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = buf.indexOf('\n', start)) >= 0) {
      yield buf.slice(start, nl);
      start = nl + 1;
    }
    buf = buf.slice(start);
  }
  buf += dec.decode();
  if (buf.length > 0) yield buf;
}

/** The whole of an fd as text, split into lines; `final` tells whether the last one ended in a newline. */
export async function readLines(sys: Sys, fd: number): Promise<{ lines: string[]; final: boolean }> {
  const text = new TextDecoder().decode(await readWhole(sys, fd));
  if (text === '') return { lines: [], final: true };
  const final = text.endsWith('\n');
  const lines = (final ? text.slice(0, -1) : text).split('\n');
  return { lines, final };
}
