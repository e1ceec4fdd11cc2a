// ICMPv6: every type is named, but only echo and neighbour discovery are decoded further. Unlike
// ICMP's, its checksum covers an IPv6 pseudo-header, which is why it needs the enclosing header.

import { shouldBe, transportChecksum } from './checksum.js';
import { hex } from './format.js';
import type { Printer } from './printer.js';

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

export function icmp6Print(p: Printer, off: number, length: number, ipOff: number): void {
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
