// UDP (RFC 768) for one host: the port table (binding with ephemeral ports and address-in-use
// rules), sending a datagram through IPv4, and demultiplexing received ones to the endpoint that
// wants them (connected first, then the bound address, then the wildcard), with ICMP errors handed
// back to the connected endpoint that caused them. Endpoints are the socket layer's UDP sockets;
// this engine knows them only through UdpEndpoint.

import { type ErrnoName, SysError } from '../../abi/errno.js';
import { isWireError } from '../../abi/wire/error.js';
import { ICMP_DEST_UNREACH } from '../../abi/wire/icmp.js';
import { IPPROTO_UDP, IPV4_HEADER_LEN, Ipv4Packet, type Ipv4Repr } from '../../abi/wire/ipv4.js';
import { UdpPacket, UdpRepr } from '../../abi/wire/udp.js';
import type { NetInterface } from '../iface/interface.js';
import { chooseSource, ipSend, routeFor } from '../iface/ipv4.js';
import type { IpProtocol } from '../iface/protocol.js';
import type { NetStack } from '../iface/stack.js';
import { UdpCounters } from './counters.js';

export const EPHEMERAL_LOW = 49152;
export const EPHEMERAL_HIGH = 65535;
/** The largest UDP payload an IPv4 datagram can carry. */
export const UDP_MAX_PAYLOAD = 65507;

/** ICMP destination-unreachable codes as socket errors (Linux's icmp_err_convert). */
const UNREACH_ERRNO: ReadonlyMap<number, ErrnoName> = new Map([
  [0, 'ENETUNREACH'],
  [1, 'EHOSTUNREACH'],
  [2, 'ENOPROTOOPT'],
  [3, 'ECONNREFUSED'],
  [4, 'EMSGSIZE'],
  [5, 'EOPNOTSUPP'],
  [6, 'ENETUNREACH'],
  [7, 'EHOSTDOWN'],
]);

/** A UDP socket as the engine sees it. */
export interface UdpEndpoint {
  localAddr: number;
  localPort: number;
  readonly remoteAddr: number;
  readonly remotePort: number;
  readonly connected: boolean;
  readonly reuseAddr: boolean;
  /** Queue a datagram for the reader: false when its buffer is full. */
  receive(data: Uint8Array, addr: number, port: number): boolean;
  /** An asynchronous error (ICMP) for the next call to report. */
  setError(errno: ErrnoName): void;
  describe(): string;
}

export interface UdpSendOptions {
  ttl: number;
  tos: number;
  broadcast: boolean;
  dontFragment?: boolean;
}

export class UdpProtocol implements IpProtocol {
  readonly protocol = IPPROTO_UDP;
  readonly counters = new UdpCounters();
  /** Bound endpoints by local port. */
  readonly ports = new Map<number, UdpEndpoint[]>();
  private nextEphemeral = EPHEMERAL_LOW;

  constructor(private readonly stack: NetStack) {
    stack.register(this);
  }

  private conflicts(s: UdpEndpoint, addr: number, port: number): boolean {
    return (this.ports.get(port) ?? []).some(
      (o) => o !== s && (o.localAddr === 0 || addr === 0 || o.localAddr === addr) && !(o.reuseAddr && s.reuseAddr),
    );
  }

  private ephemeral(s: UdpEndpoint, addr: number): number {
    const span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    for (let i = 0; i < span; i++) {
      const port = this.nextEphemeral;
      this.nextEphemeral = port === EPHEMERAL_HIGH ? EPHEMERAL_LOW : port + 1;
      if (!this.conflicts(s, addr, port)) return port;
    }
    throw new SysError('EADDRINUSE');
  }

  /** Bind to addr:port (port 0: an ephemeral one). */
  bind(s: UdpEndpoint, addr: number, port: number): void {
    if (port === 0) port = this.ephemeral(s, addr);
    else if (this.conflicts(s, addr, port)) throw new SysError('EADDRINUSE');
    s.localAddr = addr;
    s.localPort = port;
    const list = this.ports.get(port) ?? [];
    list.push(s);
    this.ports.set(port, list);
  }

  unbind(s: UdpEndpoint): void {
    const list = this.ports.get(s.localPort);
    if (!list) return;
    const rest = list.filter((x) => x !== s);
    if (rest.length) this.ports.set(s.localPort, rest);
    else this.ports.delete(s.localPort);
  }

  /** Send one datagram from `s` (bound already) to dst:dport. */
  send(s: UdpEndpoint, dst: number, dport: number, data: Uint8Array, opts: UdpSendOptions): void {
    const stack = this.stack;
    const where = routeFor(stack, dst);
    if (typeof where === 'string') {
      stack.ip.OutNoRoutes++;
      throw new SysError(where);
    }
    const src = s.localAddr || chooseSource(stack, where.iface, dst);
    const seg = new Uint8Array(8 + data.length);
    UdpRepr.emit({ srcPort: s.localPort, dstPort: dport, payload: data }, new UdpPacket(seg), src, dst);
    if (stack.tracing) {
      stack.journeys.carry(data, seg);
      stack.trace('socket', s.describe(), 'out', 'data', seg, { event: 'output' });
    }
    // Linux's default for UDP, IP_PMTUDISC_WANT: DF on every datagram that fits the path MTU, so the
    // path can tell when it shrinks; a larger one is fragmented here, without DF. IP_DONTFRAG
    // (opts.dontFragment) sets DF always, and a datagram too big for the path fails with EMSGSIZE.
    const fits = IPV4_HEADER_LEN + seg.length <= (where.route?.mtu || where.iface.mtu);
    const err = ipSend(stack, { src, dst, protocol: IPPROTO_UDP, payload: seg, ttl: opts.ttl, tos: opts.tos, broadcast: opts.broadcast, dontFragment: opts.dontFragment || fits });
    if (err) {
      if (err !== 'EHOSTUNREACH' && err !== 'ENETUNREACH' && err !== 'ENETDOWN' && err !== 'EACCES' && err !== 'EMSGSIZE') this.counters.SndbufErrors++;
      throw new SysError(err);
    }
    this.counters.OutDatagrams++;
  }

  private lookup(ip: Ipv4Repr, srcPort: number, dstPort: number): UdpEndpoint | undefined {
    const list = this.ports.get(dstPort);
    if (!list) return undefined;
    let best: UdpEndpoint | undefined;
    let bestScore = -1;
    for (const s of list) {
      if (s.localAddr !== 0 && s.localAddr !== ip.dst) continue;
      if (s.connected && (s.remoteAddr !== ip.src || s.remotePort !== srcPort)) continue;
      const score = (s.connected ? 2 : 0) + (s.localAddr !== 0 ? 1 : 0);
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    return best;
  }

  input(iface: NetInterface, packet: Uint8Array, ip: Ipv4Repr, payload: Uint8Array): void {
    const stack = this.stack;
    const c = this.counters;
    const view = UdpPacket.checked(payload);
    const repr = isWireError(view) ? view : UdpRepr.parse(view, ip.src, ip.dst);
    if (isWireError(repr) || isWireError(view)) {
      const reason = isWireError(repr) ? repr.reason : 'malformed';
      const checksum = /checksum/i.test(reason);
      if (checksum) c.InCsumErrors++;
      c.InErrors++;
      if (stack.tracing) stack.trace('socket', iface.name, 'drop', 'ip', packet, { reason: checksum ? 'bad-checksum' : 'malformed', counter: checksum ? 'Udp InCsumErrors' : 'Udp InErrors', decision: reason });
      return;
    }
    const sock = this.lookup(ip, repr.srcPort, repr.dstPort);
    if (!sock) {
      c.NoPorts++;
      if (stack.tracing) stack.trace('socket', `udp port ${repr.dstPort}`, 'drop', 'ip', packet, { reason: 'no-socket', counter: 'Udp NoPorts', decision: 'port unreachable' });
      if (!stack.isBroadcastFor(iface, ip.dst)) stack.icmpError(packet, 3, 3);
      return;
    }
    const data = repr.payload.slice();
    if (stack.tracing) stack.journeys.carry(packet, data);
    if (!sock.receive(data, ip.src, repr.srcPort)) {
      c.RcvbufErrors++;
      c.InErrors++;
      if (stack.tracing) stack.trace('socket', sock.describe(), 'drop', 'ip', packet, { reason: 'rcvbuf-full', counter: 'Udp RcvbufErrors' });
      return;
    }
    c.InDatagrams++;
    if (stack.tracing) stack.trace('socket', sock.describe(), 'deliver', 'ip', packet, { event: 'deliver' });
  }

  icmpError(type: number, code: number, original: Uint8Array): void {
    // The quoted packet is one we sent: its source is us, its destination the far end. Only its
    // header and 8 bytes are quoted, so its total length field overstates what is here.
    if (original.length < 28) return;
    const v = new Ipv4Packet(original);
    if (v.headerLen < 20 || original.length < v.headerLen + 8) return;
    const udpHdr = original.subarray(v.headerLen);
    const srcPort = (udpHdr[0]! << 8) | udpHdr[1]!;
    const dstPort = (udpHdr[2]! << 8) | udpHdr[3]!;
    const errno: ErrnoName = type === ICMP_DEST_UNREACH ? (UNREACH_ERRNO.get(code) ?? 'EHOSTUNREACH') : 'EHOSTUNREACH';
    for (const s of this.ports.get(srcPort) ?? []) {
      // Like Linux without IP_RECVERR: only a connected socket hears about it.
      if (s.connected && s.remoteAddr === v.dst && s.remotePort === dstPort) s.setError(errno);
    }
  }
}
