// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
// big-endian words. It runs once or twice per packet on the forwarding path, so it is written for
// speed: plain index arithmetic, no allocation, and the end-around carries are folded once at the
// end instead of per word. That is exact because a double holds integers up to 2^53 and each word is
// below 2^16, so any message shorter than 2^37 words sums without loss.
//
// A running sum lets a caller add a pseudo-header and a payload held in separate buffers. Only the
// last piece may have an odd length: an odd piece is padded with a zero byte, which shifts every
// later word by one byte if another piece follows.

export function checksumAccumulate(data: Uint8Array, sum = 0): number {
  return checksumAccumulateRange(data, 0, data.length, sum);
}

/** As checksumAccumulate over data[start..end), without creating a subarray. */
export function checksumAccumulateRange(data: Uint8Array, start: number, end: number, sum = 0): number {
  if (end > data.length) end = data.length;
  let s = sum;
  let i = start;
  const pairs = end - ((end - i) & 1);
  // Two words per iteration: fewer loop checks without unrolling into unreadable code.
  const quads = pairs - ((pairs - i) & 3);
  for (; i < quads; i += 4) {
    s += ((data[i]! << 8) | data[i + 1]!) + ((data[i + 2]! << 8) | data[i + 3]!);
  }
  for (; i < pairs; i += 2) s += (data[i]! << 8) | data[i + 1]!;
  if (i < end) s += data[i]! << 8;
  return s;
}

/** Fold the carries back in and complement: the value to put in a checksum field, and 0 when
 * summed over a message that already contains a correct checksum. */
export function checksumFinish(sum: number): number {
  let s = sum;
  // `& 0xffff` is exact for any safe integer (ToInt32 keeps the low 32 bits); the high part is not.
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x1_0000);
  return ~s & 0xffff;
}

export function internetChecksum(data: Uint8Array): number {
  return checksumFinish(checksumAccumulateRange(data, 0, data.length, 0));
}

/** The sum of the IPv4 pseudo-header that UDP and TCP checksums cover (RFC 768): source, destination,
 * a zero byte, the protocol, and the transport length. */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + (protocol & 0xff) + (length & 0xffff);
}

/**
 * RFC 1624 (eqn. 3): the checksum of a message after one 16-bit word of it changed from `from` to
 * `to`, given its checksum before: HC' = ~(~HC + ~m + m'), in ones' complement arithmetic. It equals
 * recomputing over the whole message, except for a message whose every other word is zero, where
 * recomputing gives 0xffff and this 0: the caller that can meet one says so (see IcmpPacket).
 */
export function checksumUpdate16(checksum: number, from: number, to: number): number {
  let s = (~checksum & 0xffff) + (~from & 0xffff) + (to & 0xffff);
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}
