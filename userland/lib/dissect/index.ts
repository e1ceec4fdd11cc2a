// One-line packet summaries in tcpdump's words (4.99, with -n semantics: tunlab has no name
// service, so addresses, ports and protocols are always numeric), and tcpdump's hex dumps. One file
// a protocol, as in tcpdump's print-*.c; this one is the whole public face, so callers need not know
// the split.
//
// Decoded: Ethernet II with 802.1Q tags, BSD loopback, raw IP and Linux cooked (SLL2) links; ARP/RARP; IPv4 (options
// named in -v); every ICMP type tcpdump names, with the quoted datagram in -v; WireGuard in UDP
// (wireguard.ts, in Wireshark's words, which tcpdump 4.99 lacks); UDP (no other application
// decoders: every port is `UDP, length N`, where tcpdump would decode DNS, BOOTP, NTP ... by port);
// TCP (flags, sequence numbers, common options; no application decoders); IPv6 (fixed header, UDP,
// ICMPv6 echo and neighbour discovery). 802.3/LLC frames are named but not decoded, and other
// EtherTypes and IP protocols are hex-dumped or given as `ip-proto-N`, as tcpdump does for what it
// does not know. Every expected line in the tests was checked against real tcpdump 4.99.3.

import { hexDump } from './format.js';
import { ipPrint } from './ipv4.js';
import { etherPrint, nullPrint, rawPrint, sll2Print } from './link.js';
import { type DissectOptions, type LinkKind, Printer, type PduLayer, Truncated } from './printer.js';

export { formatIpv6, formatTimestamp, hexDump, splitTime } from './format.js';
export { IPPROTO_NAMES } from './ipv4.js';
export type { DissectOptions, LinkKind, PduLayer } from './printer.js';

export interface Dissection {
  /** The summary, without timestamp or final newline (it may contain newlines in -v). */
  text: string;
  /** Bytes of link-level header the printer consumed (what -x skips; -xx shows it). */
  linkHeaderLen: number;
  /** Each header met, with its fields, when `layers` was asked for. */
  layers?: PduLayer[];
}

/** Summarise one captured packet. `origLen` is its length on the wire (more than data.length when
 * the capture was cut at the snapshot length). Never throws. */
export function dissect(data: Uint8Array, opts: DissectOptions, origLen: number = data.length): Dissection {
  const p = new Printer(data, opts);
  p.ipPrint = (off, length) => ipPrint(p, off, length);
  const wireLen = Math.max(origLen, data.length);
  try {
    if (opts.link === 'ether') etherPrint(p, wireLen);
    else if (opts.link === 'null') nullPrint(p, wireLen);
    else if (opts.link === 'sll2') sll2Print(p, wireLen);
    else rawPrint(p, wireLen);
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    p.print(` [|${p.protocol}]`);
    if (e.hard) p.llHdrLen = 0;
  }
  return p.layers ? { text: p.out, linkHeaderLen: p.llHdrLen, layers: p.layers } : { text: p.out, linkHeaderLen: p.llHdrLen };
}

/** A packet's headers, each with its fields, as the same printers decode it for the summary. */
export function dissectLayers(data: Uint8Array, link: LinkKind): PduLayer[] {
  return dissect(data, { link, layers: true }).layers ?? [];
}

export interface LineOptions extends DissectOptions {
  /** -x: 1, -xx: 2 (hex of the packet; 2 includes the link header). */
  hex?: number;
  /** -X: 1, -XX: 2 (hex and ASCII). Wins over `hex`, as in tcpdump. */
  hexAscii?: number;
}

/** One packet as tcpdump prints it: timestamp (none when `stamp` is empty, as with -t), summary,
 * any hex dump, newline. */
export function packetLine(stamp: string, data: Uint8Array, opts: LineOptions, origLen: number = data.length): string {
  const dumps = (opts.hexAscii ?? 0) > 0 || (opts.hex ?? 0) > 0;
  const d = dissect(data, { ...opts, suppressDefaultPrint: opts.suppressDefaultPrint ?? dumps }, origLen);
  let s = stamp ? `${stamp} ${d.text}` : d.text;
  const level = (opts.hexAscii ?? 0) > 0 ? opts.hexAscii! : (opts.hex ?? 0);
  if (level > 0) {
    const ascii = (opts.hexAscii ?? 0) > 0;
    if (level > 1) s += hexDump(data, ascii);
    else if (data.length > d.linkHeaderLen) s += hexDump(data.subarray(d.linkHeaderLen), ascii);
  }
  return `${s}\n`;
}
