// Small stdio helpers over the raw read/write syscalls, as a libc would provide.

import { O_CLOEXEC, O_RDONLY } from '../../kernel/abi/fcntl.js';
import type { Sys } from '../../kernel/abi/syscalls.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;

/** write() until every byte is out (a pipe may take a large buffer in pieces). */
export async function writeAll(sys: Sys, fd: number, data: Uint8Array | string): Promise<void> {
  let bytes = typeof data === 'string' ? encoder.encode(data) : data;
  while (bytes.length > 0) {
    const n = await sys.write(fd, bytes);
    bytes = bytes.subarray(n);
  }
}

export function print(sys: Sys, text: string): Promise<void> {
  return writeAll(sys, STDOUT, text);
}

export function eprint(sys: Sys, text: string): Promise<void> {
  return writeAll(sys, STDERR, text);
}

/** Read to end of file. */
export async function readAll(sys: Sys, fd: number, limit = 1 << 26): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = await sys.read(fd, 65536);
    if (chunk.length === 0) break;
    parts.push(chunk);
    total += chunk.length;
    if (total > limit) break;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export async function readText(sys: Sys, fd: number): Promise<string> {
  return decoder.decode(await readAll(sys, fd));
}

/** A whole file as text (open, read to the end, close); its SysError if it cannot be opened or read. */
export async function readFileText(sys: Sys, path: string, limit = 1 << 26): Promise<string> {
  const fd = await sys.open(path, O_RDONLY | O_CLOEXEC);
  try {
    return decoder.decode(await readAll(sys, fd, limit));
  } finally {
    await sys.close(fd);
  }
}

/** Line-at-a-time reading over an fd, keeping what was read past the newline. */
export class LineReader {
  private buf = '';
  private eof = false;
  private readonly dec = new TextDecoder();

  constructor(
    private readonly sys: Sys,
    private readonly fd: number,
  ) {}

  /** The next line without its newline, or null at end of file. */
  async next(): Promise<string | null> {
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        return line;
      }
      if (this.eof) {
        if (this.buf.length === 0) return null;
        const line = this.buf;
        this.buf = '';
        return line;
      }
      const chunk = await this.sys.read(this.fd, 4096);
      if (chunk.length === 0) this.eof = true;
      else this.buf += this.dec.decode(chunk, { stream: true });
    }
  }
}
