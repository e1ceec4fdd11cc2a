// The uplink: the way out of the world, modelled on QEMU's user networking. A gateway sits on a
// segment of its own with one host's uplink NIC (10.0.2.15 talking to 10.0.2.2). UDP sent to
// 10.0.2.2:PORT leaves the tunlab process as a real datagram to 127.0.0.1:PORT, and what comes
// back appears to come from 10.0.2.2:PORT: the gateway *is* the real machine's loopback, port for
// port. `--forward udp:REALPORT:HOST:PORT` (QEMU's hostfwd) lets real datagrams arriving at
// 127.0.0.1:REALPORT reach an emulated host, and the emulated side answers from that same real
// port, so two tunlab processes, or a real OpenVPN, can be each other's peer.
//
// The gateway is a stack of its own (uplink-link.ts): it answers ARP and pings, reassembles the
// guest's fragments, expires TTLs and sends ICMP errors as any host of the world does. This file
// is its NAT: the UDP and TCP it takes in, for its own address (its transport protocols) or routed
// out of its uplink link (anywhere else), become real sockets; what those sockets receive the
// gateway sends to the guest as its own packets, fragmented by its stack when longer than the
// guest link's MTU (a full-size packet through a VPN tunnel is).
//
// TCP goes the same ways (uplink-tcp.ts): a guest's connection to 10.0.2.2:PORT is joined to a real
// one to 127.0.0.1:PORT, and `--forward tcp:REALPORT:HOST:PORT` takes real clients in.
//
// It only works in real time (real datagrams do not wait for virtual clocks), and it reaches only
// loopback addresses unless widened with `--uplink-allow CIDR`: anything else is refused, logged,
// answered with ICMP "administratively prohibited", and never sent; datagrams from anywhere else are
// dropped and counted. Each guest flow gets a real socket of its own, connected to its peer, which
// expires when idle and is capped per host (uplink-sessions.ts).

import { formatIpv4, isLimitedBroadcast, isMulticastIpv4, parseIpv4 } from '../abi/wire/address.js';
import { isWireError } from '../abi/wire/error.js';
import { IPPROTO_TCP, IPPROTO_UDP, Ipv4Packet, Ipv4Repr } from '../abi/wire/ipv4.js';
import { UdpPacket, UdpRepr } from '../abi/wire/udp.js';
import { buildUdpPacket } from '../abi/wire/udp.js';
import type { IpProtocol } from '../net/iface/protocol.js';
import { TcpProtocol } from '../net/socket/tcp-protocol.js';
import { ipSend } from '../net/iface/ipv4.js';
import type { NetStack } from '../net/iface/stack.js';
import type { Kernel } from '../kernel.js';
import type { RealUdpSocket } from '../port/port.js';
import type { Timer } from '../sched/timers.js';
import { openSessionSocket, SessionTable, sessionCap } from './uplink-sessions.js';
import { UplinkTcp } from './uplink-tcp.js';
import { buildGateway, type Gateway } from './uplink-link.js';
import type { Segment } from './segment.js';
import type { World } from './world.js';

/** A TCP segment's destination port (0 if it is too short to say). */
const tcpPort = (segment: Uint8Array): number => (segment.length >= 4 ? (segment[2]! << 8) | segment[3]! : 0);

export interface Cidr {
  addr: number;
  mask: number;
  text: string;
}

export interface Forward {
  proto: 'udp' | 'tcp';
  realPort: number;
  /** The emulated host and port real datagrams are delivered to. */
  host: string;
  port: number;
}

export class UplinkError extends Error {}

export function parseCidr(text: string): Cidr {
  const m = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d{1,2}))?$/.exec(text);
  const a = m ? parseIpv4(m[1]!) : null;
  const len = m?.[2] === undefined ? 32 : Number(m[2]);
  if (a === null || len > 32) throw new UplinkError(`--uplink-allow ${text}: not an address or CIDR block (like 192.0.2.0/24)`);
  const mask = len === 0 ? 0 : (0xffff_ffff << (32 - len)) >>> 0;
  return { addr: (a & mask) >>> 0, mask, text };
}

export function parseForward(text: string): Forward {
  const m = /^(udp|tcp):(\d{1,5}):([a-z][a-z0-9-]*):(\d{1,5})$/.exec(text);
  const realPort = Number(m?.[2]);
  const port = Number(m?.[4]);
  if (!m || realPort < 1 || realPort > 65535 || port < 1 || port > 65535) {
    throw new UplinkError(`--forward ${text}: expected udp:REALPORT:HOST:PORT or tcp:REALPORT:HOST:PORT (like udp:11941:haiku:1194)`);
  }
  return { proto: m[1] as 'udp' | 'tcp', realPort, host: m[3]!, port };
}

const LOOPBACK: Cidr = { addr: 0x7f00_0000, mask: 0xff00_0000, text: '127.0.0.0/8' };

/** One real socket and the emulated address it speaks for. */
interface Binding {
  socket: RealUdpSocket;
  /** The guest endpoint datagrams arriving here go to. */
  guestIp: number;
  guestPort: number;
  /** A session's socket is connected to its one peer; a --forward socket answers anyone allowed. */
  connected: boolean;
  /** The session's key, refreshed as datagrams come in (null for a --forward). */
  session: string | null;
  /** Send on the socket (to `port`/`address` unless it is connected). */
  send(data: Uint8Array, port?: number, address?: string): void;
  close(): void;
}

export class Uplink {
  /** The --forward sockets, by real port. */
  private readonly bindings = new Map<string, Binding>();
  private readonly sessions: SessionTable<Binding>;
  private forwards: Forward[] = [];
  allow: Cidr[] = [LOOPBACK];
  /** Datagrams refused because their destination was not allowed. */
  refused = 0;
  /** Real datagrams dropped because their sender was not allowed. */
  refusedIn = 0;
  sent = 0;
  received = 0;
  /** Packets the NAT cannot carry (neither UDP nor TCP, or malformed), dropped. */
  unsupported = 0;
  /** The gateway host: its stack, its card on the segment and its uplink link. */
  readonly gw: Gateway;
  /** The guests' TCP connections, ended in the gateway's TCP and carried over real ones (uplink-tcp.ts). */
  readonly tcp: UplinkTcp;

  constructor(
    private readonly world: World,
    segment: Segment,
    private readonly host: Kernel,
    readonly gateway: number,
    readonly guestAddr: number,
    gatewayMask = 0xffff_ff00,
    maxSessions = sessionCap(),
  ) {
    const sched = world.sched;
    this.sessions = new SessionTable<Binding>(
      { now: () => sched.now(), at: (when, fn) => sched.at(when, fn), cancel: (t) => sched.cancel(t as Timer) },
      (line) => host.log.write(line),
      maxSessions,
    );
    this.gw = buildGateway(world, segment, gateway, gatewayMask, (line) => host.log.write(line), (packet) => this.outbound(packet));
    // The gateway's own TCP, transparent: it ends the guest's connections to any address.
    const tcp = new TcpProtocol(this.gw.stack, { transparent: true });
    this.tcp = new UplinkTcp(world, tcp, {
      realAddress: (dst) => (dst === this.gateway ? '127.0.0.1' : formatIpv4(dst)),
      log: (line) => host.log.write(line),
    });
    // What is for the gateway's own address goes to the NAT first, as its transport protocols.
    this.gw.stack.register(this.localProtocol(IPPROTO_UDP, () => {}));
    this.gw.stack.register(this.localProtocol(IPPROTO_TCP, (type, code, original, mtu) => tcp.icmpError(type, code, original, mtu)));
  }

  /** The gateway's stack: its counters are those of its ARP, ICMP and IP. */
  get stack(): NetStack {
    return this.gw.stack;
  }

  /** UDP or TCP delivered to the gateway's own address: the real machine's loopback, port for port. */
  private localProtocol(protocol: number, icmpError: IpProtocol['icmpError']): IpProtocol {
    return {
      protocol,
      input: (_iface, packet, ip) => {
        // Broadcasts reach the gateway too (a DHCP discover): they are for no one outside.
        if (ip.dst === this.gateway) this.outbound(packet);
      },
      // A guest's ICMP error about a UDP datagram is no news to a real socket; about TCP, it is the
      // gateway connection's.
      icmpError,
    };
  }

  get active(): boolean {
    return !this.world.sched.virtual;
  }

  /** Open the --forward sockets; fails cleanly if a real port is taken. */
  async configure(forwards: Forward[], allow: Cidr[]): Promise<void> {
    this.allow = [LOOPBACK, ...allow];
    for (const f of forwards) {
      if (!this.active) throw new UplinkError('--forward needs --clock real: the uplink talks to real sockets, which do not wait for virtual time');
      if (f.host !== this.host.name) throw new UplinkError(`--forward ${f.realPort}: host ${f.host} has no uplink (only ${this.host.name} does)`);
      if (f.proto === 'tcp') {
        await this.tcp.forward(f.realPort, this.guestAddr, f.port).catch((e: Error) => {
          throw new UplinkError(`uplink: cannot listen on 127.0.0.1:${f.realPort}: ${e.message}`);
        });
        continue;
      }
      const socket = this.world.port.udpSocket();
      await socket.bind(f.realPort, '127.0.0.1').catch((e: Error) => {
        socket.close();
        throw new UplinkError(`uplink: cannot bind 127.0.0.1:${f.realPort}: ${e.message}`);
      });
      this.bindings.set(`fwd:${f.realPort}`, this.adopt(socket, `fwd:${f.realPort}`, this.guestAddr, f.port, null));
    }
    this.forwards = forwards;
  }

  /** Put a bound socket to work for a guest endpoint: what arrives goes to the guest. */
  private adopt(socket: RealUdpSocket, label: string, guestIp: number, guestPort: number, session: string | null): Binding {
    socket.onError((code) => {
      // A connected socket hears the peer's ICMP port unreachable as ECONNREFUSED: no news.
      if (code !== 'ECONNREFUSED') this.host.log.write(`uplink: ${label}: ${code}`);
    });
    const release = this.world.sched.holdExternal();
    let open = true;
    const b: Binding = {
      socket,
      guestIp,
      guestPort,
      connected: session !== null,
      session,
      send: (data, port, address) => socket.send(data, port, address),
      close: () => {
        if (!open) return;
        open = false;
        release();
        // The port's socket closes once what was handed to it has left.
        socket.close();
      },
    };
    socket.onMessage((data, address, port) => this.fromReal(b, data, address, port));
    return b;
  }

  /** UDP sessions open now, and how many were closed for being idle or to make room. */
  sessionCounts(): { open: number; expired: number; evicted: number; dropped: number } {
    const t = this.sessions;
    return { open: t.size, expired: t.expired, evicted: t.evicted, dropped: t.dropped };
  }

  close(): void {
    this.tcp.close();
    for (const b of this.bindings.values()) b.close();
    this.bindings.clear();
    this.sessions.closeAll();
  }

  private allowed(ip: number): boolean {
    return this.allow.some((c) => ((ip & c.mask) >>> 0) === c.addr);
  }

  // ------------------------------------------------------------------ packets from the world

  /** A whole IP datagram from the guest for the outside (reassembled by the gateway's stack). */
  private outbound(packet: Uint8Array): void {
    const v = Ipv4Packet.checked(packet);
    const ip = isWireError(v) ? v : Ipv4Repr.parse(v);
    if (isWireError(ip) || isWireError(v) || isLimitedBroadcast(ip.dst) || isMulticastIpv4(ip.dst)) return void this.unsupported++;
    if (ip.protocol === IPPROTO_TCP) {
      if (this.permitted('TCP', ip.src, ip.dst, tcpPort(v.payload), packet)) this.tcp.input(this.gw.uplink, packet, ip, v.payload);
      return;
    }
    const up = ip.protocol === IPPROTO_UDP ? UdpPacket.checked(v.payload) : null;
    const u = up === null || isWireError(up) ? up : UdpRepr.parse(up, ip.src, ip.dst);
    if (u === null || isWireError(u)) return void this.unsupported++;
    this.toReal(ip.src, u.srcPort, ip.dst, u.dstPort, u.payload, packet);
  }

  /**
   * May the guest reach dstIp at all? The uplink works in real time only, and towards the loopback
   * (or what --uplink-allow adds); anything else is logged and answered with ICMP destination
   * unreachable, communication administratively prohibited.
   */
  private permitted(proto: 'UDP' | 'TCP', srcIp: number, dstIp: number, dstPort: number, original: Uint8Array): boolean {
    const realDst = dstIp === this.gateway ? '127.0.0.1' : formatIpv4(dstIp);
    if (this.active && this.allowed(parseIpv4(realDst)!)) return true;
    this.refused++;
    const why = !this.active ? 'the uplink is off in virtual time (run with --clock real)' : `${realDst} is not allowed (loopback only; widen with --uplink-allow)`;
    this.host.log.write(`uplink: refused ${proto} to ${formatIpv4(dstIp)}:${dstPort}: ${why}`);
    this.gw.stack.icmpError(original, 3, 13);
    return false;
  }

  private toReal(srcIp: number, srcPort: number, dstIp: number, dstPort: number, data: Uint8Array, original: Uint8Array): void {
    if (!this.permitted('UDP', srcIp, dstIp, dstPort, original)) return;
    const realDst = dstIp === this.gateway ? '127.0.0.1' : formatIpv4(dstIp);
    const send = (b: Binding) => {
      this.sent++;
      this.trace('out', original);
      if (b.connected) b.send(data);
      else b.send(data, dstPort, realDst);
    };
    // Answer from the real port a --forward gave this guest port, so the far end sees one peer.
    const fwd = this.forwards.find((f) => f.proto === 'udp' && f.port === srcPort);
    const b = fwd ? this.bindings.get(`fwd:${fwd.realPort}`) : undefined;
    if (b) return send(b);
    const key = `${formatIpv4(srcIp)}:${srcPort} > ${realDst}:${dstPort}`;
    this.sessions.send(
      key,
      dstPort,
      async () => this.adopt(await openSessionSocket(this.world.port, realDst, dstPort), key, srcIp, srcPort, key),
      send,
      (e) => this.host.log.write(`uplink: cannot open a socket for ${key}: ${(e as Error).message}`),
    );
  }

  // ------------------------------------------------------------------ datagrams from the real world

  private fromReal(b: Binding, data: Uint8Array, address: string, port: number): void {
    const fromIp = parseIpv4(address);
    // A --forward socket listens on the loopback and a session's is connected to an allowed peer,
    // so the real kernel filters already; this says so again where it counts.
    if (fromIp === null || !this.allowed(fromIp)) {
      this.refusedIn++;
      return;
    }
    if (b.session) this.sessions.use(b.session);
    // Loopback appears as the gateway, port for port; other allowed addresses as themselves.
    const src = (fromIp >>> 24) === 127 ? this.gateway : fromIp;
    this.received++;
    this.world.sched.soon(() => this.toGuest(src, b.guestIp, IPPROTO_UDP, buildUdpPacket({ srcPort: port, dstPort: b.guestPort, payload: data }, src, b.guestIp)));
    this.world.sched.kick();
  }

  /** The gateway sends what came from outside as its own packet: its stack routes, resolves and fragments it. */
  private toGuest(src: number, dst: number, protocol: number, payload: Uint8Array): void {
    this.trace('in', payload);
    ipSend(this.gw.stack, { src, dst, protocol, payload });
  }

  /** A packet crossing into (the transport payload) or out of (the IP datagram) the real network. */
  private trace(dir: 'in' | 'out', bytes: Uint8Array): void {
    this.world.events.packet(this.host.name, 'uplink', 'uplink', dir, dir === 'in' ? 'data' : 'ip', bytes, this.world.sched.now(), { event: dir === 'in' ? 'from the real network' : 'to the real network' });
  }
}
