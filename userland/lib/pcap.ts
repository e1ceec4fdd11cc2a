// Classic libpcap capture files (the format tcpdump -w writes and Wireshark reads), without pcapng.
//
//   global header (24 bytes): magic u32, version 2.4 (u16, u16), thiszone i32, sigfigs u32,
//                             snaplen u32, link type u32
//   per packet    (16 bytes): seconds u32, microseconds (or nanoseconds) u32, captured length u32,
//                             original length u32, then the captured bytes
//
// The magic tells both the byte order of every field and the timestamp unit: a1b2c3d4 is
// microseconds, a1b23c4d nanoseconds, and either may appear byte-swapped. The reader takes all four
// and never throws; anything it cannot make sense of is a PcapError that says what and where. The
// writer produces byte arrays and does no I/O, so a program can hand them to write().

import { concatBytes } from './escapes.js';

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
const PCAPNG_MAGIC = 0x0a0d0d0a;

/** BSD loopback: a 4-byte address family in host byte order, then the IP packet. */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** Bare IPv4 or IPv6 packets, what a tun device carries. */
export const LINKTYPE_RAW = 101;

export const PCAP_GLOBAL_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;
/** tcpdump's default snapshot length. */
export const DEFAULT_SNAPLEN = 262144;

export interface PcapPacket {
  readonly tsSec: number;
  /** Sub-second part in microseconds (truncated from nanoseconds for a nanosecond file). */
  readonly tsUsec: number;
  /** Sub-second part in nanoseconds (microseconds * 1000 for a microsecond file). */
  readonly tsNsec: number;
  /** Length of the packet on the wire; more than data.length when the capture cut it short. */
  readonly origLen: number;
  readonly data: Uint8Array;
}

export interface PcapFile {
  readonly linkType: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;
  readonly littleEndian: boolean;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly packets: PcapPacket[];
}

export interface PcapError {
  readonly kind: 'pcap-error';
  readonly message: string;
  /** Byte offset in the file where the problem was found. */
  readonly offset: number;
  /** The packets read intact before the problem (useful for a capture cut off mid-write). */
  readonly packets: PcapPacket[];
}

export function isPcapError(value: unknown): value is PcapError {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'pcap-error';
}

export function pcapError(message: string, offset: number, packets: PcapPacket[] = []): PcapError {
  return { kind: 'pcap-error', message, offset, packets };
}

/**
 * libpcap's MAXIMUM_SNAPLEN, max_snaplen_for_dlt() of every link type tunlab reads: a record that
 * claims to have captured more is refused before anything is read for it.
 */
export const MAXIMUM_SNAPLEN = 262144;

const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

export function readPcap(bytes: Uint8Array): PcapFile | PcapError {
  if (bytes.length < PCAP_GLOBAL_HEADER_LENGTH) {
    return pcapError(`truncated global header: ${bytes.length} of ${PCAP_GLOBAL_HEADER_LENGTH} bytes`, 0);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBe = view.getUint32(0, false);
  const magicLe = view.getUint32(0, true);
  let littleEndian: boolean;
  let nanosecond: boolean;
  if (magicLe === PCAP_MAGIC_MICRO || magicLe === PCAP_MAGIC_NANO) {
    littleEndian = true;
    nanosecond = magicLe === PCAP_MAGIC_NANO;
  } else if (magicBe === PCAP_MAGIC_MICRO || magicBe === PCAP_MAGIC_NANO) {
    littleEndian = false;
    nanosecond = magicBe === PCAP_MAGIC_NANO;
  } else if (magicBe === PCAPNG_MAGIC) {
    return pcapError('this is a pcapng file; only classic pcap is supported (tcpdump -w writes it)', 0);
  } else {
    return pcapError(`not a pcap file: magic ${hex32(magicBe)}`, 0);
  }
  const versionMajor = view.getUint16(4, littleEndian);
  const versionMinor = view.getUint16(6, littleEndian);
  if (versionMajor !== 2) {
    return pcapError(`unsupported pcap version ${versionMajor}.${versionMinor} (expected 2.4)`, 4);
  }
  const snaplen = view.getUint32(16, littleEndian);
  // The top bits of the link-type field carry FCS information; the type itself is the low 16 bits.
  const linkType = view.getUint32(20, littleEndian) & 0xffff;

  const packets: PcapPacket[] = [];
  let off = PCAP_GLOBAL_HEADER_LENGTH;
  while (off < bytes.length) {
    const n = packets.length + 1;
    if (bytes.length - off < PCAP_RECORD_HEADER_LENGTH) {
      return pcapError(
        `truncated record header of packet ${n} at offset ${off}: ${bytes.length - off} of ${PCAP_RECORD_HEADER_LENGTH} bytes`,
        off,
        packets,
      );
    }
    const tsSec = view.getUint32(off, littleEndian);
    const frac = view.getUint32(off + 4, littleEndian);
    const inclLen = view.getUint32(off + 8, littleEndian);
    const origLen = view.getUint32(off + 12, littleEndian);
    const dataOff = off + PCAP_RECORD_HEADER_LENGTH;
    if (inclLen > MAXIMUM_SNAPLEN) {
      return pcapError(`invalid packet capture length ${inclLen}, bigger than maximum of ${MAXIMUM_SNAPLEN}`, off + 8, packets);
    }
    if (inclLen > bytes.length - dataOff) {
      return pcapError(
        `truncated data of packet ${n} at offset ${dataOff}: record says ${inclLen} bytes, ${bytes.length - dataOff} left`,
        dataOff,
        packets,
      );
    }
    packets.push({
      tsSec,
      tsUsec: nanosecond ? Math.floor(frac / 1000) : frac,
      tsNsec: nanosecond ? frac : frac * 1000,
      origLen,
      // A copy, and a plain Uint8Array even when given a Buffer (whose slice() would share memory).
      data: new Uint8Array(bytes.subarray(dataOff, dataOff + inclLen)),
    });
    off = dataOff + inclLen;
  }
  return { linkType, snaplen, nanosecond, littleEndian, versionMajor, versionMinor, packets };
}

export interface PcapWriterOptions {
  readonly linkType: number;
  readonly snaplen?: number;
  /** Write a nanosecond-resolution file (magic a1b23c4d); default microseconds. */
  readonly nanosecond?: boolean;
  /** Byte order of the file; default little-endian, what tcpdump writes on x86 and ARM. */
  readonly littleEndian?: boolean;
}

/** Builds a capture file piece by piece: header() once, then record() per packet. */
export class PcapWriter {
  readonly linkType: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;
  readonly littleEndian: boolean;

  constructor(options: PcapWriterOptions) {
    this.linkType = options.linkType;
    this.snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
    this.nanosecond = options.nanosecond ?? false;
    this.littleEndian = options.littleEndian ?? true;
  }

  header(): Uint8Array {
    const out = new Uint8Array(PCAP_GLOBAL_HEADER_LENGTH);
    const view = new DataView(out.buffer);
    const le = this.littleEndian;
    view.setUint32(0, this.nanosecond ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, le);
    view.setUint16(4, 2, le);
    view.setUint16(6, 4, le);
    view.setInt32(8, 0, le); // thiszone: timestamps are UTC
    view.setUint32(12, 0, le); // sigfigs
    view.setUint32(16, this.snaplen, le);
    view.setUint32(20, this.linkType, le);
    return out;
  }

  /**
   * One packet record. `tsNs` is nanoseconds since the Unix epoch (a bigint keeps every digit; a
   * number is exact to well under a microsecond for present-day times). Data beyond the snaplen is
   * cut off; `origLen` defaults to the full data length.
   */
  record(tsNs: bigint | number, data: Uint8Array, origLen: number = data.length): Uint8Array {
    const { sec, nsec } = splitNs(tsNs);
    const captured = data.length > this.snaplen ? data.subarray(0, this.snaplen) : data;
    const out = new Uint8Array(PCAP_RECORD_HEADER_LENGTH + captured.length);
    const view = new DataView(out.buffer);
    const le = this.littleEndian;
    view.setUint32(0, sec, le);
    view.setUint32(4, this.nanosecond ? nsec : Math.floor(nsec / 1000), le);
    view.setUint32(8, captured.length, le);
    view.setUint32(12, origLen, le);
    out.set(captured, PCAP_RECORD_HEADER_LENGTH);
    return out;
  }
}

function splitNs(tsNs: bigint | number): { sec: number; nsec: number } {
  if (typeof tsNs === 'bigint') {
    if (tsNs < 0n) throw new RangeError('negative timestamp');
    const sec = tsNs / 1_000_000_000n;
    if (sec > 0xffffffffn) throw new RangeError('timestamp past 2106');
    return { sec: Number(sec), nsec: Number(tsNs % 1_000_000_000n) };
  }
  if (!Number.isFinite(tsNs) || tsNs < 0) throw new RangeError(`bad timestamp ${tsNs}`);
  const sec = Math.floor(tsNs / 1e9);
  if (sec > 0xffffffff) throw new RangeError('timestamp past 2106');
  // A double near 2026 in nanoseconds has no exact nanoseconds (2^53 < 1.8e18): round to the
  // nearest rather than floor, or 2 ms comes out as 1.999872 ms and is written as 1999 µs.
  const nsec = Math.min(999_999_999, Math.max(0, Math.round(tsNs - sec * 1e9)));
  return { sec, nsec };
}

/** A whole file from a list of packets, for tests and one-shot dumps. */
export function writePcap(options: PcapWriterOptions, packets: readonly { tsNs: bigint | number; data: Uint8Array; origLen?: number }[]): Uint8Array {
  const writer = new PcapWriter(options);
  return concatBytes([writer.header(), ...packets.map((p) => writer.record(p.tsNs, p.data, p.origLen))]);
}
