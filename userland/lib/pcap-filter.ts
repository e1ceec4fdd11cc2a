// Capture filters in the language of pcap-filter(7), the part people type: protocols (ether, ip,
// ip6, arp, icmp, icmp6, udp, tcp), `host`, `net` (a.b.c.d/len or `mask`), `port` and `portrange`
// with `src`/`dst` qualifiers, `ether host|src|dst MAC`, `broadcast`, `ip proto N`, `less` and
// `greater`, joined by and/or/not (&&, ||, !) and parentheses. As in libpcap, a bare value after
// and/or keeps the qualifiers before it: `host a or b` is `host a or host b`. Byte-offset
// expressions (`icmp[0] == 8`) are refused by name. Names resolve through the caller (/etc/hosts).

import { ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, parseIpv4, parseMac } from '../../kernel/abi/wire/index.js';
import { table } from './table.js';

/** One packet as a filter sees it: how it starts, its bytes, and its length on the wire. */
export type FilterLink = 'ether' | 'raw' | 'null' | 'sll2';
export type PacketFilter = (link: FilterLink, b: Uint8Array, wireLength: number) => boolean;

export class FilterError extends Error {}

const PROTOS = ['ether', 'ip', 'ip6', 'arp', 'icmp', 'icmp6', 'udp', 'tcp'] as const;
type Proto = (typeof PROTOS)[number];
type Dir = 'src' | 'dst' | 'src or dst' | 'src and dst';
type Kind = 'host' | 'net' | 'port' | 'portrange';

const IPPROTO_ICMPV6 = 58;
const IPPROTO = table<number>({ icmp: IPPROTO_ICMP, tcp: IPPROTO_TCP, udp: IPPROTO_UDP, icmp6: IPPROTO_ICMPV6 });
const SERVICES = table<number>({
  ssh: 22, domain: 53, bootps: 67, bootpc: 68, http: 80, ntp: 123, https: 443, openvpn: 1194, wireguard: 51820,
});
const KEYWORDS: ReadonlySet<string> = new Set<string>([...PROTOS, 'src', 'dst', 'host', 'net', 'mask', 'port', 'portrange', 'and', 'or', 'not', 'less', 'greater', 'broadcast', 'proto']);

// ---------------------------------------------------------------- what a packet holds

interface Fields {
  len: number;
  etherSrc: number | null;
  etherDst: number | null;
  ethertype: number | null;
  ipProto: number | null;
  ipSrc: number | null;
  ipDst: number | null;
  arpSpa: number | null;
  arpTpa: number | null;
  sport: number | null;
  dport: number | null;
}

const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const mac = (b: Uint8Array, o: number) => b.subarray(o, o + 6).reduce((n, x) => n * 256 + x, 0);

function fields(link: FilterLink, b: Uint8Array, len: number): Fields {
  const f: Fields = { len, etherSrc: null, etherDst: null, ethertype: null, ipProto: null, ipSrc: null, ipDst: null, arpSpa: null, arpTpa: null, sport: null, dport: null };
  let off = 0;
  if (link === 'ether') {
    if (b.length < 14) return f;
    f.etherDst = mac(b, 0);
    f.etherSrc = mac(b, 6);
    let type = u16(b, 12);
    off = 14;
    while ((type === 0x8100 || type === 0x88a8) && b.length >= off + 4) {
      type = u16(b, off + 2);
      off += 4;
    }
    f.ethertype = type;
  } else if (link === 'sll2') {
    // Linux's cooked header (LINKTYPE_LINUX_SLL2): the protocol, then the sender's address.
    if (b.length < 20) return f;
    f.ethertype = u16(b, 0);
    if (b[11] === 6) f.etherSrc = mac(b, 12);
    off = 20;
  } else if (link === 'null') {
    if (b.length < 4) return f;
    // The BSD loopback's family word is in the capturing host's byte order: 2 is AF_INET.
    const family = b[0] === 0 ? u32(b, 0) : b[0]!;
    f.ethertype = family === 2 ? ETHERTYPE_IPV4 : family === 24 || family === 28 || family === 30 ? ETHERTYPE_IPV6 : null;
    off = 4;
  } else {
    const v = b.length > 0 ? b[0]! >> 4 : 0;
    f.ethertype = v === 4 ? ETHERTYPE_IPV4 : v === 6 ? ETHERTYPE_IPV6 : null;
  }
  let l4 = -1;
  if (f.ethertype === ETHERTYPE_IPV4 && b.length >= off + 20) {
    f.ipProto = b[off + 9]!;
    f.ipSrc = u32(b, off + 12);
    f.ipDst = u32(b, off + 16);
    // Ports are only in a datagram's first fragment.
    if ((u16(b, off + 6) & 0x1fff) === 0) l4 = off + (b[off]! & 0x0f) * 4;
  } else if (f.ethertype === ETHERTYPE_IPV6 && b.length >= off + 40) {
    f.ipProto = b[off + 6]!;
    l4 = off + 40;
  } else if (f.ethertype === ETHERTYPE_ARP && b.length >= off + 28 && u16(b, off + 2) === ETHERTYPE_IPV4) {
    f.arpSpa = u32(b, off + 14);
    f.arpTpa = u32(b, off + 24);
  }
  if (l4 >= 0 && (f.ipProto === IPPROTO_TCP || f.ipProto === IPPROTO_UDP) && b.length >= l4 + 4) {
    f.sport = u16(b, l4);
    f.dport = u16(b, l4 + 2);
  }
  return f;
}

// ---------------------------------------------------------------- the language

type FieldsNode = (f: Fields) => boolean;

interface Qualifiers {
  proto?: Proto;
  dir?: Dir;
  kind?: Kind;
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(&&|\|\||!=|==|[()!\[\]<>=]|[^\s()!\[\]<>=&|]+)/y;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < text.length && (m = re.exec(text))) tokens.push(m[1]!);
  if (text.slice(re.lastIndex).trim() !== '') throw new FilterError('syntax error');
  return tokens;
}

/** Parse a filter; `resolve` turns a host name into an IPv4 address (null when unknown). */
export function compileFilter(text: string, resolve: (name: string) => number | null): PacketFilter {
  const test = compile<Fields>(text, resolve, (n) => n, new Map());
  return (link, b, len) => test(fields(link, b, len));
}

/**
 * The same language over something that is not one packet: `packets` says whether a packet test
 * holds for a context (a journey: any of its packets), and `primitives` adds keywords that take
 * one value (`on HOST`, `layer NAME`) and test the context itself.
 */
export interface FilterExtension<C> {
  packets(c: C, test: PacketFilter): boolean;
  primitives: ReadonlyMap<string, (value: string) => (c: C) => boolean>;
}

export function compileExtendedFilter<C>(text: string, resolve: (name: string) => number | null, ext: FilterExtension<C>): (c: C) => boolean {
  return compile<C>(text, resolve, (n) => (c) => ext.packets(c, (link, b, len) => n(fields(link, b, len))), ext.primitives);
}

function compile<C>(
  text: string,
  resolve: (name: string) => number | null,
  lift: (n: FieldsNode) => (c: C) => boolean,
  extra: ReadonlyMap<string, (value: string) => (c: C) => boolean>,
): (c: C) => boolean {
  type Node = (c: C) => boolean;
  const tokens = tokenize(text);
  let i = 0;
  let last: Qualifiers = {};
  const peek = () => tokens[i];
  const next = () => {
    const t = tokens[i++];
    if (t === undefined) throw new FilterError('syntax error');
    return t;
  };

  /**
   * Operands joined by and/or, left to right: in libpcap's grammar the two have the same
   * precedence, so `tcp or udp and port 53` is `(tcp or udp) and port 53`.
   */
  function orExpr(): Node {
    let left = unary();
    for (let op = peek(); op === 'and' || op === '&&' || op === 'or' || op === '||'; op = peek()) {
      i++;
      const [l, r] = [left, unary()];
      left = op === 'and' || op === '&&' ? (f) => l(f) && r(f) : (f) => l(f) || r(f);
    }
    return left;
  }

  function unary(): Node {
    const t = peek();
    if (t === 'not' || t === '!') {
      i++;
      const n = unary();
      return (f) => !n(f);
    }
    if (t === '(') {
      i++;
      const n = orExpr();
      if (next() !== ')') throw new FilterError('syntax error');
      return n;
    }
    const t2 = peek();
    const own = t2 === undefined ? undefined : extra.get(t2);
    if (own) {
      i++;
      const w = next();
      if (w === '(' || w === ')' || w === 'and' || w === 'or' || w === 'not') throw new FilterError('syntax error');
      return own(w);
    }
    return lift(primitive());
  }

  function primitive(): FieldsNode {
    const t = peek();
    if (t === undefined) throw new FilterError('syntax error');
    if (t === 'less' || t === 'greater') {
      i++;
      const n = number(next(), 'length');
      return t === 'less' ? (f) => f.len <= n : (f) => f.len >= n;
    }
    // A bare value continues the previous primitive's qualifiers (libpcap's "host a or b").
    if (!KEYWORDS.has(t) && last.kind !== undefined) return value(last, next());
    const q: Qualifiers = {};
    if ((PROTOS as readonly string[]).includes(t)) q.proto = next() as Proto;
    if (peek() === '[') throw new FilterError(`tunlab's tcpdump does not support byte offsets ('${q.proto}[...]') in filter expressions`);
    if (peek() === 'broadcast') {
      i++;
      if (q.proto !== undefined && q.proto !== 'ether') throw new FilterError(`only ether broadcast is supported`);
      return (f) => f.etherDst === 0xffffffffffff;
    }
    if (peek() === 'proto') {
      i++;
      if (q.proto !== 'ip' && q.proto !== 'ip6') throw new FilterError('syntax error');
      const w = next();
      const n = IPPROTO[w] ?? number(w, 'protocol');
      const v = q.proto === 'ip' ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
      return (f) => f.ethertype === v && f.ipProto === n;
    }
    if (peek() === 'src' || peek() === 'dst') {
      const d = next();
      if ((peek() === 'or' || peek() === 'and') && (tokens[i + 1] === 'src' || tokens[i + 1] === 'dst') && tokens[i + 1] !== d) {
        q.dir = peek() === 'or' ? 'src or dst' : 'src and dst';
        i += 2;
      } else q.dir = d as Dir;
    }
    const k = peek();
    if (k === 'host' || k === 'net' || k === 'port' || k === 'portrange') q.kind = next() as Kind;
    if (q.kind === undefined && q.dir === undefined) {
      if (q.proto === undefined) {
        // Not a keyword and nothing to continue: libpcap reads it as a host name.
        q.kind = 'host';
      } else return protoOnly(q.proto);
    }
    q.kind ??= 'host';
    last = q;
    return value(q, next());
  }

  function protoOnly(p: Proto): FieldsNode {
    switch (p) {
      case 'ip':
        return (f) => f.ethertype === ETHERTYPE_IPV4;
      case 'ip6':
        return (f) => f.ethertype === ETHERTYPE_IPV6;
      case 'arp':
        return (f) => f.ethertype === ETHERTYPE_ARP;
      case 'icmp':
        return (f) => f.ethertype === ETHERTYPE_IPV4 && f.ipProto === IPPROTO_ICMP;
      case 'icmp6':
        return (f) => f.ethertype === ETHERTYPE_IPV6 && f.ipProto === IPPROTO_ICMPV6;
      case 'udp':
      case 'tcp': {
        const n = IPPROTO[p]!;
        return (f) => (f.ethertype === ETHERTYPE_IPV4 || f.ethertype === ETHERTYPE_IPV6) && f.ipProto === n;
      }
      case 'ether':
        throw new FilterError('syntax error');
    }
  }

  function value(q: Qualifiers, w: string): FieldsNode {
    if (KEYWORDS.has(w) || w === '(' || w === ')') throw new FilterError('syntax error');
    const dir = q.dir ?? 'src or dst';
    const pick = <T>(src: T, dst: T, test: (v: T) => boolean) =>
      dir === 'src' ? test(src) : dir === 'dst' ? test(dst) : dir === 'src and dst' ? test(src) && test(dst) : test(src) || test(dst);
    if (q.proto === 'ether') {
      if (q.kind !== 'host') throw new FilterError(`'ether ${q.kind}' is not supported`);
      const m = parseMac(w);
      if (m === null) throw new FilterError(`bad ethernet address '${w}'`);
      return (f) => f.etherSrc !== null && pick(f.etherSrc, f.etherDst, (v) => v === m);
    }
    if (q.kind === 'port' || q.kind === 'portrange') {
      const [lo, hi] = q.kind === 'port' ? [port(w), port(w)] : portRange(w);
      if (q.proto !== undefined && q.proto !== 'tcp' && q.proto !== 'udp' && q.proto !== 'ip' && q.proto !== 'ip6') {
        throw new FilterError(`port qualifier applied to ${q.proto}`);
      }
      const proto = q.proto === 'tcp' ? IPPROTO_TCP : q.proto === 'udp' ? IPPROTO_UDP : null;
      const family = q.proto === 'ip' ? ETHERTYPE_IPV4 : q.proto === 'ip6' ? ETHERTYPE_IPV6 : null;
      return (f) =>
        f.sport !== null &&
        (proto === null || f.ipProto === proto) &&
        (family === null || f.ethertype === family) &&
        pick(f.sport, f.dport!, (v) => v >= lo && v <= hi);
    }
    // host or net: IPv4 addresses, of IP packets or of ARP (sender and target).
    let addr: number;
    let mask: number;
    if (q.kind === 'net') {
      [addr, mask] = network(w);
    } else {
      const a = resolve(w);
      if (a === null) throw new FilterError(parseIpv4(w) === null && !/^[\d.]+$/.test(w) ? `unknown host '${w}'` : `invalid address '${w}'`);
      [addr, mask] = [a, 0xffffffff];
    }
    const inNet = (v: number | null) => v !== null && ((v & mask) >>> 0) === addr;
    const ip = q.proto === undefined || q.proto === 'ip';
    const arp = q.proto === undefined || q.proto === 'arp';
    if (!ip && !arp) throw new FilterError(`'${q.proto} ${q.kind}' is not supported`);
    return (f) => (ip && f.ipSrc !== null && f.ethertype === ETHERTYPE_IPV4 && pick(f.ipSrc, f.ipDst, inNet)) || (arp && f.arpSpa !== null && pick(f.arpSpa, f.arpTpa, inNet));
  }

  function network(w: string): [number, number] {
    let prefix: number;
    let base = w;
    if (w.includes('/')) {
      const [a, p] = w.split('/');
      base = a!;
      prefix = number(p!, 'prefix length');
      if (prefix > 32) throw new FilterError(`mask length must be <= 32`);
    } else if (peek() === 'mask') {
      i++;
      const m = parseIpv4(next());
      if (m === null) throw new FilterError('invalid mask');
      const a = parseIpv4(w);
      if (a === null) throw new FilterError(`invalid network '${w}'`);
      if (((a & ~m) >>> 0) !== 0) throw new FilterError('non-network bits set in "' + w + ' mask ' + tokens[i - 1] + '"');
      return [a, m >>> 0];
    } else {
      // a, a.b or a.b.c: the network of those octets.
      const parts = w.split('.');
      if (parts.length > 4 || parts.some((p) => !/^\d+$/.test(p) || Number(p) > 255)) throw new FilterError(`invalid network '${w}'`);
      prefix = parts.length * 8;
      base = [...parts, '0', '0', '0'].slice(0, 4).join('.');
    }
    const a = parseIpv4(base);
    if (a === null) throw new FilterError(`invalid network '${w}'`);
    const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    if (((a & ~m) >>> 0) !== 0) throw new FilterError(`non-network bits set in "${w}"`);
    return [a, m];
  }

  const node = orExpr();
  if (i !== tokens.length) throw new FilterError('syntax error');
  return node;
}

function number(w: string, what: string): number {
  if (!/^\d+$/.test(w)) throw new FilterError(`invalid ${what} '${w}'`);
  return Number(w);
}

function port(w: string): number {
  const n = SERVICES[w] ?? (/^\d+$/.test(w) ? Number(w) : null);
  if (n === null) throw new FilterError(`unknown port '${w}'`);
  if (n > 65535) throw new FilterError(`illegal port number ${n} > 65535`);
  return n;
}

function portRange(w: string): [number, number] {
  const m = /^([^-]+)-([^-]+)$/.exec(w);
  if (!m) throw new FilterError(`illegal port range '${w}'`);
  const [a, b] = [port(m[1]!), port(m[2]!)];
  return a <= b ? [a, b] : [b, a];
}
