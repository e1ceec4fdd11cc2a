// TCP headers (flags, sequence numbers, options), no application decoders. The segment is read
// through the kernel's wire format (kernel/abi/wire/tcp.ts); this file only prints it as tcpdump
// does. Relative sequence numbers need the conversation table the caller keeps across packets.
//
// One difference from tcpdump remains for malformed options: an option whose length byte disagrees
// with its kind's size is skipped by its length byte (as the wire format and a receiving stack do),
// where tcpdump goes on parsing inside it; tcpdump's `[len N]` still marks it.

import {
  parseTcpOptions,
  TCP_ACK,
  TCP_FIN,
  TCP_FLAG_LETTERS,
  TCP_HEADER_LEN,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  type TcpOption,
  tcpOptionLen,
  TcpPacket,
} from '../../../kernel/abi/wire/tcp.js';
import { shouldBe, transportChecksum } from './checksum.js';
import { hex } from './format.js';
import { ipAddrs, type Printer, TRUNCATED } from './printer.js';

/** tcpdump's names for option kinds (tcp_option_values). */
const OPTION_NAMES: Readonly<Record<number, string>> = {
  0: 'eol',
  1: 'nop',
  2: 'mss',
  3: 'wscale',
  4: 'sackOK',
  5: 'sack',
  6: 'echo',
  7: 'echoreply',
  8: 'TS',
  11: 'cc',
  12: 'ccnew',
  13: '',
  19: 'md5',
  20: 'scps',
  28: 'uto',
  29: 'tcp-ao',
  30: 'mptcp',
  34: 'tfo',
  254: 'exp',
};

/** The option data size tcpdump reads for kinds with a fixed one. */
const FIXED_DATA: Readonly<Record<number, number>> = { 2: 2, 3: 1, 6: 4, 7: 4, 8: 8, 11: 4, 12: 4, 13: 4, 19: 16, 20: 2, 28: 2 };

const u16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const hexBytes = (b: Uint8Array) => [...b].map((x) => hex(x, 2)).join('');

/** The fast open cookie, or its request (print_tcp_fastopen_option). */
function fastOpen(data: Uint8Array, exp: boolean): string {
  const tfo = exp ? 'tfo ' : '';
  if (data.length === 0) return `${tfo}cookiereq`;
  if (data.length % 2 !== 0 || data.length < 4 || data.length > 16) return `${tfo}malformed`;
  return `${tfo}cookie ${hexBytes(data)}`;
}

const sackText = (blocks: ReadonlyArray<readonly [number, number]>, base: number) =>
  ` ${blocks.length} ${blocks.map(([l, r]) => `{${(l - base) >>> 0}:${(r - base) >>> 0}}`).join('')}`;

/** One option as tcpdump prints it; null when tcpdump's length check fails ("[bad opt]"). */
function optionText(o: TcpOption, sackBase: number): string | null {
  switch (o.kind) {
    case 'eol':
      return 'eol';
    case 'nop':
      return 'nop';
    case 'mss':
      return `mss ${o.mss}`;
    case 'wscale':
      return `wscale ${o.shift}`;
    case 'sackPermitted':
      return 'sackOK';
    case 'sack':
      return `sack${sackText(o.blocks, sackBase)}`;
    case 'timestamp':
      return `TS val ${o.tsval} ecr ${o.tsecr}`;
    case 'unknown':
      return rawOptionText(o.type, o.data, sackBase);
  }
}

/** A kind the wire format does not model, or a known kind with a length that is not its own. */
function rawOptionText(kind: number, data: Uint8Array, sackBase: number): string | null {
  let s = OPTION_NAMES[kind] ?? `unknown-${kind}`;
  const need = FIXED_DATA[kind];
  if (need !== undefined && data.length < need) return null;
  let used = need ?? data.length;
  switch (kind) {
    case 4:
      used = 0;
      break;
    case 2:
      s += ` ${u16(data, 0)}`;
      break;
    case 3:
      s += ` ${data[0]}`;
      break;
    case 5:
      if (data.length % 8 !== 0) s += ' invalid sack';
      else {
        const blocks: Array<[number, number]> = [];
        for (let i = 0; i < data.length; i += 8) blocks.push([u32(data, i), u32(data, i + 4)]);
        s += sackText(blocks, sackBase);
      }
      break;
    case 6:
    case 7:
    case 11:
    case 12:
    case 13:
      s += ` ${u32(data, 0)}`;
      break;
    case 8:
      s += ` val ${u32(data, 0)} ecr ${u32(data, 4)}`;
      break;
    case 19:
      s += ` ${hexBytes(data.subarray(0, 16))}`;
      break;
    case 20:
      s += ` cap ${hex(data[0]!, 2)} id ${data[1]}`;
      break;
    case 28: {
      // The user timeout: granularity bit, then minutes or seconds.
      const v = u16(data, 0);
      s += ` 0x${v.toString(16)} ${v & 1 ? (v >> 1) * 60 : v >> 1}`;
      break;
    }
    case 29:
      s += data.length < 2 ? ' invalid' : ` keyid ${data[0]} rnextkeyid ${data[1]}${data.length > 2 ? ` mac 0x${hexBytes(data.subarray(2))}` : ''}`;
      break;
    case 34:
      s += ` ${fastOpen(data, false)}`;
      break;
    case 254:
      if (data.length < 2) return null;
      s += `-${u16(data, 0) === 0xf989 ? fastOpen(data.subarray(2), true) : hex(u16(data, 0), 4)}`;
      break;
    default:
      if (data.length) s += ` 0x${hexBytes(data)}`;
  }
  // tcpdump flags an option longer than its kind's data.
  if (used !== data.length) s += `[len ${data.length + 2}]`;
  return s;
}

/** TCP, briefly: ports, flags, sequence numbers (relative to the conversation's first packet when
 * the caller keeps a conversation table, as tcpdump does without -S), window, the options and the
 * payload length. No application decoders. */
export function tcpPrint(p: Printer, off: number, length: number, ver: 4 | 6, ipOff: number, fragmented: boolean): void {
  p.protocol = 'tcp';
  const [src, dst] = ipAddrs(p, ver, ipOff);
  if (!p.has(off, 4)) {
    p.print(`${src} > ${dst}: `);
    throw TRUNCATED;
  }
  // The captured part of the segment, through the wire format's view.
  const seg = new TcpPacket(p.b.subarray(off, off + Math.min(length, p.available(off))));
  const sport = seg.srcPort;
  const dport = seg.dstPort;
  p.print(`${src}.${sport} > ${dst}.${dport}: `);
  p.checkSoft(off, TCP_HEADER_LEN);
  const hlen = seg.headerLen;
  if (hlen < TCP_HEADER_LEN) {
    p.print(`tcp ${length} [bad hdr length ${hlen} - too short, < 20]`);
    return;
  }
  if (hlen > length) {
    p.print(`tcp ${length} [bad hdr length ${hlen} - too long, > ${length}]`);
    return;
  }
  // tcpdump reads the eight flags of byte 13 (not AE).
  const flags = seg.flags & 0xff;
  const letters = TCP_FLAG_LETTERS.filter(([bit]) => flags & bit)
    .map(([, c]) => c)
    .join('');
  p.layer('TCP', off, hlen, () => [
    ['source port', String(sport)],
    ['destination port', String(dport)],
    ['sequence number', String(seg.seq)],
    ['acknowledgment number', String(seg.ack)],
    ['header length', String(hlen)],
    ['flags', `[${letters || 'none'}]`],
    ['window', String(seg.window)],
    ['checksum', `0x${hex(seg.checksum, 4)}`],
    ['urgent pointer', String(seg.urgent)],
  ]);
  if (length > hlen) p.layer('Payload', off + hlen, length - hlen, () => [['length', `${length - hlen} bytes`]]);
  let seq = seg.seq;
  let ack = seg.ack;
  /** What SACK blocks are relative to: the initial sequence of the direction they acknowledge. */
  let sackBase = 0;
  const conversations = p.tcpConversations;
  if (conversations && flags & TCP_ACK) {
    // One entry for both directions, keyed in a fixed order (tcpdump's tcp_seq_hash).
    const rev = sport > dport || (sport === dport && compareBytes(p.b, ipOff + (ver === 4 ? 12 : 8), ipOff + (ver === 4 ? 16 : 24), ver === 4 ? 4 : 16) > 0);
    const key = rev ? `${dst}.${dport}>${src}.${sport}` : `${src}.${sport}>${dst}.${dport}`;
    let known = conversations.get(key);
    if (!known || flags & TCP_SYN) {
      known = rev ? { ack: seq, seq: (ack - 1) >>> 0 } : { seq, ack: (ack - 1) >>> 0 };
      conversations.set(key, known);
    } else if (rev) {
      seq = (seq - known.ack) >>> 0;
      ack = (ack - known.seq) >>> 0;
    } else {
      seq = (seq - known.seq) >>> 0;
      ack = (ack - known.ack) >>> 0;
    }
    sackBase = rev ? known.seq : known.ack;
  }
  const payload = length - hlen;
  if (p.qflag) {
    p.print(`tcp ${payload}`);
    return;
  }
  p.print(`Flags [${letters || 'none'}]`);
  if (p.verbose > 0 && !fragmented && p.has(off, length)) {
    const computed = transportChecksum(p.b, ipOff, off, length, ver, 6);
    p.print(`, cksum 0x${hex(seg.checksum, 4)} (${computed === 0 ? 'correct' : `incorrect -> 0x${hex(shouldBe(seg.checksum, computed), 4)}`})`);
  }
  if (p.verbose > 1 || payload > 0 || flags & (TCP_SYN | TCP_FIN | TCP_RST)) p.print(`, seq ${seq}${payload > 0 ? `:${(seq + payload) >>> 0}` : ''}`);
  if (flags & TCP_ACK) p.print(`, ack ${ack}`);
  p.print(`, win ${seg.window}`);
  if (flags & TCP_URG) p.print(`, urg ${seg.urgent}`);
  if (hlen > TCP_HEADER_LEN && !printOptions(p, seg, off, hlen, sackBase)) return;
  p.print(`, length ${payload}`);
}

/** The option list; false when a malformed option ended the packet's line. */
function printOptions(p: Printer, seg: TcpPacket, off: number, hlen: number, sackBase: number): boolean {
  const area = seg.buffer.subarray(TCP_HEADER_LEN, Math.min(hlen, seg.buffer.length));
  const areaLen = hlen - TCP_HEADER_LEN;
  // Lenient: the list stops before an option that is malformed or runs past the captured bytes.
  const options = parseTcpOptions(area, true) as TcpOption[];
  p.print(', options [');
  let at = 0;
  let sep = '';
  for (const o of options) {
    const text = optionText(o, sackBase);
    p.print(sep);
    if (text === null) {
      p.print('[bad opt]]');
      return false;
    }
    p.print(text);
    sep = ',';
    at += tcpOptionLen(o);
    if (o.kind === 'eol') break;
  }
  const ended = options.at(-1)?.kind === 'eol';
  if (!ended && at < areaLen) {
    // Where the list stopped: a length byte tcpdump rejects, or the end of the capture.
    const len = at + 1 < area.length ? area[at + 1]! : -1;
    p.print(sep);
    if (len >= 0 && (len < 2 || at + len > areaLen)) {
      p.print('[bad opt]]');
      return false;
    }
    // tcpdump has printed the kind's name when the capture ends in its data.
    if (len >= 0) p.print(OPTION_NAMES[area[at]!] ?? `unknown-${area[at]}`);
    p.check(off + TCP_HEADER_LEN + at, Math.max(len, 2));
  }
  p.print(']');
  return true;
}

function compareBytes(b: Uint8Array, a1: number, a2: number, n: number): number {
  for (let i = 0; i < n; i++) if (b[a1 + i] !== b[a2 + i]) return b[a1 + i]! - b[a2 + i]!;
  return 0;
}
