// IP prefixes as WireGuard's tools write them (allowed ips, wg-quick's Address): inet_pton's
// addresses, a "/bits" suffix (none: a host), stored with the host bits cleared, shown as inet_ntop.

import { formatIpv6 } from '../dissect/format.js';

export interface Prefix {
  /** 4 bytes for IPv4, 16 for IPv6, the host bits cleared. */
  readonly addr: Uint8Array;
  readonly bits: number;
}

/** "10.0.0.0/8" or "fd00::/64" (a bare address is a host prefix), masked; null if it is none. */
export function parsePrefix(s: string): Prefix | null {
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const addr = addrText.includes(':') ? parseIpv6(addrText) : parseIpv4Bytes(addrText);
  if (addr === null) return null;
  const max = addr.length * 8;
  let bits = max;
  if (slash >= 0) {
    const b = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(b)) return null;
    bits = Number(b);
    if (bits > max) return null;
  }
  return { addr: masked(addr, bits), bits };
}

/** The address with every bit past the first `bits` cleared. */
export function masked(addr: Uint8Array, bits: number): Uint8Array {
  const out = addr.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i]! &= (0xff << (8 - keep)) & 0xff;
  }
  return out;
}

export function parseIpv4Bytes(s: string): Uint8Array | null {
  const parts = s.split('.');
  // inet_pton: four decimal numbers up to 255, no leading zeros (they would read as octal elsewhere).
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return Uint8Array.from(parts.map(Number));
}

/** An IPv6 address with at most one "::" and an optional trailing dotted quad, as inet_pton reads it. */
export function parseIpv6(s: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split('::').length > 2) return null;
  const [headText, tailText] = s.includes('::') ? s.split('::') : [s, null];
  const words = (text: string | null | undefined): number[] | null => {
    if (!text) return [];
    const out: number[] = [];
    const parts = text.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4Bytes(p);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return null;
    }
    return out;
  };
  const head = words(headText);
  const tail = words(tailText);
  if (head === null || tail === null) return null;
  const fill = 8 - head.length - tail.length;
  if (tailText === null ? fill !== 0 : fill < 1) return null;
  const all = [...head, ...new Array<number>(tailText === null ? 0 : fill).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >>> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

export function formatPrefix(p: Prefix): string {
  return `${p.addr.length === 4 ? p.addr.join('.') : formatIpv6(p.addr)}/${p.bits}`;
}
