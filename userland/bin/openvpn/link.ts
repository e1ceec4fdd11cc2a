// The UDP link: one unconnected socket bound to --local/--lport (so it can hear its peer from
// wherever it writes from), sendto the peer, recvfrom anyone, with OpenVPN's startup lines
// ("UDPv4 link local (bound): [AF_INET][undef]:1194") and its per-packet lines at verb 5, 6 and 9.

import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { formatIpv4 } from '../../../kernel/abi/wire/index.js';
import {
  AF_INET,
  MSG_DONTWAIT,
  SO_RCVBUF,
  SO_SNDBUF,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  type SockaddrIn,
  sockaddrIn,
  SOL_SOCKET,
} from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { resolveHost } from '../../lib/resolve.js';
import { errnoText } from './device.js';
import { D_LINK_RW, D_PACKET_CONTENT, D_ROUTE, FatalError, formatHex, type Logger, M_INFO, printAddr } from './log.js';
import type { Options } from './options.js';

export interface Endpoint {
  readonly addr: string;
  readonly port: number;
}

export const sameEndpoint = (a: Endpoint | null, b: Endpoint | null): boolean =>
  a !== null && b !== null && a.addr === b.addr && a.port === b.port;

/** A port word as getaddrinfo() takes it: a number (kept to 16 bits), or a fatal RESOLVE error. */
export function parsePort(word: string, host: string | null): number {
  if (!/^\d+$/.test(word)) {
    throw new FatalError([`RESOLVE: Cannot resolve host address: ${host ?? 'undefined'}:${word} (Servname not supported for ai_socktype)`]);
  }
  return Number(word) % 65536;
}

/**
 * The --remote address, or a string: the reason to restart (an unknown name, as 2.6 retries
 * forever: "RESOLVE: Cannot resolve host address: vpn:1194 (Name or service not known)").
 */
export async function resolveRemote(sys: Sys, log: Logger, o: Options): Promise<Endpoint | null | string> {
  if (o.remote === null) return null;
  const portWord = o.remote.port ?? o.rport;
  const port = parsePort(portWord, o.remote.host);
  const addr = await resolveHost(sys, o.remote.host);
  if (addr === null) {
    // Tried twice (the pre-resolve, then the link init), as 2.6 logs it.
    for (let i = 0; i < 2; i++) {
      await log.msg(M_INFO, `RESOLVE: Cannot resolve host address: ${o.remote.host}:${portWord} (Name or service not known)`);
    }
    await log.msg(M_INFO, 'Could not determine IPv4/IPv6 protocol');
    return 'Could not determine IPv4/IPv6 protocol';
  }
  return { addr: formatIpv4(addr), port };
}

export class Link {
  readBytes = 0;
  writeBytes = 0;

  private constructor(
    private readonly sys: Sys,
    private readonly log: Logger,
    readonly fd: number,
  ) {}

  /** link_socket_init_phase1/2: the socket, bound unless --nobind, and its log lines. */
  static async open(sys: Sys, log: Logger, o: Options, remote: Endpoint | null): Promise<Link> {
    let local: string | null = null;
    if (o.local !== null) {
      const a = await resolveHost(sys, o.local);
      if (a === null) throw new FatalError([`RESOLVE: Cannot resolve host address: ${o.local}:${o.lport} (Name or service not known)`]);
      local = formatIpv4(a);
    }
    const lport = parsePort(o.lport, o.local);
    if (remote !== null) await log.msg(M_INFO, `TCP/UDP: Preserving recently used remote address: ${printAddr(remote.addr, remote.port)}`);
    else if (local === null) await log.msg(M_INFO, 'Could not determine IPv4/IPv6 protocol. Using AF_INET');
    const fd = await sys.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const link = new Link(sys, log, fd);
    const rcv = await sys.getsockopt(fd, SOL_SOCKET, SO_RCVBUF);
    const snd = await sys.getsockopt(fd, SOL_SOCKET, SO_SNDBUF);
    await log.msg(D_ROUTE, `Socket Buffers: R=[${rcv}->${rcv}] S=[${snd}->${snd}]`);
    const where = `[AF_INET]${local ?? '[undef]'}:${lport}`;
    if (o.nobind) {
      await log.msg(M_INFO, 'UDPv4 link local: (not bound)');
    } else {
      try {
        await sys.bind(fd, sockaddrIn(local ?? '0.0.0.0', lport));
      } catch (e) {
        await sys.close(fd);
        throw new FatalError([`TCP/UDP: Socket bind failed on local address ${where}: ${errnoText(e)}`]);
      }
      await log.msg(M_INFO, `UDPv4 link local (bound): ${where}`);
    }
    await log.msg(M_INFO, `UDPv4 link remote: ${remote ? printAddr(remote.addr, remote.port) : '[AF_UNSPEC]'}`);
    return link;
  }

  /** One datagram, or null when there was none after all. */
  async read(): Promise<{ data: Uint8Array; from: Endpoint } | null> {
    let got;
    try {
      got = await this.sys.recvfrom(this.fd, 65536, MSG_DONTWAIT);
    } catch (e) {
      if (isSysError(e, 'EAGAIN') || isSysError(e, 'EINTR')) return null;
      if (!isSysError(e)) throw e;
      await this.log.msg(D_PACKET_CONTENT, 'UDPv4 read returned -1');
      await this.log.msg(M_INFO, `read UDPv4: ${strerror(e.errno)} (fd=${this.fd},code=${e.code})`);
      return null;
    }
    const from = got.from as SockaddrIn | null;
    const data = got.data;
    await this.log.msg(D_PACKET_CONTENT, `UDPv4 read returned ${data.length}`);
    if (!from) return null;
    const src = { addr: from.sin_addr, port: from.sin_port };
    const dump = this.log.enabled(D_PACKET_CONTENT) ? formatHex(data) : `len=${data.length}`;
    await this.log.msg(D_LINK_RW, `UDPv4 READ [${data.length}] from ${printAddr(src.addr, src.port)}:  DATA ${dump}`);
    await this.log.rw('R');
    this.readBytes += data.length;
    return { data, from: src };
  }

  /** sendto the peer; an error is logged (check_status) and the packet lost, as UDP does. */
  async write(datagram: Uint8Array, to: Endpoint): Promise<void> {
    const dump = this.log.enabled(D_PACKET_CONTENT) ? formatHex(datagram) : `len=${datagram.length}`;
    await this.log.msg(D_LINK_RW, `UDPv4 WRITE [${datagram.length}] to ${printAddr(to.addr, to.port)}:  DATA ${dump}`);
    try {
      const n = await this.sys.sendto(this.fd, datagram, 0, sockaddrIn(to.addr, to.port));
      await this.log.msg(D_PACKET_CONTENT, `UDPv4 write returned ${n}`);
      await this.log.rw('W');
      this.writeBytes += n;
    } catch (e) {
      if (!isSysError(e)) throw e;
      await this.log.msg(D_PACKET_CONTENT, 'UDPv4 write returned -1');
      await this.log.msg(M_INFO, `write UDPv4: ${strerror(e.errno)} (fd=${this.fd},code=${e.code})`);
    }
  }

  async close(): Promise<void> {
    await this.log.msg(4, 'TCP/UDP: Closing socket');
    try {
      await this.sys.close(this.fd);
    } catch (e) {
      if (!isSysError(e)) throw e;
    }
  }
}
