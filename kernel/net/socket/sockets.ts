// The socket layer of one host: it makes sockets of each family and type (socket(2)'s checks),
// knows every socket open on the host (netstat), delivers raw packets to raw sockets, ends
// captures on interfaces that go away, and answers the configuration ioctls any socket takes.

import { SysError } from '../../abi/errno.js';
import { AF_INET, AF_INET6, AF_LINK, AF_UNIX, IPPROTO_TCP, IPPROTO_UDP, type ProtoStats, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM } from '../../abi/socket.js';
import type { IoContext } from '../../vfs/file.js';
import type { RawDelivery } from '../iface/protocol.js';
import type { NetStack } from '../iface/stack.js';
import type { UdpProtocol } from '../udp/udp.js';
import { TcpSocket } from './tcp.js';
import type { TcpProtocol } from './tcp-protocol.js';
import type { TcpEndpointInfo } from '../tcp/engine.js';
import type { TcpMetrics } from '../tcp/metrics.js';
import { socketIoctl } from './ioctl.js';
import { LinkSocket } from './link.js';
import { RawSocket } from './raw.js';
import type { Socket, SocketHost } from './socket.js';
import { UdpSocket } from './udp.js';
import { UnixNamespace, UnixStreamSocket } from './unix.js';

export class SocketLayer implements SocketHost, RawDelivery {
  private readonly raw = new Set<RawSocket>();
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

  /** socket(domain, type, protocol), `flags` the file's (O_RDWR, O_NONBLOCK). */
  create(domain: number, type: number, protocol: number, flags: number): Socket {
    if (domain === AF_INET) {
      if (type === SOCK_DGRAM) {
        if (protocol !== 0 && protocol !== IPPROTO_UDP) throw new SysError('EPROTONOSUPPORT');
        return new UdpSocket(this, this.udp, flags);
      }
      if (type === SOCK_RAW) {
        if (!Number.isInteger(protocol) || protocol <= 0 || protocol > 255) throw new SysError('EPROTONOSUPPORT');
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
    else if (s instanceof LinkSocket) this.links.delete(s);
  }

  deliver(protocol: number, packet: Uint8Array): void {
    for (const s of this.raw) if (s.protocol === protocol) s.offer(packet);
  }

  has(protocol: number): boolean {
    for (const s of this.raw) if (s.protocol === protocol) return true;
    return false;
  }

  /** The sockets `netstat` lists: bound UDP sockets, raw sockets, captures. */
  all(): Socket[] {
    const out: Socket[] = [];
    for (const list of this.udp.ports.values()) for (const s of list) if (s instanceof UdpSocket) out.push(s);
    out.push(...this.raw, ...this.links);
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
