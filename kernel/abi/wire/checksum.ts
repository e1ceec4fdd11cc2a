// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
// big-endian words. It runs over every packet a host receives or sends, so it is written for speed.
//
// What makes the fast path exact is RFC 1071's arithmetic: 2^16 = 1 in ones' complement (mod 0xffff)
// arithmetic, so a byte counts 256 at an even distance from the start and 1 at an odd one, whatever
// word it sits in. A long range is therefore summed as native 32-bit words over an aligned
// Uint32Array view (one load and one add per 4 bytes, the word values added whole in a double),
// folded, and byte-swapped when the native order weighs the range's first byte by 1 where the
// message weighs it by 256 (RFC 1071 §2(B): the sum is byte-order independent up to that swap). The
// few bytes before the first aligned word and after the last are added one by one at their weights.
// A short range is not worth creating a view for: it is summed by big-endian pairs.
//
// The running sum (what checksumAccumulate returns) is not folded to 16 bits: it is any number equal,
// mod 0xffff, to the sum of the words, and 0 only when every byte summed was 0 (so checksumFinish
// tells a message of zeros, 0xffff, from one whose sum is a multiple of 0xffff, 0). A running sum lets
// a caller add a pseudo-header and a payload held in separate buffers. Only the last piece may have
// an odd length: an odd piece is padded with a zero byte, which shifts every later word by one byte
// if another piece follows.

/** Below this many bytes, pairs of bytes are cheaper than making a Uint32Array view. */
const WORDS_FROM = 128;
/** Words summed before a fold, so the double never passes 2^53 (2^20 words of < 2^32 each). */
const WORDS_PER_FOLD = 1 << 20;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function checksumAccumulate(data: Uint8Array, sum = 0): number {
  return checksumAccumulateRange(data, 0, data.length, sum);
}

/** As checksumAccumulate over data[start..end), without creating a subarray. */
export function checksumAccumulateRange(data: Uint8Array, start: number, end: number, sum = 0): number {
  if (end > data.length) end = data.length;
  if (end - start < WORDS_FROM) return sumPairs(data, start, end, sum);
  // Bytes up to the first 4-aligned address, at their weights (256 at an even distance from start).
  let i = start;
  const aligned = start + ((4 - ((data.byteOffset + start) & 3)) & 3);
  let s = sum;
  for (; i < aligned; i++) s += (i - start) & 1 ? data[i]! : data[i]! << 8;
  const words = (end - i) >>> 2;
  const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
  let region = 0;
  for (let w = 0; w < words; w += WORDS_PER_FOLD) region = fold16(region + sumWords(view, w, Math.min(words, w + WORDS_PER_FOLD)));
  // Little-endian words weigh their first byte 1; it is a high (256) byte when at an even distance.
  const swap = LITTLE_ENDIAN === (((i - start) & 1) === 0);
  s += swap ? ((region & 0xff) << 8) | (region >>> 8) : region;
  i += words * 4;
  for (; i < end; i++) s += (i - start) & 1 ? data[i]! : data[i]! << 8;
  return s;
}

/** Big-endian 16-bit words of data[start..end), an odd last byte padded with zero. */
function sumPairs(data: Uint8Array, start: number, end: number, sum: number): number {
  let s = sum;
  let i = start;
  const pairs = end - ((end - i) & 1);
  for (; i < pairs; i += 2) s += (data[i]! << 8) | data[i + 1]!;
  if (i < end) s += data[i]! << 8;
  return s;
}

/** The plain sum of view[from..to): four accumulators, so the adds do not wait on each other. */
function sumWords(view: Uint32Array, from: number, to: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let k = from;
  const quads = to - ((to - from) & 3);
  for (; k < quads; k += 4) {
    a += view[k]!;
    b += view[k + 1]!;
    c += view[k + 2]!;
    d += view[k + 3]!;
  }
  for (; k < to; k++) a += view[k]!;
  return a + b + c + d;
}

/** End-around carries down to 16 bits: equal mod 0xffff, and 0 only for 0. */
function fold16(sum: number): number {
  let s = sum;
  // `& 0xffff` is exact for any safe integer (ToInt32 keeps the low 32 bits); the high part is not.
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x1_0000);
  return s;
}

/** Fold the carries back in and complement: the value to put in a checksum field, and 0 when
 * summed over a message that already contains a correct checksum. */
export function checksumFinish(sum: number): number {
  return ~fold16(sum) & 0xffff;
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
