// ICMP for IPv4 (RFC 792), with the next-hop MTU of "fragmentation needed" from RFC 1191. The Repr
// is a union over what the stack acts on: echo for ping, and the two errors a router or host sends
// (destination unreachable, time exceeded). Anything else, including an echo with a non-zero code,
// parses to 'other' with its bytes intact, so it can still be shown and re-emitted unchanged.
//
// The checksum covers the whole message, so an IcmpPacket must be a view over exactly the message:
// the IPv4 payload (bounded by total length), not the rest of a receive buffer.

import { readU16, writeU16 } from './bytes.js';
import { checksumAccumulateRange, checksumFinish, checksumUpdate16 } from './checksum.js';
import { WireError, type ParseOptions } from './error.js';

export const ICMP_HEADER_LEN = 8;

// Message types (RFC 792; names as in Linux's linux/icmp.h where RFC 792 gives none).
export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETERPROB = 12;
export const ICMP_TIMESTAMP = 13;
export const ICMP_TIMESTAMPREPLY = 14;
export const ICMP_INFO_REQUEST = 15;
export const ICMP_INFO_REPLY = 16;

// Destination unreachable codes (RFC 792: 0-5; RFC 1122: 6-12; RFC 1812: 13-15).
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROTO_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_SR_FAILED = 5;
export const ICMP_NET_UNKNOWN = 6;
export const ICMP_HOST_UNKNOWN = 7;
export const ICMP_HOST_ISOLATED = 8;
export const ICMP_NET_ANO = 9;
export const ICMP_HOST_ANO = 10;
export const ICMP_NET_UNR_TOS = 11;
export const ICMP_HOST_UNR_TOS = 12;
export const ICMP_PKT_FILTERED = 13;
export const ICMP_PREC_VIOLATION = 14;
export const ICMP_PREC_CUTOFF = 15;

// Time exceeded codes.
export const ICMP_EXC_TTL = 0;
export const ICMP_EXC_FRAGTIME = 1;

export class IcmpPacket {
  constructor(readonly buffer: Uint8Array) {}

  static checked(buffer: Uint8Array): IcmpPacket | WireError {
    const packet = new IcmpPacket(buffer);
    return packet.checkLen() ?? packet;
  }

  checkLen(): WireError | undefined {
    const len = this.buffer.length;
    if (len < ICMP_HEADER_LEN) return new WireError(`ICMP: header truncated (${len} < ${ICMP_HEADER_LEN} bytes)`);
    return undefined;
  }

  get type(): number {
    return this.buffer[0]!;
  }
  set type(value: number) {
    this.buffer[0] = value;
  }

  get code(): number {
    return this.buffer[1]!;
  }
  set code(value: number) {
    this.buffer[1] = value;
  }

  get checksum(): number {
    return readU16(this.buffer, 2);
  }
  set checksum(value: number) {
    writeU16(this.buffer, 2, value);
  }

  /** Bytes 4..8, whose meaning depends on the type. */
  get restOfHeader(): Uint8Array {
    return this.buffer.subarray(4, ICMP_HEADER_LEN);
  }

  /** Echo identifier (bytes 4-5). */
  get echoIdent(): number {
    return readU16(this.buffer, 4);
  }
  set echoIdent(value: number) {
    writeU16(this.buffer, 4, value);
  }

  /** Echo sequence number (bytes 6-7). */
  get echoSeq(): number {
    return readU16(this.buffer, 6);
  }
  set echoSeq(value: number) {
    writeU16(this.buffer, 6, value);
  }

  /** Next-hop MTU of a fragmentation-needed message (bytes 6-7; RFC 1191). */
  get nextHopMtu(): number {
    return readU16(this.buffer, 6);
  }
  set nextHopMtu(value: number) {
    writeU16(this.buffer, 6, value);
  }

  /** After the 8-byte header: echo data, or the quoted datagram of an error. */
  get payload(): Uint8Array {
    return this.buffer.subarray(ICMP_HEADER_LEN);
  }

  verifyChecksum(): boolean {
    return checksumFinish(checksumAccumulateRange(this.buffer, 0, this.buffer.length)) === 0;
  }

  fillChecksum(): void {
    this.checksum = 0;
    this.checksum = checksumFinish(checksumAccumulateRange(this.buffer, 0, this.buffer.length));
  }

  /**
   * Write into `out` (this message's length) the echo reply to this echo request, whose checksum was
   * verified: the same bytes with the type 0, and the checksum updated for that one word (RFC 1624)
   * instead of summed again over the whole message. The bytes are those IcmpRepr.emit writes.
   */
  echoReplyInto(out: Uint8Array): void {
    out.set(this.buffer);
    out[0] = ICMP_ECHO_REPLY;
    out[1] = 0;
    let c = checksumUpdate16(this.checksum, (this.type << 8) | this.code, ICMP_ECHO_REPLY << 8);
    // All zeros but the checksum: a full sum is 0, and its checksum 0xffff (see checksumUpdate16).
    if (c === 0 && out.every((b, i) => b === 0 || i === 2 || i === 3)) c = 0xffff;
    writeU16(out, 2, c);
  }
}

export interface IcmpEchoRepr {
  kind: 'echo-request' | 'echo-reply';
  ident: number;
  seq: number;
  data: Uint8Array;
}

export interface IcmpDstUnreachableRepr {
  kind: 'dst-unreachable';
  code: number;
  /** Present exactly when code is ICMP_FRAG_NEEDED (0 from a pre-RFC 1191 router). */
  nextHopMtu?: number;
  /** The offending datagram's IP header and at least its first 8 payload bytes. */
  original: Uint8Array;
}

export interface IcmpTimeExceededRepr {
  kind: 'time-exceeded';
  code: number;
  original: Uint8Array;
}

export interface IcmpOtherRepr {
  kind: 'other';
  type: number;
  code: number;
  /** Everything after the checksum: the 4 type-specific header bytes, then the body. */
  rest: Uint8Array;
}

export type IcmpRepr = IcmpEchoRepr | IcmpDstUnreachableRepr | IcmpTimeExceededRepr | IcmpOtherRepr;

export const IcmpRepr = {
  /** The byte arrays of the result are views into the packet's buffer, not copies. */
  parse(packet: IcmpPacket, options?: ParseOptions): IcmpRepr | WireError {
    const err = packet.checkLen();
    if (err !== undefined) return err;
    if (options?.checksum !== false && !packet.verifyChecksum()) {
      return new WireError(`ICMP: bad checksum (0x${packet.checksum.toString(16).padStart(4, '0')})`);
    }
    const type = packet.type;
    const code = packet.code;
    if ((type === ICMP_ECHO || type === ICMP_ECHO_REPLY) && code === 0) {
      return {
        kind: type === ICMP_ECHO ? 'echo-request' : 'echo-reply',
        ident: packet.echoIdent,
        seq: packet.echoSeq,
        data: packet.payload,
      };
    }
    if (type === ICMP_DEST_UNREACH) {
      if (code === ICMP_FRAG_NEEDED) {
        return { kind: 'dst-unreachable', code, nextHopMtu: packet.nextHopMtu, original: packet.payload };
      }
      return { kind: 'dst-unreachable', code, original: packet.payload };
    }
    if (type === ICMP_TIME_EXCEEDED) return { kind: 'time-exceeded', code, original: packet.payload };
    return { kind: 'other', type, code, rest: packet.buffer.subarray(4) };
  },

  /** Writes the whole message (header, body, checksum) into `bufferLen(repr)` bytes. Unused header
   * bytes are written as zero, as RFC 792 asks. */
  emit(repr: IcmpRepr, packet: IcmpPacket): void {
    const b = packet.buffer;
    switch (repr.kind) {
      case 'echo-request':
      case 'echo-reply':
        b[0] = repr.kind === 'echo-request' ? ICMP_ECHO : ICMP_ECHO_REPLY;
        b[1] = 0;
        writeU16(b, 4, repr.ident);
        writeU16(b, 6, repr.seq);
        b.set(repr.data, ICMP_HEADER_LEN);
        break;
      case 'dst-unreachable':
        b[0] = ICMP_DEST_UNREACH;
        b[1] = repr.code;
        writeU16(b, 4, 0);
        writeU16(b, 6, repr.code === ICMP_FRAG_NEEDED ? (repr.nextHopMtu ?? 0) : 0);
        b.set(repr.original, ICMP_HEADER_LEN);
        break;
      case 'time-exceeded':
        b[0] = ICMP_TIME_EXCEEDED;
        b[1] = repr.code;
        writeU16(b, 4, 0);
        writeU16(b, 6, 0);
        b.set(repr.original, ICMP_HEADER_LEN);
        break;
      case 'other':
        b[0] = repr.type;
        b[1] = repr.code;
        b.set(repr.rest, 4);
        // A rest shorter than the 4 header bytes is zero-padded so the result is a valid message.
        for (let i = 4 + repr.rest.length; i < ICMP_HEADER_LEN; i++) b[i] = 0;
        break;
    }
    // Only the message itself is summed, even if the caller handed a longer buffer.
    const end = IcmpRepr.bufferLen(repr);
    writeU16(b, 2, 0);
    writeU16(b, 2, checksumFinish(checksumAccumulateRange(b, 0, end)));
  },

  bufferLen(repr: IcmpRepr): number {
    switch (repr.kind) {
      case 'echo-request':
      case 'echo-reply':
        return ICMP_HEADER_LEN + repr.data.length;
      case 'dst-unreachable':
      case 'time-exceeded':
        return ICMP_HEADER_LEN + repr.original.length;
      case 'other':
        return Math.max(ICMP_HEADER_LEN, 4 + repr.rest.length);
    }
  },
};

export function buildIcmpPacket(repr: IcmpRepr): Uint8Array {
  const buf = new Uint8Array(IcmpRepr.bufferLen(repr));
  IcmpRepr.emit(repr, new IcmpPacket(buf));
  return buf;
}

/** What an ICMP error quotes of an offending IPv4 datagram: its header (options included) and the
 * first 8 bytes of its payload (RFC 792), which carry the transport ports the sender needs to match
 * the error to a socket. Never longer than the datagram. */
export function icmpQuote(datagram: Uint8Array): Uint8Array {
  const ihl = datagram.length > 0 ? datagram[0]! & 0x0f : 0;
  const headerLen = ihl >= 5 ? ihl * 4 : 20;
  return datagram.subarray(0, Math.min(datagram.length, headerLen + 8));
}
