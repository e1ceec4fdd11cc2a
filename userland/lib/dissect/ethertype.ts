// EtherType names, apart from the Ethernet printer because ARP names its protocol type with the same
// table (and the Ethernet printer hands frames to ARP, so sharing link.ts would make a cycle).

import { hex } from './format.js';
import type { Printer } from './printer.js';

export const ETHERTYPE_NAMES: Readonly<Record<number, string>> = {
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

export function etherTypePrint(p: Printer, type: number): void {
  const name = ETHERTYPE_NAMES[type];
  if (!p.qflag) p.print(`ethertype ${name ?? 'Unknown'} (0x${hex(type, 4)})`);
  else p.print(name ?? `Unknown Ethertype (0x${hex(type, 4)})`);
}
