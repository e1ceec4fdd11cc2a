// TCP segments (RFC 9293) over IPv4. TCP has no length field: the segment is the whole IP payload.
// The checksum covers the IPv4 pseudo-header, so checking and emitting take the addresses from the
// enclosing datagram, as UDP does (but a TCP checksum of 0 is an ordinary value, never "none").
//
// Options are kept in their order, padding included, because their layout is observable: Linux
// sends `mss,sackOK,TS,nop,wscale` on a SYN, and packetdrill checks options byte for byte. Known
// kinds with a length their RFC does not allow are kept as `unknown` (receivers ignore them, as
// Linux's tcp_parse_options does). A truncated or zero-length option is malformed: strict parsing
// refuses the segment, lenient parsing (what a receiving stack does) keeps the options before it.

import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { checksumAccumulateRange, checksumFinish, pseudoHeaderSum } from './checksum.js';
import { WireError, type ParseOptions } from './error.js';
import { IPPROTO_TCP } from './ipv4.js';

export const TCP_HEADER_LEN = 20;
/** The data offset field is 4 bits of 32-bit words: 60 bytes, 40 of them options. */
export const TCP_MAX_HEADER_LEN = 60;
export const TCP_MAX_OPTIONS_LEN = 40;

export const TCP_FIN = 0x001;
export const TCP_SYN = 0x002;
export const TCP_RST = 0x004;
export const TCP_PSH = 0x008;
export const TCP_ACK = 0x010;
export const TCP_URG = 0x020;
export const TCP_ECE = 0x040;
export const TCP_CWR = 0x080;
/** The bit RFC 3540 called NS, now AE (AccECN, RFC 9768): the low bit of byte 12. */
export const TCP_AE = 0x100;

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

export type TcpOption =
  | { kind: 'eol' }
  | { kind: 'nop' }
  | { kind: 'mss'; mss: number }
  | { kind: 'wscale'; shift: number }
  | { kind: 'sackPermitted' }
  /** Each block is [left edge, right edge) in sequence space, as sent. */
  | { kind: 'sack'; blocks: Array<[number, number]> }
  | { kind: 'timestamp'; tsval: number; tsecr: number }
  | { kind: 'unknown'; type: number; data: Uint8Array };

export class TcpPacket {
  constructor(readonly buffer: Uint8Array) {}

  static checked(buffer: Uint8Array): TcpPacket | WireError {
    const packet = new TcpPacket(buffer);
    return packet.checkLen() ?? packet;
  }

  checkLen(): WireError | undefined {
    const len = this.buffer.length;
    if (len < TCP_HEADER_LEN) return new WireError(`TCP: header truncated (${len} < ${TCP_HEADER_LEN} bytes)`);
    const hlen = this.headerLen;
    if (hlen < TCP_HEADER_LEN) return new WireError(`TCP: data offset < 5 (${hlen >>> 2})`);
    if (hlen > len) return new WireError(`TCP: header length exceeds segment (${hlen} > ${len} bytes)`);
    return undefined;
  }

  get srcPort(): number {
    return readU16(this.buffer, 0);
  }
  set srcPort(v: number) {
    writeU16(this.buffer, 0, v);
  }

  get dstPort(): number {
    return readU16(this.buffer, 2);
  }
  set dstPort(v: number) {
    writeU16(this.buffer, 2, v);
  }

  get seq(): number {
    return readU32(this.buffer, 4);
  }
  set seq(v: number) {
    writeU32(this.buffer, 4, v);
  }

  get ack(): number {
    return readU32(this.buffer, 8);
  }
  set ack(v: number) {
    writeU32(this.buffer, 8, v);
  }

  /** Header length in bytes (data offset * 4). */
  get headerLen(): number {
    return (this.buffer[12]! >>> 4) * 4;
  }
  set headerLen(bytes: number) {
    this.buffer[12] = ((bytes >>> 2) << 4) | (this.buffer[12]! & 0x0f);
  }

  /** The nine flag bits: CWR..FIN in byte 13, AE in the low bit of byte 12. */
  get flags(): number {
    return ((this.buffer[12]! & 0x01) << 8) | this.buffer[13]!;
  }
  set flags(v: number) {
    this.buffer[12] = (this.buffer[12]! & 0xf0) | ((v >>> 8) & 0x01);
    this.buffer[13] = v & 0xff;
  }

  /** The three bits between the data offset and AE, which must be zero. */
  get reserved(): number {
    return (this.buffer[12]! >>> 1) & 0x07;
  }

  get window(): number {
    return readU16(this.buffer, 14);
  }
  set window(v: number) {
    writeU16(this.buffer, 14, v);
  }

  get checksum(): number {
    return readU16(this.buffer, 16);
  }
  set checksum(v: number) {
    writeU16(this.buffer, 16, v);
  }

  get urgent(): number {
    return readU16(this.buffer, 18);
  }
  set urgent(v: number) {
    writeU16(this.buffer, 18, v);
  }

  get optionBytes(): Uint8Array {
    return this.buffer.subarray(TCP_HEADER_LEN, this.headerLen);
  }

  get payload(): Uint8Array {
    return this.buffer.subarray(this.headerLen);
  }

  verifyChecksum(src: number, dst: number): boolean {
    const len = this.buffer.length;
    return checksumFinish(checksumAccumulateRange(this.buffer, 0, len, pseudoHeaderSum(src, dst, IPPROTO_TCP, len))) === 0;
  }

  fillChecksum(src: number, dst: number): void {
    this.checksum = 0;
    const len = this.buffer.length;
    this.checksum = checksumFinish(checksumAccumulateRange(this.buffer, 0, len, pseudoHeaderSum(src, dst, IPPROTO_TCP, len)));
  }
}

/** The length each known option kind must have; other lengths make it `unknown`. */
function knownOption(type: number, b: Uint8Array, at: number, len: number): TcpOption | null {
  switch (type) {
    case TCPOPT_MSS:
      return len === 4 ? { kind: 'mss', mss: readU16(b, at + 2) } : null;
    case TCPOPT_WINDOW:
      return len === 3 ? { kind: 'wscale', shift: b[at + 2]! } : null;
    case TCPOPT_SACK_PERM:
      return len === 2 ? { kind: 'sackPermitted' } : null;
    case TCPOPT_SACK: {
      if (len < 10 || (len - 2) % 8 !== 0) return null;
      const blocks: Array<[number, number]> = [];
      for (let o = at + 2; o < at + len; o += 8) blocks.push([readU32(b, o), readU32(b, o + 4)]);
      return { kind: 'sack', blocks };
    }
    case TCPOPT_TIMESTAMP:
      return len === 10 ? { kind: 'timestamp', tsval: readU32(b, at + 2), tsecr: readU32(b, at + 6) } : null;
    default:
      return null;
  }
}

/**
 * The options of an option area, in order. A malformed option (its length byte missing, below 2,
 * or past the end) is a WireError when strict; when lenient the list ends before it, which is what
 * a receiving stack does (Linux stops parsing there and processes the segment).
 */
export function parseTcpOptions(bytes: Uint8Array, lenient = false): TcpOption[] | WireError {
  const out: TcpOption[] = [];
  let at = 0;
  while (at < bytes.length) {
    const type = bytes[at]!;
    if (type === TCPOPT_EOL) {
      // What follows an end-of-list is padding.
      out.push({ kind: 'eol' });
      break;
    }
    if (type === TCPOPT_NOP) {
      out.push({ kind: 'nop' });
      at++;
      continue;
    }
    const len = at + 1 < bytes.length ? bytes[at + 1]! : -1;
    if (len < 2 || at + len > bytes.length) {
      if (lenient) break;
      return new WireError(len < 0 ? `TCP: option ${type} truncated` : `TCP: option ${type} has bad length ${len}`);
    }
    out.push(knownOption(type, bytes, at, len) ?? { kind: 'unknown', type, data: bytes.slice(at + 2, at + len) });
    at += len;
  }
  return out;
}

/** The bytes an option takes on the wire. */
export function tcpOptionLen(o: TcpOption): number {
  switch (o.kind) {
    case 'eol':
    case 'nop':
      return 1;
    case 'mss':
      return 4;
    case 'wscale':
      return 3;
    case 'sackPermitted':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'timestamp':
      return 10;
    case 'unknown':
      return 2 + o.data.length;
  }
}

/** The option area for `options`, padded with zeros (end-of-list) to a multiple of 4 bytes. */
export function tcpOptionsLen(options: readonly TcpOption[]): number {
  let n = 0;
  for (const o of options) n += tcpOptionLen(o);
  return (n + 3) & ~3;
}

function writeOption(b: Uint8Array, at: number, o: TcpOption): number {
  switch (o.kind) {
    case 'eol':
      b[at] = TCPOPT_EOL;
      return 1;
    case 'nop':
      b[at] = TCPOPT_NOP;
      return 1;
    case 'mss':
      b[at] = TCPOPT_MSS;
      b[at + 1] = 4;
      writeU16(b, at + 2, o.mss);
      return 4;
    case 'wscale':
      b[at] = TCPOPT_WINDOW;
      b[at + 1] = 3;
      b[at + 2] = o.shift;
      return 3;
    case 'sackPermitted':
      b[at] = TCPOPT_SACK_PERM;
      b[at + 1] = 2;
      return 2;
    case 'sack': {
      b[at] = TCPOPT_SACK;
      b[at + 1] = 2 + 8 * o.blocks.length;
      let p = at + 2;
      for (const [l, r] of o.blocks) {
        writeU32(b, p, l);
        writeU32(b, p + 4, r);
        p += 8;
      }
      return p - at;
    }
    case 'timestamp':
      b[at] = TCPOPT_TIMESTAMP;
      b[at + 1] = 10;
      writeU32(b, at + 2, o.tsval);
      writeU32(b, at + 6, o.tsecr);
      return 10;
    case 'unknown':
      b[at] = o.type;
      b[at + 1] = 2 + o.data.length;
      b.set(o.data, at + 2);
      return 2 + o.data.length;
  }
}

export interface TcpRepr {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP_FIN | TCP_SYN | ... (nine bits). */
  flags: number;
  window: number;
  urgent: number;
  options: TcpOption[];
  payload: Uint8Array;
}

export interface TcpParseOptions extends ParseOptions {
  /** Keep the options before a malformed one instead of refusing the segment. */
  lenientOptions?: boolean;
}

export const TcpRepr = {
  /** `payload` of the result is a view into the packet's buffer, not a copy. */
  parse(packet: TcpPacket, src: number, dst: number, options?: TcpParseOptions): TcpRepr | WireError {
    const err = packet.checkLen();
    if (err !== undefined) return err;
    if (options?.checksum !== false && !packet.verifyChecksum(src, dst)) {
      return new WireError(`TCP: bad checksum (0x${packet.checksum.toString(16).padStart(4, '0')})`);
    }
    const opts = parseTcpOptions(packet.optionBytes, options?.lenientOptions ?? false);
    if (opts instanceof WireError) return opts;
    return {
      srcPort: packet.srcPort,
      dstPort: packet.dstPort,
      seq: packet.seq,
      ack: packet.ack,
      flags: packet.flags,
      window: packet.window,
      urgent: packet.urgent,
      options: opts,
      payload: packet.payload,
    };
  },

  /** Writes the header, options, payload and checksum into `bufferLen(repr)` bytes. Throws
   * RangeError when the options exceed 40 bytes (a caller bug: the stack never builds such). */
  emit(repr: TcpRepr, packet: TcpPacket, src: number, dst: number): void {
    const b = packet.buffer;
    const optLen = tcpOptionsLen(repr.options);
    if (optLen > TCP_MAX_OPTIONS_LEN) throw new RangeError(`TCP options of ${optLen} bytes exceed ${TCP_MAX_OPTIONS_LEN}`);
    const hlen = TCP_HEADER_LEN + optLen;
    packet.srcPort = repr.srcPort;
    packet.dstPort = repr.dstPort;
    packet.seq = repr.seq;
    packet.ack = repr.ack;
    b[12] = 0;
    packet.headerLen = hlen;
    packet.flags = repr.flags;
    packet.window = repr.window;
    packet.urgent = repr.urgent;
    let at = TCP_HEADER_LEN;
    for (const o of repr.options) at += writeOption(b, at, o);
    b.fill(0, at, hlen);
    b.set(repr.payload, hlen);
    packet.fillChecksum(src, dst);
  },

  bufferLen(repr: TcpRepr): number {
    return TCP_HEADER_LEN + tcpOptionsLen(repr.options) + repr.payload.length;
  },
};

export function buildTcpPacket(repr: TcpRepr, src: number, dst: number): Uint8Array {
  const buf = new Uint8Array(TcpRepr.bufferLen(repr));
  TcpRepr.emit(repr, new TcpPacket(buf), src, dst);
  return buf;
}

/** Flag letters in tcpdump's order and spelling (`S.`, `FP.`, `SEW`), `none` for no flags. */
export const TCP_FLAG_LETTERS: ReadonlyArray<readonly [number, string]> = [
  [TCP_FIN, 'F'],
  [TCP_SYN, 'S'],
  [TCP_RST, 'R'],
  [TCP_PSH, 'P'],
  [TCP_ACK, '.'],
  [TCP_URG, 'U'],
  [TCP_ECE, 'E'],
  [TCP_CWR, 'W'],
  [TCP_AE, 'e'],
];
