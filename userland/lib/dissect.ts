// One-line packet summaries in tcpdump's words (4.99, with -n semantics: tunlab has no name
// service, so addresses, ports and protocols are always numeric), and tcpdump's hex dumps.
//
// The printers follow tcpdump's netdissect structure: every read is bounded by the captured length
// (the "snapend"), and a read past it abandons the packet with tcpdump's ` [|proto]` marker, the
// name of the protocol being printed when the bytes ran out. IP narrows the bound to its total
// length, as nd_push_snaplen() does, so Ethernet padding is never taken for payload. Bytes the
// printers cannot make sense of give tcpdump's own complaints (`truncated-ip - N bytes missing!`,
// `bad-hlen`, `truncated-udplength` ...); the public functions never throw.
//
// Decoded: Ethernet II with 802.1Q tags, BSD loopback and raw IP links; ARP/RARP; IPv4 (options
// named in -v); every ICMP type tcpdump names, with the quoted datagram in -v; UDP (no application
// decoders: every port is `UDP, length N`, where tcpdump would decode DNS, BOOTP, NTP ... by port);
// TCP (flags, sequence numbers, common options; no application decoders); IPv6 (fixed header, UDP,
// ICMPv6 echo and neighbour discovery). 802.3/LLC frames are named but not decoded, and other
// EtherTypes and IP protocols are hex-dumped or given as `ip-proto-N`, as tcpdump does for what it
// does not know. Every expected line in the tests was checked against real tcpdump 4.99.3.

import { formatIpv4, formatMac } from '../../kernel/abi/packets.js';

/** ether: Ethernet II frames (LINKTYPE_ETHERNET); raw: bare IPv4/IPv6 packets (LINKTYPE_RAW);
 * null: BSD loopback, a 4-byte address family in the writer's byte order first (LINKTYPE_NULL). */
export type LinkKind = 'ether' | 'raw' | 'null';

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
}

export interface Dissection {
  /** The summary, without timestamp or final newline (it may contain newlines in -v). */
  text: string;
  /** Bytes of link-level header the printer consumed (what -x skips; -xx shows it). */
  linkHeaderLen: number;
}

/**
 * A read ran past the captured bytes: unwinds to the top-level printer. tcpdump has two kinds, and
 * -x tells them apart: a failed GET_ macro longjmps out and the dump then starts at the link header
 * (TRUNCATED), while a printer's own length check prints the marker and returns normally, so the
 * dump still skips the link header (SOFT_TRUNCATED).
 */
class Truncated {
  constructor(readonly hard: boolean) {}
}
const TRUNCATED = new Truncated(true);
const SOFT_TRUNCATED = new Truncated(false);

const ETHER_HDRLEN = 14;
const MAX_ETHERNET_LENGTH_VAL = 1500;

const ETHERTYPE_NAMES: Readonly<Record<number, string>> = {
  0x0200: 'PUP',
  0x0800: 'IPv4',
  0x0806: 'ARP',
  0x22f0: 'AVTP',
  0x8035: 'Reverse ARP',
  0x809b: 'Appletalk',
  0x80f3: 'Appletalk ARP',
  0x8100: '802.1Q',
  0x8137: 'IPX',
  0x86dd: 'IPv6',
  0x8808: 'MAC control',
  0x8809: 'Slow Protocols',
  0x880b: 'PPP',
  0x8847: 'MPLS unicast',
  0x8848: 'MPLS multicast',
  0x8863: 'PPPoE D',
  0x8864: 'PPPoE S',
  0x888e: 'EAPOL',
  0x88a8: '802.1Q-QinQ',
  0x88cc: 'LLDP',
  0x88e5: 'MACsec',
  0x88f7: 'PTP',
  0x8902: 'CFM',
  0x9000: 'Loopback',
  0x9100: '802.1Q-9100',
};

/** tcpdump's ipproto_values: the protocol names of -v. */
export const IPPROTO_NAMES: Readonly<Record<number, string>> = {
  0: 'Options',
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  8: 'EGP',
  9: 'IGRP',
  17: 'UDP',
  33: 'DCCP',
  41: 'IPv6',
  43: 'Routing',
  44: 'Fragment',
  46: 'RSVP',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  55: 'Mobile IP',
  58: 'ICMPv6',
  60: 'Destination',
  62: 'Mobile IP (old)',
  77: 'ND',
  88: 'EIGRP',
  89: 'OSPF',
  103: 'PIM',
  108: 'Compressed IP',
  112: 'VRRP',
  113: 'PGM',
  132: 'SCTP',
  135: 'Mobility',
  254: 'ETHERNET',
};

const ARPHRD_NAMES: Readonly<Record<number, string>> = {
  1: 'Ethernet',
  6: 'TokenRing',
  7: 'ArcNet',
  15: 'FrameRelay',
  16: 'ATM',
  19: 'ATM',
  24: 'IEEE1394',
  27: 'EUI-64',
  32: 'InfiniBand',
};

const ARPOP_NAMES: Readonly<Record<number, string>> = {
  1: 'Request',
  2: 'Reply',
  3: 'Reverse Request',
  4: 'Reverse Reply',
  8: 'Inverse Request',
  9: 'Inverse Reply',
  10: 'NACK Reply',
};

const ICMP_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'echo reply',
  4: 'source quench',
  8: 'echo request',
  10: 'router solicitation',
  13: 'time stamp request',
  14: 'time stamp reply',
  15: 'information request',
  16: 'information reply',
  17: 'address mask request',
};

/** Destination unreachable codes other than protocol, port and need-frag: "%s" is the address. */
const UNREACH_FORMATS: Readonly<Record<number, string>> = {
  0: 'net %s unreachable',
  1: 'host %s unreachable',
  5: '%s unreachable - source route failed',
  6: 'net %s unreachable - unknown',
  7: 'host %s unreachable - unknown',
  8: '%s unreachable - source host isolated',
  9: 'net %s unreachable - admin prohibited',
  10: 'host %s unreachable - admin prohibited',
  11: 'net %s unreachable - tos prohibited',
  12: 'host %s unreachable - tos prohibited',
  13: 'host %s unreachable - admin prohibited filter',
  14: 'host %s unreachable - host precedence violation',
  15: 'host %s unreachable - precedence cutoff',
};

const REDIRECT_FORMATS: Readonly<Record<number, string>> = {
  0: 'redirect %s to net %s',
  1: 'redirect %s to host %s',
  2: 'redirect-tos %s to net %s',
  3: 'redirect-tos %s to host %s',
};

const IP_OPTION_NAMES: Readonly<Record<number, string>> = {
  0: 'EOL',
  1: 'NOP',
  7: 'RR',
  68: 'TS',
  130: 'security',
  131: 'LSRR',
  133: 'E-SEC',
  134: 'CIPSO',
  137: 'SSRR',
  136: 'SATID',
  148: 'RA',
};

const ICMP6_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'destination unreachable',
  2: 'packet too big',
  3: 'time exceeded in-transit',
  4: 'parameter problem',
  128: 'echo request',
  129: 'echo reply',
  130: 'multicast listener query',
  131: 'multicast listener report',
  132: 'multicast listener done',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  137: 'redirect',
  143: 'multicast listener report v2',
};

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** The printer state of one packet: the bytes, the output so far and the readable bound. */
class Printer {
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

/** Summarise one captured packet. `origLen` is its length on the wire (more than data.length when
 * the capture was cut at the snapshot length). Never throws. */
export function dissect(data: Uint8Array, opts: DissectOptions, origLen: number = data.length): Dissection {
  const p = new Printer(data, opts);
  const wireLen = Math.max(origLen, data.length);
  try {
    if (opts.link === 'ether') etherPrint(p, wireLen);
    else if (opts.link === 'null') nullPrint(p, wireLen);
    else rawPrint(p, wireLen);
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    p.print(` [|${p.protocol}]`);
    if (e.hard) p.llHdrLen = 0;
  }
  return { text: p.out, linkHeaderLen: p.llHdrLen };
}

// ---------------------------------------------------------------- link layers

function etherTypePrint(p: Printer, type: number): void {
  const name = ETHERTYPE_NAMES[type];
  if (!p.qflag) p.print(`ethertype ${name ?? 'Unknown'} (0x${hex(type, 4)})`);
  else p.print(name ?? `Unknown Ethertype (0x${hex(type, 4)})`);
}

function etherPrint(p: Printer, length: number): void {
  p.protocol = 'ether';
  const caplen = p.b.length;
  if (caplen < ETHER_HDRLEN || length < ETHER_HDRLEN) {
    p.llHdrLen = caplen;
    throw SOFT_TRUNCATED;
  }
  const addresses = () => p.print(`${p.mac(6)} > ${p.mac(0)}, `);
  if (p.eflag) addresses();
  let type = p.u16(12);
  let off = ETHER_HDRLEN;
  p.llHdrLen = ETHER_HDRLEN;
  if (type <= MAX_ETHERNET_LENGTH_VAL) {
    // An IEEE 802.3 frame: the field is a length and an LLC header follows. Named, not decoded.
    if (p.eflag) p.print(`802.3, length ${type}: `);
    p.protocol = 'llc';
    if (!p.has(14, 2)) throw SOFT_TRUNCATED;
    p.print(`LLC, dsap 0x${hex(p.u8(14), 2)}, ssap 0x${hex(p.u8(15), 2)}, length ${type}`);
    return;
  }
  if (p.eflag) {
    etherTypePrint(p, type);
    p.print(`, length ${length}: `);
  }
  // 802.1Q tags (and QinQ): shown with -e, then the EtherType they carry.
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
    p.protocol = 'vlan';
    if (!p.has(off, 4)) throw SOFT_TRUNCATED;
    const tci = p.u16(off);
    if (p.eflag) p.print(`vlan ${tci & 0xfff}, p ${tci >> 13}${tci & 0x1000 ? ', DEI' : ''}, `);
    type = p.u16(off + 2);
    if (p.eflag) {
      etherTypePrint(p, type);
      p.print(', ');
    }
    off += 4;
    p.llHdrLen = off;
  }
  if (!etherTypeBody(p, type, off, length - off)) {
    if (!p.eflag) {
      addresses();
      etherTypePrint(p, type);
      p.print(`, length ${length}: `);
    }
    p.defaultPrint(off, Math.min(length, p.b.length) - off);
  }
}

/** Print what an EtherType carries; false when nothing here knows the type (ethertype_print). */
function etherTypeBody(p: Printer, type: number, off: number, length: number): boolean {
  switch (type) {
    case 0x0800:
      ipPrint(p, off, length);
      return true;
    case 0x86dd:
      ip6Print(p, off, length);
      return true;
    case 0x0806:
    case 0x8035:
      arpPrint(p, off, length);
      return true;
    default:
      return false;
  }
}

/** LINKTYPE_RAW: an IPv4 or IPv6 packet, told apart by its version nibble (ipN_print). */
function rawPrint(p: Printer, length: number): void {
  p.protocol = 'raw_if';
  if (p.eflag) p.print('ip: ');
  p.protocol = 'ipn';
  if (length < 1) {
    p.print(`truncated-ip ${length}`);
    return;
  }
  const v = p.u8(0) & 0xf0;
  if (v === 0x40) ipPrint(p, 0, length);
  else if (v === 0x60) ip6Print(p, 0, length);
  else p.print(`unknown ip ${v >> 4}`);
}

const BSD_AF_NAMES: Readonly<Record<number, string>> = {
  2: 'IPv4',
  7: 'OSI',
  16: 'Appletalk',
  23: 'IPX',
  24: 'IPv6',
  28: 'IPv6',
  30: 'IPv6',
};

/** LINKTYPE_NULL: the family word is in the capturing machine's byte order; a value with high bits
 * set must have come from the other order (null_if_print). */
function nullPrint(p: Printer, length: number): void {
  p.protocol = 'null';
  const caplen = p.b.length;
  if (caplen < 4) throw TRUNCATED;
  let family = (p.b[0]! | (p.b[1]! << 8) | (p.b[2]! << 16) | (p.b[3]! << 24)) >>> 0;
  if (family & 0xffff0000) family = ((p.b[0]! << 24) | (p.b[1]! << 16) | (p.b[2]! << 8) | p.b[3]!) >>> 0;
  const header = (len: number) => {
    const name = BSD_AF_NAMES[family];
    p.print(p.qflag ? (name ?? `Unknown AF ${family}`) : `AF ${name ?? 'Unknown'} (${family})`);
    p.print(`, length ${len}: `);
  };
  if (p.eflag) header(length);
  p.llHdrLen = 4;
  if (family === 2) ipPrint(p, 4, length - 4);
  else if (family === 24 || family === 28 || family === 30) ip6Print(p, 4, length - 4);
  else {
    if (!p.eflag) header(length);
    p.defaultPrint(4, caplen - 4);
  }
}

// ---------------------------------------------------------------- ARP

function isNonzero(p: Printer, off: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (p.u8(off + i) !== 0) return true;
  return false;
}

function linkaddr(p: Printer, off: number, len: number): string {
  if (len === 6) return p.mac(off);
  if (len === 0) return '<empty>';
  p.check(off, len);
  const parts: string[] = [];
  for (let i = 0; i < len; i++) parts.push(hex(p.b[off + i]!, 2));
  return parts.join(':');
}

function arpPrint(p: Printer, off: number, length: number): void {
  p.protocol = 'arp';
  p.check(off, 8);
  const hrd = p.u16(off);
  const pro = p.u16(off + 2);
  const hln = p.u8(off + 4);
  const pln = p.u8(off + 5);
  const op = p.u16(off + 6);
  const sha = off + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  p.check(tpa, pln);
  if (!p.eflag) p.print('ARP, ');
  const isIp = (pro === 0x0800 || pro === 0x1000) && pln === 4;
  if (!isIp || hln === 0 || p.verbose > 0) {
    p.print(
      `${ARPHRD_NAMES[hrd] ?? `Unknown Hardware (${hrd})`} (len ${hln}), ` +
        `${ETHERTYPE_NAMES[pro] ?? `Unknown Protocol (0x${hex(pro, 4)})`} (len ${pln})`,
    );
    if (p.verbose === 0) {
      p.print(`, length ${length}`);
      return;
    }
  }
  const protoAddr = (at: number): string => {
    if (pro !== 0x0800 && pro !== 0x1000) return '<wrong proto type>';
    if (pln !== 4) return '<wrong len>';
    return p.ipaddr(at);
  };
  p.print(`${p.verbose > 0 ? ', ' : ''}${ARPOP_NAMES[op] ?? `Unknown (${op})`} `);
  switch (op) {
    case 1:
      p.print(`who-has ${protoAddr(tpa)}`);
      if (isNonzero(p, tha, hln)) p.print(` (${linkaddr(p, tha, hln)})`);
      p.print(` tell ${protoAddr(spa)}`);
      break;
    case 2:
      p.print(`${protoAddr(spa)} is-at ${linkaddr(p, sha, hln)}`);
      break;
    case 3:
      p.print(`who-is ${linkaddr(p, tha, hln)} tell ${linkaddr(p, sha, hln)}`);
      break;
    case 4:
      p.print(`${linkaddr(p, tha, hln)} at ${protoAddr(tpa)}`);
      break;
    case 8:
      p.print(`who-is ${linkaddr(p, tha, hln)} tell ${linkaddr(p, sha, hln)}`);
      break;
    case 9:
      p.print(`${linkaddr(p, sha, hln)} at ${protoAddr(spa)}`);
      break;
    default:
      // ARP's own fallback dumps even under -x/-q (its ND_DEFAULTPRINT is unconditional).
      p.defaultPrint(off, length, true);
      return;
  }
  p.print(`, length ${length}`);
}

// ---------------------------------------------------------------- IPv4

function ipOptionsPrint(p: Printer, off: number, length: number): void {
  let sep = '';
  while (length > 0) {
    p.print(sep);
    sep = ',';
    const code = p.u8(off);
    p.print(IP_OPTION_NAMES[code] ?? `unknown ${code}`);
    let optLen: number;
    if (code === 0 || code === 1) optLen = 1;
    else {
      optLen = p.u8(off + 1);
      if (optLen < 2) {
        p.print(` [bad length ${optLen}]`);
        return;
      }
    }
    if (optLen > length) {
      p.print(` [bad length ${optLen}]`);
      return;
    }
    p.check(off, optLen);
    if (code === 0) return;
    if (code === 148) {
      if (optLen < 4) p.print(` [bad length ${optLen}]`);
      else if (p.u16(off + 2) !== 0) p.print(` value ${p.u16(off + 2)}`);
    }
    off += optLen;
    length -= optLen;
  }
}

function ipPrint(p: Printer, off: number, length: number): void {
  p.protocol = 'ip';
  const version = p.u8(off) >> 4;
  if (version !== 4) {
    p.print(version === 6 ? 'IP6, wrong link-layer encapsulation' : `IP${version}`);
    p.print(' (invalid)');
    return;
  }
  if (!p.eflag) p.print('IP ');
  if (!p.has(off, 20)) throw SOFT_TRUNCATED;
  if (length < 20) {
    p.print(`truncated-ip ${length}`);
    return;
  }
  const hlen = (p.u8(off) & 0x0f) * 4;
  if (hlen < 20) {
    p.print(`bad-hlen ${hlen}`);
    return;
  }
  let len = p.u16(off + 2);
  if (len > length) p.print(`truncated-ip - ${len - length} bytes missing! `);
  if (len < hlen) {
    p.print(`bad-len ${len}`);
    return;
  }
  p.pushSnaplen(off, Math.min(length, len));
  len -= hlen;
  const fragWord = p.u16(off + 6);
  const fragOff = (fragWord & 0x1fff) * 8;
  const proto = p.u8(off + 9);
  if (p.verbose > 0) {
    const tos = p.u8(off + 1);
    p.print(`(tos 0x${tos.toString(16)}`);
    p.print(['', ',ECT(1)', ',ECT(0)', ',CE'][tos & 3]!);
    const ttl = p.u8(off + 8);
    if (ttl >= 1) p.print(`, ttl ${ttl}`);
    const flags: string[] = [];
    if (fragWord & 0x2000) flags.push('+');
    if (fragWord & 0x4000) flags.push('DF');
    if (fragWord & 0x8000) flags.push('rsvd');
    p.print(`, id ${p.u16(off + 4)}, offset ${fragOff}, flags [${flags.length ? flags.join(', ') : 'none'}]`);
    p.print(`, proto ${IPPROTO_NAMES[proto] ?? 'unknown'} (${proto}), length ${p.u16(off + 2)}`);
    if (hlen > 20) {
      p.print(', options (');
      ipOptionsPrint(p, off + 20, hlen - 20);
      p.print(')');
    }
    if (p.has(off, hlen) && checksum(p.b, off, off + hlen) !== 0) {
      const sum = p.u16(off + 10);
      p.print(`, bad cksum ${sum.toString(16)} (->${shouldBe(sum, checksum(p.b, off, off + hlen)).toString(16)})!`);
    }
    p.print(')\n    ');
  }
  const src = p.ipaddr(off + 12);
  const dst = p.ipaddr(off + 16);
  if (fragOff === 0) {
    if (proto !== 6 && proto !== 17 && proto !== 132 && proto !== 33) p.print(`${src} > ${dst}: `);
    if (!p.has(off, hlen)) {
      p.print(` [remaining caplen(${p.available(off)}) < header length(${hlen})]`);
      throw TRUNCATED;
    }
    ipDemux(p, off + hlen, len, 4, (fragWord & 0x2000) !== 0, proto, off);
  } else {
    p.print(`${src} > ${dst}: ip-proto-${proto}`);
  }
  p.popSnaplen();
}

/** Hand an IP payload to its protocol's printer (ip_demux_print); `ipOff` is the IP header. */
function ipDemux(p: Printer, off: number, length: number, ver: 4 | 6, fragmented: boolean, nh: number, ipOff: number): void {
  switch (nh) {
    case 1:
      if (ver === 4) {
        icmpPrint(p, off, length, fragmented);
        return;
      }
      break;
    case 17:
      udpPrint(p, off, length, ver, ipOff, fragmented);
      return;
    case 58:
      if (ver === 6) {
        icmp6Print(p, off, length, ipOff);
        return;
      }
      break;
    case 6:
      tcpPrint(p, off, length, ver, ipOff, fragmented);
      return;
    case 59:
      if (ver === 6) {
        p.print('no next header');
        return;
      }
      break;
  }
  p.print(` ip-proto-${nh} ${length}`);
}

// ---------------------------------------------------------------- ICMP

function fmt(format: string, ...args: string[]): string {
  let i = 0;
  return format.replace(/%s/g, () => args[i++] ?? '');
}

function icmpPrint(p: Printer, off: number, plen: number, fragmented: boolean): void {
  p.protocol = 'icmp';
  const type = p.u8(off);
  const code = p.u8(off + 1);
  const quotedDst = () => p.ipaddr(off + 8 + 16);
  let str: string;
  switch (type) {
    case 8:
    case 0:
      str = `echo ${type === 8 ? 'request' : 'reply'}, id ${p.u16(off + 4)}, seq ${p.u16(off + 6)}`;
      break;
    case 3:
      switch (code) {
        case 2:
          str = `${quotedDst()} protocol ${p.u8(off + 8 + 9)} unreachable`;
          break;
        case 3: {
          const oip = off + 8;
          p.checkSoft(oip + 9, 1);
          const ohlen = (p.u8(oip) & 0x0f) * 4;
          const dport = p.u16(oip + ohlen + 2);
          const oproto = p.u8(oip + 9);
          const dst = p.ipaddr(oip + 16);
          if (oproto === 6) str = `${dst} tcp port ${dport} unreachable`;
          else if (oproto === 17) str = `${dst} udp port ${dport} unreachable`;
          else str = `${dst} protocol ${oproto} port ${dport} unreachable`;
          break;
        }
        case 4: {
          const mtu = p.u16(off + 6);
          str = mtu ? `${quotedDst()} unreachable - need to frag (mtu ${mtu})` : `${quotedDst()} unreachable - need to frag`;
          break;
        }
        default: {
          const f = UNREACH_FORMATS[code];
          str = f !== undefined ? fmt(f, quotedDst()) : `${quotedDst()} unreachable - #${code}`;
        }
      }
      break;
    case 5: {
      const f = REDIRECT_FORMATS[code];
      const dst = quotedDst();
      const gw = p.ipaddr(off + 4);
      str = f !== undefined ? fmt(f, dst, gw) : `redirect-#${code} ${dst} to ${gw}`;
      break;
    }
    case 9: {
      str = 'router advertisement';
      p.checkSoft(off + 4, 4);
      const lifetime = p.u16(off + 6);
      str += ' lifetime ';
      if (lifetime < 60) str += `${lifetime}`;
      else if (lifetime < 3600) str += `${Math.floor(lifetime / 60)}:${String(lifetime % 60).padStart(2, '0')}`;
      else
        str += `${Math.floor(lifetime / 3600)}:${String(Math.floor((lifetime % 3600) / 60)).padStart(2, '0')}:${String(lifetime % 60).padStart(2, '0')}`;
      let num = p.u8(off + 4);
      str += ` ${num}:`;
      const size = p.u8(off + 5);
      if (size !== 2) {
        str += ` [size ${size}]`;
        break;
      }
      let at = off + 8;
      while (num-- > 0) {
        p.checkSoft(at, 8);
        str += ` {${p.ipaddr(at)} ${p.u32(at + 4)}}`;
        at += 8;
      }
      break;
    }
    case 11:
      p.checkSoft(off + 8 + 16, 4);
      str = code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : `time exceeded-#${code}`;
      break;
    case 12:
      str = code ? `parameter problem - code ${code}` : `parameter problem - octet ${p.u8(off + 4)}`;
      break;
    case 18:
      str = `address mask is 0x${hex(p.u32(off + 8), 8)}`;
      break;
    case 13:
      str = `time stamp query id ${p.u16(off + 4)} seq ${p.u16(off + 6)}`;
      break;
    case 14:
      p.checkSoft(off + 16, 4);
      str =
        `time stamp reply id ${p.u16(off + 4)} seq ${p.u16(off + 6)}: org ${icmpTstamp(p.u32(off + 8))}` +
        `, recv ${icmpTstamp(p.u32(off + 12))}, xmit ${icmpTstamp(p.u32(off + 16))}`;
      break;
    default:
      str = ICMP_TYPE_NAMES[type] ?? `type-#${type}`;
  }
  p.print(`ICMP ${str}, length ${plen}`);
  if (p.verbose > 0 && !fragmented && p.has(off, plen)) {
    const sum = checksum(p.b, off, off + plen);
    if (sum !== 0) {
      const field = p.u16(off + 2);
      p.print(` (wrong icmp cksum ${field.toString(16)} (->${shouldBe(field, sum).toString(16)})!)`);
    }
  }
  const isError = type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
  if (p.verbose > 0 && isError) {
    // The quoted datagram, printed as a packet of its own (its total length bounds it).
    const inner = off + 8;
    p.print('\n\t');
    const innerLen = p.u16(inner + 2);
    p.pushSnaplen(inner, innerLen);
    try {
      ipPrint(p, inner, innerLen);
    } finally {
      p.popSnaplen();
    }
    p.protocol = 'icmp';
  }
}

function icmpTstamp(ms: number): string {
  const msec = ms % 1000;
  let sec = Math.floor(ms / 1000);
  let min = Math.floor(sec / 60);
  sec -= min * 60;
  const hrs = Math.floor(min / 60);
  min -= hrs * 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(hrs)}:${two(min)}:${two(sec)}.${String(msec).padStart(3, '0')}`;
}

// ---------------------------------------------------------------- UDP and TCP

function ipAddrs(p: Printer, ver: 4 | 6, ipOff: number): [string, string] {
  return ver === 4 ? [p.ipaddr(ipOff + 12), p.ipaddr(ipOff + 16)] : [p.ip6addr(ipOff + 8), p.ip6addr(ipOff + 24)];
}

function udpPrint(p: Printer, off: number, length: number, ver: 4 | 6, ipOff: number, fragmented: boolean): void {
  p.protocol = 'udp';
  const [src, dst] = ipAddrs(p, ver, ipOff);
  const addrs = (sport?: number, dport?: number) =>
    p.print(sport === undefined ? `${src} > ${dst}: ` : `${src}.${sport} > ${dst}.${dport}: `);
  if (!p.has(off + 2, 2)) {
    addrs();
    throw SOFT_TRUNCATED;
  }
  const sport = p.u16(off);
  const dport = p.u16(off + 2);
  if (length < 8) {
    addrs(sport, dport);
    p.print(`truncated-udp ${length}`);
    return;
  }
  if (!p.has(off + 4, 2)) {
    addrs(sport, dport);
    throw SOFT_TRUNCATED;
  }
  let ulen = p.u16(off + 4);
  if (ulen === 0 && length > 65535) ulen = length;
  if (ulen < 8) {
    addrs(sport, dport);
    p.print(`truncated-udplength ${ulen}`);
    return;
  }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  if (off + 8 > p.snapend) {
    addrs(sport, dport);
    throw SOFT_TRUNCATED;
  }
  addrs(sport, dport);
  if (p.verbose > 0 && !fragmented) {
    // IPv4: only with -vv (the checksum is optional there); IPv6: with -v.
    if (ver === 4 && p.verbose > 1) {
      const sum = p.u16(off + 6);
      if (sum === 0) p.print('[no cksum] ');
      else if (p.has(off + 8, length)) {
        const computed = transportChecksum(p.b, ipOff, off, length + 8, 4, 17);
        if (computed !== 0) p.print(`[bad udp cksum 0x${hex(sum, 4)} -> 0x${hex(shouldBe(sum, computed), 4)}!] `);
        else p.print('[udp sum ok] ');
      }
    } else if (ver === 6 && p.has(off + 8, length)) {
      const sum = p.u16(off + 6);
      const computed = transportChecksum(p.b, ipOff, off, length + 8, 6, 17);
      if (computed !== 0) p.print(`[bad udp cksum 0x${hex(sum, 4)} -> 0x${hex(shouldBe(sum, computed), 4)}!] `);
      else p.print('[udp sum ok] ');
    }
  }
  p.print(`UDP, length ${ulen}`);
}

const TCP_FLAGS: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, '.'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
];

const TCP_OPTION_NAMES: Readonly<Record<number, string>> = {
  0: 'eol',
  1: 'nop',
  2: 'mss',
  3: 'wscale',
  4: 'sackOK',
  5: 'sack',
  6: 'echo',
  7: 'echoreply',
  8: 'TS',
  19: 'md5',
  29: 'tcp-ao',
  30: 'mptcp',
  34: 'tfo',
};

/** TCP, briefly: ports, flags, sequence numbers (relative to the conversation's first packet when
 * the caller keeps a conversation table, as tcpdump does without -S), window, the common options
 * and the payload length. No application decoders. */
function tcpPrint(p: Printer, off: number, length: number, ver: 4 | 6, ipOff: number, fragmented: boolean): void {
  p.protocol = 'tcp';
  const [src, dst] = ipAddrs(p, ver, ipOff);
  if (!p.has(off, 4)) {
    p.print(`${src} > ${dst}: `);
    throw TRUNCATED;
  }
  const sport = p.u16(off);
  const dport = p.u16(off + 2);
  p.print(`${src}.${sport} > ${dst}.${dport}: `);
  p.checkSoft(off, 20);
  const hlen = (p.u8(off + 12) >> 4) * 4;
  if (hlen < 20) {
    p.print(`tcp ${length} [bad hdr length ${hlen} - too short, < 20]`);
    return;
  }
  if (hlen > length) {
    p.print(`tcp ${length} [bad hdr length ${hlen} - too long, > ${length}]`);
    return;
  }
  const flagsByte = p.u8(off + 13);
  const flags = TCP_FLAGS.filter(([bit]) => flagsByte & bit)
    .map(([, c]) => c)
    .join('');
  let seq = p.u32(off + 4);
  let ack = p.u32(off + 8);
  const conversations = p.tcpConversations;
  if (conversations && flagsByte & 0x10) {
    // One entry for both directions, keyed in a fixed order (tcpdump's tcp_seq_hash).
    const rev = sport > dport || (sport === dport && compareBytes(p.b, ipOff + (ver === 4 ? 12 : 8), ipOff + (ver === 4 ? 16 : 24), ver === 4 ? 4 : 16) > 0);
    const key = rev ? `${dst}.${dport}>${src}.${sport}` : `${src}.${sport}>${dst}.${dport}`;
    const known = conversations.get(key);
    if (!known || flagsByte & 0x02) {
      conversations.set(key, rev ? { ack: seq, seq: (ack - 1) >>> 0 } : { seq, ack: (ack - 1) >>> 0 });
    } else if (rev) {
      seq = (seq - known.ack) >>> 0;
      ack = (ack - known.seq) >>> 0;
    } else {
      seq = (seq - known.seq) >>> 0;
      ack = (ack - known.ack) >>> 0;
    }
  }
  const payload = length - hlen;
  if (p.qflag) {
    p.print(`tcp ${payload}`);
    return;
  }
  p.print(`Flags [${flags || 'none'}]`);
  if (p.verbose > 0 && !fragmented && p.has(off, length)) {
    const sum = p.u16(off + 10 + 6);
    const computed = transportChecksum(p.b, ipOff, off, length, ver, 6);
    p.print(`, cksum 0x${hex(sum, 4)} (${computed === 0 ? 'correct' : `incorrect -> 0x${hex(shouldBe(sum, computed), 4)}`})`);
  }
  if (p.verbose > 1 || payload > 0 || flagsByte & 0x07) p.print(`, seq ${seq}${payload > 0 ? `:${(seq + payload) >>> 0}` : ''}`);
  if (flagsByte & 0x10) p.print(`, ack ${ack}`);
  p.print(`, win ${p.u16(off + 14)}`);
  if (flagsByte & 0x20) p.print(`, urg ${p.u16(off + 18)}`);
  if (hlen > 20) {
    p.print(', options [');
    let at = off + 20;
    const end = off + hlen;
    let sep = '';
    while (at < end) {
      const opt = p.u8(at);
      const len = opt === 0 || opt === 1 ? 1 : p.u8(at + 1);
      p.print(`${sep}${TCP_OPTION_NAMES[opt] ?? `unknown-${opt}`}`);
      sep = ',';
      if (len < 1 || (opt > 1 && len < 2)) {
        p.print(` [bad opt]`);
        break;
      }
      p.check(at, len);
      if (opt === 2 && len === 4) p.print(` ${p.u16(at + 2)}`);
      else if (opt === 3 && len === 3) p.print(` ${p.u8(at + 2)}`);
      else if (opt === 8 && len === 10) p.print(` val ${p.u32(at + 2)} ecr ${p.u32(at + 6)}`);
      at += len;
      if (opt === 0) break;
    }
    p.print(']');
  }
  p.print(`, length ${payload}`);
}

function compareBytes(b: Uint8Array, a1: number, a2: number, n: number): number {
  for (let i = 0; i < n; i++) if (b[a1 + i] !== b[a2 + i]) return b[a1 + i]! - b[a2 + i]!;
  return 0;
}

// ---------------------------------------------------------------- IPv6

/** An IPv6 address as inet_ntop writes it (RFC 5952: the longest run of two or more zero groups
 * becomes "::", lower-case hex, an IPv4-mapped or -compatible tail in dotted quad). */
export function formatIpv6(a: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((a[2 * i]! << 8) | a[2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  // ::a.b.c.d (compatible, not ::1 or ::) and ::ffff:a.b.c.d (mapped)
  const v4tail = () => `${a[12]}.${a[13]}.${a[14]}.${a[15]}`;
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && g[5] === 0xffff))) {
    if (bestLen === 6 && (g[6] !== 0 || g[7]! > 1)) return `::${v4tail()}`;
    if (bestLen === 5) return `::ffff:${v4tail()}`;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += g[i]!.toString(16);
    if (i < 7) s += ':';
  }
  return s;
}

function ip6Print(p: Printer, off: number, length: number): void {
  p.protocol = 'ip6';
  if (!p.has(off, 40)) throw SOFT_TRUNCATED;
  if (!p.eflag) p.print('IP6 ');
  if (length < 40) {
    p.print(`truncated-ip6 ${length}`);
    return;
  }
  const version = p.u8(off) >> 4;
  if (version !== 6) {
    p.print(`version error: ${version} != 6`);
    return;
  }
  const payloadLen = p.u16(off + 4);
  let len: number;
  if (payloadLen !== 0) {
    len = payloadLen + 40;
    if (len > length) p.print(`[header+payload length ${len} > length ${length}] (invalid) `);
  } else len = length;
  p.pushSnaplen(off, Math.min(length, len));
  const nh = p.u8(off + 6);
  if (p.verbose > 0) {
    const flow = p.u32(off);
    p.print('(');
    if (flow & 0x0ff00000) p.print(`class 0x${hex((flow & 0x0ff00000) >>> 20, 2)}, `);
    if (flow & 0x000fffff) p.print(`flowlabel 0x${hex(flow & 0x000fffff, 5)}, `);
    p.print(`hlim ${p.u8(off + 7)}, next-header ${IPPROTO_NAMES[nh] ?? 'unknown'} (${nh}) payload length: ${payloadLen}) `);
  }
  if (nh !== 6 && nh !== 17 && nh !== 33 && nh !== 132) p.print(`${p.ip6addr(off + 8)} > ${p.ip6addr(off + 24)}: `);
  ipDemux(p, off + 40, len - 40, 6, false, nh, off);
  p.popSnaplen();
}

function icmp6Print(p: Printer, off: number, length: number, ipOff: number): void {
  p.protocol = 'icmp6';
  const type = p.u8(off);
  if (p.verbose > 0 && p.has(off, length)) {
    const sum = p.u16(off + 2);
    const computed = transportChecksum(p.b, ipOff, off, length, 6, 58);
    p.print(computed === 0 ? '[icmp6 sum ok] ' : `[bad icmp6 cksum 0x${hex(sum, 4)} -> 0x${hex(shouldBe(sum, computed), 4)}!] `);
  }
  p.print(`ICMP6, ${ICMP6_TYPE_NAMES[type] ?? `unknown icmp6 type (${type})`}`);
  // Neighbour discovery messages give their length first in -v (their options would follow).
  if (p.verbose > 0 && type >= 133 && type <= 137) p.print(`, length ${length}`);
  switch (type) {
    case 128:
    case 129:
      p.print(`, id ${p.u16(off + 4)}, seq ${p.u16(off + 6)}`);
      break;
    case 135:
      p.print(`, who has ${p.ip6addr(off + 8)}`);
      break;
    case 136: {
      p.print(`, tgt is ${p.ip6addr(off + 8)}`);
      if (p.verbose > 0) {
        const f = p.u8(off + 4);
        const names = [
          [0x80, 'router'],
          [0x40, 'solicited'],
          [0x20, 'override'],
        ] as const;
        const set = names.filter(([bit]) => f & bit).map(([, n]) => n);
        p.print(`, Flags [${set.length ? set.join(', ') : 'none'}]`);
      }
      break;
    }
    case 133:
    case 134:
      break;
    default:
      p.print(`, length ${length}`);
      return;
  }
  if (p.verbose === 0) p.print(`, length ${length}`);
}

// ---------------------------------------------------------------- checksums

/** The Internet checksum over b[start, end), 0 when a correct checksum is included. */
function checksum(b: Uint8Array, start: number, end: number, initial = 0): number {
  let s = initial;
  let i = start;
  for (; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i < end) s += b[i]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** What the checksum field should have held (tcpdump's in_cksum_shouldbe). */
function shouldBe(field: number, computed: number): number {
  let s = field + computed;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** A TCP, UDP or ICMPv6 checksum over its pseudo-header (RFC 768, RFC 8200 8.1): 0 when right. */
function transportChecksum(b: Uint8Array, ipOff: number, off: number, len: number, ver: 4 | 6, proto: number): number {
  let pseudo = 0;
  const words = (from: number, n: number) => {
    for (let i = 0; i < n; i += 2) pseudo += (b[from + i]! << 8) | b[from + i + 1]!;
  };
  if (ver === 4) words(ipOff + 12, 8);
  else words(ipOff + 8, 32);
  pseudo += proto + (len & 0xffff) + Math.floor(len / 0x10000);
  return checksum(b, off, off + len, pseudo);
}

// ---------------------------------------------------------------- dumps and times

/**
 * tcpdump's hex dumps, each line starting "\n\t": -x (hex_print: "0x0010:  c0a8 0101 ..."), or with
 * `ascii` -X (hex_and_ascii_print: the hex padded to its column, two spaces, then the printable
 * characters, '.' for the rest, space included).
 */
export function hexDump(data: Uint8Array, ascii: boolean): string {
  let out = '';
  for (let offset = 0; offset < data.length; offset += 16) {
    const row = data.subarray(offset, offset + 16);
    let hexPart = '';
    let text = '';
    for (let i = 0; i < row.length; i += 2) {
      hexPart += ` ${hex(row[i]!, 2)}${i + 1 < row.length ? hex(row[i + 1]!, 2) : ''}`;
      for (const c of row.subarray(i, i + 2)) text += c > 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    }
    out += `\n\t0x${hex(offset, 4)}: ${ascii ? `${hexPart.padEnd(40)}  ${text}` : hexPart}`;
  }
  return out;
}

/** A kernel time in nanoseconds as whole seconds and microseconds. Rounded, not truncated: a
 * nanosecond count near 2026 is past 2^53 and a double holds it only to 256 ns, so a time meant as
 * exactly 2 ms may arrive as 1.999872 ms. */
export function splitTime(ns: number): { sec: number; usec: number } {
  let sec = Math.floor(ns / 1e9);
  let usec = Math.round((ns - sec * 1e9) / 1000);
  if (usec >= 1_000_000) {
    sec += 1;
    usec -= 1_000_000;
  }
  return { sec, usec: Math.max(0, usec) };
}

/** "HH:MM:SS.uuuuuu" in UTC (tcpdump's default timestamp, with TZ=UTC). */
export function formatTimestamp(sec: number, usec: number): string {
  const secOfDay = ((sec % 86_400) + 86_400) % 86_400;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(secOfDay / 3600))}:${two(Math.floor((secOfDay % 3600) / 60))}:${two(secOfDay % 60)}.${String(usec).padStart(6, '0')}`;
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
