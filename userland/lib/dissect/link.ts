// The link layers a capture can start with (Ethernet II with 802.1Q tags, BSD loopback, raw IP):
// each consumes its header, records its length for -x, and hands the rest to the network layer.
// 802.3/LLC frames are named but not decoded, and EtherTypes nobody here knows are hex-dumped, as
// tcpdump does for what it does not know.

import { arpPrint } from './arp.js';
import { ETHERTYPE_NAMES, etherTypePrint } from './ethertype.js';
import { hex } from './format.js';
import { ipPrint } from './ipv4.js';
import { ip6Print } from './ipv6.js';
import { type Printer, SOFT_TRUNCATED, TRUNCATED } from './printer.js';

const ETHER_HDRLEN = 14;
const MAX_ETHERNET_LENGTH_VAL = 1500;

export function etherPrint(p: Printer, length: number): void {
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
  const first = type;
  p.layer(type <= MAX_ETHERNET_LENGTH_VAL ? 'IEEE 802.3 Ethernet' : 'Ethernet II', 0, ETHER_HDRLEN, () => [
    ['destination', p.mac(0)],
    ['source', p.mac(6)],
    first <= MAX_ETHERNET_LENGTH_VAL ? ['length', String(first)] : ['type', etherTypeName(first)],
  ]);
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
    const inner = p.u16(off + 2);
    p.layer('802.1Q Virtual LAN', off, 4, () => [
      ['priority', String(tci >> 13)],
      ['DEI', String((tci >> 12) & 1)],
      ['ID', String(tci & 0xfff)],
      ['type', etherTypeName(inner)],
    ]);
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

/** An EtherType as the details pane shows it: "0x0800 (IPv4)". */
function etherTypeName(type: number): string {
  const name = ETHERTYPE_NAMES[type];
  return `0x${hex(type, 4)}${name ? ` (${name})` : ''}`;
}

const SLL2_HDRLEN = 20;

/**
 * Linux's cooked header (LINKTYPE_LINUX_SLL2, what `-i any` captures): with -e, print-sll.c's
 * "ifindex N ADDR ethertype NAME (0xNNNN), length N: "; the interface name and the packet type
 * (In, Out ...) come before it and are the caller's, which can name the interface.
 */
export function sll2Print(p: Printer, length: number): void {
  p.protocol = 'sll2';
  if (p.b.length < SLL2_HDRLEN || length < SLL2_HDRLEN) {
    p.llHdrLen = p.b.length;
    throw SOFT_TRUNCATED;
  }
  p.llHdrLen = SLL2_HDRLEN;
  const type = p.u16(0);
  if (p.eflag) {
    p.print(`ifindex ${p.u32(4)} `);
    if (p.u8(11) === 6) p.print(`${p.mac(12)} `);
    etherTypePrint(p, type);
    p.print(`, length ${length}: `);
  }
  if (!etherTypeBody(p, type, SLL2_HDRLEN, length - SLL2_HDRLEN)) {
    if (!p.eflag) {
      etherTypePrint(p, type);
      p.print(`, length ${length}: `);
    }
    p.defaultPrint(SLL2_HDRLEN, Math.min(length, p.b.length) - SLL2_HDRLEN);
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
export function rawPrint(p: Printer, length: number): void {
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
export function nullPrint(p: Printer, length: number): void {
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
