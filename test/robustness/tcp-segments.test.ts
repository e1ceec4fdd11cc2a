// Random and mutated segment streams against the TCP engine alone (a hand-advanced clock, no
// world): a listener, and an established connection whose user writes, reads and closes between
// the segments. Whatever arrives, the engine does not throw, its state stays consistent, every
// segment it is given is accounted for (taken in, or dropped with a counted reason), and what it
// sends parses.
//
// FUZZ_RUNS sets the number of streams (default 2000, as the other property tests).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN, TCP_STATE_NAMES } from '../../kernel/abi/tcp.js';
import { buildTcpPacket, type TcpOption, TcpPacket } from '../../kernel/abi/wire/index.js';
import { after, before } from '../../kernel/net/tcp/seq.js';
import type { TcpSock } from '../../kernel/net/tcp/sock.js';
import { recvStep, sendStep } from '../../kernel/net/tcp/user.js';
import { LOCAL, REMOTE, Rig, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../unit/tcp/harness.js';
import { budgetMs, numRuns } from './harness.js';

const runs = Math.max(50, Math.floor(numRuns / 4));

const option: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constant<TcpOption>({ kind: 'nop' }),
  fc.integer({ min: 0, max: 0xffff }).map((mss): TcpOption => ({ kind: 'mss', mss })),
  fc.integer({ min: 0, max: 20 }).map((shift): TcpOption => ({ kind: 'wscale', shift })),
  fc.constant<TcpOption>({ kind: 'sackPermitted' }),
  fc
    .array(fc.tuple(fc.integer({ min: -70000, max: 70000 }), fc.integer({ min: 0, max: 70000 })), { minLength: 1, maxLength: 3 })
    .map((b): TcpOption => ({ kind: 'sack', blocks: b.map(([l, n]) => [l, l + n] as [number, number]) })),
  fc.tuple(fc.nat(), fc.nat()).map(([tsval, tsecr]): TcpOption => ({ kind: 'timestamp', tsval, tsecr })),
);

/** A segment from the peer, its numbers near the connection's (or anywhere). */
const segment = fc.record({
  // Mostly what a peer sends (so data flows and the deep paths run), otherwise any flag set.
  flags: fc.oneof(fc.constantFrom(TCP_ACK, TCP_ACK | TCP_PSH, TCP_ACK | TCP_FIN, TCP_ACK | TCP_PSH), fc.integer({ min: 0, max: 0x1ff })),
  seqOff: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -3000, max: 70000 }), fc.nat()),
  // 0..1: a share of what is in flight, as an ACK would cover; otherwise any offset.
  ackOff: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: -3000, max: 70000 }), fc.nat()),
  win: fc.integer({ min: 0, max: 0xffff }),
  len: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
  options: fc.array(option, { maxLength: 4 }).filter((o) => o.reduce((n, x) => n + (x.kind === 'sack' ? 2 + 8 * x.blocks.length : 10), 0) <= 40),
  port: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 3 })),
});

type SegmentValue = typeof segment extends fc.Arbitrary<infer T> ? T : never;
type Step =
  | { kind: 'seg'; s: SegmentValue }
  | { kind: 'mutate'; s: SegmentValue; at: number; xor: number; fixSum: boolean }
  | { kind: 'raw'; bytes: Uint8Array }
  | { kind: 'write'; n: number; more: boolean }
  | { kind: 'read'; n: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'close' };

/** What a well-behaved peer sends: in-order data (or none) acknowledging some of what is in flight. */
const goodSegment = fc.record({
  flags: fc.constantFrom(TCP_ACK, TCP_ACK | TCP_PSH),
  seqOff: fc.constant(0),
  ackOff: fc.double({ min: 0, max: 1, noNaN: true }),
  win: fc.integer({ min: 1000, max: 0xffff }),
  len: fc.integer({ min: 0, max: 1448 }),
  options: fc.constant<TcpOption[]>([]),
  port: fc.constant(0),
});

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: segment.map((s): Step => ({ kind: 'seg', s })) },
  { weight: 4, arbitrary: goodSegment.map((s): Step => ({ kind: 'seg', s })) },
  { weight: 2, arbitrary: fc.record({ s: segment, at: fc.nat({ max: 60 }), xor: fc.integer({ min: 1, max: 255 }), fixSum: fc.boolean() }).map((m): Step => ({ kind: 'mutate', ...m })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 80 }).map((bytes): Step => ({ kind: 'raw', bytes })) },
  { weight: 2, arbitrary: fc.record({ n: fc.integer({ min: 1, max: 20000 }), more: fc.boolean() }).map((w): Step => ({ kind: 'write', ...w })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20000 }).map((n): Step => ({ kind: 'read', n })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3000 }).map((ms): Step => ({ kind: 'advance', ms })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'close' }) },
);

/** The bytes of a peer segment relative to the connection's sequence numbers. */
function bytesOf(rig: Rig, sk: TcpSock | null, s: SegmentValue): Uint8Array {
  const rcvNxt = sk ? sk.rcvNxt : 0;
  const sndUna = sk ? sk.sndUna : 0;
  const inFlight = sk ? (sk.sndNxt - sk.sndUna) >>> 0 : 0;
  const ackOff = Number.isInteger(s.ackOff) ? s.ackOff : Math.round(s.ackOff * inFlight);
  return buildTcpPacket(
    {
      srcPort: rig.peerPort + s.port,
      dstPort: rig.localPort,
      seq: (rcvNxt + s.seqOff) >>> 0,
      ack: (sndUna + ackOff) >>> 0,
      flags: s.flags,
      window: s.win,
      urgent: 0,
      options: s.options,
      payload: new Uint8Array(s.len),
    },
    REMOTE,
    LOCAL,
  );
}

/** Segments the engine took in or dropped before looking at them: one per segment given. */
function accounted(rig: Rig): number {
  const m = rig.engine.mib;
  return m.InSegs + (m.drops.get('pkt_too_small') ?? 0) + (m.drops.get('tcp_csum') ?? 0);
}

function checkInvariants(rig: Rig, sk: TcpSock): void {
  expect(TCP_STATE_NAMES[sk.state]).toBeDefined();
  if (sk.state !== TCP_LISTEN && sk.state !== TCP_CLOSE) {
    expect(after(sk.sndUna, sk.sndNxt)).toBe(false);
    // write_seq counts the FIN too, so nothing is ever sent beyond it.
    expect(after(sk.sndNxt, sk.writeSeq)).toBe(false);
    expect(before(sk.rcvNxt, sk.copiedSeq)).toBe(false);
  }
  for (const n of [sk.packetsOut, sk.sackedOut, sk.lostOut, sk.retransOut]) expect(n).toBeGreaterThanOrEqual(0);
  // tcp_verify_left_out.
  expect(sk.sackedOut + sk.lostOut).toBeLessThanOrEqual(sk.packetsOut);
  expect(sk.retransOut).toBeLessThanOrEqual(sk.packetsOut);
  expect(sk.sndCwnd).toBeGreaterThanOrEqual(1);
  expect(sk.rtoUs).toBeLessThanOrEqual(120_000_000);
  // The receive queue never holds more than the buffer allows (with Linux's slack for one skb).
  expect(sk.rcv.bytes + sk.rcv.ofoBytes).toBeLessThanOrEqual(2 * Math.max(sk.rcvbuf, 1 << 20));
  expect(sk.drops).toBeGreaterThanOrEqual(0);
  const sizes = rig.engine.sizes();
  expect(sizes.requests).toBeLessThanOrEqual(rig.host.sysctl.tcp_max_syn_backlog);
}

/** Run the steps against `sk`; the segments it sends must parse (the harness throws otherwise). */
function play(rig: Rig, sk: TcpSock, steps: readonly Step[]): void {
  for (const st of steps) {
    const before = accounted(rig);
    let given = true;
    switch (st.kind) {
      case 'seg':
        rig.engine.input(bytesOf(rig, sk, st.s), REMOTE, LOCAL, 0);
        break;
      case 'mutate': {
        const b = bytesOf(rig, sk, st.s);
        b[st.at % b.length]! ^= st.xor;
        if (st.fixSum && b.length >= 20 && new TcpPacket(b).headerLen >= 20 && new TcpPacket(b).headerLen <= b.length) new TcpPacket(b).fillChecksum(REMOTE, LOCAL);
        rig.engine.input(b, REMOTE, LOCAL, 0);
        break;
      }
      case 'raw':
        rig.engine.input(st.bytes, REMOTE, LOCAL, 0);
        break;
      default:
        given = false;
        if (st.kind === 'write') sendStep(sk, new Uint8Array(st.n), 0, { more: st.more });
        else if (st.kind === 'read') recvStep(sk, st.n, false, 0, false);
        else if (st.kind === 'advance') rig.host.advance(st.ms);
        else if (sk.state !== TCP_CLOSE) rig.engine.close(sk);
    }
    if (given) expect(accounted(rig)).toBe(before + 1);
    rig.host.take();
    checkInvariants(rig, sk);
  }
}

describe('the TCP engine under random segments', () => {
  it(
    'a listener',
    () => {
      fc.assert(
        fc.property(fc.array(step, { maxLength: 40, size: 'medium' }), (steps) => {
          const rig = new Rig();
          const ls = rig.engine.socket();
          rig.engine.bind(ls, 0, rig.localPort);
          rig.engine.listen(ls, 4);
          play(rig, ls, steps.filter((s) => s.kind !== 'write' && s.kind !== 'read'));
          // Whatever was accepted along the way can be taken and is a connection of this listener.
          for (let c = rig.engine.accept(ls); c; c = rig.engine.accept(ls)) expect(c.localPort).toBe(rig.localPort);
        }),
        { numRuns: runs },
      );
    },
    budgetMs(5),
  );

  it(
    'an established connection',
    () => {
      let moved = 0;
      fc.assert(
        fc.property(fc.array(step, { maxLength: 60, size: 'medium' }), (steps) => {
          const rig = new Rig();
          const sk = rig.engine.socket();
          rig.engine.connect(sk, REMOTE, rig.localPort);
          const [syn] = rig.host.take();
          rig.peerPort = rig.localPort;
          rig.localPort = syn!.repr.srcPort;
          rig.inject({ srcPort: rig.peerPort, dstPort: rig.localPort, flags: TCP_SYN | TCP_ACK, seq: 5000, ack: syn!.repr.seq + 1, options: [{ kind: 'mss', mss: 1460 }, { kind: 'sackPermitted' }, { kind: 'timestamp', tsval: 1, tsecr: 0 }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }] });
          rig.host.take();
          expect(sk.state).toBe(TCP_ESTABLISHED);
          play(rig, sk, steps);
          if (sk.bytesReceived > 0 && sk.bytesAcked > 0) moved++;
        }),
        { numRuns: runs },
      );
      // The streams reach the deep paths: in most, data was received and data acknowledged.
      expect(moved).toBeGreaterThan(runs / 4);
    },
    budgetMs(10),
  );
});
