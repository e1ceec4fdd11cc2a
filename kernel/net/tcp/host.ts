// The narrow seam between the TCP engine and the rest of a kernel: everything the engine needs from
// outside, and nothing else. The engine never sees a NetStack, a scheduler or a file: the stack
// adapter implements this interface, and unit tests implement it with a hand-advanced clock and a
// list of emitted segments (smoltcp style).

import type { ErrnoName } from '../../abi/errno.js';
import type { TraceDetail } from '../../obs/events.js';
import type { TcpSysctl } from './sysctl.js';

/** A timer the host armed; passed back to cancel it. */
export type TcpTimerHandle = unknown;

export interface TcpRoute {
  /** The source address a socket bound to the wildcard uses towards this destination. */
  src: number;
  /** The path MTU: the route's, else the outgoing interface's. */
  mtu: number;
  /** The outgoing device takes packets of more than one segment (TSO or GSO on: sk_can_gso). */
  gso?: boolean;
}

export interface TcpOutputOptions {
  /** The whole TOS byte: the socket's DSCP bits with the ECN codepoint. */
  tos: number;
  ttl: number;
  /** Don't fragment: set unless the socket disabled path MTU discovery. */
  df: boolean;
  /** A SYN-ACK or a reset sent without a socket goes out with IP ID 0, as Linux sends them. */
  zeroIpId?: boolean;
  /** A super-packet of segments of this many payload bytes, its checksum partial (GSO). */
  gsoSize?: number;
}

/** What TCP says about a segment's crossing: the journey detail, and the segment it answers. */
export interface TcpTraceDetail extends TraceDetail {
  /** The received segment this one was made in answer to (a reset for a segment without a socket). */
  answers?: Uint8Array;
  /** The bytes the segment was made from (its payload in the send buffer): it is the same packet. */
  from?: Uint8Array;
}

export interface TcpHost {
  /** Monotonic nanoseconds. */
  now(): number;
  /** Nanoseconds since the Unix epoch (the ISN clock ticks with it). */
  wallNs(): number;
  /** Run `fire` at `whenNs` (monotonic), unless cancelled first. */
  at(whenNs: number, fire: () => void): TcpTimerHandle;
  cancel(timer: TcpTimerHandle): void;
  /** The seeded generator of the world: ISN keys, ephemeral ports, SYN cookie secrets. */
  random(): number;
  /** The net.ipv4.tcp_* values of this host, read live (a sysctl write changes them at once). */
  readonly sysctl: TcpSysctl;
  /** Send one segment (TCP header and payload, checksum filled) inside an IPv4 datagram.
   * Returns the errno the stack gave (no route, a qdisc that dropped it: ENOBUFS) or null. */
  output(segment: Uint8Array, src: number, dst: number, opts: TcpOutputOptions): ErrnoName | null;
  /**
   * A buffer for a segment of `length` bytes that output() may wrap in its headers without a copy
   * (room in front for them); without it, segments are plain buffers and output copies them.
   */
  segmentBuffer?(length: number): Uint8Array;
  /** How `dst` is reached, or why not (ENETUNREACH, EHOSTUNREACH). */
  route(dst: number): TcpRoute | ErrnoName;
  /** Whether `addr` is one of this host's addresses (bind's EADDRNOTAVAIL). */
  isLocalAddress(addr: number): boolean;
  /** A line for the kernel log. */
  log(line: string): void;
  /**
   * A segment crossing the socket layer, for packet journeys (kernel/obs/journey.ts): made here
   * ('out'), taken by an endpoint ('deliver') or dropped with a reason. Callers check `tracing`
   * first, so nothing is built when nobody watches.
   */
  trace?(where: string, dir: 'out' | 'drop' | 'deliver', segment: Uint8Array, detail?: TcpTraceDetail): void;
  /** Whether anyone records packet journeys now. */
  readonly tracing?: boolean;
  /** `to` is a copy of the received bytes `from` (for journeys; called only while tracing). */
  carry?(from: Uint8Array, to: Uint8Array): void;
}
