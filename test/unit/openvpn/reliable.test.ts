// The control-channel codec round-trips anything it can emit and never throws on bytes it cannot
// parse; the reliability layer delivers every message exactly once and in order through a link
// that loses, duplicates and reorders packets (fast-check), and behaves as reliable.c on the
// cases the captures show (MRU acks, backoff, the window).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emitControlPlain, P_ACK_V1, P_CONTROL_V1, parseControlPlain } from '../../../userland/bin/openvpn/control-packet.js';
import { AckList, ReliableRecv, ReliableSend } from '../../../userland/bin/openvpn/reliable.js';
import { numRuns } from './helpers.js';

const sid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);

describe('control plaintext codec', () => {
  it('parses what it emits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 8 }),
        fc.option(fc.nat({ max: 0xffffffff }), { nil: null }),
        fc.uint8Array({ maxLength: 1300 }),
        (acks, msgId, payload) => {
          const op = msgId === null ? P_ACK_V1 : P_CONTROL_V1;
          const p = { acks, remoteSid: acks.length ? sid : null, msgId, payload: op === P_ACK_V1 ? new Uint8Array(0) : payload };
          expect(parseControlPlain(op, emitControlPlain(p))).toEqual(p);
        },
      ),
      { numRuns },
    );
  });

  it('answers null, never throws, for any bytes it cannot parse', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.constantFrom(P_ACK_V1, P_CONTROL_V1), (bytes, op) => {
        const r = parseControlPlain(op, bytes);
        if (r !== null) expect(emitControlPlain(r)).toEqual(bytes);
      }),
      { numRuns },
    );
  });

  it('refuses more than 8 acks, as reliable_ack_parse() does', () => {
    const nine = new Uint8Array(1 + 36 + 8 + 4);
    nine[0] = 9;
    expect(parseControlPlain(P_CONTROL_V1, nine)).toBeNull();
  });
});

/** One end: a send window, a receive window, the acks it owes. */
class End {
  readonly send = new ReliableSend(2);
  readonly recv = new ReliableRecv();
  readonly acks = new AckList();
  readonly delivered: number[] = [];
  queue: number[] = [];

  /** Packets to put on the wire at `now`: queued messages, retransmissions, a lone ACK if owed. */
  output(now: number): Uint8Array[] {
    while (this.queue.length && this.send.available() > 0) {
      const v = this.queue.shift()!;
      this.send.push(P_CONTROL_V1, Uint8Array.of(v >> 8, v & 0xff));
    }
    const out: Uint8Array[] = [];
    for (let m = this.send.send(now); m; m = this.send.send(now)) {
      const acks = this.acks.take(4);
      out.push(Uint8Array.of(P_CONTROL_V1, ...emitControlPlain({ acks, remoteSid: acks.length ? sid : null, msgId: m.id, payload: m.payload })));
    }
    if (this.acks.outstanding > 0) {
      const acks = this.acks.take(8);
      out.push(Uint8Array.of(P_ACK_V1, ...emitControlPlain({ acks, remoteSid: sid, msgId: null, payload: new Uint8Array(0) })));
    }
    return out;
  }

  input(packet: Uint8Array): void {
    const op = packet[0]!;
    const p = parseControlPlain(op, packet.subarray(1))!;
    this.send.purge(p.acks);
    if (p.msgId === null) return;
    const r = this.recv.offer(p.msgId, op, p.payload);
    if (r === 'stored' || r === 'replay') this.acks.acknowledge(p.msgId);
    for (let m = this.recv.take(); m; m = this.recv.take()) this.delivered.push((m.payload[0]! << 8) | m.payload[1]!);
  }
}

describe('reliability layer', () => {
  it('delivers every message once and in order through loss, duplication and reordering', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.record({ drop: fc.boolean(), dup: fc.boolean(), delay: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 30 }),
        (n, fates) => {
          const a = new End();
          const b = new End();
          a.queue = Array.from({ length: n }, (_, i) => i);
          let wire: Array<{ at: number; to: End; packet: Uint8Array }> = [];
          let k = 0;
          // The link misbehaves as the fates say for the first packets, then behaves: it must still
          // converge, through retransmissions with backoff (timeout doubling from 2 s). Time jumps
          // from event to event.
          for (let now = 0, steps = 0; steps < 5000 && b.delivered.length < n; steps++) {
            for (const [from, to] of [[a, b], [b, a]] as const) {
              for (const packet of from.output(now)) {
                const fate = fates[k] ?? { drop: false, dup: false, delay: 0 };
                k++;
                if (fate.drop) continue;
                wire.push({ at: now + fate.delay, to, packet });
                if (fate.dup) wire.push({ at: now + fate.delay + 1, to, packet });
              }
            }
            const due = wire.filter((w) => w.at <= now);
            wire = wire.filter((w) => w.at > now);
            for (const w of due.reverse()) w.to.input(w.packet);
            const next = Math.min(a.send.timeout(now) + now, b.send.timeout(now) + now, ...wire.map((w) => w.at));
            now = next === Infinity ? now + 1 : Math.max(now + 1, next);
          }
          expect(b.delivered).toEqual(Array.from({ length: n }, (_, i) => i));
        },
      ),
      { numRuns: Math.max(200, numRuns / 10) },
    );
  });

  it('repeats recently sent acks newest first, as 2.6 does ([1, 0], then [2, 1, 0])', () => {
    const acks = new AckList();
    acks.acknowledge(0);
    expect(acks.take(4)).toEqual([0]);
    acks.acknowledge(1);
    expect(acks.take(8)).toEqual([1, 0]);
    acks.acknowledge(2);
    expect(acks.take(4)).toEqual([2, 1, 0]);
    expect(acks.take(8)).toEqual([2, 1, 0]);
    for (let i = 3; i < 12; i++) acks.acknowledge(i);
    // The owed ones in arrival order, then what is left of the MRU list.
    expect(acks.take(8)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('retransmits after 2, 4, 8 s (doubling), and at once after three later ids are acked', () => {
    const s = new ReliableSend(2);
    for (let i = 0; i < 4; i++) s.push(P_CONTROL_V1, new Uint8Array(0));
    const sent = (now: number) => {
      const ids: number[] = [];
      for (let m = s.send(now); m; m = s.send(now)) ids.push(m.id);
      return ids;
    };
    expect(sent(0)).toEqual([0, 1, 2, 3]);
    expect(sent(1)).toEqual([]);
    expect(s.timeout(1)).toBe(1);
    expect(sent(2)).toEqual([0, 1, 2, 3]);
    expect(sent(5)).toEqual([]);
    expect(sent(6)).toEqual([0, 1, 2, 3]);
    s.purge([1, 2, 3]);
    expect(sent(7)).toEqual([0]); // fast retransmit
    expect(s.available()).toBe(2); // the window is anchored at the oldest unacknowledged id
  });

  it('keeps 6 packets in flight and 12 out of order, dropping beyond unacknowledged', () => {
    const s = new ReliableSend(2);
    for (let i = 0; i < 6; i++) s.push(P_CONTROL_V1, new Uint8Array(0));
    expect(s.available()).toBe(0);
    expect(() => s.push(P_CONTROL_V1, new Uint8Array(0))).toThrow(RangeError);
    const r = new ReliableRecv();
    expect(r.offer(12, P_CONTROL_V1, new Uint8Array(0))).toBe('out-of-window');
    expect(r.offer(11, P_CONTROL_V1, new Uint8Array(0))).toBe('stored');
    expect(r.offer(11, P_CONTROL_V1, new Uint8Array(0))).toBe('replay');
    expect(r.take()).toBeNull();
    expect(r.offer(0, P_CONTROL_V1, Uint8Array.of(7))).toBe('stored');
    expect(r.take()?.payload).toEqual(Uint8Array.of(7));
    expect(r.offer(0, P_CONTROL_V1, new Uint8Array(0))).toBe('replay');
  });
});
