// The state every protocol printer shares for one packet: the bytes, the output so far and how far
// they may be read.
//
// The printers follow tcpdump's netdissect structure: every read is bounded by the captured length
// (the "snapend"), and a read past it abandons the packet with tcpdump's ` [|proto]` marker, the
// name of the protocol being printed when the bytes ran out. IP narrows the bound to its total
// length, as nd_push_snaplen() does, so Ethernet padding is never taken for payload. Bytes the
// printers cannot make sense of give tcpdump's own complaints (`truncated-ip - N bytes missing!`,
// `bad-hlen`, `truncated-udplength` ...); dissect() catches the unwinding and never throws.

import { formatIpv4, formatMac } from '../../../kernel/abi/wire/index.js';
import { formatIpv6, hexDump } from './format.js';

/** ether: Ethernet II frames (LINKTYPE_ETHERNET); raw: bare IPv4/IPv6 packets (LINKTYPE_RAW);
 * null: BSD loopback, a 4-byte address family in the writer's byte order first (LINKTYPE_NULL). */
export type LinkKind = 'ether' | 'raw' | 'null' | 'sll2';

export interface DissectOptions {
  /** How the capture's bytes start: an Ethernet header, or a bare IP packet (tun, loop). */
  link: LinkKind;
  /** -e: print the link-level header. */
  linkHeader?: boolean;
  /** Number of -v flags. */
  verbose?: number;
  /** -q: less protocol information. */
  quiet?: boolean;
  /** -x/-X was given: payloads nobody decodes are not hex-dumped a second time (tcpdump's
   * suppress_default_print). */
  suppressDefaultPrint?: boolean;
  /** tcpdump's TCP conversation table, kept by the caller across packets so that sequence numbers
   * print relative to the first ones seen (absent: absolute numbers, as with -S). */
  tcpConversations?: Map<string, { seq: number; ack: number }>;
  /** Collect each header met, with its fields (Dissection.layers), for a details pane. */
  layers?: boolean;
}

/** One header of a packet as a details pane shows it (Packet Tracer's PDU details, Wireshark's tree). */
export interface PduLayer {
  name: string;
  fields: Array<[string, string]>;
  /** Where the layer starts in the bytes, and its header's length. */
  offset: number;
  length: number;
}

/**
 * A read ran past the captured bytes: unwinds to the top-level printer. tcpdump has two kinds, and
 * -x tells them apart: a failed GET_ macro longjmps out and the dump then starts at the link header
 * (TRUNCATED), while a printer's own length check prints the marker and returns normally, so the
 * dump still skips the link header (SOFT_TRUNCATED).
 */
export class Truncated {
  constructor(readonly hard: boolean) {}
}
export const TRUNCATED = new Truncated(true);
export const SOFT_TRUNCATED = new Truncated(false);

/** The printer state of one packet: the bytes, the output so far and the readable bound. */
export class Printer {
  out = '';
  /** The protocol being printed, for the truncation marker. */
  protocol = '';
  /** Bytes of link header consumed. */
  llHdrLen = 0;
  snapend: number;
  private readonly saved: number[] = [];
  readonly verbose: number;
  readonly eflag: boolean;
  readonly qflag: boolean;
  readonly suppressDefault: boolean;
  readonly tcpConversations: Map<string, { seq: number; ack: number }> | undefined;
  /** The headers met so far, when the caller asked for them (null: nobody reads them). */
  readonly layers: PduLayer[] | null;
  /**
   * Prints an IPv4 datagram at off (ipv4.ts's printer, set by the dissector): ICMP prints the one
   * its error quotes through this, so icmp.ts need not import the IP printer that imports it.
   */
  ipPrint: (off: number, length: number) => void = () => {};

  constructor(
    readonly b: Uint8Array,
    opts: DissectOptions,
  ) {
    this.snapend = b.length;
    this.verbose = opts.verbose ?? 0;
    this.eflag = opts.linkHeader ?? false;
    this.qflag = opts.quiet ?? false;
    this.suppressDefault = (opts.suppressDefaultPrint ?? false) || this.qflag;
    this.tcpConversations = opts.tcpConversations;
    this.layers = opts.layers ? [] : null;
  }

  /**
   * A header the printer met at `off`, `length` bytes: its fields are read only when the caller
   * asked for layers, and a header cut short by the capture says so instead of its fields.
   */
  layer(name: string, off: number, length: number, fields: () => Array<[string, string]> = () => []): void {
    if (this.layers === null) return;
    let f: Array<[string, string]>;
    try {
      f = fields();
    } catch (e) {
      if (!(e instanceof Truncated)) throw e;
      f = [['truncated', `${this.available(off)} of ${length} bytes captured`]];
    }
    this.layers.push({ name, fields: f, offset: off, length });
  }

  print(s: string): void {
    this.out += s;
  }

  has(off: number, n: number): boolean {
    return off >= 0 && off + n <= this.snapend;
  }

  check(off: number, n: number): void {
    if (!this.has(off, n)) throw TRUNCATED;
  }

  /** A printer's own bounds check (ND_TCHECK): the packet ends with the marker, no longjmp. */
  checkSoft(off: number, n: number): void {
    if (!this.has(off, n)) throw SOFT_TRUNCATED;
  }

  u8(off: number): number {
    this.check(off, 1);
    return this.b[off]!;
  }

  u16(off: number): number {
    this.check(off, 2);
    return (this.b[off]! << 8) | this.b[off + 1]!;
  }

  u32(off: number): number {
    this.check(off, 4);
    return ((this.b[off]! << 24) | (this.b[off + 1]! << 16) | (this.b[off + 2]! << 8) | this.b[off + 3]!) >>> 0;
  }

  ipaddr(off: number): string {
    return formatIpv4(this.u32(off));
  }

  mac(off: number): string {
    this.check(off, 6);
    let n = 0;
    for (let i = 0; i < 6; i++) n = n * 256 + this.b[off + i]!;
    return formatMac(n);
  }

  ip6addr(off: number): string {
    this.check(off, 16);
    return formatIpv6(this.b.subarray(off, off + 16));
  }

  /** Narrow the readable bytes to [start, start+len) for an inner protocol (nd_push_snaplen). */
  pushSnaplen(start: number, len: number): void {
    this.saved.push(this.snapend);
    this.snapend = Math.min(this.snapend, start + len);
  }

  popSnaplen(): void {
    const s = this.saved.pop();
    if (s !== undefined) this.snapend = s;
  }

  /** Bytes readable from `off` (ND_BYTES_AVAILABLE_AFTER). */
  available(off: number): number {
    return Math.max(0, this.snapend - off);
  }

  /** tcpdump's default printer: the bytes nobody decodes, as a hex dump (unless -x/-X shows it all). */
  defaultPrint(off: number, length: number, always = false): void {
    if (this.suppressDefault && !always) return;
    const n = Math.min(length, this.available(off));
    this.print(hexDump(this.b.subarray(off, off + n), true));
    if (n < length) throw TRUNCATED;
  }
}

/** The source and destination of the IP header at `ipOff`, for the transport printers. */
export function ipAddrs(p: Printer, ver: 4 | 6, ipOff: number): [string, string] {
  return ver === 4 ? [p.ipaddr(ipOff + 12), p.ipaddr(ipOff + 16)] : [p.ip6addr(ipOff + 8), p.ip6addr(ipOff + 24)];
}
