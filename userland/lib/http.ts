// HTTP/1.1 message framing shared by httpd and curl: a buffered reader over a socket that hands
// out the head (start line and header fields, up to the empty line) and then body bytes, header
// lookup by case-insensitive name, and the IMF-fixdate of Date and Last-Modified.

import type { Sys } from '../../kernel/abi/syscalls.js';
import { strftime } from './strftime.js';

/** Longest head accepted: servers answer 431 past such a limit, clients give up. */
export const MAX_HEAD = 16384;

export interface Head {
  /** The request or status line. */
  start: string;
  /** Header fields in order, names as sent. */
  fields: [string, string][];
}

export class HeadTooLong {}

export function field(h: Head, name: string): string | undefined {
  const lower = name.toLowerCase();
  return h.fields.find(([k]) => k.toLowerCase() === lower)?.[1];
}

/** Reads a socket in chunks, keeping what is left over between a head and its body. */
export class MessageReader {
  private buf = new Uint8Array(0);
  private eof = false;

  constructor(
    private readonly sys: Sys,
    private readonly fd: number,
    /** Called before each read: waits for data or throws (a deadline, say). */
    private readonly beforeRead: (() => Promise<void>) | null = null,
  ) {}

  private async fill(): Promise<boolean> {
    if (this.eof) return false;
    if (this.beforeRead) await this.beforeRead();
    const d = await this.sys.read(this.fd, 65536);
    if (d.length === 0) {
      this.eof = true;
      return false;
    }
    const n = new Uint8Array(this.buf.length + d.length);
    n.set(this.buf);
    n.set(d, this.buf.length);
    this.buf = n;
    return true;
  }

  /** The next head, or null at a clean end of stream (nothing read). Throws HeadTooLong. */
  async head(): Promise<Head | null> {
    for (;;) {
      const end = findEnd(this.buf);
      if (end >= 0) {
        const text = new TextDecoder('latin1').decode(this.buf.subarray(0, end));
        this.buf = this.buf.slice(end + 4);
        const lines = text.split('\r\n');
        const fields: [string, string][] = [];
        for (const l of lines.slice(1)) {
          const c = l.indexOf(':');
          if (c > 0) fields.push([l.slice(0, c).trim(), l.slice(c + 1).trim()]);
        }
        return { start: lines[0]!, fields };
      }
      if (this.buf.length > MAX_HEAD) throw new HeadTooLong();
      if (!(await this.fill())) return null;
    }
  }

  /** Whether some bytes were read but the head did not end before the stream did. */
  get partial(): boolean {
    return this.buf.length > 0;
  }

  /** Up to n body bytes (fewer only at end of stream); n < 0 reads to the end. */
  async body(n: number, onChunk: (d: Uint8Array) => Promise<void>): Promise<number> {
    let got = 0;
    for (;;) {
      if (this.buf.length > 0) {
        const take = n < 0 ? this.buf.length : Math.min(n - got, this.buf.length);
        const part = this.buf.subarray(0, take);
        this.buf = this.buf.slice(take);
        got += take;
        await onChunk(part);
      }
      if (n >= 0 && got >= n) return got;
      if (!(await this.fill())) return got;
    }
  }
}

function findEnd(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  return -1;
}

/** RFC 9110's IMF-fixdate: "Mon, 07 Dec 2026 18:13:04 GMT". */
export function httpDate(ns: number): string {
  return strftime('%a, %d %b %Y %H:%M:%S GMT', ns);
}
