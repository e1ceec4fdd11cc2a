// IPv4 headers (RFC 791). The view exposes every field; the Repr is what the stack routes on.
// Options are carried but not interpreted: Repr.parse skips them (the payload starts at IHL*4) and
// emit always writes a plain 20-byte header, which is what every host in the emulation sends.
//
// Length rules, checked before anything is read past the fixed header: 20 <= IHL*4 <= total length
// <= buffer length. The buffer may be longer than the total length (Ethernet padding, a reused
// receive buffer); `payload` is bounded by the total length, never by the buffer.

import { readIpv4, writeIpv4 } from './address.js';
import { readU16, writeU16 } from './bytes.js';
import { checksumAccumulateRange, checksumFinish } from './checksum.js';
import { WireError, type ParseOptions } from './error.js';

export const IPV4_HEADER_LEN = 20;
export const IPV4_MAX_TOTAL_LEN = 0xffff;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

const FLAG_RESERVED = 0x8000;
const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;
const OFFSET_MASK = 0x1fff;

export class Ipv4Packet {
  constructor(readonly buffer: Uint8Array) {}

  static checked(buffer: Uint8Array): Ipv4Packet | WireError {
    const packet = new Ipv4Packet(buffer);
    return packet.checkLen() ?? packet;
  }

  checkLen(): WireError | undefined {
    const len = this.buffer.length;
    if (len < IPV4_HEADER_LEN) return new WireError(`IPv4: header truncated (${len} < ${IPV4_HEADER_LEN} bytes)`);
    const ihl = this.ihl;
    if (ihl < 5) return new WireError(`IPv4: IHL < 5 (IHL ${ihl})`);
    const headerLen = ihl * 4;
    if (headerLen > len) return new WireError(`IPv4: header length exceeds buffer (${headerLen} > ${len} bytes)`);
    const total = this.totalLen;
    if (total < headerLen) return new WireError(`IPv4: total length < header length (${total} < ${headerLen})`);
    if (total > len) return new WireError(`IPv4: total length exceeds buffer (${total} > ${len} bytes)`);
    return undefined;
  }

  get version(): number {
    return this.buffer[0]! >>> 4;
  }
  set version(value: number) {
    this.buffer[0] = ((value & 0xf) << 4) | (this.buffer[0]! & 0x0f);
  }

  /** Header length in 32-bit words. */
  get ihl(): number {
    return this.buffer[0]! & 0x0f;
  }
  set ihl(value: number) {
    this.buffer[0] = (this.buffer[0]! & 0xf0) | (value & 0x0f);
  }

  /** Header length in bytes (IHL * 4). */
  get headerLen(): number {
    return (this.buffer[0]! & 0x0f) * 4;
  }
  set headerLen(bytes: number) {
    this.ihl = bytes >>> 2;
  }

  /** The whole type-of-service byte (DSCP and ECN). */
  get tos(): number {
    return this.buffer[1]!;
  }
  set tos(value: number) {
    this.buffer[1] = value;
  }

  get totalLen(): number {
    return readU16(this.buffer, 2);
  }
  set totalLen(value: number) {
    writeU16(this.buffer, 2, value);
  }

  get ident(): number {
    return readU16(this.buffer, 4);
  }
  set ident(value: number) {
    writeU16(this.buffer, 4, value);
  }

  /** The must-be-zero flag. Not checked on parse: receivers ignore it, as Linux does. */
  get reservedFlag(): boolean {
    return (readU16(this.buffer, 6) & FLAG_RESERVED) !== 0;
  }
  set reservedFlag(on: boolean) {
    this.setFlag(FLAG_RESERVED, on);
  }

  get dontFragment(): boolean {
    return (readU16(this.buffer, 6) & FLAG_DF) !== 0;
  }
  set dontFragment(on: boolean) {
    this.setFlag(FLAG_DF, on);
  }

  get moreFragments(): boolean {
    return (readU16(this.buffer, 6) & FLAG_MF) !== 0;
  }
  set moreFragments(on: boolean) {
    this.setFlag(FLAG_MF, on);
  }

  /** Fragment offset in bytes (the field counts 8-byte units). */
  get fragmentOffset(): number {
    return (readU16(this.buffer, 6) & OFFSET_MASK) * 8;
  }
  /** Bytes; the low three bits are dropped, since the field cannot express them. */
  set fragmentOffset(bytes: number) {
    const flags = readU16(this.buffer, 6) & ~OFFSET_MASK;
    writeU16(this.buffer, 6, flags | (Math.floor(bytes / 8) & OFFSET_MASK));
  }

  get ttl(): number {
    return this.buffer[8]!;
  }
  set ttl(value: number) {
    this.buffer[8] = value;
  }

  get protocol(): number {
    return this.buffer[9]!;
  }
  set protocol(value: number) {
    this.buffer[9] = value;
  }

  get checksum(): number {
    return readU16(this.buffer, 10);
  }
  set checksum(value: number) {
    writeU16(this.buffer, 10, value);
  }

  get src(): number {
    return readIpv4(this.buffer, 12);
  }
  set src(addr: number) {
    writeIpv4(this.buffer, 12, addr);
  }

  get dst(): number {
    return readIpv4(this.buffer, 16);
  }
  set dst(addr: number) {
    writeIpv4(this.buffer, 16, addr);
  }

  /** Option bytes between the fixed header and the payload (usually empty). */
  get options(): Uint8Array {
    return this.buffer.subarray(IPV4_HEADER_LEN, this.headerLen);
  }

  /** The bytes from IHL*4 to the total length. */
  get payload(): Uint8Array {
    return this.buffer.subarray(this.headerLen, this.totalLen);
  }

  /** The checksum covers the header only, options included. */
  verifyChecksum(): boolean {
    return checksumFinish(checksumAccumulateRange(this.buffer, 0, this.headerLen)) === 0;
  }

  fillChecksum(): void {
    this.checksum = 0;
    this.checksum = checksumFinish(checksumAccumulateRange(this.buffer, 0, this.headerLen));
  }

  private setFlag(bit: number, on: boolean): void {
    const word = readU16(this.buffer, 6);
    writeU16(this.buffer, 6, on ? word | bit : word & ~bit);
  }
}

export interface Ipv4Repr {
  src: number;
  dst: number;
  protocol: number;
  ttl: number;
  ident: number;
  tos: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** In bytes, a multiple of 8. */
  fragmentOffset: number;
  /** Total length minus header length: the bytes that follow the (possibly optioned) header. */
  payloadLen: number;
}

/** The fields of an Ipv4Repr that a builder takes; the payload length comes from the payload. */
export type Ipv4HeaderFields = Omit<Ipv4Repr, 'payloadLen'>;

export const Ipv4Repr = {
  parse(packet: Ipv4Packet, options?: ParseOptions): Ipv4Repr | WireError {
    const err = packet.checkLen();
    if (err !== undefined) return err;
    if (packet.version !== 4) return new WireError(`IPv4: version ${packet.version}, not 4`);
    if (options?.checksum !== false && !packet.verifyChecksum()) {
      return new WireError(`IPv4: bad header checksum (0x${packet.checksum.toString(16).padStart(4, '0')})`);
    }
    return {
      src: packet.src,
      dst: packet.dst,
      protocol: packet.protocol,
      ttl: packet.ttl,
      ident: packet.ident,
      tos: packet.tos,
      dontFragment: packet.dontFragment,
      moreFragments: packet.moreFragments,
      fragmentOffset: packet.fragmentOffset,
      payloadLen: packet.totalLen - packet.headerLen,
    };
  },

  /** Writes a 20-byte header with its checksum; the payload goes at offset 20. `payloadLen` must be
   * at most 65515 (the total length field is 16 bits); larger values are not representable. */
  emit(repr: Ipv4Repr, packet: Ipv4Packet): void {
    emitHeader(repr, repr.payloadLen, packet);
  },

  bufferLen(_repr: Ipv4Repr): number {
    return IPV4_HEADER_LEN;
  },
};

function emitHeader(repr: Ipv4HeaderFields, payloadLen: number, packet: Ipv4Packet): void {
  const b = packet.buffer;
  b[0] = 0x45;
  b[1] = repr.tos;
  writeU16(b, 2, IPV4_HEADER_LEN + payloadLen);
  writeU16(b, 4, repr.ident);
  let frag = Math.floor(repr.fragmentOffset / 8) & OFFSET_MASK;
  if (repr.dontFragment) frag |= FLAG_DF;
  if (repr.moreFragments) frag |= FLAG_MF;
  writeU16(b, 6, frag);
  b[8] = repr.ttl;
  b[9] = repr.protocol;
  writeIpv4(b, 12, repr.src);
  writeIpv4(b, 16, repr.dst);
  writeU16(b, 10, 0);
  writeU16(b, 10, checksumFinish(checksumAccumulateRange(b, 0, IPV4_HEADER_LEN)));
}

/** A whole datagram: a 20-byte header for `repr` (its total length from `payload`) then `payload`.
 * Throws RangeError if the payload cannot fit in a datagram, since that is a caller bug (the stack
 * fragments or refuses with EMSGSIZE before getting here). */
export function buildIpv4Packet(repr: Ipv4HeaderFields, payload: Uint8Array): Uint8Array {
  if (payload.length > IPV4_MAX_TOTAL_LEN - IPV4_HEADER_LEN) {
    throw new RangeError(`IPv4 payload of ${payload.length} bytes exceeds ${IPV4_MAX_TOTAL_LEN - IPV4_HEADER_LEN}`);
  }
  const buf = new Uint8Array(IPV4_HEADER_LEN + payload.length);
  emitHeader(repr, payload.length, new Ipv4Packet(buf));
  buf.set(payload, IPV4_HEADER_LEN);
  return buf;
}
