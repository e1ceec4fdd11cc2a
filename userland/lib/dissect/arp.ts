// ARP and RARP (the EtherTypes 0x0806 and 0x8035 share one packet layout). Only IPv4 over a link
// with addresses gets tcpdump's short "who-has ... tell ..." form; anything else names its hardware
// and protocol types first.

import { ETHERTYPE_NAMES } from './ethertype.js';
import { hex } from './format.js';
import type { Printer } from './printer.js';

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

export function arpPrint(p: Printer, off: number, length: number): void {
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
  const protoAddr = (at: number): string => {
    if (pro !== 0x0800 && pro !== 0x1000) return '<wrong proto type>';
    if (pln !== 4) return '<wrong len>';
    return p.ipaddr(at);
  };
  p.layer(pro === 0x8035 ? 'RARP' : 'ARP', off, tpa + pln - off, () => [
    ['hardware type', `${ARPHRD_NAMES[hrd] ?? 'Unknown'} (${hrd})`],
    ['protocol type', `0x${hex(pro, 4)}${ETHERTYPE_NAMES[pro] ? ` (${ETHERTYPE_NAMES[pro]})` : ''}`],
    ['operation', `${ARPOP_NAMES[op] ?? 'Unknown'} (${op})`],
    ['sender MAC', linkaddr(p, sha, hln)],
    ['sender IP', protoAddr(spa)],
    ['target MAC', linkaddr(p, tha, hln)],
    ['target IP', protoAddr(tpa)],
  ]);
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
