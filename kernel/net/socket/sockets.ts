// The socket layer of one host: it makes sockets of each family and type (socket(2)'s checks,
// CAP_NET_RAW's and ping_group_range's among them), knows every socket open on the host (netstat),
// delivers raw packets to raw sockets and echo replies to ping sockets, ends captures on interfaces
// that go away, and answers the configuration ioctls any socket takes.

import { SysError } from '../../abi/errno.js';
import { AF_INET, AF_INET6, AF_LINK, AF_UNIX, IPPROTO_ICMP, IPPROTO_MAX, IPPROTO_TCP, IPPROTO_UDP, type ProtoStats, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM } from '../../abi/socket.js';
import type { Ipv4Repr } from '../../abi/wire/ipv4.js';
import type { IoContext } from '../../vfs/file.js';
import type { TableEntry } from '../../vfs/tablefs.js';
import type { RawDelivery } from '../iface/protocol.js';
import type { NetStack } from '../iface/stack.js';
import type { UdpProtocol } from '../udp/udp.js';
import { TcpSocket } from './tcp.js';
import type { TcpProtocol } from './tcp-protocol.js';
import type { TcpEndpointInfo } from '../tcp/engine.js';
import type { TcpMetrics } from '../tcp/metrics.js';
import { socketIoctl } from './ioctl.js';
import { LinkSocket } from './link.js';
import { type PingHost, PingSocket } from './ping.js';
import { defaultPingGroupRange, inPingGroupRange, pingGroupRangeFile } from './ping-group-range.js';
import { RawSocket } from './raw.js';
import type { Socket } from './socket.js';
import { UdpSocket } from './udp.js';
import { UnixNamespace, UnixStreamSocket } from './unix.js';

/** Who is asking for a socket: what CAP_NET_RAW and ping_group_range are checked against. */
export type SocketCreds = Pick<IoContext, 'uid' | 'gid' | 'groups'>;

export class SocketLayer implements PingHost, RawDelivery {
  private readonly raw = new Set<RawSocket>();
  private readonly pings = new Set<PingSocket>();
  /** Where the search for a free ping identifier starts (ping.c's ping_port_rover). */
  private identRover = 0;
  /** net.ipv4.ping_group_range, per host as it is per network namespace. */
  readonly pingGroupRange = defaultPingGroupRange();
  private readonly links = new Set<LinkSocket>();
  private nextId = 1;
  /** The AF_UNIX sockets bound to socket files of this host. */
  readonly unixNames = new UnixNamespace();

  constructor(
    readonly stack: NetStack,
    readonly udp: UdpProtocol,
    readonly tcp: TcpProtocol,
  ) {
    stack.raw = this;
    stack.interfaceRemoved.add((iface) => {
      for (const l of this.links) l.interfaceGone(iface);
    });
  }

  newId(): number {
    return this.nextId++;
  }

  /**
   * socket(domain, type, protocol), `flags` the file's (O_RDWR, O_NONBLOCK). A raw socket needs
   * CAP_NET_RAW, which in tunlab is uid 0 (EPERM); a ping socket needs the caller's group or one of
   * its supplementary groups in ping_group_range (EACCES), whoever the caller is.
   */
  create(domain: number, type: number, protocol: number, flags: number, creds: SocketCreds): Socket {
    if (domain === AF_INET) {
      // inet_create refuses a protocol out of range before it looks at the type or the caller.
      if (!Number.isInteger(protocol) || protocol < 0 || protocol >= IPPROTO_MAX) throw new SysError('EINVAL');
      if (type === SOCK_DGRAM) {
        if (protocol === IPPROTO_ICMP) {
          if (!inPingGroupRange(this.pingGroupRange, creds.gid, creds.groups)) throw new SysError('EACCES');
          const ping = new PingSocket(this, flags);
          this.pings.add(ping);
          return ping;
        }
        if (protocol !== 0 && protocol !== IPPROTO_UDP) throw new SysError('EPROTONOSUPPORT');
        return new UdpSocket(this, this.udp, flags);
      }
      if (type === SOCK_RAW) {
        // Linux takes any protocol below IPPROTO_MAX for a raw socket but 0, which no entry of its
        // protocol switch matches; 256 to 262 are accepted and, fitting no IP header, never match input.
        if (protocol === 0) throw new SysError('EPROTONOSUPPORT');
        if (creds.uid !== 0) throw new SysError('EPERM');
        const raw = new RawSocket(this, protocol, flags);
        this.raw.add(raw);
        return raw;
      }
      if (type === SOCK_STREAM) {
        if (protocol !== 0 && protocol !== IPPROTO_TCP) throw new SysError('EPROTONOSUPPORT');
        return new TcpSocket(this, this.tcp, flags);
      }
      throw new SysError('EPROTOTYPE');
    }
    if (domain === AF_LINK) {
      const link = new LinkSocket(this, type, flags);
      this.links.add(link);
      return link;
    }
    if (domain === AF_UNIX) {
      if (type === SOCK_STREAM) {
        if (protocol !== 0) throw new SysError('EPROTONOSUPPORT');
        return new UnixStreamSocket(this, this.unixNames, flags);
      }
      // AF_UNIX datagram and seqpacket sockets are not there yet.
      if (type === SOCK_DGRAM) throw new SysError('EPROTONOSUPPORT', 'tunlab has AF_UNIX stream sockets only');
      throw new SysError('EPROTOTYPE');
    }
    if (domain === AF_INET6) throw new SysError('EAFNOSUPPORT');
    throw new SysError('EAFNOSUPPORT');
  }

  forget(s: Socket): void {
    if (s instanceof RawSocket) this.raw.delete(s);
    else if (s instanceof PingSocket) this.pings.delete(s);
    else if (s instanceof LinkSocket) this.links.delete(s);
  }

  deliver(protocol: number, packet: Uint8Array): void {
    for (const s of this.raw) if (s.protocol === protocol) s.offer(packet);
  }

  freeIdent(): number | null {
    const used = new Set<number>();
    for (const p of this.pings) used.add(p.ident);
    for (let i = 0; i < 0x10000; i++) {
      this.identRover = (this.identRover + 1) & 0xffff;
      if (this.identRover !== 0 && !used.has(this.identRover)) return this.identRover;
    }
    return null;
  }

  /** ping_rcv: an echo reply goes to the one ping socket that holds its identifier, if any. */
  echoReply(packet: Uint8Array, ip: Ipv4Repr, icmp: Uint8Array): void {
    const ident = (icmp[4]! << 8) | icmp[5]!;
    for (const p of this.pings) {
      if (p.wants(ident, ip)) return p.offer(packet, ip, icmp);
    }
  }

  /** The /proc/sys files of the socket layer: net.ipv4.ping_group_range. */
  files(): TableEntry[] {
    return [pingGroupRangeFile(this.pingGroupRange)];
  }

  has(protocol: number): boolean {
    for (const s of this.raw) if (s.protocol === protocol) return true;
    return false;
  }

  /** The sockets `netstat` lists: bound UDP sockets, raw sockets, captures. */
  all(): Socket[] {
    const out: Socket[] = [];
    for (const list of this.udp.ports.values()) for (const s of list) if (s instanceof UdpSocket) out.push(s);
    out.push(...this.raw, ...this.pings, ...this.links);
    return out;
  }

  get tcpMetrics(): TcpMetrics {
    return this.tcp.engine.metrics;
  }

  tcpEndpoints(): TcpEndpointInfo[] {
    return this.tcp.engine.connections();
  }

  protoStats(): ProtoStats {
    return { ...this.stack.ipStats(), udp: { ...this.udp.counters }, tcp: this.tcp.engine.stats() };
  }

  ioctl(ctx: IoContext, op: number, arg: unknown): number {
    return socketIoctl(this, ctx, op, arg);
  }
}
