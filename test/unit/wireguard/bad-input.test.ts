// Garbage, truncated, altered, replayed and wrongly keyed datagrams reaching a device with a live
// session: each is dropped and counted once, nothing throws, and nothing else of the device
// changes (sessions, counters, endpoint, timers, handshake, what reached the tun, what was sent).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../../userland/bin/wireguard/device.js';
import { numRuns } from './helpers.js';
import { pair, type Side, type Wire } from './pair.js';

function snapshot(side: Side): string {
  const d: Device = side.dev;
  const peers = [...d.peers.values()].map((p) => ({
    rx: p.rxBytes,
    tx: p.txBytes,
    endpoint: p.endpoint,
    last: p.lastHandshakeWallNs,
    stage: p.handshake.stage,
    ts: [...p.handshake.lastTimestamp],
    sessions: [p.keypairs.previous, p.keypairs.current, p.keypairs.next].map((k) => k && { l: k.localIndex, r: k.remoteIndex, n: String(k.sendNonce), replay: k.replay }),
    timers: p.timers,
    staged: p.staged.length,
  }));
  return JSON.stringify({ peers, index: [...d.index.keys()], tun: side.tun.length, sent: side.sent.length, queue: d.handshakes.length }, (_k, v) =>
    typeof v === 'bigint' ? String(v) : v instanceof BigUint64Array ? [...v].map(String) : v,
  );
}

const totalDrops = (d: Device) => Object.values(d.drops).reduce((a, b) => a + b, 0);

describe('a device with a live session, fed bad datagrams', () => {
  let world: ReturnType<typeof pair>;
  /** Everything that crossed while the session was made, both ways: material to replay and alter. */
  let seen: Wire[];
  let stranger: ReturnType<typeof pair>;

  beforeAll(async () => {
    world = pair();
    const { a, b, deliver } = world;
    seen = [];
    const record = (s: Side) => {
      const push = s.sent.push.bind(s.sent);
      s.sent.push = (...w: Wire[]) => {
        seen.push(...w.map((x) => ({ ...x, data: x.data.slice() })));
        return push(...w);
      };
    };
    record(a);
    record(b);
    await a.send('10.9.0.1', '10.9.0.2', 64);
    await deliver();
    await b.send('10.9.0.2', '10.9.0.1', 64);
    await deliver();
    await a.send('10.9.0.1', '10.9.0.2', 64);
    await deliver();
    // Another pair with the same addresses but keys of its own: its messages are wrongly keyed here.
    stranger = pair();
    stranger.a.dev.setPrivateKey(new Uint8Array(32).fill(7));
    stranger.b.dev.setPrivateKey(new Uint8Array(32).fill(9));
    await stranger.a.send('10.9.0.1', '10.9.0.2', 64);
    await stranger.deliver();
    expect(seen.map((w) => w.data.length)).toEqual([148, 92, 128, 128, 128]);
  });

  const datagram = () =>
    fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((data) => ({ data, to: 'b' as const })),
      fc.integer({ min: 0, max: 4 }).chain((i) => fc.nat().map((cut) => ({ data: seen[i]!.data.slice(0, cut % seen[i]!.data.length), to: seen[i]!.to.port === 51821 ? ('b' as const) : ('a' as const) }))),
      fc.integer({ min: 0, max: 4 }).chain((i) =>
        fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([at, bit]) => {
          const data = seen[i]!.data.slice();
          data[at % data.length]! ^= 1 << bit;
          return { data, to: seen[i]!.to.port === 51821 ? ('b' as const) : ('a' as const) };
        }),
      ),
      fc.integer({ min: 0, max: 4 }).map((i) => ({ data: seen[i]!.data.slice(), to: seen[i]!.to.port === 51821 ? ('b' as const) : ('a' as const) })),
      fc.constant(null).map(() => ({ data: new Uint8Array(148).fill(1), to: 'b' as const })),
    );

  it('drops and counts each one, changing nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(datagram(), { minLength: 1, maxLength: 6 }), async (list) => {
        for (const { data, to } of list) {
          const side = to === 'a' ? world.a : world.b;
          const before = snapshot(side);
          const drops = totalDrops(side.dev);
          await side.receive({ from: to === 'a' ? { addr: '192.0.2.2', port: 51821 } : { addr: '192.0.2.1', port: 51820 }, to: side.addr, data });
          expect(totalDrops(side.dev)).toBe(drops + 1);
          expect(snapshot(side)).toBe(before);
        }
      }),
      { numRuns: Math.min(numRuns, 500) },
    );
  });

  it('tells the kernel why it threw a datagram away, as the datagram arrives', async () => {
    const b = world.b;
    const from = { addr: '192.0.2.1', port: 51820 };
    const transport = seen.find((w) => w.data.length === 128 && w.to.port === 51821)!;
    b.dropped.length = 0;
    await b.receive({ from, to: b.addr, data: new Uint8Array(7) });
    await b.receive({ from, to: b.addr, data: transport.data });
    const altered = transport.data.slice();
    altered[100]! ^= 1;
    await b.receive({ from, to: b.addr, data: altered });
    const unknown = transport.data.slice();
    unknown[4]! ^= 0xff;
    await b.receive({ from, to: b.addr, data: unknown });
    expect(b.dropped).toEqual(['malformed', 'replay', 'decrypt', 'decrypt']);
  });

  it("drops a stranger's messages, whose keys are not this device's", async () => {
    for (const w of [...stranger.a.sent, ...stranger.b.sent]) await world.b.receive(w);
    const before = snapshot(world.b);
    const drops = totalDrops(world.b.dev);
    const again = pair();
    again.a.dev.setPrivateKey(new Uint8Array(32).fill(7));
    await again.a.send('10.9.0.1', '10.9.0.2', 64);
    await world.b.receive(again.a.sent[0]!);
    expect(world.b.dev.drops.badMac1).toBeGreaterThan(0);
    expect(totalDrops(world.b.dev)).toBe(drops + 1);
    expect(snapshot(world.b)).toBe(before);
  });
});
