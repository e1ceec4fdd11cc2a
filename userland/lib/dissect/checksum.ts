// The Internet checksums that -v verifies: tcpdump reports a wrong one with the value the field
// should have held, so both the sum and that correction live here for IPv4, ICMP, UDP, TCP and ICMPv6.

/** The Internet checksum over b[start, end), 0 when a correct checksum is included. */
export function checksum(b: Uint8Array, start: number, end: number, initial = 0): number {
  let s = initial;
  let i = start;
  for (; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i < end) s += b[i]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
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
