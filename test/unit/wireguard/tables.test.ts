// The daemon's two tables: cryptokey routing (allowed ips, longest prefix first, a prefix moving
// to the peer that last claimed it, listed in the order given) and the replay window (wireguard-go's
// replay_test.go cases: in order, late within the window, too old, repeated, past the limit).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllowedIps } from '../../../userland/bin/wireguard/allowed-ips.js';
import { REJECT_AFTER_MESSAGES } from '../../../userland/bin/wireguard/constants.js';
import { REPLAY_WINDOW, ReplayFilter } from '../../../userland/bin/wireguard/replay.js';
import { formatPrefix, parsePrefix } from '../../../userland/lib/wireguard/prefix.js';
import { numRuns } from './helpers.js';

const ip = (s: string) => Uint8Array.from(s.split('.').map(Number));

describe('allowed ips', () => {
  it('routes by the longest prefix, among several peers', () => {
    const t = new AllowedIps<string>();
    t.insert(parsePrefix('0.0.0.0/0')!, 'default');
    t.insert(parsePrefix('10.0.0.0/8')!, 'wide');
    t.insert(parsePrefix('10.7.0.0/24')!, 'narrow');
    t.insert(parsePrefix('10.7.0.9/32')!, 'host');
    expect(['10.7.0.9', '10.7.0.8', '10.9.9.9', '192.0.2.1'].map((a) => t.lookup(ip(a)))).toEqual(['host', 'narrow', 'wide', 'default']);
    expect(t.lookup(parsePrefix('fd00::1')!.addr)).toBeUndefined();
  });

  it('moves a prefix to the peer that claims it last, and forgets a removed peer', () => {
    const t = new AllowedIps<string>();
    t.insert(parsePrefix('10.0.0.0/24')!, 'a');
    t.insert(parsePrefix('10.0.1.0/24')!, 'a');
    t.insert(parsePrefix('10.0.0.5/24')!, 'b');
    expect(t.lookup(ip('10.0.0.1'))).toBe('b');
    expect(t.prefixesOf('a').map(formatPrefix)).toEqual(['10.0.1.0/24']);
    t.removeByPeer('b');
    expect(t.lookup(ip('10.0.0.1'))).toBeUndefined();
  });

  it('keeps prefixes masked and in the order given, IPv6 too', () => {
    const t = new AllowedIps<string>();
    for (const p of ['10.9.0.2/32', 'fd00::3/128', '10.10.0.77/16']) t.insert(parsePrefix(p)!, 'x');
    expect(t.prefixesOf('x').map(formatPrefix)).toEqual(['10.9.0.2/32', 'fd00::3/128', '10.10.0.0/16']);
    expect(parsePrefix('10.0.0.0/33')).toBeNull();
    expect(parsePrefix('010.0.0.1')).toBeNull();
  });
});

describe('the replay window', () => {
  const LIMIT = REJECT_AFTER_MESSAGES;

  it("accepts each counter once, late ones within the window, as wireguard-go's replay_test", () => {
    const f = new ReplayFilter();
    const W = BigInt(REPLAY_WINDOW);
    const steps: Array<[bigint, boolean]> = [
      [0n, true],
      [1n, true],
      [1n, false],
      [9n, true],
      [8n, true],
      [7n, true],
      [7n, false],
      [W + 9n, true],
      [9n, false],
      [10n, true],
      [W + 11n, true],
      [W + 10n, true],
      [10n, false],
      [2n * W, true],
      [W, true],
      [W - 1n, false],
      [LIMIT, false],
      [LIMIT - 1n, true],
      [LIMIT - 1n, false],
    ];
    expect(steps.map(([c]) => f.validate(c, LIMIT))).toEqual(steps.map(([, ok]) => ok));
  });

  it('never accepts a counter twice, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 20_000n }), { maxLength: 300 }), (counters) => {
        const f = new ReplayFilter();
        const seen = new Set<bigint>();
        for (const c of counters) if (f.validate(c, LIMIT)) {
          expect(seen.has(c)).toBe(false);
          seen.add(c);
        }
      }),
      { numRuns: Math.min(numRuns, 300) },
    );
  });
});
