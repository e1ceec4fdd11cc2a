// The primitives of strace's notation, shared by the per-call formatters: flag sets, quoted
// buffers and sockaddrs.

import type { Sockaddr } from './socket.js';

const MAX_STR = 32;

export function flagNames(value: number, names: ReadonlyArray<readonly [number, string]>, zero = '0'): string {
  const parts: string[] = [];
  // Unsigned throughout: bit 31 (EPOLLET) is a flag like the others.
  let rest = value >>> 0;
  for (const [bit, name] of names) {
    if (bit !== 0 && ((value & bit) >>> 0) === bit >>> 0 && (rest & bit) !== 0) {
      parts.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.length ? parts.join('|') : zero;
}

/** A buffer as strace quotes it: C escapes, at most 32 bytes, "..." after a cut. */
export function quoteBytes(data: Uint8Array, max = MAX_STR): string {
  let s = '"';
  const n = Math.min(data.length, max);
  for (let i = 0; i < n; i++) {
    const b = data[i]!;
    if (b === 0x22) s += '\\"';
    else if (b === 0x5c) s += '\\\\';
    else if (b === 0x0a) s += '\\n';
    else if (b === 0x09) s += '\\t';
    else if (b === 0x0d) s += '\\r';
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else {
      const next = i + 1 < n ? data[i + 1]! : -1;
      // Octal as short as possible, unless a digit follows.
      s += next >= 0x30 && next <= 0x37 ? `\\${b.toString(8).padStart(3, '0')}` : `\\${b.toString(8)}`;
    }
  }
  s += '"';
  if (data.length > max) s += '...';
  return s;
}

export function quoteString(str: string): string {
  return quoteBytes(new TextEncoder().encode(str), 4096);
}

export function formatSockaddr(a: Sockaddr | null | undefined): string {
  if (!a) return 'NULL';
  if ('sin_addr' in a)
    return `{sa_family=AF_INET, sin_port=htons(${a.sin_port}), sin_addr=inet_addr(${quoteString(a.sin_addr)})}`;
  if ('sdl_name' in a) return `{sa_family=AF_LINK, sdl_index=${a.sdl_index}, sdl_name=${quoteString(a.sdl_name)}}`;
  if ('sun_path' in a) return a.sun_path === '' ? '{sa_family=AF_UNIX}' : `{sa_family=AF_UNIX, sun_path=${quoteString(String(a.sun_path))}}`;
  return '{...}';
}
