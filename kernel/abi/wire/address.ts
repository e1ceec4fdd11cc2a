// IPv4 and MAC addresses as plain numbers: an IPv4 address is a uint32 in host order (always
// normalised with `>>> 0`, so 255.255.255.255 is 4294967295 and never -1) and a MAC is a 48-bit
// integer. Numbers compare with ===, hash as Map keys and cost no allocation, which strings or byte
// arrays would not. A 48-bit MAC does not fit the 32-bit bitwise operators, so MAC helpers split it
// with arithmetic instead.

const TWO_32 = 0x1_0000_0000;
const TWO_40 = 0x100_0000_0000;

export const BROADCAST_MAC = 0xffff_ffff_ffff;
export const ZERO_MAC = 0;

export const IPV4_UNSPECIFIED = 0;
export const IPV4_BROADCAST = 0xffff_ffff;
export const IPV4_LOOPBACK = 0x7f00_0001;

// One decimal octet: "0", or 1..3 digits without a leading zero. Leading zeros are refused because
// inet_aton reads "010" as octal 8 while other parsers read 10; refusing is the only unsurprising answer.
const OCTET = '(0|[1-9][0-9]{0,2})';
const IPV4_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

export function parseIpv4(s: string): number | null {
  const m = IPV4_RE.exec(s);
  if (m === null) return null;
  let addr = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return null;
    addr = addr * 256 + octet;
  }
  return addr;
}

export function formatIpv4(n: number): string {
  const a = n >>> 0;
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

// Both separators are common (ip/ifconfig print ':', Windows prints '-'), but one address uses one.
const MAC_RE = /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i;

export function parseMac(s: string): number | null {
  const m = MAC_RE.exec(s);
  if (m === null) return null;
  let mac = 0;
  for (const i of [1, 3, 4, 5, 6, 7]) mac = mac * 256 + parseInt(m[i]!, 16);
  return mac;
}

export function formatMac(n: number): string {
  let s = '';
  for (let shift = 5; shift >= 0; shift--) {
    const octet = Math.floor(n / 256 ** shift) % 256;
    s += (shift === 5 ? '' : ':') + octet.toString(16).padStart(2, '0');
  }
  return s;
}

/** The netmask of a prefix length; throws RangeError outside 0..32 (a caller bug, not bad input:
 * user-typed prefixes must be validated by whoever parses them). */
export function maskFromPrefix(len: number): number {
  if (!Number.isInteger(len) || len < 0 || len > 32) throw new RangeError(`prefix length ${len} not in 0..32`);
  // A JS shift count is taken mod 32, so `<< 32` would leave the value unchanged.
  return len === 0 ? 0 : (0xffff_ffff << (32 - len)) >>> 0;
}

/** The prefix length of a netmask, or null if its one bits are not contiguous from the top. */
export function prefixFromMask(mask: number): number | null {
  const host = ~mask >>> 0;
  // The host part must be 0...01...1, i.e. one less than a power of two.
  if ((host & (host + 1)) !== 0) return null;
  return Math.clz32(host);
}

export function isMulticastIpv4(addr: number): boolean {
  return addr >>> 28 === 0xe;
}

export function isLoopbackIpv4(addr: number): boolean {
  return addr >>> 24 === 127;
}

export function isLimitedBroadcast(addr: number): boolean {
  return addr >>> 0 === IPV4_BROADCAST;
}

export function isUnspecifiedIpv4(addr: number): boolean {
  return addr >>> 0 === 0;
}

/** The group bit (least significant bit of the first octet); true for broadcast as well. */
export function isMulticastMac(mac: number): boolean {
  return (Math.floor(mac / TWO_40) & 1) === 1;
}

export function readMac(bytes: Uint8Array, offset: number): number {
  const hi = (bytes[offset]! << 8) | bytes[offset + 1]!;
  const lo = ((bytes[offset + 2]! << 24) | (bytes[offset + 3]! << 16) | (bytes[offset + 4]! << 8) | bytes[offset + 5]!) >>> 0;
  return hi * TWO_32 + lo;
}

export function writeMac(bytes: Uint8Array, offset: number, mac: number): void {
  const hi = Math.floor(mac / TWO_32);
  const lo = mac >>> 0; // ToUint32 keeps the low 32 bits of any safe integer
  bytes[offset] = hi >>> 8;
  bytes[offset + 1] = hi;
  bytes[offset + 2] = lo >>> 24;
  bytes[offset + 3] = lo >>> 16;
  bytes[offset + 4] = lo >>> 8;
  bytes[offset + 5] = lo;
}

export function readIpv4(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

export function writeIpv4(bytes: Uint8Array, offset: number, addr: number): void {
  bytes[offset] = addr >>> 24;
  bytes[offset + 1] = addr >>> 16;
  bytes[offset + 2] = addr >>> 8;
  bytes[offset + 3] = addr;
}
