// Raw IP sockets (SOCK_RAW): `ping` sends ICMP messages through one and reads back every ICMP
// packet the host receives, IP header included, as BSD's raw sockets deliver them.

import { SysError } from '../../abi/errno.js';
import { AF_INET, SOCK_RAW, type SockaddrIn, sockaddrIn } from '../../abi/socket.js';
import type { IoContext } from '../../vfs/file.js';
import { formatIpv4 } from '../../abi/wire/address.js';
import { IPPROTO_ICMP, Ipv4Packet } from '../../abi/wire/ipv4.js';
import { icmpOutCount } from '../iface/icmp.js';
import { ipSend } from '../iface/ipv4.js';
import { Socket, type SocketHost } from './socket.js';
import { addrOf, destinationOf } from './sockaddr.js';

export class RawSocket extends Socket {
  localAddr = 0;
  remoteAddr = 0;

  constructor(host: SocketHost, protocol: number, flags: number) {
    super(host, AF_INET, SOCK_RAW, protocol, flags);
  }

  override bind(addr: SockaddrIn): void {
    const a = addrOf(addr);
    if (a !== 0 && !this.stack.isLocal(a)) throw new SysError('EADDRNOTAVAIL');
    this.localAddr = a;
  }

  override connect(addr: SockaddrIn): void {
    this.remoteAddr = destinationOf(addr, this.localAddr);
  }

  sendto(ctx: IoContext, data: Uint8Array, _flags: number, to: SockaddrIn | null): number {
    this.takeError();
    const dst = to ? destinationOf(to, this.localAddr) : this.remoteAddr;
    if (!dst && !to) throw new SysError('EDESTADDRREQ');
    if (this.stack.tracing) data = this.sending(ctx, data);
    const err = ipSend(this.stack, {
      src: this.localAddr,
      dst,
      protocol: this.protocol,
      payload: data,
      ttl: this.ttl,
      tos: this.tos,
      broadcast: this.broadcast,
      dontFragment: this.dontFrag,
    });
    if (err) throw new SysError(err);
    if (this.protocol === IPPROTO_ICMP && data.length > 0) icmpOutCount(this.stack, data[0]!);
    return data.length;
  }

  /** A packet of our protocol arrived: a copy, header and all. */
  offer(packet: Uint8Array): void {
    const v = new Ipv4Packet(packet);
    if (this.localAddr && v.dst !== this.localAddr) return;
    if (this.remoteAddr && v.src !== this.remoteAddr) return;
    const copy = packet.slice();
    if (this.stack.tracing) {
      this.stack.journeys.carry(packet, copy);
      this.stack.trace('socket', this.describe(), 'deliver', 'ip', copy, { event: 'deliver' });
    }
    if (!this.enqueue(copy, sockaddrIn(formatIpv4(v.src))) && this.stack.tracing) {
      this.stack.trace('socket', this.describe(), 'drop', 'ip', copy, { reason: 'rcvbuf-full', counter: `socket:${this.id} drops` });
    }
  }

  localName(): SockaddrIn {
    return sockaddrIn(formatIpv4(this.localAddr));
  }

  peerName(): SockaddrIn | null {
    return this.remoteAddr ? sockaddrIn(formatIpv4(this.remoteAddr)) : null;
  }

  describe(): string {
    return `raw proto ${this.protocol}`;
  }

  protected unregister(): void {
    this.host.forget(this);
  }
}
