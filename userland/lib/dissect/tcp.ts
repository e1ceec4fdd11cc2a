// TCP headers (flags, sequence numbers, common options), no application decoders. Relative sequence
// numbers need the conversation table the caller keeps across packets.

import { shouldBe, transportChecksum } from './checksum.js';
import { hex } from './format.js';
import { ipAddrs, type Printer, TRUNCATED } from './printer.js';

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
export function tcpPrint(p: Printer, off: number, length: number, ver: 4 | 6, ipOff: number, fragmented: boolean): void {
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
