// The Internet checksums that -v verifies: tcpdump reports a wrong one with the value the field
// should have held, so both the sum and that correction live here for IPv4, ICMP, UDP, TCP and ICMPv6.
// The arithmetic is the stack's own (kernel/abi/wire/checksum.ts); this adds what a printer needs:
// a range of a capture buffer, IPv6's pseudo-header, and tcpdump's correction.

import { checksumAccumulateRange, checksumFinish } from '../../../kernel/abi/wire/checksum.js';

/** The Internet checksum over b[start, end), 0 when a correct checksum is included. */
export function checksum(b: Uint8Array, start: number, end: number, initial = 0): number {
  return checksumFinish(checksumAccumulateRange(b, start, end, initial));
}

/** What the checksum field should have held (tcpdump's in_cksum_shouldbe). */
export function shouldBe(field: number, computed: number): number {
  let s = field + computed;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** A TCP, UDP or ICMPv6 checksum over its pseudo-header (RFC 768, RFC 8200 8.1): 0 when right. */
export function transportChecksum(b: Uint8Array, ipOff: number, off: number, len: number, ver: 4 | 6, proto: number): number {
  let pseudo = 0;
  const words = (from: number, n: number) => {
    for (let i = 0; i < n; i += 2) pseudo += (b[from + i]! << 8) | b[from + i + 1]!;
  };
  if (ver === 4) words(ipOff + 12, 8);
  else words(ipOff + 8, 32);
  pseudo += proto + (len & 0xffff) + Math.floor(len / 0x10000);
  return checksum(b, off, off + len, pseudo);
}
