// The sockets of one host and how incoming datagrams find them: UDP by port (connected sockets
// first, then the bound address, then the wildcard), raw sockets by protocol, ICMP errors back to
// the connected socket that caused them.

import { type ErrnoName, SysError } from '../../abi/errno.js';
import { isWireError } from '../../abi/wire/error.js';
import { formatIpv4 } from '../../abi/wire/address.js';
import { ICMP_DEST_UNREACH } from '../../abi/wire/icmp.js';
import { IPPROTO_UDP, Ipv4Packet, type Ipv4Repr } from '../../abi/wire/ipv4.js';
import { UdpPacket, UdpRepr } from '../../abi/wire/udp.js';
import { sockaddrIn } from '../../abi/socket.js';
import { icmpError } from '../iface/icmp.js';
import type { NetInterface } from '../iface/interface.js';
import type { NetStack } from '../stack.js';
import type { LinkSocket } from './link.js';
import type { RawSocket } from './raw.js';
import type { UdpSocket } from './udp.js';

export const EPHEMERAL_LOW = 49152;
export const EPHEMERAL_HIGH = 65535;

/** ICMP destination-unreachable codes as socket errors (Linux's icmp_err_convert). */
const UNREACH_ERRNO: Record<number, ErrnoName> = {
  0: 'ENETUNREACH',
  1: 'EHOSTUNREACH',
  2: 'ENOPROTOOPT',
  3: 'ECONNREFUSED',
  4: 'EMSGSIZE',
  5: 'EOPNOTSUPP',
  6: 'ENETUNREACH',
  7: 'EHOSTDOWN',
};

export interface SocketTables {
  readonly udp: Map<number, UdpSocket[]>;
  readonly raw: Set<RawSocket>;
  readonly links: Set<LinkSocket>;
  bindUdp(s: UdpSocket, addr: number, port: number): void;
  rebindUdp(s: UdpSocket, addr: number): void;
  unbindUdp(s: UdpSocket): void;
  udpInput(iface: NetInterface, packet: Uint8Array, ip: Ipv4Repr, payload: Uint8Array): void;
  rawDeliver(protocol: number, packet: Uint8Array): void;
  hasRaw(protocol: number): boolean;
  icmpError(type: number, code: number, original: Uint8Array): void;
  interfaceGone(iface: NetInterface): void;
  all(): Array<UdpSocket | RawSocket | LinkSocket>;
}

export function createSocketTables(stack: NetStack): SocketTables {
  const udp = new Map<number, UdpSocket[]>();
  const raw = new Set<RawSocket>();
  const links = new Set<LinkSocket>();
  let nextEphemeral = EPHEMERAL_LOW;

  function conflicts(s: UdpSocket, addr: number, port: number): boolean {
    return (udp.get(port) ?? []).some(
      (o) => o !== s && (o.localAddr === 0 || addr === 0 || o.localAddr === addr) && !(o.reuseAddr && s.reuseAddr),
    );
  }

  function ephemeral(s: UdpSocket, addr: number): number {
    const span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    for (let i = 0; i < span; i++) {
      const port = nextEphemeral;
      nextEphemeral = nextEphemeral === EPHEMERAL_HIGH ? EPHEMERAL_LOW : nextEphemeral + 1;
      if (!conflicts(s, addr, port)) return port;
    }
    throw new SysError('EADDRINUSE');
  }

  function lookup(ip: Ipv4Repr, srcPort: number, dstPort: number): UdpSocket | undefined {
    const list = udp.get(dstPort);
    if (!list) return undefined;
    let best: UdpSocket | undefined;
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

  return {
    udp,
    raw,
    links,

    bindUdp(s, addr, port) {
      if (port === 0) port = ephemeral(s, addr);
      else if (conflicts(s, addr, port)) throw new SysError('EADDRINUSE');
      s.localAddr = addr;
      s.localPort = port;
      const list = udp.get(port) ?? [];
      list.push(s);
      udp.set(port, list);
    },

    rebindUdp(s, addr) {
      s.localAddr = addr;
    },

    unbindUdp(s) {
      const list = udp.get(s.localPort);
      if (!list) return;
      const rest = list.filter((x) => x !== s);
      if (rest.length) udp.set(s.localPort, rest);
      else udp.delete(s.localPort);
    },

    udpInput(iface, packet, ip, payload) {
      const view = UdpPacket.checked(payload);
      const repr = isWireError(view) ? view : UdpRepr.parse(view, ip.src, ip.dst);
      if (isWireError(repr) || isWireError(view)) {
        const reason = isWireError(repr) ? repr.reason : 'malformed';
        if (/checksum/i.test(reason)) stack.udp.InCsumErrors++;
        stack.udp.InErrors++;
        stack.trace('socket', iface.name, 'drop', 'ip', packet, reason);
        return;
      }
      const sock = lookup(ip, repr.srcPort, repr.dstPort);
      if (!sock) {
        stack.udp.NoPorts++;
        stack.trace('socket', `udp port ${repr.dstPort}`, 'drop', 'ip', packet, 'no socket: port unreachable');
        if (!stack.isBroadcastFor(iface, ip.dst)) icmpError(stack, packet, 3, 3);
        return;
      }
      if (!sock.enqueue(repr.payload.slice(), sockaddrIn(formatIpv4(ip.src), repr.srcPort))) {
        stack.udp.RcvbufErrors++;
        stack.udp.InErrors++;
        stack.trace('socket', sock.describe(), 'drop', 'ip', packet, 'receive buffer full');
        return;
      }
      stack.udp.InDatagrams++;
      if (stack.tracing) stack.trace('socket', sock.describe(), 'deliver', 'ip', packet);
    },

    rawDeliver(protocol, packet) {
      for (const s of raw) if (s.protocol === protocol) s.offer(packet);
    },

    hasRaw(protocol) {
      for (const s of raw) if (s.protocol === protocol) return true;
      return false;
    },

    icmpError(type, code, original) {
      // The quoted packet is one we sent: its source is us, its destination the far end. Only its
      // header and 8 bytes are quoted, so its total length field overstates what is here.
      if (original.length < 28) return;
      const v = new Ipv4Packet(original);
      if (v.headerLen < 20 || v.protocol !== IPPROTO_UDP || original.length < v.headerLen + 8) return;
      const udpHdr = original.subarray(v.headerLen);
      const srcPort = (udpHdr[0]! << 8) | udpHdr[1]!;
      const dstPort = (udpHdr[2]! << 8) | udpHdr[3]!;
      const errno: ErrnoName = type === ICMP_DEST_UNREACH ? (UNREACH_ERRNO[code] ?? 'EHOSTUNREACH') : 'EHOSTUNREACH';
      for (const s of udp.get(srcPort) ?? []) {
        // Like Linux without IP_RECVERR: only a connected socket hears about it.
        if (s.connected && s.remoteAddr === v.dst && s.remotePort === dstPort) s.setError(errno);
      }
    },

    interfaceGone(iface) {
      for (const l of links) l.interfaceGone(iface);
    },

    all() {
      const out: Array<UdpSocket | RawSocket | LinkSocket> = [];
      for (const list of udp.values()) out.push(...list);
      out.push(...raw, ...links);
      return out;
    },
  };
}
