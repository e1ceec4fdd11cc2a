// ICMP datagram sockets ("ping sockets", Linux's net/ipv4/ping.c): socket(AF_INET, SOCK_DGRAM,
// IPPROTO_ICMP) lets a user without CAP_NET_RAW send echo requests. The socket has an identifier in
// place of a port (bound with bind's sin_port, or picked at the first send or connect); the kernel
// writes it into every request and fills in the checksum, refuses any other message, and hands the
// socket the echo replies that carry its identifier, ICMP header first, without the IP header.
// ICMP errors are not delivered: Linux queues them only with IP_RECVERR, which tunlab lacks.

import { SysError } from '../../abi/errno.js';
import {
  AF_INET,
  AF_UNSPEC,
  IP_RECVTTL,
  IP_TTL,
  IPPROTO_IP,
  MSG_OOB,
  type RecvMsgResult,
  SOCK_DGRAM,
  type SockaddrIn,
  sockaddrIn,
  type SockoptValue,
} from '../../abi/socket.js';
import { formatIpv4 } from '../../abi/wire/address.js';
import { ICMP_ECHO, IcmpPacket } from '../../abi/wire/icmp.js';
import { IPPROTO_ICMP, type Ipv4Repr } from '../../abi/wire/ipv4.js';
import type { IoContext } from '../../vfs/file.js';
import { icmpOutCount } from '../iface/icmp.js';
import { ipSend } from '../iface/ipv4.js';
import { addrOf, datagramPeer, destinationOf } from './sockaddr.js';
import { intValue, Socket, type SocketHost } from './socket.js';

const ICMP_HEADER_LEN = 8;
const IPV4_HEADER_LEN = 20;
/** ping_common_sendmsg's limit on what one send may hand it. */
const MAX_SEND = 0xffff;

/** The socket layer's side: identifiers are the host's to hand out. */
export interface PingHost extends SocketHost {
  /** An identifier no ping socket of the host holds (ping_get_port's search), or null. */
  freeIdent(): number | null;
}

export class PingSocket extends Socket {
  localAddr = 0;
  /** The identifier (0 until bound): the socket's "port". */
  ident = 0;
  remoteAddr = 0;
  remotePort = 0;
  connected = false;
  /** IP_RECVTTL: each reply's TTL as a control message. */
  recvTtl = false;

  constructor(
    override readonly host: PingHost,
    flags: number,
  ) {
    super(host, AF_INET, SOCK_DGRAM, IPPROTO_ICMP, flags);
  }

  override bind(addr: SockaddrIn): void {
    const a = addrOf(addr);
    // A second bind is refused, as inet_bind refuses a socket that has a number.
    if (this.ident !== 0) throw new SysError('EINVAL');
    if (a !== 0 && !this.stack.isLocal(a)) throw new SysError('EADDRNOTAVAIL');
    const port = addr.sin_port;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SysError('EINVAL');
    // Linux lets two ping sockets bind the same identifier (6.18, checked): only an automatic
    // choice avoids the ones in use.
    this.ident = port === 0 ? this.pickIdent('EADDRINUSE') : port;
    this.localAddr = a;
  }

  /** inet_autobind: the first send or connect of an unbound socket gets an identifier. */
  private autobind(): void {
    if (this.ident === 0) this.ident = this.pickIdent('EAGAIN');
  }

  private pickIdent(none: 'EADDRINUSE' | 'EAGAIN'): number {
    const id = this.host.freeIdent();
    if (id === null) throw new SysError(none);
    return id;
  }

  override connect(addr: SockaddrIn): void {
    if ((addr as { sin_family: number }).sin_family === AF_UNSPEC) {
      this.connected = false;
      this.remoteAddr = 0;
      this.remotePort = 0;
      return;
    }
    const { dst, src } = datagramPeer(this.stack, addr, 0, this.localAddr);
    this.autobind();
    if (this.localAddr === 0) this.localAddr = src;
    this.remoteAddr = dst;
    this.remotePort = addr.sin_port;
    this.connected = true;
  }

  /** ping_v4_sendmsg: an echo request (type 8, code 0) of at least its header, and nothing else. */
  sendto(ctx: IoContext, data: Uint8Array, flags: number, to: SockaddrIn | null): number {
    this.takeError();
    this.autobind();
    if (data.length > MAX_SEND) throw new SysError('EMSGSIZE');
    if (data.length < ICMP_HEADER_LEN) throw new SysError('EINVAL');
    if (flags & MSG_OOB) throw new SysError('EOPNOTSUPP');
    if (data[0] !== ICMP_ECHO || data[1] !== 0) throw new SysError('EINVAL');
    let dst: number;
    if (to) dst = destinationOf(to, this.localAddr);
    else if (this.connected) dst = this.remoteAddr;
    else throw new SysError('EDESTADDRREQ');
    // ip_append_data: the whole IP datagram must fit its 16-bit length.
    if (data.length + IPV4_HEADER_LEN > 0xffff) throw new SysError('EMSGSIZE');
    const msg = this.stack.tracing ? this.sending(ctx, data) : data.slice();
    msg[4] = this.ident >> 8;
    msg[5] = this.ident & 0xff;
    new IcmpPacket(msg).fillChecksum();
    const err = ipSend(this.stack, {
      src: this.localAddr,
      dst,
      protocol: IPPROTO_ICMP,
      payload: msg,
      ttl: this.ttl,
      tos: this.tos,
      broadcast: this.broadcast,
      dontFragment: this.dontFrag,
    });
    if (err) throw new SysError(err);
    icmpOutCount(this.stack, ICMP_ECHO);
    return data.length;
  }

  /** Does an echo reply for `ip.dst` with this identifier belong here (ping_lookup)? */
  wants(ident: number, ip: Ipv4Repr): boolean {
    return this.ident !== 0 && this.ident === ident && (this.localAddr === 0 || this.localAddr === ip.dst);
  }

  /** An echo reply for this socket: the ICMP message, from its sender, with its TTL. */
  offer(packet: Uint8Array, ip: Ipv4Repr, icmp: Uint8Array): void {
    const copy = icmp.slice();
    if (this.stack.tracing) {
      this.stack.journeys.carry(packet, copy);
      this.stack.trace('socket', this.describe(), 'deliver', 'data', copy, { event: 'deliver' });
    }
    if (!this.enqueue(copy, sockaddrIn(formatIpv4(ip.src)), undefined, ip.ttl) && this.stack.tracing) {
      this.stack.trace('socket', this.describe(), 'drop', 'data', copy, { reason: 'rcvbuf-full', counter: `socket:${this.id} drops` });
    }
  }

  override async recvmsg(ctx: IoContext, iovLens: number[], flags: number): Promise<RecvMsgResult> {
    const { result, queued } = await this.dequeue(
      ctx,
      iovLens.reduce((a, b) => a + b, 0),
      flags,
    );
    const control = this.recvTtl && queued?.ttl !== undefined ? [{ cmsg_level: IPPROTO_IP, cmsg_type: IP_TTL, cmsg_data: queued.ttl }] : [];
    return { data: result.data, from: result.from, flags: result.flags, control };
  }

  override setOption(level: number, name: number, value: SockoptValue): void {
    if (level === IPPROTO_IP && name === IP_RECVTTL) {
      this.recvTtl = intValue(value) !== 0;
      return;
    }
    super.setOption(level, name, value);
  }

  override getOption(level: number, name: number): SockoptValue {
    if (level === IPPROTO_IP && name === IP_RECVTTL) return this.recvTtl ? 1 : 0;
    return super.getOption(level, name);
  }

  localName(): SockaddrIn {
    return sockaddrIn(formatIpv4(this.localAddr), this.ident);
  }

  /** As inet_getname: no peer while the destination port is 0, which ping's connect leaves it. */
  peerName(): SockaddrIn | null {
    return this.connected && this.remotePort !== 0 ? sockaddrIn(formatIpv4(this.remoteAddr), this.remotePort) : null;
  }

  describe(): string {
    return `icmp ${formatIpv4(this.localAddr)}:${this.ident}`;
  }

  protected unregister(): void {
    this.host.forget(this);
  }
}
