// UDP sockets: binding (with ephemeral ports and address-in-use rules), connecting, sending through
// the IP layer, and receiving datagrams the stack demultiplexes to them.

import { SysError } from '../../abi/errno.js';
import { AF_INET, AF_UNSPEC, SOCK_DGRAM, IPPROTO_UDP, type SockaddrIn, sockaddrIn } from '../../abi/socket.js';
import type { IoContext } from '../../vfs/file.js';
import { formatIpv4 } from '../../abi/wire/address.js';
import { UdpPacket, UdpRepr } from '../../abi/wire/udp.js';
import { chooseSource, ipSend, routeFor } from '../iface/ipv4.js';
import type { NetStack } from '../stack.js';
import { Socket } from './socket.js';
import { addrOf } from './sockaddr.js';

/** The largest UDP payload an IPv4 datagram can carry. */
export const UDP_MAX_PAYLOAD = 65507;

export class UdpSocket extends Socket {
  localAddr = 0;
  localPort = 0;
  remoteAddr = 0;
  remotePort = 0;

  constructor(stack: NetStack, flags: number) {
    super(stack, AF_INET, SOCK_DGRAM, IPPROTO_UDP, flags);
  }

  get bound(): boolean {
    return this.localPort !== 0;
  }

  get connected(): boolean {
    return this.remotePort !== 0;
  }

  override bind(addr: SockaddrIn, ctx: IoContext): void {
    const a = addrOf(addr);
    if (this.bound) throw new SysError('EINVAL');
    if (a !== 0 && !this.stack.isLocal(a) && !this.isBroadcastAddr(a)) throw new SysError('EADDRNOTAVAIL');
    const port = addr.sin_port;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SysError('EINVAL');
    if (port !== 0 && port < 1024 && ctx.uid !== 0) throw new SysError('EACCES');
    this.stack.sockets.bindUdp(this, a, port);
  }

  private isBroadcastAddr(a: number): boolean {
    for (const i of this.stack.interfaces.values()) if (this.stack.isBroadcastFor(i, a)) return true;
    return false;
  }

  private autobind(): void {
    if (!this.bound) this.stack.sockets.bindUdp(this, 0, 0);
  }

  override connect(addr: SockaddrIn): void {
    if ((addr as { sin_family: number }).sin_family === AF_UNSPEC) {
      this.remoteAddr = 0;
      this.remotePort = 0;
      return;
    }
    const a = addrOf(addr);
    if (!Number.isInteger(addr.sin_port) || addr.sin_port <= 0 || addr.sin_port > 65535) throw new SysError('EINVAL');
    const where = routeFor(this.stack, a);
    if (typeof where === 'string') throw new SysError(where);
    this.autobind();
    if (this.localAddr === 0) this.stack.sockets.rebindUdp(this, chooseSource(this.stack, where.iface, a));
    this.remoteAddr = a;
    this.remotePort = addr.sin_port;
    this.error = null;
  }

  sendto(_ctx: IoContext, data: Uint8Array, _flags: number, to: SockaddrIn | null): number {
    this.takeError();
    let dst = this.remoteAddr;
    let dport = this.remotePort;
    if (to) {
      dst = addrOf(to);
      dport = to.sin_port;
      if (!Number.isInteger(dport) || dport <= 0 || dport > 65535) throw new SysError('EINVAL');
    } else if (!this.connected) throw new SysError('EDESTADDRREQ');
    if (data.length > UDP_MAX_PAYLOAD) throw new SysError('EMSGSIZE');
    this.autobind();
    const where = routeFor(this.stack, dst);
    if (typeof where === 'string') {
      this.stack.ip.OutNoRoutes++;
      throw new SysError(where);
    }
    const src = this.localAddr || chooseSource(this.stack, where.iface, dst);
    const seg = new Uint8Array(8 + data.length);
    UdpRepr.emit({ srcPort: this.localPort, dstPort: dport, payload: data }, new UdpPacket(seg), src, dst);
    if (this.stack.tracing) this.stack.trace('socket', this.describe(), 'out', 'ip', seg);
    const err = ipSend(this.stack, { src, dst, protocol: IPPROTO_UDP, payload: seg, ttl: this.ttl, tos: this.tos, broadcast: this.broadcast });
    if (err) {
      if (err === 'EHOSTUNREACH' || err === 'ENETUNREACH' || err === 'ENETDOWN' || err === 'EACCES' || err === 'EMSGSIZE') throw new SysError(err);
      this.stack.udp.SndbufErrors++;
      throw new SysError(err);
    }
    this.stack.udp.OutDatagrams++;
    return data.length;
  }

  localName(): SockaddrIn {
    return sockaddrIn(formatIpv4(this.localAddr), this.localPort);
  }

  peerName(): SockaddrIn | null {
    return this.connected ? sockaddrIn(formatIpv4(this.remoteAddr), this.remotePort) : null;
  }

  describe(): string {
    const local = `${formatIpv4(this.localAddr)}:${this.localPort}`;
    return this.connected ? `udp ${local} -> ${formatIpv4(this.remoteAddr)}:${this.remotePort}` : `udp ${local}`;
  }

  protected unregister(): void {
    this.stack.sockets.unbindUdp(this);
  }
}
