// The uplink: the way out of the world, modelled on QEMU's user networking. A gateway sits on a
// segment of its own with one host's uplink NIC (10.0.2.15 talking to 10.0.2.2). UDP sent to
// 10.0.2.2:PORT leaves the tunlab process as a real datagram to 127.0.0.1:PORT, and what comes
// back appears to come from 10.0.2.2:PORT: the gateway *is* the real machine's loopback, port for
// port. `--forward udp:REALPORT:HOST:PORT` (QEMU's hostfwd) lets real datagrams arriving at
// 127.0.0.1:REALPORT reach an emulated host, and the emulated side answers from that same real
// port, so two tunlab processes, or a real OpenVPN, can be each other's peer. As slirp does, the
// guest's fragments are reassembled before a datagram leaves, and a real datagram longer than the
// guest link's MTU reaches the guest in fragments (a full-size packet through a VPN tunnel is one).
//
// TCP goes the same ways (uplink-tcp.ts): a guest's connection to 10.0.2.2:PORT is joined to a real
// one to 127.0.0.1:PORT, and `--forward tcp:REALPORT:HOST:PORT` takes real clients in.
//
// It only works in real time (real datagrams do not wait for virtual clocks), and it reaches only
// loopback addresses unless widened with `--uplink-allow CIDR`: anything else is refused, logged,
// answered with ICMP "administratively prohibited", and never sent; datagrams from anywhere else are
// dropped and counted. Each guest flow gets a real socket of its own, connected to its peer, which
// expires when idle and is capped per host (uplink-sessions.ts).

import { BROADCAST_MAC, formatIpv4, isMulticastMac, parseIpv4, readMac } from '../abi/wire/address.js';
import { ArpPacket, ArpRepr } from '../abi/wire/arp.js';
import { isWireError } from '../abi/wire/error.js';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, buildEthernetFrame } from '../abi/wire/ethernet.js';
import { buildIcmpPacket, IcmpPacket, IcmpRepr } from '../abi/wire/icmp.js';
import { buildIpv4Packet, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, Ipv4Packet, Ipv4Repr } from '../abi/wire/ipv4.js';
import { buildUdpPacket, UdpPacket, UdpRepr } from '../abi/wire/udp.js';
import { buildArpPacket } from '../abi/wire/arp.js';
import { fragment, Reassembler } from '../net/iface/fragment.js';
import type { Kernel } from '../kernel.js';
import type { RealUdpSocket } from '../port/port.js';
import type { Timer } from '../sched/timers.js';
import { openSessionSocket, SessionTable, sessionCap } from './uplink-sessions.js';
import { UplinkTcp } from './uplink-tcp.js';

/** A TCP segment's destination port (0 if it is too short to say). */
const tcpPort = (segment: Uint8Array): number => (segment.length >= 4 ? (segment[2]! << 8) | segment[3]! : 0);
import type { Port, Segment } from './segment.js';
import type { World } from './world.js';

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
/** QEMU's user-mode gateway MAC. */
export const UPLINK_MAC = 0x5255_0a00_0202;
/** The guest link's MTU, as slirp's IF_MTU: longer real datagrams reach the guest in fragments. */
const UPLINK_MTU = 1500;

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

export class Uplink implements Port {
  readonly label = 'uplink';
  private guestMac: number | null = null;
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
  /** The guest's fragments, put back together before the datagram leaves as one. */
  private readonly reassembler: Reassembler;
  /** IP ident of the fragmented datagrams sent to the guest. */
  private ident = 0;
  /** The guests' TCP connections, ended here and carried over real ones (uplink-tcp.ts). */
  private readonly tcp: UplinkTcp;

  constructor(
    private readonly world: World,
    private readonly segment: Segment,
    private readonly host: Kernel,
    readonly gateway: number,
    readonly guestAddr: number,
    maxSessions = sessionCap(),
  ) {
    segment.addPort(this);
    const sched = world.sched;
    this.sessions = new SessionTable<Binding>(
      { now: () => sched.now(), at: (when, fn) => sched.at(when, fn), cancel: (t) => sched.cancel(t as Timer) },
      (line) => host.log.write(line),
      maxSessions,
    );
    this.tcp = new UplinkTcp(world, gateway, {
      toGuest: (src, dst, segment) => this.ipToGuest(src, dst, IPPROTO_TCP, segment),
      realAddress: (dst) => (dst === this.gateway ? '127.0.0.1' : formatIpv4(dst)),
      log: (line) => host.log.write(line),
    });
    this.reassembler = new Reassembler({ at: (when, fn) => sched.at(when, fn), cancel: (t) => sched.cancel(t), now: () => sched.now(), timedOut: () => {} });
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

  // ------------------------------------------------------------------ frames from the world

  deliver(frame: Uint8Array): void {
    if (frame.length < 14) return;
    const dst = readMac(frame, 0);
    if (dst !== UPLINK_MAC && dst !== BROADCAST_MAC && !isMulticastMac(dst)) return;
    this.guestMac = readMac(frame, 6);
    const type = (frame[12]! << 8) | frame[13]!;
    const payload = frame.subarray(14);
    if (type === ETHERTYPE_ARP) this.onArp(payload);
    else if (type === ETHERTYPE_IPV4) this.onIp(payload);
  }

  private onArp(payload: Uint8Array): void {
    const p = ArpPacket.checked(payload);
    if (isWireError(p)) return;
    const a = ArpRepr.parse(p);
    // The gateway answers for itself and, like slirp, for any outside address the guest asks about.
    if (isWireError(a) || a.operation !== 1 || a.targetIp === a.senderIp || a.targetIp === this.guestAddr) return;
    this.toGuest(a.senderMac, ETHERTYPE_ARP, buildArpPacket({ operation: 2, senderMac: UPLINK_MAC, senderIp: a.targetIp, targetMac: a.senderMac, targetIp: a.senderIp }));
  }

  private onIp(received: Uint8Array): void {
    let payload = received;
    let v = Ipv4Packet.checked(payload);
    if (isWireError(v)) return;
    let ip = Ipv4Repr.parse(v);
    if (isWireError(ip)) return;
    if (ip.moreFragments || ip.fragmentOffset > 0) {
      const whole = this.reassembler.add(payload.subarray(0, v.totalLen), ip, v);
      if (!whole) return;
      payload = whole;
      v = new Ipv4Packet(whole);
      ip = Ipv4Repr.parse(v);
      if (isWireError(ip)) return;
    }
    if (ip.protocol === IPPROTO_ICMP && ip.dst === this.gateway) {
      const ic = IcmpPacket.checked(v.payload);
      const r = isWireError(ic) ? ic : IcmpRepr.parse(ic);
      if (!isWireError(r) && r.kind === 'echo-request') {
        const reply = buildIcmpPacket({ kind: 'echo-reply', ident: r.ident, seq: r.seq, data: r.data });
        this.ipToGuest(this.gateway, ip.src, IPPROTO_ICMP, reply);
      }
      return;
    }
    if (ip.protocol === IPPROTO_TCP) {
      if (this.permitted('TCP', ip.src, ip.dst, tcpPort(v.payload), payload)) this.tcp.input(ip.src, ip.dst, v.payload, ip.tos);
      return;
    }
    if (ip.protocol !== IPPROTO_UDP) return;
    const up = UdpPacket.checked(v.payload);
    const u = isWireError(up) ? up : UdpRepr.parse(up, ip.src, ip.dst);
    if (isWireError(u)) return;
    this.toReal(ip.src, u.srcPort, ip.dst, u.dstPort, u.payload, payload);
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
    const quoted = original.slice(0, Math.min(original.length, new Ipv4Packet(original).headerLen + 8));
    this.ipToGuest(this.gateway, srcIp, IPPROTO_ICMP, buildIcmpPacket({ kind: 'dst-unreachable', code: 13, original: quoted }));
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
    this.world.sched.soon(() => {
      const udp = buildUdpPacket({ srcPort: port, dstPort: b.guestPort, payload: data }, src, b.guestIp);
      this.ipToGuest(src, b.guestIp, IPPROTO_UDP, udp);
    });
    this.world.sched.kick();
  }

  private ipToGuest(src: number, dst: number, protocol: number, payload: Uint8Array): void {
    // Fragments of one datagram share an ident; slirp counts them up, as the guest's stack does.
    const ident = payload.length + 20 > UPLINK_MTU ? (this.ident = (this.ident + 1) & 0xffff) : 0;
    const packet = buildIpv4Packet({ src, dst, protocol, ttl: 64, ident, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0 }, payload);
    this.trace('in', packet);
    for (const f of fragment(packet, UPLINK_MTU)) {
      if (this.world.events.journeys.active) this.world.events.journeys.carry(packet, f);
      this.toGuest(this.guestMac ?? BROADCAST_MAC, ETHERTYPE_IPV4, f);
    }
  }

  private toGuest(dstMac: number, ethertype: number, payload: Uint8Array): void {
    const frame = buildEthernetFrame({ dst: dstMac, src: UPLINK_MAC, ethertype }, payload);
    if (this.world.events.journeys.active) this.world.events.journeys.carry(payload, frame);
    this.segment.forward(this, frame);
  }

  private trace(dir: 'in' | 'out', bytes: Uint8Array): void {
    this.world.events.packet(this.host.name, 'uplink', 'uplink', dir, 'ip', bytes, this.world.sched.now(), { event: dir === 'in' ? 'from the real network' : 'to the real network' });
  }
}
