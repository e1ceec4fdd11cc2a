// A PDU taken apart layer by layer, as Packet Tracer's "PDU details" and Wireshark's tree show it:
// each header's fields by name, and where in the bytes it lies. Ethernet II, ARP, IPv4, ICMP and
// UDP are decoded; what follows (a VPN's ciphertext) is payload.

import type { JourneyEvent } from '../../../kernel/abi/journey.js';
import {
  ArpPacket,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  EthernetFrame,
  formatIpv4,
  formatMac,
  IcmpPacket,
  IPPROTO_ICMP,
  IPPROTO_UDP,
  Ipv4Packet,
  isWireError,
  UdpPacket,
} from '../../../kernel/abi/wire/index.js';
import { IPPROTO_NAMES } from '../dissect/index.js';

export interface PduLayer {
  name: string;
  fields: Array<[string, string]>;
  /** Where the layer starts in the bytes, and its header's length. */
  offset: number;
  length: number;
}

const hex = (n: number, w: number) => `0x${n.toString(16).padStart(w, '0')}`;

const ICMP_TYPES: Readonly<Record<number, string>> = { 0: 'echo reply', 3: 'destination unreachable', 8: 'echo request', 11: 'time exceeded' };

export function decodeLayers(link: JourneyEvent['link'], bytes: Uint8Array): PduLayer[] {
  const out: PduLayer[] = [];
  if (link === 'data') {
    out.push({ name: 'Data', fields: [['length', `${bytes.length} bytes`]], offset: 0, length: bytes.length });
    return out;
  }
  let off = 0;
  let ip = link === 'ip';
  if (link === 'ether') {
    const f = EthernetFrame.checked(bytes);
    if (isWireError(f)) return [{ name: 'Ethernet II (malformed)', fields: [['error', f.reason]], offset: 0, length: bytes.length }];
    out.push({
      name: 'Ethernet II',
      fields: [
        ['destination', formatMac(f.dst)],
        ['source', formatMac(f.src)],
        ['type', `${hex(f.ethertype, 4)}${f.ethertype === ETHERTYPE_IPV4 ? ' (IPv4)' : f.ethertype === ETHERTYPE_ARP ? ' (ARP)' : ''}`],
      ],
      offset: 0,
      length: 14,
    });
    off = 14;
    if (f.ethertype === ETHERTYPE_ARP) {
      const a = ArpPacket.checked(f.payload);
      if (!isWireError(a))
        out.push({
          name: 'ARP',
          fields: [
            ['operation', a.operation === 1 ? 'request (1)' : a.operation === 2 ? 'reply (2)' : String(a.operation)],
            ['sender MAC', formatMac(a.senderMac)],
            ['sender IP', formatIpv4(a.senderIp)],
            ['target MAC', formatMac(a.targetMac)],
            ['target IP', formatIpv4(a.targetIp)],
          ],
          offset: off,
          length: 28,
        });
      return out;
    }
    ip = f.ethertype === ETHERTYPE_IPV4;
  }
  if (!ip) return out;
  const v = Ipv4Packet.checked(bytes.subarray(off));
  if (isWireError(v)) {
    out.push({ name: 'IPv4 (malformed)', fields: [['error', v.reason]], offset: off, length: bytes.length - off });
    return out;
  }
  const flags = [v.dontFragment ? 'DF' : '', v.moreFragments ? 'MF' : ''].filter(Boolean).join(' ') || 'none';
  out.push({
    name: 'IPv4',
    fields: [
      ['source', formatIpv4(v.src)],
      ['destination', formatIpv4(v.dst)],
      ['protocol', `${IPPROTO_NAMES[v.protocol] ?? 'unknown'} (${v.protocol})`],
      ['TTL', String(v.ttl)],
      ['total length', String(v.totalLen)],
      ['identification', hex(v.ident, 4)],
      ['flags', flags],
      ['fragment offset', String(v.fragmentOffset)],
      ['TOS', hex(v.tos, 2)],
      ['header checksum', hex(v.checksum, 4)],
    ],
    offset: off,
    length: v.headerLen,
  });
  const l4 = off + v.headerLen;
  if (v.fragmentOffset !== 0) return out;
  const payload = v.payload;
  if (v.protocol === IPPROTO_ICMP) {
    const c = IcmpPacket.checked(payload);
    if (isWireError(c)) return out;
    const fields: Array<[string, string]> = [
      ['type', `${c.type}${ICMP_TYPES[c.type] ? ` (${ICMP_TYPES[c.type]})` : ''}`],
      ['code', String(c.code)],
      ['checksum', hex(c.checksum, 4)],
    ];
    if (c.type === 0 || c.type === 8) fields.push(['identifier', String(c.echoIdent)], ['sequence', String(c.echoSeq)], ['data', `${payload.length - 8} bytes`]);
    out.push({ name: 'ICMP', fields, offset: l4, length: 8 });
  } else if (v.protocol === IPPROTO_UDP) {
    const u = UdpPacket.checked(payload);
    if (isWireError(u)) return out;
    out.push({
      name: 'UDP',
      fields: [
        ['source port', String(u.srcPort)],
        ['destination port', String(u.dstPort)],
        ['length', String(u.length)],
        ['checksum', hex(u.checksum, 4)],
      ],
      offset: l4,
      length: 8,
    });
    if (u.payload.length > 0) out.push({ name: 'Payload', fields: [['length', `${u.payload.length} bytes`]], offset: l4 + 8, length: u.payload.length });
  }
  return out;
}
