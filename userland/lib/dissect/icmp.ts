// ICMP: every type tcpdump names, with the datagram an error quotes printed as a packet of its own
// in -v (through the printer's ipPrint hook: the IP printer hands packets to this one).

import { checksum, shouldBe } from './checksum.js';
import { hex } from './format.js';
import type { Printer } from './printer.js';

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

/** The types the summary words by their code or fields instead, named for the details pane. */
const ICMP_OTHER_NAMES: Readonly<Record<number, string>> = {
  3: 'destination unreachable',
  5: 'redirect',
  9: 'router advertisement',
  11: 'time exceeded',
  12: 'parameter problem',
  18: 'address mask reply',
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

function fmt(format: string, ...args: string[]): string {
  let i = 0;
  return format.replace(/%s/g, () => args[i++] ?? '');
}

export function icmpPrint(p: Printer, off: number, plen: number, fragmented: boolean): void {
  p.protocol = 'icmp';
  const type = p.u8(off);
  const code = p.u8(off + 1);
  p.layer('ICMP', off, 8, () => {
    const echo = type === 0 || type === 8;
    const fields: Array<[string, string]> = [
      ['type', `${type}${ICMP_TYPE_NAMES[type] ? ` (${ICMP_TYPE_NAMES[type]})` : ICMP_OTHER_NAMES[type] ? ` (${ICMP_OTHER_NAMES[type]})` : ''}`],
      ['code', String(code)],
      ['checksum', `0x${hex(p.u16(off + 2), 4)}`],
    ];
    if (echo) fields.push(['identifier', String(p.u16(off + 4))], ['sequence', String(p.u16(off + 6))], ['data', `${Math.max(0, plen - 8)} bytes`]);
    else fields.push(['rest of header', `0x${hex(p.u32(off + 4), 8)}`]);
    return fields;
  });
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
      p.ipPrint(inner, innerLen);
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
