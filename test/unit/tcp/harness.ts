// A TCP engine alone, smoltcp style: a TcpHost whose clock a test advances by hand, which records
// every segment the engine sends and lets the test inject segments as the peer. No world, no
// processes, no files.

import { buildTcpPacket, parseIpv4, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TcpPacket, TcpRepr, type TcpOption } from '../../../kernel/abi/wire/index.js';
import type { ErrnoName } from '../../../kernel/abi/errno.js';
import { TcpEngine } from '../../../kernel/net/tcp/engine.js';
import type { TcpHost, TcpOutputOptions, TcpRoute } from '../../../kernel/net/tcp/host.js';
import { defaultTcpSysctl, type TcpSysctl } from '../../../kernel/net/tcp/sysctl.js';
import { Random } from '../../../kernel/sched/random.js';
import { TimerHeap, type Timer } from '../../../kernel/sched/timers.js';

export const LOCAL = parseIpv4('192.168.0.1')!;
export const REMOTE = parseIpv4('192.0.2.1')!;

export interface Sent {
  atNs: number;
  repr: TcpRepr;
  src: number;
  dst: number;
  opts: TcpOutputOptions;
}

export class TestHost implements TcpHost {
  nowNs = 0;
  readonly sysctl: TcpSysctl = defaultTcpSysctl();
  readonly sent: Sent[] = [];
  readonly logs: string[] = [];
  /** What output() answers (a qdisc that drops: ENOBUFS). */
  outputError: ErrnoName | null = null;
  mtu = 1500;
  private readonly timers = new TimerHeap();
  private readonly rng = new Random(42);

  now(): number {
    return this.nowNs;
  }
  wallNs(): number {
    return 1_700_000_000_000_000_000 + this.nowNs;
  }
  at(whenNs: number, fire: () => void): Timer {
    return this.timers.add(whenNs, fire);
  }
  cancel(t: unknown): void {
    this.timers.cancel(t as Timer);
  }
  random(): number {
    return this.rng.next();
  }
  output(segment: Uint8Array, src: number, dst: number, opts: TcpOutputOptions): ErrnoName | null {
    if (this.outputError) return this.outputError;
    const repr = TcpRepr.parse(new TcpPacket(segment), src, dst);
    if (!('srcPort' in repr)) throw new Error(`engine sent a bad segment: ${repr.reason}`);
    this.sent.push({ atNs: this.nowNs, repr: { ...repr, payload: repr.payload.slice() }, src, dst, opts });
    return null;
  }
  route(dst: number): TcpRoute | ErrnoName {
    if (dst === LOCAL || dst === REMOTE || dst >>> 24 === 192) return { src: LOCAL, mtu: this.mtu };
    return 'ENETUNREACH';
  }
  isLocalAddress(addr: number): boolean {
    return addr === LOCAL;
  }
  log(line: string): void {
    this.logs.push(line);
  }

  /** Move the clock to `ns`, firing the timers that come due, in order. */
  advanceTo(ns: number): void {
    for (;;) {
      const t = this.timers.peek();
      if (!t || t.when > ns) break;
      this.timers.pop();
      this.nowNs = Math.max(this.nowNs, t.when);
      t.fire();
    }
    this.nowNs = Math.max(this.nowNs, ns);
  }

  advance(ms: number): void {
    this.advanceTo(this.nowNs + Math.round(ms * 1e6));
  }

  /** Segments sent since the last take. */
  take(): Sent[] {
    return this.sent.splice(0);
  }
}

export interface PeerSeg {
  flags: number;
  seq: number;
  ack?: number;
  win?: number;
  options?: TcpOption[];
  payload?: Uint8Array | number;
  srcPort?: number;
  dstPort?: number;
  tos?: number;
}

/** An engine with a host, and a peer at 192.0.2.1 that speaks in script-relative numbers. */
export class Rig {
  readonly host = new TestHost();
  readonly engine = new TcpEngine(this.host);
  peerPort = 40000;
  localPort = 8080;

  inject(p: PeerSeg): void {
    const payload = typeof p.payload === 'number' ? new Uint8Array(p.payload) : (p.payload ?? new Uint8Array(0));
    const repr: TcpRepr = {
      srcPort: p.srcPort ?? this.peerPort,
      dstPort: p.dstPort ?? this.localPort,
      seq: p.seq >>> 0,
      ack: (p.ack ?? 0) >>> 0,
      flags: p.flags,
      window: p.win ?? 65535,
      urgent: 0,
      options: p.options ?? [],
      payload,
    };
    this.engine.input(buildTcpPacket(repr, REMOTE, LOCAL), REMOTE, LOCAL, p.tos ?? 0);
  }
}

export { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN };

/** tcpdump-like one-line summary of a sent segment, with sequence numbers relative to `iss`. */
export function summary(s: Sent, iss = 0, irs = 0): string {
  const r = s.repr;
  const letters = [
    [TCP_FIN, 'F'],
    [TCP_SYN, 'S'],
    [TCP_RST, 'R'],
    [TCP_PSH, 'P'],
    [TCP_ACK, '.'],
  ] as const;
  const flags = letters.filter(([b]) => r.flags & b).map(([, c]) => c).join('');
  const seq = (r.seq - iss) >>> 0;
  const end = (seq + r.payload.length) >>> 0;
  const ack = r.flags & TCP_ACK ? ` ack ${(r.ack - irs) >>> 0}` : '';
  return `${flags} ${seq}:${end}(${r.payload.length})${ack} win ${r.window}`;
}
