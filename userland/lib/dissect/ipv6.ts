// The IPv6 fixed header; extension headers are not followed, so what comes after one is given as
// `ip-proto-N`. The payload goes through IPv4's demux, as tcpdump's ip_demux_print serves both.

import { hex } from './format.js';
import { IPPROTO_NAMES, ipDemux } from './ipv4.js';
import { type Printer, SOFT_TRUNCATED } from './printer.js';

export function ip6Print(p: Printer, off: number, length: number): void {
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
  p.layer('IPv6', off, 40, () => [
    ['source', p.ip6addr(off + 8)],
    ['destination', p.ip6addr(off + 24)],
    ['next header', `${IPPROTO_NAMES[nh] ?? 'unknown'} (${nh})`],
    ['hop limit', String(p.u8(off + 7))],
    ['payload length', String(payloadLen)],
    ['traffic class', `0x${hex((p.u32(off) >>> 20) & 0xff, 2)}`],
    ['flow label', `0x${hex(p.u32(off) & 0xfffff, 5)}`],
  ]);
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
