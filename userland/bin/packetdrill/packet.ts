// Packets as packetdrill handles them: a script line made into bytes to inject, a sniffed datagram
// taken apart, the short text form error messages print (packet_to_string.c's DUMP_SHORT), and the
// field-by-field comparison of an outbound packet with the script's (run_packet.c's verify_*),
// with packetdrill's messages.

import type { IpInfo, ScriptPacket, TcpOption as ScriptOption } from './ast.js';
import { readU16, readU32, writeU16, writeU32 } from '../../../kernel/abi/wire/bytes.js';
import { checksumAccumulateRange, checksumFinish, pseudoHeaderSum } from '../../../kernel/abi/wire/checksum.js';
import { formatIpv4 } from '../../../kernel/abi/wire/address.js';

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;
export const TCPOPT_MD5SIG = 19;
export const TCPOPT_FASTOPEN = 34;
export const TCPOPT_EXP = 254;
const TCPOPT_ACCECN0 = 172;
const TCPOPT_ACCECN1 = 174;
/** The experimental Fast Open option's magic (RFC 7413's 0xF989). */
const FO_EXP_MAGIC: readonly number[] = [0xf9, 0x89];

/** One option as packetdrill's iterator sees it: the kind, and the bytes after kind and length. */
export interface Opt {
  kind: number;
  data: Uint8Array;
}

/** A TCP/IPv4 packet, live or from the script, in the fields the checks read. */
export interface Pkt {
  src: number;
  dst: number;
  tos: number;
  /** 255 in a script packet: not checked (TTL_CHECK_NONE). */
  ttl: number;
  protocol: number;
  ihl: number;
  totalLen: number;
  ipChecksumOk: boolean;
  tosCheck: IpInfo['tosCheck'];
  tcp: {
    srcPort: number;
    dstPort: number;
    seq: number;
    ack: number;
    /** FIN..CWR in bits 0-7, AE bit 8. */
    flags: number;
    reserved: number;
    /** In 32-bit words. */
    doff: number;
    window: number;
    urg: number;
    options: Opt[];
    optionsLen: number;
    payload: Uint8Array;
  } | null;
  /** A script packet: window and options unchecked, AccECN's counter form of the flags. */
  winNoCheck: boolean;
  optionsNoCheck: boolean;
  ace: boolean;
  timeUsecs: number;
}

export const F_FIN = 0x01;
export const F_SYN = 0x02;
export const F_RST = 0x04;
export const F_PSH = 0x08;
export const F_ACK = 0x10;
export const F_URG = 0x20;
export const F_ECE = 0x40;
export const F_CWR = 0x80;
export const F_AE = 0x100;

/** The flags of a script's letters (tcp_packet.c). */
export function flagsOf(letters: string): { flags: number; ace: boolean } {
  let f = 0;
  if (letters.includes('F')) f |= F_FIN;
  if (letters.includes('S')) f |= F_SYN;
  if (letters.includes('R')) f |= F_RST;
  if (letters.includes('P')) f |= F_PSH;
  if (letters.includes('.')) f |= F_ACK;
  if (letters.includes('U')) f |= F_URG;
  const digit = /[0-7]/.exec(letters.replace('.', ''));
  if (digit && Number(digit[0]) !== 0) {
    const ace = Number(digit[0]);
    if (ace & 1) f |= F_ECE;
    if (ace & 2) f |= F_CWR;
    if (ace & 4) f |= F_AE;
    return { flags: f, ace: true };
  }
  if (letters.includes('E')) f |= F_ECE;
  if (letters.includes('W')) f |= F_CWR;
  if (letters.includes('A')) f |= F_AE;
  return { flags: f, ace: false };
}

function scriptOption(o: ScriptOption): Opt {
  const d = (bytes: number[] | Uint8Array) => Uint8Array.from(bytes);
  switch (o.kind) {
    case 'eol':
      return { kind: TCPOPT_EOL, data: d([]) };
    case 'nop':
      return { kind: TCPOPT_NOP, data: d([]) };
    case 'mss':
      return { kind: TCPOPT_MSS, data: d([o.value! >> 8, o.value! & 0xff]) };
    case 'wscale':
      return { kind: TCPOPT_WINDOW, data: d([o.value!]) };
    case 'sackOK':
      return { kind: TCPOPT_SACK_PERM, data: d([]) };
    case 'sack': {
      const b = new Uint8Array(8 * o.blocks!.length);
      o.blocks!.forEach(([l, r], i) => {
        writeU32(b, i * 8, l);
        writeU32(b, i * 8 + 4, r);
      });
      return { kind: TCPOPT_SACK, data: b };
    }
    case 'TS': {
      const b = new Uint8Array(8);
      writeU32(b, 0, o.val!);
      writeU32(b, 4, o.ecr!);
      return { kind: TCPOPT_TIMESTAMP, data: b };
    }
    case 'md5':
      return { kind: TCPOPT_MD5SIG, data: o.bytes! };
    case 'FO':
      return { kind: TCPOPT_FASTOPEN, data: o.bytes! };
    case 'FOEXP':
      return { kind: TCPOPT_EXP, data: d([...FO_EXP_MAGIC, ...o.bytes!]) };
  }
}

export function optLen(o: Opt): number {
  return o.kind === TCPOPT_EOL || o.kind === TCPOPT_NOP ? 1 : 2 + o.data.length;
}

/** The packet a script line describes, before any mapping to live values. */
export function scriptTcpPacket(sp: ScriptPacket): Pkt {
  const { flags, ace } = flagsOf(sp.flags);
  const options = (sp.options ?? []).map(scriptOption);
  const optionsLen = options.reduce((n, o) => n + optLen(o), 0);
  if (optionsLen > 40) throw new Error('TCP option list too long');
  const doff = 5 + Math.ceil(optionsLen / 4);
  return {
    src: 0,
    dst: 0,
    tos: sp.ip.tos,
    ttl: sp.ip.ttl || 255,
    protocol: 6,
    ihl: 5,
    totalLen: 20 + doff * 4 + sp.payload,
    ipChecksumOk: true,
    tosCheck: sp.ip.tosCheck,
    tcp: {
      srcPort: sp.srcPort,
      dstPort: sp.dstPort,
      seq: sp.seq,
      ack: sp.ack,
      flags,
      reserved: 0,
      doff,
      window: sp.win === -1 ? 0 : sp.win,
      urg: sp.urg,
      options,
      optionsLen,
      payload: new Uint8Array(sp.payload),
    },
    winNoCheck: sp.win === -1,
    optionsNoCheck: sp.options === null,
    ace,
    timeUsecs: 0,
  };
}

/** A 20-byte IPv4 header at the start of `b` (ID 0, no DF, as ip_packet.c writes them). */
function ipv4Header(b: Uint8Array, src: number, dst: number, tos: number, ttl: number, protocol: number, totalLen: number): void {
  b[0] = 0x45;
  b[1] = tos;
  writeU16(b, 2, totalLen);
  b[8] = ttl;
  b[9] = protocol;
  writeU32(b, 12, src);
  writeU32(b, 16, dst);
  writeU16(b, 10, checksumFinish(checksumAccumulateRange(b, 0, 20)));
}

/** The datagram to write into the tun: IPv4 (no DF, ID 0, as packetdrill's ip_packet.c) and TCP. */
export function emitTcp(p: Pkt): Uint8Array {
  const t = p.tcp!;
  const hlen = t.doff * 4;
  const buf = new Uint8Array(20 + hlen + t.payload.length);
  ipv4Header(buf, p.src, p.dst, p.tos, p.ttl, 6, buf.length);
  const b = buf.subarray(20);
  writeU16(b, 0, t.srcPort);
  writeU16(b, 2, t.dstPort);
  writeU32(b, 4, t.seq);
  writeU32(b, 8, t.ack);
  b[12] = (t.doff << 4) | ((t.reserved & 7) << 1) | ((t.flags >> 8) & 1);
  b[13] = t.flags & 0xff;
  writeU16(b, 14, t.window);
  writeU16(b, 18, t.urg);
  let at = 20;
  for (const o of t.options) {
    b[at] = o.kind;
    if (optLen(o) > 1) {
      b[at + 1] = 2 + o.data.length;
      b.set(o.data, at + 2);
    }
    at += optLen(o);
  }
  b.set(t.payload, hlen);
  const sum = checksumFinish(checksumAccumulateRange(b, 0, b.length, pseudoHeaderSum(p.src, p.dst, 6, b.length)));
  writeU16(b, 16, sum);
  return buf;
}

/** Options as packetdrill's iterator walks them, or the first error it meets. */
export function walkOptions(bytes: Uint8Array): Opt[] | string {
  const out: Opt[] = [];
  let i = 0;
  while (i < bytes.length) {
    const kind = bytes[i]!;
    if (kind === TCPOPT_EOL || kind === TCPOPT_NOP) {
      out.push({ kind, data: new Uint8Array(0) });
      i++;
      continue;
    }
    const expected = { [TCPOPT_MSS]: 4, [TCPOPT_WINDOW]: 3, [TCPOPT_SACK_PERM]: 2, [TCPOPT_TIMESTAMP]: 10 }[kind] ?? 0;
    if (!expected && ![TCPOPT_SACK, TCPOPT_MD5SIG, TCPOPT_FASTOPEN, TCPOPT_ACCECN0, TCPOPT_ACCECN1, TCPOPT_EXP].includes(kind)) {
      return `unexpected TCP option kind: ${kind}`;
    }
    if (i + 1 >= bytes.length) return 'TCP option length byte extends too far';
    const len = bytes[i + 1]!;
    if (len < 2) return 'TCP option with length byte is too short';
    if (i + len > bytes.length) return 'TCP option data extends too far';
    if (expected && len !== expected) return `bad TCP option length: was ${len} but expected ${expected}`;
    out.push({ kind, data: bytes.slice(i + 2, i + len) });
    i += len;
  }
  return out;
}

/** A sniffed IPv4 datagram, or null when it is not one packetdrill could take apart. */
export function parseLive(bytes: Uint8Array, timeUsecs: number): Pkt | null {
  if (bytes.length < 20 || bytes[0]! >> 4 !== 4) return null;
  const ihl = bytes[0]! & 0x0f;
  const totalLen = readU16(bytes, 2);
  if (ihl < 5 || totalLen > bytes.length || totalLen < ihl * 4) return null;
  const p: Pkt = {
    src: readU32(bytes, 12),
    dst: readU32(bytes, 16),
    tos: bytes[1]!,
    ttl: bytes[8]!,
    protocol: bytes[9]!,
    ihl,
    totalLen,
    ipChecksumOk: checksumFinish(checksumAccumulateRange(bytes, 0, ihl * 4)) === 0,
    tosCheck: 'none',
    tcp: null,
    winNoCheck: false,
    optionsNoCheck: false,
    ace: false,
    timeUsecs,
  };
  if (p.protocol !== 6) return p;
  const b = bytes.subarray(ihl * 4, totalLen);
  if (b.length < 20) return null;
  const doff = b[12]! >> 4;
  if (doff < 5 || doff * 4 > b.length) return null;
  const options = walkOptions(b.subarray(20, doff * 4));
  if (typeof options === 'string') return null;
  p.tcp = {
    srcPort: readU16(b, 0),
    dstPort: readU16(b, 2),
    seq: readU32(b, 4),
    ack: readU32(b, 8),
    flags: ((b[12]! & 1) << 8) | b[13]!,
    reserved: (b[12]! >> 1) & 7,
    doff,
    window: readU16(b, 14),
    urg: readU16(b, 18),
    options,
    optionsLen: doff * 4 - 20,
    payload: b.slice(doff * 4),
  };
  return p;
}

export function clonePkt(p: Pkt): Pkt {
  return { ...p, tcp: p.tcp ? { ...p.tcp, options: p.tcp.options.map((o) => ({ kind: o.kind, data: o.data.slice() })) } : null };
}

/** The TS option of a packet, if it has one. */
export function tsOption(p: Pkt): Opt | undefined {
  return p.tcp?.options.find((o) => o.kind === TCPOPT_TIMESTAMP);
}

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** One option as tcp_options_to_string.c writes it. */
export function optionString(o: Opt): string {
  switch (o.kind) {
    case TCPOPT_EOL:
      return 'eol';
    case TCPOPT_NOP:
      return 'nop';
    case TCPOPT_MSS:
      return `mss ${readU16(o.data, 0)}`;
    case TCPOPT_WINDOW:
      return `wscale ${o.data[0]}`;
    case TCPOPT_SACK_PERM:
      return 'sackOK';
    case TCPOPT_SACK: {
      const blocks: string[] = [];
      for (let i = 0; i + 8 <= o.data.length; i += 8) blocks.push(`${readU32(o.data, i)}:${readU32(o.data, i + 4)}`);
      return `sack ${blocks.join(' ')}`;
    }
    case TCPOPT_TIMESTAMP:
      return `TS val ${readU32(o.data, 0)} ecr ${readU32(o.data, 4)}`;
    case TCPOPT_MD5SIG:
      return `md5 ${[...o.data].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
    case TCPOPT_FASTOPEN:
      return o.data.length ? `FO ${hex(o.data)}` : 'FO';
    case TCPOPT_EXP:
      return o.data.length > 2 ? `FOEXP ${hex(o.data.subarray(2))}` : 'FOEXP';
    default:
      return `unexpected TCP option kind: ${o.kind}`;
  }
}

/** packet_to_string's DUMP_SHORT: `S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>`. */
export function packetString(p: Pkt): string {
  const t = p.tcp;
  if (!t) return p.protocol === 17 ? 'udp' : p.protocol === 1 ? 'icmpv4' : '[NO TCP, UDP OR ICMP HEADER]';
  let s = '';
  if (t.flags & F_FIN) s += 'F';
  if (t.flags & F_SYN) s += 'S';
  if (t.flags & F_RST) s += 'R';
  if (t.flags & F_PSH) s += 'P';
  if (t.flags & F_ACK) s += '.';
  if (t.flags & F_URG) s += 'U';
  if (p.ace) s += String(((t.flags & F_ECE) ? 1 : 0) | ((t.flags & F_CWR) ? 2 : 0) | ((t.flags & F_AE) ? 4 : 0));
  else {
    if (t.flags & F_ECE) s += 'E';
    if (t.flags & F_CWR) s += 'W';
    if (t.flags & F_AE) s += 'A';
  }
  const len = t.payload.length;
  s += ` ${t.seq}:${(t.seq + len) >>> 0}(${len}) `;
  if (t.flags & F_ACK) s += `ack ${t.ack} `;
  if (!p.winNoCheck) s += `win ${t.window} `;
  if (t.optionsLen > 0 || t.options.length > 0) s += `<${t.options.map(optionString).join(',')}>`;
  return s;
}

export function endpoints(p: Pkt): string {
  return `${formatIpv4(p.src)}:${p.tcp?.srcPort ?? 0} > ${formatIpv4(p.dst)}:${p.tcp?.dstPort ?? 0}`;
}

/** check_field's message. */
function field(name: string, expected: number, actual: number): string | null {
  if ((expected >>> 0) === (actual >>> 0)) return null;
  const e = expected >>> 0;
  const a = actual >>> 0;
  return `live packet field ${name}: expected: ${e} (0x${e.toString(16)}) vs actual: ${a} (0x${a.toString(16)})`;
}

/**
 * verify_outbound_live_headers for one IPv4/TCP pair, strict (a whole expected packet) or not (a
 * piece of an aggregate against the piece before it). The first mismatch, in packetdrill's order.
 */
export function verifyHeaders(actual: Pkt, script: Pkt, strict: boolean): string | null {
  const at = actual.tcp;
  const st = script.tcp;
  if (!at || !st) return `${strict ? 'live' : 'aggregate candidate'} packet header layers: expected: 2 headers vs actual: ${at ? 2 : 1} headers`;
  const allowance = script.optionsNoCheck ? at.optionsLen : 0;
  const ipChecks: Array<string | null> = [
    field('ipv4_version', 4, 4),
    field('ipv4_protocol', script.protocol, actual.protocol),
    field('ipv4_header_length', script.ihl, actual.ihl),
    strict ? field('ipv4_total_length', script.totalLen + allowance, actual.totalLen) : null,
  ];
  for (const c of ipChecks) if (c) return c;
  const tos = verifyTos(script.tosCheck, actual.tos, script.tos);
  if (tos) return tos;
  if (script.ttl !== 255) {
    const ttl = field('ttl', script.ttl, actual.ttl);
    if (ttl) return ttl;
  }
  const bit = (f: Pkt, m: number) => ((f.tcp!.flags & m) ? 1 : 0);
  const aceOf = (f: Pkt) => bit(f, F_AE) * 4 + bit(f, F_CWR) * 2 + bit(f, F_ECE);
  const checks: Array<() => string | null> = [
    () => field('tcp_data_offset', st.doff + allowance / 4, at.doff),
    () => (strict ? field('tcp_fin', bit(script, F_FIN), bit(actual, F_FIN)) : null),
    () => field('tcp_syn', bit(script, F_SYN), bit(actual, F_SYN)),
    () => field('tcp_rst', bit(script, F_RST), bit(actual, F_RST)),
    () => (strict ? field('tcp_psh', bit(script, F_PSH), bit(actual, F_PSH)) : null),
    () => field('tcp_ack', bit(script, F_ACK), bit(actual, F_ACK)),
    () => field('tcp_urg', bit(script, F_URG), bit(actual, F_URG)),
    () => (script.ace ? field('tcp_ace', aceOf(script), aceOf(actual)) : field('tcp_ece', bit(script, F_ECE), bit(actual, F_ECE))),
    () => (!script.ace && strict ? field('tcp_cwr', bit(script, F_CWR), bit(actual, F_CWR)) : null),
    () => (!script.ace ? field('tcp_ae', bit(script, F_AE), bit(actual, F_AE)) : null),
    () => field('tcp_reserved_bits', st.reserved, at.reserved),
    () => field('tcp_seq', strict ? st.seq : (st.seq + st.payload.length) >>> 0, at.seq),
    () => field('tcp_ack_seq', st.ack, at.ack),
    () => (script.winNoCheck ? null : field('tcp_window', st.window, at.window)),
    () => field('tcp_urg_ptr', st.urg, at.urg),
  ];
  for (const c of checks) {
    const e = c();
    if (e) return e;
  }
  return null;
}

function verifyTos(check: IpInfo['tosCheck'], actual: number, script: number): string | null {
  const ecn = actual & 3;
  if (check === 'ect01') return ecn === 1 || ecn === 2 ? null : `live packet field ip_ecn: expected: 0x1 or 0x2 vs actual: 0x${ecn.toString(16)}`;
  if (check === 'ecn') return field('ip_ecn', script, ecn);
  if (check === 'tos') return field('tos', script, actual);
  return null;
}

/** verify_outbound_live_tcp_options: same kinds in the same order, same bytes but for TS val. */
export function verifyOptions(actual: Pkt, script: Pkt, tsTolerance: { tickUsecs: number; toleranceUsecs: number }): string | null {
  if (script.optionsNoCheck) return null;
  const a = actual.tcp!.options;
  const s = script.tcp!.options;
  for (let i = 0; i < Math.max(a.length, s.length); i++) {
    const ao = a[i];
    const so = s[i];
    if (!ao || !so || ao.kind !== so.kind) return 'bad outbound TCP options';
    if (ao.kind === TCPOPT_EOL || ao.kind === TCPOPT_NOP) continue;
    if (ao.kind === TCPOPT_TIMESTAMP) {
      if (tsTolerance.tickUsecs) {
        const diff = Math.abs((readU32(ao.data, 0) - readU32(so.data, 0)) | 0);
        if (diff * tsTolerance.tickUsecs > tsTolerance.toleranceUsecs) return `bad outbound TCP timestamp value, tolerance ${tsTolerance.toleranceUsecs}`;
      }
      continue;
    }
    let err: string | null = null;
    if (so.data.length !== ao.data.length) err = 'bad length';
    if (so.data.length > 0 && !sameBytes(ao.data.subarray(0, so.data.length), so.data.subarray(0, ao.data.length))) err = 'bad value';
    if (err) return `${err} in outbound TCP option (kind=${so.kind}): expected: ${optionString(so)} actual: ${optionString(ao)}`;
  }
  return null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function samePayload(a: Pkt, b: Pkt): boolean {
  return sameBytes(a.tcp!.payload, b.tcp!.payload);
}

/**
 * Several sniffed pieces as one packet (packet.c's aggregate_packets): headers of the last piece,
 * the payloads in order, seq and CWR from the first.
 */
export function aggregate(pieces: Pkt[]): Pkt {
  const last = pieces[pieces.length - 1]!;
  const first = pieces[0]!;
  const payload = new Uint8Array(pieces.reduce((n, p) => n + p.tcp!.payload.length, 0));
  let at = 0;
  for (const p of pieces) {
    payload.set(p.tcp!.payload, at);
    at += p.tcp!.payload.length;
  }
  const out = clonePkt(last);
  const t = out.tcp!;
  t.payload = payload;
  t.seq = first.tcp!.seq;
  t.flags = (t.flags & ~F_CWR) | (first.tcp!.flags & F_CWR);
  out.totalLen = last.totalLen + (payload.length - last.tcp!.payload.length);
  return out;
}

/** ICMPv4 types and destination-unreachable codes by packetdrill's names (icmp_packet.c). */
const ICMP_TYPES: Readonly<Record<string, number>> = {
  echo_reply: 0,
  unreachable: 3,
  source_quench: 4,
  redirect: 5,
  echo_request: 8,
  time_exceeded: 11,
  parameter_problem: 12,
};
const UNREACHABLE_CODES: Readonly<Record<string, number>> = {
  net_unreachable: 0,
  host_unreachable: 1,
  protocol_unreachable: 2,
  port_unreachable: 3,
  frag_needed: 4,
  source_route_failed: 5,
  net_unknown: 6,
  host_unknown: 7,
  source_host_isolated: 8,
  net_prohibited: 9,
  host_prohibited: 10,
  net_unreachable_for_tos: 11,
  host_unreachable_for_tos: 12,
  packet_filtered: 13,
  precedence_violation: 14,
  precedence_cutoff: 15,
};

/** An ICMP type and code from their names, or an error message. */
export function icmpTypeCode(type: string, code: string | undefined): { type: number; code: number } | string {
  const t = ICMP_TYPES[type] ?? (/^type_(\d+)$/.exec(type) ? Number(type.slice(5)) : undefined);
  if (t === undefined || t > 255) return `bad ICMP type ${type}`;
  if (code === undefined) return { type: t, code: 0 };
  const m = /^code_(\d+)$/.exec(code);
  const c = m ? Number(m[1]) : t === 3 ? UNREACHABLE_CODES[code] : undefined;
  if (c === undefined || c > 255) return `bad ICMP code ${code}`;
  return { type: t, code: c };
}

/**
 * An inbound ICMP error about one of the connection's segments: the quoted IP header (from the
 * local end to the remote one) and the first 8 bytes of its TCP header (ports and sequence
 * number), as new_icmp_packet builds it; mtu goes in the next-hop MTU field.
 */
export function emitIcmpError(o: { src: number; dst: number; ttl: number; tos: number; type: number; code: number; mtu: number; quotedSrc: number; quotedDst: number; srcPort: number; dstPort: number; seq: number; payload: number }): Uint8Array {
  const buf = new Uint8Array(20 + 8 + 28);
  ipv4Header(buf, o.src, o.dst, o.tos, o.ttl, 1, buf.length);
  const icmp = buf.subarray(20);
  icmp[0] = o.type;
  icmp[1] = o.code;
  if (o.mtu >= 0) writeU16(icmp, 6, o.mtu);
  const q = icmp.subarray(8);
  ipv4Header(q, o.quotedSrc, o.quotedDst, 0, 0, 6, 20 + 20 + o.payload);
  writeU16(q, 20, o.srcPort);
  writeU16(q, 22, o.dstPort);
  writeU32(q, 24, o.seq);
  writeU16(icmp, 2, checksumFinish(checksumAccumulateRange(icmp, 0, icmp.length)));
  return buf;
}
