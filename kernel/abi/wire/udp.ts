// UDP (RFC 768) over IPv4. The checksum covers a pseudo-header of the IP addresses, so checking and
// emitting take the source and destination from the enclosing datagram. Over IPv4 the checksum is
// optional: a received 0 means the sender computed none and is accepted, and a computed 0 is sent
// as 0xffff (the same value in ones' complement) so that it is not mistaken for "none".

import { readU16, writeU16 } from './bytes.js';
import { checksumAccumulateRange, checksumFinish, pseudoHeaderSum } from './checksum.js';
import { WireError, type ParseOptions } from './error.js';
import { IPPROTO_UDP } from './ipv4.js';

export const UDP_HEADER_LEN = 8;

export class UdpPacket {
  constructor(readonly buffer: Uint8Array) {}

  static checked(buffer: Uint8Array): UdpPacket | WireError {
    const packet = new UdpPacket(buffer);
    return packet.checkLen() ?? packet;
  }

  /** The length field, not the buffer, bounds the datagram: the buffer may be longer (an IPv4
   * payload that carries trailing bytes), never shorter. */
  checkLen(): WireError | undefined {
    const len = this.buffer.length;
    if (len < UDP_HEADER_LEN) return new WireError(`UDP: header truncated (${len} < ${UDP_HEADER_LEN} bytes)`);
    const field = this.length;
    if (field < UDP_HEADER_LEN) return new WireError(`UDP: length field < 8 (${field})`);
    if (field > len) return new WireError(`UDP: length field exceeds buffer (${field} > ${len} bytes)`);
    return undefined;
  }

  get srcPort(): number {
    return readU16(this.buffer, 0);
  }
  set srcPort(value: number) {
    writeU16(this.buffer, 0, value);
  }

  get dstPort(): number {
    return readU16(this.buffer, 2);
  }
  set dstPort(value: number) {
    writeU16(this.buffer, 2, value);
  }

  /** Header plus payload, in bytes. */
  get length(): number {
    return readU16(this.buffer, 4);
  }
  set length(value: number) {
    writeU16(this.buffer, 4, value);
  }

  get checksum(): number {
    return readU16(this.buffer, 6);
  }
  set checksum(value: number) {
    writeU16(this.buffer, 6, value);
  }

  get payload(): Uint8Array {
    return this.buffer.subarray(UDP_HEADER_LEN, this.length);
  }

  /** True for a correct checksum and for no checksum (0). */
  verifyChecksum(src: number, dst: number): boolean {
    if (this.checksum === 0) return true;
    const length = this.length;
    const sum = checksumAccumulateRange(this.buffer, 0, length, pseudoHeaderSum(src, dst, IPPROTO_UDP, length));
    return checksumFinish(sum) === 0;
  }

  fillChecksum(src: number, dst: number): void {
    this.checksum = 0;
    const length = this.length;
    const sum = checksumFinish(checksumAccumulateRange(this.buffer, 0, length, pseudoHeaderSum(src, dst, IPPROTO_UDP, length)));
    this.checksum = sum === 0 ? 0xffff : sum;
  }
}

export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

export const UdpRepr = {
  /** `payload` of the result is a view into the packet's buffer, not a copy. */
  parse(packet: UdpPacket, src: number, dst: number, options?: ParseOptions): UdpRepr | WireError {
    const err = packet.checkLen();
    if (err !== undefined) return err;
    if (options?.checksum !== false && !packet.verifyChecksum(src, dst)) {
      return new WireError(`UDP: bad checksum (0x${packet.checksum.toString(16).padStart(4, '0')})`);
    }
    return { srcPort: packet.srcPort, dstPort: packet.dstPort, payload: packet.payload };
  },

  /** Writes header, payload and checksum into `bufferLen(repr)` bytes. The payload must leave room
   * for the header in a 16-bit length (at most 65527 bytes; an IPv4 datagram allows 65507). */
  emit(repr: UdpRepr, packet: UdpPacket, src: number, dst: number): void {
    packet.srcPort = repr.srcPort;
    packet.dstPort = repr.dstPort;
    packet.length = UDP_HEADER_LEN + repr.payload.length;
    packet.buffer.set(repr.payload, UDP_HEADER_LEN);
    packet.fillChecksum(src, dst);
  },

  bufferLen(repr: UdpRepr): number {
    return UDP_HEADER_LEN + repr.payload.length;
  },
};

export function buildUdpPacket(repr: UdpRepr, src: number, dst: number): Uint8Array {
  const buf = new Uint8Array(UDP_HEADER_LEN + repr.payload.length);
  UdpRepr.emit(repr, new UdpPacket(buf), src, dst);
  return buf;
}
