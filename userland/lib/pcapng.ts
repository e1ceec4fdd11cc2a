// pcapng capture files (draft-ietf-opsawg-pcapng). Writing, what a capture makes: a Section Header
// Block, one Interface Description Block per interface (its link type, and as options its name,
// its host as the description, nanosecond timestamps), and an Enhanced Packet Block per packet,
// with the direction in epb_flags and a comment ("journey 12": the packet's identity in tunlab's
// journeys). Little-endian, every block padded to 32 bits. Like pcap.ts, it only makes bytes; the
// caller writes them, so a program and the tunlab command share it. Reading (readPcapng), as
// libpcap reads a file for tcpdump -r, with its limits and its error messages.

import { type PcapError, type PcapPacket, pcapError } from './pcap.js';

export const LINKTYPE_LINUX_SLL2 = 276;

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const EPB_FLAGS = 2;

const enc = new TextEncoder();
const pad4 = (n: number) => (n + 3) & ~3;

type Option = [code: number, value: Uint8Array];

function optionsLength(opts: readonly Option[]): number {
  if (opts.length === 0) return 0;
  return opts.reduce((n, [, v]) => n + 4 + pad4(v.length), 0) + 4;
}

/** A block: type, total length, body, options, total length again. */
function block(type: number, body: Uint8Array, opts: readonly Option[]): Uint8Array {
  const total = 12 + pad4(body.length) + optionsLength(opts);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, total, true);
  out.set(body, 8);
  let off = 8 + pad4(body.length);
  if (opts.length) {
    for (const [code, value] of opts) {
      v.setUint16(off, code, true);
      v.setUint16(off + 2, value.length, true);
      out.set(value, off + 4);
      off += 4 + pad4(value.length);
    }
    v.setUint16(off, OPT_ENDOFOPT, true);
    v.setUint16(off + 2, 0, true);
  }
  v.setUint32(total - 4, total, true);
  return out;
}

export interface PcapngInterface {
  linkType: number;
  snaplen: number;
  name: string;
  /** Shown by Wireshark as the interface's description: tunlab puts the host here. */
  description?: string;
}

export interface PcapngPacket {
  interfaceId: number;
  /** Nanoseconds since the Unix epoch. */
  timestampNs: bigint;
  data: Uint8Array;
  origLen: number;
  direction?: 'in' | 'out';
  comment?: string;
}

/** Builds the blocks of one section; interfaces are numbered in the order they are added. */
export class PcapngWriter {
  private interfaces = 0;

  constructor(private readonly application = 'tunlab') {}

  header(): Uint8Array {
    const body = new Uint8Array(16);
    const v = new DataView(body.buffer);
    v.setUint32(0, BYTE_ORDER_MAGIC, true);
    v.setUint16(4, 1, true);
    v.setUint16(6, 0, true);
    // Section length unknown (-1): the file is written as the capture goes.
    v.setBigInt64(8, -1n, true);
    return block(SHB, body, [[SHB_USERAPPL, enc.encode(this.application)]]);
  }

  /** An interface's block; its id for the packets is the returned number. */
  addInterface(i: PcapngInterface): { id: number; block: Uint8Array } {
    const body = new Uint8Array(8);
    const v = new DataView(body.buffer);
    v.setUint16(0, i.linkType, true);
    v.setUint32(4, i.snaplen, true);
    const opts: Option[] = [[IF_NAME, enc.encode(i.name)]];
    if (i.description !== undefined) opts.push([IF_DESCRIPTION, enc.encode(i.description)]);
    opts.push([IF_TSRESOL, Uint8Array.of(9)]);
    return { id: this.interfaces++, block: block(IDB, body, opts) };
  }

  packet(p: PcapngPacket): Uint8Array {
    const body = new Uint8Array(20 + p.data.length);
    const v = new DataView(body.buffer);
    v.setUint32(0, p.interfaceId, true);
    v.setUint32(4, Number(p.timestampNs >> 32n), true);
    v.setUint32(8, Number(p.timestampNs & 0xffffffffn), true);
    v.setUint32(12, p.data.length, true);
    v.setUint32(16, p.origLen, true);
    body.set(p.data, 20);
    const opts: Option[] = [];
    if (p.comment !== undefined) opts.push([OPT_COMMENT, enc.encode(p.comment)]);
    if (p.direction !== undefined) {
      const flags = new Uint8Array(4);
      new DataView(flags.buffer).setUint32(0, p.direction === 'in' ? 1 : 2, true);
      opts.push([EPB_FLAGS, flags]);
    }
    return block(EPB, body, opts);
  }
}

/** Whether a file name asks for pcapng (tcpdump -w x.pcapng): by its extension. */
export function wantsPcapng(path: string): boolean {
  return /\.pcapng$/i.test(path);
}

/** ARPHRD_* numbers of the Linux cooked header. */
const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;
const ARPHRD_NONE = 0xfffe;
/** sll_pkttype: what the packet was to this host (3, PACKET_OTHERHOST, never happens here: no promiscuous capture). */
export const SLL_HOST = 0;
export const SLL_BROADCAST = 1;
export const SLL_MULTICAST = 2;
export const SLL_OUTGOING = 4;

/**
 * A packet as Linux's "any" capture delivers it (LINKTYPE_LINUX_SLL2): a 20-byte cooked header
 * (protocol, interface index, link type, packet type, the sender's link address) and the packet
 * without its link-level header. `link` says what `frame` starts with.
 */
export function sll2Record(frame: Uint8Array, link: 'ether' | 'ip' | 'loop', ifIndex: number, dir: 'in' | 'out'): { data: Uint8Array; pkttype: number } {
  const ether = link === 'ether' && frame.length >= 14;
  const payload = ether ? frame.subarray(14) : frame;
  const out = new Uint8Array(20 + payload.length);
  const v = new DataView(out.buffer);
  const version = payload.length > 0 ? payload[0]! >> 4 : 0;
  const protocol = ether ? (frame[12]! << 8) | frame[13]! : version === 6 ? 0x86dd : 0x0800;
  let pkttype = SLL_OUTGOING;
  if (dir === 'in') {
    pkttype = SLL_HOST;
    if (ether && frame[0]! & 1) pkttype = frame.subarray(0, 6).every((b) => b === 0xff) ? SLL_BROADCAST : SLL_MULTICAST;
  }
  v.setUint16(0, protocol);
  v.setUint32(4, ifIndex);
  v.setUint16(8, ether ? ARPHRD_ETHER : link === 'loop' ? ARPHRD_LOOPBACK : ARPHRD_NONE);
  out[10] = pkttype;
  if (ether) {
    out[11] = 6;
    out.set(frame.subarray(6, 12), 12);
  }
  out.set(payload, 20);
  return { data: out, pkttype };
}

// ------------------------------------------------------------------ reading (tcpdump -r)

const SPB = 0x00000003;
const OBSOLETE_PB = 0x00000002;
/** libpcap's MAX_BLOCKSIZE: a bigger block is refused, not allocated. */
const MAX_BLOCK = 16 * 1024 * 1024;

export interface PcapngReadPacket extends PcapPacket {
  readonly interfaceId: number;
}

export interface PcapngFile {
  /** The first interface's: libpcap reads a file whose interfaces all share it. */
  readonly linkType: number;
  readonly snaplen: number;
  readonly interfaces: readonly { linkType: number; snaplen: number; name: string | null }[];
  readonly packets: PcapngReadPacket[];
}

/**
 * Read a pcapng file as libpcap does (sf-pcapng.c): the first section, packets from Enhanced and
 * Simple Packet Blocks, other blocks skipped; a file whose interfaces differ in link type or
 * snapshot length is read up to the interface that differs, then refused in libpcap's words.
 * An error before the first interface is reported with no packets (libpcap fails to open).
 */
export function readPcapng(bytes: Uint8Array): PcapngFile | PcapError {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12) return pcapError(`truncated pcapng dump file; tried to read 12 bytes, only got ${bytes.length}`, 0);
  let le: boolean;
  if (view.getUint32(8, true) === BYTE_ORDER_MAGIC) le = true;
  else if (view.getUint32(8, false) === BYTE_ORDER_MAGIC) le = false;
  else return pcapError('unknown file format', 0);
  const interfaces: { linkType: number; snaplen: number; name: string | null; tsresol: number }[] = [];
  const packets: PcapngReadPacket[] = [];
  let off = 0;
  for (;;) {
    if (off === bytes.length) break;
    const left = bytes.length - off;
    if (left < 8) return pcapError(`truncated pcapng dump file; tried to read 8 bytes, only got ${left}`, off, packets);
    const type = view.getUint32(off, le);
    const total = view.getUint32(off + 4, le);
    if (total < 12) return pcapError(`block in pcapng dump file has a length of ${total} < 12`, off, packets);
    if (total % 4 !== 0) return pcapError(`block in pcapng dump file has a length of ${total} that is not a multiple of 4`, off, packets);
    if (total > MAX_BLOCK) return pcapError(`pcapng block size ${total} > maximum ${MAX_BLOCK}`, off, packets);
    if (left < total) return pcapError(`truncated pcapng dump file; tried to read ${total - 8} bytes, only got ${left - 8}`, off, packets);
    const body = bytes.subarray(off + 8, off + total - 4);
    const bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const at = off;
    off += total;
    if (type === SHB) {
      // A second section starts: libpcap reads on only if it is laid out as the first.
      if (at !== 0 && bv.getUint32(0, le) !== BYTE_ORDER_MAGIC) return pcapError('the file has sections with different byte orders', at, packets);
      if (at !== 0) interfaces.length = 0;
      continue;
    }
    if (type === IDB) {
      if (body.length < 8) return pcapError(`block in pcapng dump file is too short for an Interface Description Block`, at, packets);
      const linkType = bv.getUint16(0, le);
      const snaplen = bv.getUint32(4, le);
      const first = interfaces[0];
      if (first && first.linkType !== linkType) return pcapError(`an interface has a type ${linkType} different from the type of the first interface`, at, packets);
      if (first && first.snaplen !== snaplen) return pcapError(`an interface has a snapshot length ${snaplen} different from the type of the first interface`, at, packets);
      const opts = readOptions(body.subarray(8), le);
      const resol = opts.get(IF_TSRESOL)?.[0] ?? 6;
      const name = opts.get(IF_NAME);
      interfaces.push({ linkType, snaplen, name: name ? new TextDecoder().decode(name) : null, tsresol: resol });
      continue;
    }
    if (type === EPB || type === SPB || type === OBSOLETE_PB) {
      if (interfaces.length === 0) return pcapError('the capture file has a packet block before any Interface Description Blocks', at, packets);
      let ifId = 0;
      let units = 0n;
      let caplen: number;
      let origLen: number;
      let dataAt: number;
      if (type === SPB) {
        origLen = bv.getUint32(0, le);
        caplen = Math.min(origLen, interfaces[0]!.snaplen || origLen, body.length - 4);
        dataAt = 4;
      } else {
        ifId = type === EPB ? bv.getUint32(0, le) : bv.getUint16(0, le);
        units = (BigInt(bv.getUint32(4, le)) << 32n) | BigInt(bv.getUint32(8, le));
        caplen = bv.getUint32(12, le);
        origLen = bv.getUint32(16, le);
        dataAt = 20;
      }
      const iface = interfaces[ifId];
      if (!iface) return pcapError(`a packet arrived on interface ${ifId}, but there's no Interface Description Block for that interface`, at, packets);
      if (caplen > body.length - dataAt) return pcapError(`truncated pcapng dump file; tried to read ${caplen} bytes, only got ${body.length - dataAt}`, at, packets);
      if (iface.snaplen !== 0 && caplen > iface.snaplen) return pcapError(`invalid packet capture length ${caplen}, bigger than snaplen of ${iface.snaplen}`, at, packets);
      const ns = toNanoseconds(units, iface.tsresol);
      packets.push({
        interfaceId: ifId,
        tsSec: Number(ns / 1_000_000_000n),
        tsNsec: Number(ns % 1_000_000_000n),
        tsUsec: Number((ns % 1_000_000_000n) / 1000n),
        origLen,
        data: new Uint8Array(body.subarray(dataAt, dataAt + caplen)),
      });
    }
    // Name resolution, statistics, custom and unknown blocks carry no packets: skipped.
  }
  if (interfaces.length === 0) return pcapError('the capture file has no Interface Description Blocks', bytes.length, packets);
  const first = interfaces[0]!;
  return { linkType: first.linkType, snaplen: first.snaplen === 0 ? 262144 : first.snaplen, interfaces, packets };
}

function readOptions(bytes: Uint8Array, le: boolean): Map<number, Uint8Array> {
  const opts = new Map<number, Uint8Array>();
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let off = 0; off + 4 <= bytes.length; ) {
    const code = v.getUint16(off, le);
    const len = v.getUint16(off + 2, le);
    if (code === OPT_ENDOFOPT || off + 4 + len > bytes.length) break;
    if (!opts.has(code)) opts.set(code, bytes.subarray(off + 4, off + 4 + len));
    off += 4 + pad4(len);
  }
  return opts;
}

/** if_tsresol: the high bit picks a power of two, else of ten; microseconds when absent. */
function toNanoseconds(units: bigint, tsresol: number): bigint {
  const n = BigInt(tsresol & 0x7f);
  if (tsresol & 0x80) return (units * 1_000_000_000n) >> n;
  return n <= 9n ? units * 10n ** (9n - n) : units / 10n ** (n - 9n);
}
