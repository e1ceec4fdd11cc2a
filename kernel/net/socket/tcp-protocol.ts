// TCP registered with one host's IPv4 stack (protocol 6): the TcpHost seam of the engine
// (net/tcp) implemented on the stack's timers, routes and output, and the stack's IpProtocol
// implemented on the engine (segments in, ICMP errors to the connection that caused them). The
// net.ipv4.tcp_* values of the host live here, for the engine to read and /proc/sys to change.

import type { ErrnoName } from '../../abi/errno.js';
import { IPPROTO_TCP, Ipv4Packet, type Ipv4Repr } from '../../abi/wire/ipv4.js';
import type { NetInterface } from '../iface/interface.js';
import { chooseSource, ipSend, routeFor, withIpHeadroom } from '../iface/ipv4.js';
import type { IpProtocol } from '../iface/protocol.js';
import type { NetStack } from '../iface/stack.js';
import { TcpEngine } from '../tcp/engine.js';
import type { TcpHost, TcpOutputOptions, TcpRoute } from '../tcp/host.js';
import { cubicParamEntries, defaultTcpSysctl, type SysctlEntry, tcpSysctlEntries, type TcpSysctl } from '../tcp/sysctl.js';
import type { TableEntry } from '../../vfs/tablefs.js';
import type { Timer } from '../../sched/timers.js';

export class TcpProtocol implements IpProtocol {
  readonly protocol = IPPROTO_TCP;
  readonly sysctl: TcpSysctl = defaultTcpSysctl();
  readonly engine: TcpEngine;
  /** The packet the engine is taking in, for the journey events of its segment. */
  private arriving: Uint8Array | null = null;

  /**
   * `transparent`: sockets may bind to, and resets answer for, any address, as Linux's
   * IP_TRANSPARENT lets a transparent proxy do (the uplink's gateway ends connections to anywhere).
   */
  constructor(
    private readonly stack: NetStack,
    opts: { transparent?: boolean } = {},
  ) {
    const transparent = opts.transparent === true;
    // A stream of its own, so TCP's draws leave the host's other random numbers as they were.
    const random = stack.env.random.fork('tcp');
    const timers = stack.env.timers;
    const host: TcpHost = {
      now: () => timers.now(),
      // The ISN clock: the host's monotonic one (deterministic in virtual time).
      wallNs: () => timers.now(),
      at: (when, fire) => timers.at(when, fire),
      cancel: (t) => timers.cancel(t as Timer),
      random: () => random.next(),
      sysctl: this.sysctl,
      output: (segment, src, dst, opts) => this.output(segment, src, dst, opts),
      segmentBuffer: (length) => withIpHeadroom(length),
      route: (dst) => this.route(dst),
      isLocalAddress: (a) => transparent || stack.isLocal(a),
      log: (line) => stack.env.log.write(line),
      // A segment made here starts as a payload handed to IP, as a UDP datagram does (ipSend carries
      // its identity to the packet); one received is the packet it arrived in (the same buffer).
      trace: (where, dir, segment, d) => {
        if (d?.answers) stack.journeys.answer(d.answers, segment);
        else if (d?.from) stack.journeys.carry(d.from, segment);
        const packet = dir !== 'out' && this.arriving?.buffer === segment.buffer ? this.arriving : null;
        stack.trace('socket', where, dir, packet ? 'ip' : 'data', packet ?? segment, d);
      },
      get tracing() {
        return stack.tracing;
      },
      carry: (from, to) => void stack.journeys.carry(from, to),
    };
    this.engine = new TcpEngine(host);
    stack.register(this);
  }

  /** The files of /proc (sys/net/...) and /sys (module/tcp_cubic/parameters/...) for the values. */
  files(): { proc: TableEntry[]; sys: TableEntry[] } {
    const file = (path: string, e: SysctlEntry): TableEntry => ({ path, read: () => e.read(), write: e.writable ? (t) => e.write(t) : undefined });
    return {
      proc: tcpSysctlEntries(this.sysctl).map((e) => file(`sys/${e.name.replace(/\./g, '/')}`, e)),
      sys: cubicParamEntries(this.sysctl).map((e) => file(`module/tcp_cubic/parameters/${e.name}`, e)),
    };
  }

  private output(segment: Uint8Array, src: number, dst: number, opts: TcpOutputOptions): ErrnoName | null {
    return ipSend(this.stack, {
      src,
      dst,
      protocol: IPPROTO_TCP,
      payload: segment,
      ttl: opts.ttl,
      tos: opts.tos,
      dontFragment: opts.df,
      ident: opts.zeroIpId ? 0 : undefined,
      gsoSize: opts.gsoSize,
      // Every segment the engine outputs was made by segmentBuffer, for this packet alone.
      inPlace: true,
    });
  }

  private route(dst: number): TcpRoute | ErrnoName {
    const where = routeFor(this.stack, dst);
    if (typeof where === 'string') return where;
    return { src: chooseSource(this.stack, where.iface, dst), mtu: where.route?.mtu || where.iface.mtu, gso: where.iface.device.features?.canGso ?? false };
  }

  input(_iface: NetInterface, packet: Uint8Array, ip: Ipv4Repr, payload: Uint8Array, gsoSize = 0): void {
    this.arriving = packet;
    try {
      this.engine.input(payload, ip.src, ip.dst, ip.tos, gsoSize);
    } finally {
      this.arriving = null;
    }
  }

  icmpError(type: number, code: number, original: Uint8Array, mtu?: number): void {
    if (original.length < 20 || new Ipv4Packet(original).protocol !== IPPROTO_TCP) return;
    this.engine.icmpError(type, code, mtu ?? 0, original);
  }
}
