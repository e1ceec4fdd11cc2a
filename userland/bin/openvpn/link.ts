// The link to the peer. UDP: one unconnected socket bound to --local/--lport (so it can hear its
// peer from wherever it writes from), sendto the peer, recvfrom anyone. TCP (--proto tcp-client /
// tcp-server): one connection, connected to --remote or accepted on --lport, its packets framed
// by their 2-byte lengths (stream.ts); when it ends or goes out of step the instance restarts
// ("Connection reset, restarting [0]"). OpenVPN's startup lines ("UDPv4 link local (bound):
// [AF_INET][undef]:1194", "TCP connection established with ...") and its per-packet lines at verb
// 5, 6 and 9, as 2.6.14 prints them.

import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { formatIpv4 } from '../../../kernel/abi/wire/index.js';
import {
  AF_INET,
  MSG_DONTWAIT,
  SO_RCVBUF,
  SO_SNDBUF,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_STREAM,
  SO_REUSEADDR,
  type SockaddrIn,
  sockaddrIn,
  SOL_SOCKET,
} from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { resolveHost } from '../../lib/resolve.js';
import { errnoText } from './device.js';
import { D_LINK_RW, D_LOW, D_PACKET_CONTENT, D_ROUTE, FatalError, formatHex, type Logger, M_INFO, M_WARN, printAddr } from './log.js';
import type { Options } from './options.js';
import { framePacket, StreamReader } from './stream.js';
import { SIGHUP, SIGINT, SIGTERM, SIGUSR1 } from '../../../kernel/abi/signal.js';

/** Why a TCP link could not be opened; the instance ends with it. */
export interface LinkStop {
  readonly signo: number;
  readonly hard: boolean;
  readonly text: string;
  /** Instead of "hard"/"soft" in the closing line: "connection failed(soft)". */
  readonly label?: string;
}

/** The closing line's bracket: "hard", "soft", or the link's own ("connection failed(soft)"). */
export function stopLabel(stop: { readonly hard: boolean; readonly label?: string }): string {
  return stop.label ?? (stop.hard ? 'hard' : 'soft');
}

/** The stream is gone: the instance restarts (SIGUSR1[soft,connection-reset]). */
export const CONNECTION_RESET = { signo: SIGUSR1, hard: false, text: 'connection-reset' } as const;

/** What 2.6 calls the link in its log lines. */
function linkName(proto: Options['proto']): string {
  return proto === 'tcp-client' ? 'TCPv4_CLIENT' : proto === 'tcp-server' ? 'TCPv4_SERVER' : 'UDPv4';
}

/** The largest packet a peer may send on a stream: the "payload" of the Data Channel MTU parms. */
export const streamMaxLength = (o: Options): number => o.tunMtu + 268;

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
  /** TCP: the stream ended, broke or went out of step; the instance restarts ("connection-reset"). */
  reset = false;
  /**
   * Whether the last read() may have left more waiting: a datagram came (another may follow). A
   * stream is read once per wake-up, as before; a read that found nothing (EAGAIN) ends the drain.
   */
  more = false;

  private constructor(
    private readonly sys: Sys,
    private readonly log: Logger,
    readonly fd: number,
    private readonly name: string,
    /** TCP: the reader of framed packets, and the one peer. */
    private readonly stream: StreamReader | null = null,
    private readonly streamPeer: Endpoint | null = null,
  ) {}

  /**
   * link_socket_init_phase1/2: the socket, bound unless --nobind, and its log lines; for TCP, the
   * connection too, or why there is none. `signals` are those the program caught: one that stops
   * the program ends a wait for a connection.
   */
  static async open(sys: Sys, log: Logger, o: Options, remote: Endpoint | null, signals: number[] = []): Promise<Link | LinkStop> {
    let local: string | null = null;
    if (o.local !== null) {
      const a = await resolveHost(sys, o.local);
      if (a === null) throw new FatalError([`RESOLVE: Cannot resolve host address: ${o.local}:${o.lport} (Name or service not known)`]);
      local = formatIpv4(a);
    }
    const lport = parsePort(o.lport, o.local);
    if (remote !== null) await log.msg(M_INFO, `TCP/UDP: Preserving recently used remote address: ${printAddr(remote.addr, remote.port)}`);
    else if (local === null) await log.msg(M_INFO, 'Could not determine IPv4/IPv6 protocol. Using AF_INET');
    const tcp = o.proto === 'tcp-client' || o.proto === 'tcp-server';
    const fd = await sys.socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
    const rcv = await sys.getsockopt(fd, SOL_SOCKET, SO_RCVBUF);
    const snd = await sys.getsockopt(fd, SOL_SOCKET, SO_SNDBUF);
    // 2.6 prints this at verb 3 for UDP, at verb 4 for TCP.
    await log.msg(tcp ? D_LOW : D_ROUTE, `Socket Buffers: R=[${rcv}->${rcv}] S=[${snd}->${snd}]`);
    const where = `[AF_INET]${local ?? '[undef]'}:${lport}`;
    const name = linkName(o.proto);
    if (o.proto === 'tcp-client') return Link.connect(sys, log, o, fd, remote!, signals);
    if (o.nobind && o.proto === 'udp') {
      await log.msg(M_INFO, 'UDPv4 link local: (not bound)');
    } else {
      try {
        if (tcp) await sys.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
        await sys.bind(fd, sockaddrIn(local ?? '0.0.0.0', lport));
      } catch (e) {
        await sys.close(fd);
        throw new FatalError([`TCP/UDP: Socket bind failed on local address ${where}: ${errnoText(e)}`]);
      }
      if (tcp) return Link.accept(sys, log, o, fd, where, signals);
      await log.msg(M_INFO, `UDPv4 link local (bound): ${where}`);
    }
    await log.msg(M_INFO, `UDPv4 link remote: ${remote ? printAddr(remote.addr, remote.port) : '[AF_UNSPEC]'}`);
    return new Link(sys, log, fd, name);
  }

  /** A signal that ends the wait for a connection (init_instance), or null to keep waiting. */
  private static stopping(signals: number[]): LinkStop | null {
    const i = signals.findIndex((s) => s === SIGINT || s === SIGTERM || s === SIGUSR1 || s === SIGHUP);
    if (i < 0) return null;
    const [signo] = signals.splice(i, 1);
    return { signo: signo!, hard: true, text: 'init_instance' };
  }

  /** tcp-client: connect to the remote, or a soft restart ("connection-failed") after --connect-retry. */
  private static async connect(sys: Sys, log: Logger, o: Options, fd: number, remote: Endpoint, signals: number[]): Promise<Link | LinkStop> {
    const there = printAddr(remote.addr, remote.port);
    await log.msg(M_INFO, `Attempting to establish TCP connection with ${there}`);
    for (;;) {
      try {
        await sys.connect(fd, sockaddrIn(remote.addr, remote.port));
        break;
      } catch (e) {
        if (!isSysError(e)) throw e;
        if (e.errno === 'EINTR') {
          const stop = Link.stopping(signals);
          if (stop) {
            await sys.close(fd);
            return stop;
          }
          continue;
        }
        await log.msg(M_INFO, `TCP: connect to ${there} failed: ${strerror(e.errno)}`);
        await sys.close(fd);
        return { signo: SIGUSR1, hard: false, text: 'connection-failed', label: 'connection failed(soft)' };
      }
    }
    await log.msg(M_INFO, `TCP connection established with ${there}`);
    await log.msg(M_INFO, 'TCPv4_CLIENT link local: (not bound)');
    await log.msg(M_INFO, `TCPv4_CLIENT link remote: ${there}`);
    return new Link(sys, log, fd, 'TCPv4_CLIENT', new StreamReader(streamMaxLength(o)), remote);
  }

  /** tcp-server: listen, take the first client, and stop listening (point-to-point has one peer). */
  private static async accept(sys: Sys, log: Logger, o: Options, listener: number, where: string, signals: number[]): Promise<Link | LinkStop> {
    await sys.listen(listener, 32);
    await log.msg(M_INFO, `Listening for incoming TCP connection on ${where}`);
    let got;
    for (;;) {
      try {
        got = await sys.accept(listener);
        break;
      } catch (e) {
        if (!isSysError(e, 'EINTR')) throw e;
        const stop = Link.stopping(signals);
        if (stop) {
          await sys.close(listener);
          return stop;
        }
      }
    }
    await sys.close(listener);
    const peer = got.addr as SockaddrIn;
    const from = { addr: peer.sin_addr, port: peer.sin_port };
    await log.msg(M_INFO, `TCP connection established with ${printAddr(from.addr, from.port)}`);
    await log.msg(M_INFO, `TCPv4_SERVER link local (bound): ${where}`);
    await log.msg(M_INFO, `TCPv4_SERVER link remote: ${printAddr(from.addr, from.port)}`);
    return new Link(sys, log, got.fd, 'TCPv4_SERVER', new StreamReader(streamMaxLength(o)), from);
  }

  /** What arrived: one datagram, or on a stream the whole packets it completed (none, or several). */
  async read(): Promise<Array<{ data: Uint8Array; from: Endpoint }>> {
    this.more = false;
    if (this.stream) return this.readStream(this.stream, this.streamPeer!);
    const one = await this.readDatagram();
    return one ? [one] : [];
  }

  /** The stream ended or broke: 2.6's line, then a restart. */
  private async streamReset(status: number): Promise<[]> {
    this.reset = true;
    await this.log.msg(M_INFO, `Connection reset, restarting [${status}]`);
    return [];
  }

  private async readStream(stream: StreamReader, from: Endpoint): Promise<Array<{ data: Uint8Array; from: Endpoint }>> {
    if (this.reset) return [];
    let got;
    try {
      got = await this.sys.recvfrom(this.fd, 65536, MSG_DONTWAIT);
    } catch (e) {
      if (isSysError(e, 'EAGAIN') || isSysError(e, 'EINTR')) return [];
      if (!isSysError(e)) throw e;
      await this.log.msg(D_PACKET_CONTENT, `${this.name} read returned -1`);
      return this.streamReset(-1);
    }
    if (this.log.enabled(D_PACKET_CONTENT)) await this.log.msg(D_PACKET_CONTENT, `${this.name} read returned ${got.data.length}`);
    if (got.data.length === 0) return this.streamReset(0);
    this.readBytes += got.data.length;
    const packets = stream.push(got.data);
    const out: Array<{ data: Uint8Array; from: Endpoint }> = [];
    for (const data of packets) {
      const dump = this.log.enabled(D_PACKET_CONTENT) ? formatHex(data) : `len=${data.length}`;
      if (this.log.enabled(D_LINK_RW)) await this.log.msg(D_LINK_RW, `${this.name} READ [${data.length}] from ${printAddr(from.addr, from.port)}:  DATA ${dump}`);
      if (this.log.logsRw) await this.log.rw('R');
      out.push({ data, from });
    }
    if (stream.badLength !== null) {
      await this.log.msg(
        M_WARN,
        `WARNING: Bad encapsulated packet length from peer (${stream.badLength}), which must be > 0 and <= ${stream.maxLength} -- please ensure that --tun-mtu or --link-mtu is equal on both peers -- this condition could also indicate a possible active attack on the TCP link -- [Attempting restart...]`,
      );
      await this.streamReset(0);
    }
    return out;
  }

  /** One datagram, or null when there was none after all. */
  private async readDatagram(): Promise<{ data: Uint8Array; from: Endpoint } | null> {
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
    this.more = true;
    const from = got.from as SockaddrIn | null;
    const data = got.data;
    if (this.log.enabled(D_PACKET_CONTENT)) await this.log.msg(D_PACKET_CONTENT, `UDPv4 read returned ${data.length}`);
    if (!from) return null;
    const src = { addr: from.sin_addr, port: from.sin_port };
    const dump = this.log.enabled(D_PACKET_CONTENT) ? formatHex(data) : `len=${data.length}`;
    if (this.log.enabled(D_LINK_RW)) await this.log.msg(D_LINK_RW, `UDPv4 READ [${data.length}] from ${printAddr(src.addr, src.port)}:  DATA ${dump}`);
    if (this.log.logsRw) await this.log.rw('R');
    this.readBytes += data.length;
    return { data, from: src };
  }

  /** sendto the peer; an error is logged (check_status) and the packet lost, as UDP does. */
  async write(datagram: Uint8Array, to: Endpoint): Promise<void> {
    if (this.stream) return this.writeStream(datagram);
    const dump = this.log.enabled(D_PACKET_CONTENT) ? formatHex(datagram) : `len=${datagram.length}`;
    if (this.log.enabled(D_LINK_RW)) await this.log.msg(D_LINK_RW, `UDPv4 WRITE [${datagram.length}] to ${printAddr(to.addr, to.port)}:  DATA ${dump}`);
    try {
      const n = await this.sys.sendto(this.fd, datagram, 0, sockaddrIn(to.addr, to.port));
      if (this.log.enabled(D_PACKET_CONTENT)) await this.log.msg(D_PACKET_CONTENT, `UDPv4 write returned ${n}`);
      if (this.log.logsRw) await this.log.rw('W');
      this.writeBytes += n;
    } catch (e) {
      if (!isSysError(e)) throw e;
      await this.log.msg(D_PACKET_CONTENT, 'UDPv4 write returned -1');
      await this.log.msg(M_INFO, `write UDPv4: ${strerror(e.errno)} (fd=${this.fd},code=${e.code})`);
    }
  }

  /** The packet behind its length, all of it (a stream takes what it can; the rest follows). */
  private async writeStream(packet: Uint8Array): Promise<void> {
    if (this.reset) return;
    const to = this.streamPeer!;
    let framed = framePacket(packet);
    const dump = this.log.enabled(D_PACKET_CONTENT) ? formatHex(packet) : `len=${packet.length}`;
    if (this.log.enabled(D_LINK_RW)) await this.log.msg(D_LINK_RW, `${this.name} WRITE [${framed.length}] to ${printAddr(to.addr, to.port)}:  DATA ${dump}`);
    try {
      while (framed.length > 0) {
        const n = await this.sys.write(this.fd, framed);
        if (this.log.enabled(D_PACKET_CONTENT)) await this.log.msg(D_PACKET_CONTENT, `${this.name} write returned ${n}`);
        this.writeBytes += n;
        framed = framed.subarray(n);
      }
      if (this.log.logsRw) await this.log.rw('W');
    } catch (e) {
      if (!isSysError(e)) throw e;
      await this.log.msg(D_PACKET_CONTENT, `${this.name} write returned -1`);
      await this.log.msg(M_INFO, `write ${this.name}: ${strerror(e.errno)} (fd=${this.fd},code=${e.code})`);
      await this.streamReset(-1);
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
