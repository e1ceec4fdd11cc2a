// Byte, address and time formatting shared by the packet printers and tcpdump itself. It imports
// nothing, so the printers' state (printer.ts) can use it without depending on any protocol.

export const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** An IPv6 address as inet_ntop writes it (RFC 5952: the longest run of two or more zero groups
 * becomes "::", lower-case hex, an IPv4-mapped or -compatible tail in dotted quad). */
export function formatIpv6(a: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((a[2 * i]! << 8) | a[2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  // ::a.b.c.d (compatible, not ::1 or ::) and ::ffff:a.b.c.d (mapped)
  const v4tail = () => `${a[12]}.${a[13]}.${a[14]}.${a[15]}`;
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && g[5] === 0xffff))) {
    if (bestLen === 6 && (g[6] !== 0 || g[7]! > 1)) return `::${v4tail()}`;
    if (bestLen === 5) return `::ffff:${v4tail()}`;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += g[i]!.toString(16);
    if (i < 7) s += ':';
  }
  return s;
}

/**
 * tcpdump's hex dumps, each line starting "\n\t": -x (hex_print: "0x0010:  c0a8 0101 ..."), or with
 * `ascii` -X (hex_and_ascii_print: the hex padded to its column, two spaces, then the printable
 * characters, '.' for the rest, space included).
 */
export function hexDump(data: Uint8Array, ascii: boolean): string {
  let out = '';
  for (let offset = 0; offset < data.length; offset += 16) {
    const row = data.subarray(offset, offset + 16);
    let hexPart = '';
    let text = '';
    for (let i = 0; i < row.length; i += 2) {
      hexPart += ` ${hex(row[i]!, 2)}${i + 1 < row.length ? hex(row[i + 1]!, 2) : ''}`;
      for (const c of row.subarray(i, i + 2)) text += c > 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    }
    out += `\n\t0x${hex(offset, 4)}: ${ascii ? `${hexPart.padEnd(40)}  ${text}` : hexPart}`;
  }
  return out;
}

/** A kernel time in nanoseconds as whole seconds and microseconds. Rounded, not truncated: a
 * nanosecond count near 2026 is past 2^53 and a double holds it only to 256 ns, so a time meant as
 * exactly 2 ms may arrive as 1.999872 ms. */
export function splitTime(ns: number): { sec: number; usec: number } {
  let sec = Math.floor(ns / 1e9);
  let usec = Math.round((ns - sec * 1e9) / 1000);
  if (usec >= 1_000_000) {
    sec += 1;
    usec -= 1_000_000;
  }
  return { sec, usec: Math.max(0, usec) };
}

/** "HH:MM:SS.uuuuuu" in UTC (tcpdump's default timestamp, with TZ=UTC). */
export function formatTimestamp(sec: number, usec: number): string {
  const secOfDay = ((sec % 86_400) + 86_400) % 86_400;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(secOfDay / 3600))}:${two(Math.floor((secOfDay % 3600) / 60))}:${two(secOfDay % 60)}.${String(usec).padStart(6, '0')}`;
}
