// UDP sockets: the socket side of the UDP engine (net/udp). Binding, connecting and sending go to
// the engine; the datagrams it delivers wait in the socket's bounded queue for a reader.

import { SysError } from '../../abi/errno.js';
import { AF_INET, AF_UNSPEC, SOCK_DGRAM, IPPROTO_UDP, type SockaddrIn, sockaddrIn } from '../../abi/socket.js';
import { formatIpv4 } from '../../abi/wire/address.js';
import type { IoContext } from '../../vfs/file.js';
import { UDP_MAX_PAYLOAD, type UdpEndpoint, type UdpProtocol } from '../udp/udp.js';
import { addrOf, datagramPeer, destinationOf } from './sockaddr.js';
import { Socket, type SocketHost } from './socket.js';

export class UdpSocket extends Socket implements UdpEndpoint {
  localAddr = 0;
  localPort = 0;
  remoteAddr = 0;
  remotePort = 0;
  /** Where the last datagram went (flowPeer). */
  private lastDstAddr = 0;
  private lastDstPort = 0;

  constructor(
    host: SocketHost,
    private readonly udp: UdpProtocol,
    flags: number,
  ) {
    super(host, AF_INET, SOCK_DGRAM, IPPROTO_UDP, flags);
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
    this.udp.bind(this, a, port);
  }

  private isBroadcastAddr(a: number): boolean {
    for (const i of this.stack.interfaces.values()) if (this.stack.isBroadcastFor(i, a)) return true;
    return false;
  }

  private autobind(): void {
    if (!this.bound) this.udp.bind(this, 0, 0);
  }

  override connect(addr: SockaddrIn): void {
    if ((addr as { sin_family: number }).sin_family === AF_UNSPEC) {
      this.remoteAddr = 0;
      this.remotePort = 0;
      return;
    }
    const { dst, src } = datagramPeer(this.stack, addr, 1, this.localAddr);
    this.autobind();
    if (this.localAddr === 0) this.localAddr = src;
    this.remoteAddr = dst;
    this.remotePort = addr.sin_port;
    this.error = null;
  }

  sendto(ctx: IoContext, data: Uint8Array, _flags: number, to: SockaddrIn | null): number {
    this.takeError();
    let dst = this.remoteAddr;
    let dport = this.remotePort;
    if (to) {
      dst = destinationOf(to, this.localAddr);
      dport = to.sin_port;
      if (!Number.isInteger(dport) || dport <= 0 || dport > 65535) throw new SysError('EINVAL');
    } else if (!this.connected) throw new SysError('EDESTADDRREQ');
    if (data.length > UDP_MAX_PAYLOAD) throw new SysError('EMSGSIZE');
    this.autobind();
    this.lastDstAddr = dst;
    this.lastDstPort = dport;
    if (this.stack.tracing) data = this.sending(ctx, data);
    this.udp.send(this, dst, dport, data, { ttl: this.ttl, tos: this.tos, broadcast: this.broadcast, dontFragment: this.dontFrag });
    return data.length;
  }

  /** A datagram the engine delivered. */
  receive(data: Uint8Array, addr: number, port: number): boolean {
    return this.enqueue(data, sockaddrIn(formatIpv4(addr), port));
  }

  localName(): SockaddrIn {
    return sockaddrIn(formatIpv4(this.localAddr), this.localPort);
  }

  peerName(): SockaddrIn | null {
    return this.connected ? sockaddrIn(formatIpv4(this.remoteAddr), this.remotePort) : null;
  }

  /**
   * The far end of its flow: its peer when connected, else where it last sent a datagram (what
   * Linux's conntrack keeps for an unconnected socket; ss shows none). How `topology` finds what
   * an unconnected VPN socket talks to.
   */
  flowPeer(): string | null {
    if (this.connected) return `${formatIpv4(this.remoteAddr)}:${this.remotePort}`;
    return this.lastDstPort === 0 ? null : `${formatIpv4(this.lastDstAddr)}:${this.lastDstPort}`;
  }

  describe(): string {
    const local = `${formatIpv4(this.localAddr)}:${this.localPort}`;
    return this.connected ? `udp ${local} -> ${formatIpv4(this.remoteAddr)}:${this.remotePort}` : `udp ${local}`;
  }

  protected unregister(): void {
    this.udp.unbind(this);
  }
}
