// UDP with one application decoder, WireGuard's (wireguard.ts: tcpdump 4.99 has none, Wireshark's
// words are used); every other port is `UDP, length N`, where tcpdump would decode DNS, BOOTP,
// NTP ... by port, so the header and its checksum are all there is to print.

import { shouldBe, transportChecksum } from './checksum.js';
import { hex } from './format.js';
import { ipAddrs, type Printer, SOFT_TRUNCATED } from './printer.js';
import { wireguardSummary } from './wireguard.js';

export function udpPrint(p: Printer, off: number, length: number, ver: 4 | 6, ipOff: number, fragmented: boolean): void {
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
  p.layer('UDP', off, 8, () => [
    ['source port', String(sport)],
    ['destination port', String(dport)],
    ['length', String(ulen + 8)],
    ['checksum', `0x${hex(p.u16(off + 6), 4)}`],
  ]);
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
  const wg = fragmented ? null : wireguardSummary(p, off + 8, ulen, sport, dport);
  if (wg === null && ulen > 0) p.layer('Payload', off + 8, ulen, () => [['length', `${ulen} bytes`]]);
  p.print(wg ?? `UDP, length ${ulen}`);
}
