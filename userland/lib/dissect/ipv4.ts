// IPv4, with its options named in -v, and the hand-off of an IP payload to its protocol, which
// IPv6 shares. ICMP prints the datagram an error quotes with this printer too, through the
// Printer's ipPrint hook (set by index.ts), so this is the only one of the two that imports the other.

import { checksum, shouldBe } from './checksum.js';
import { hex } from './format.js';
import { icmpPrint } from './icmp.js';
import { icmp6Print } from './icmp6.js';
import { type Printer, SOFT_TRUNCATED, TRUNCATED } from './printer.js';
import { tcpPrint } from './tcp.js';
import { udpPrint } from './udp.js';

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

export function ipPrint(p: Printer, off: number, length: number): void {
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
  const totalLen = len;
  len -= hlen;
  const fragWord = p.u16(off + 6);
  const fragOff = (fragWord & 0x1fff) * 8;
  const proto = p.u8(off + 9);
  p.layer('IPv4', off, hlen, () => [
    ['source', p.ipaddr(off + 12)],
    ['destination', p.ipaddr(off + 16)],
    ['protocol', `${IPPROTO_NAMES[proto] ?? 'unknown'} (${proto})`],
    ['TTL', String(p.u8(off + 8))],
    ['total length', String(totalLen)],
    ['identification', `0x${hex(p.u16(off + 4), 4)} (${p.u16(off + 4)})`],
    ['flags', [fragWord & 0x8000 ? 'rsvd' : '', fragWord & 0x4000 ? 'DF' : '', fragWord & 0x2000 ? 'MF' : ''].filter(Boolean).join(' ') || 'none'],
    ['fragment offset', String(fragOff)],
    ['TOS', `0x${hex(p.u8(off + 1), 2)}`],
    ['header checksum', `0x${hex(p.u16(off + 10), 4)}${p.has(off, hlen) && checksum(p.b, off, off + hlen) !== 0 ? ' (bad)' : ''}`],
  ]);
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
export function ipDemux(p: Printer, off: number, length: number, ver: 4 | 6, fragmented: boolean, nh: number, ipOff: number): void {
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
