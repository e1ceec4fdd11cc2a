// tc's netem and tbf on a root qdisc (a NIC, the loopback, a tun): their options read and printed back as iproute2 6.x does
// (the tbf lines were taken from the real tc on a veth), and what they do to packets in virtual
// time: an exact delay, a serialisation rate, seeded loss, duplication, corruption and reordering
// the same on every run, a token bucket that holds back and drops, counters as `tc -s` shows them.

import { describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import ping from '../../../userland/bin/ping.js';
import sh from '../../../userland/bin/sh.js';
import tc from '../../../userland/bin/tc/main.js';
import { formatG, formatSize, parsePercent, parseRate, parseSize, parseTimeUs } from '../../../userland/bin/tc/units.js';
import { routedWorld } from '../../helpers/net.js';
import { run } from '../../helpers/world.js';
import { crypto, pairWorld, runFor, startOn } from '../openvpn/program-helpers.js';

const PROGRAMS = [tc, ping, sh];
const NIC = '/dev/net/ipro1000/0';
type W = ReturnType<typeof routedWorld>['world'];

async function cmd(w: W, argv: string[], host = 'a') {
  const r = await run(w, host, argv);
  return { out: r.out, code: WEXITSTATUS(r.status) };
}

/** The qdisc line `tc qdisc show dev NIC` prints after `tc qdisc replace dev NIC root ARGS`. */
async function shown(args: string): Promise<string> {
  const { world: w } = routedWorld(PROGRAMS);
  const r = await cmd(w, ['tc', 'qdisc', 'replace', 'dev', NIC, 'root', ...args.split(' ')]);
  expect(r).toEqual({ out: '', code: 0 });
  return (await cmd(w, ['tc', 'qdisc', 'show', 'dev', NIC])).out;
}

/** The round-trip times ping printed, in ms. */
function rtts(out: string): number[] {
  return [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
}

describe('tc units', () => {
  it('reads times, rates, sizes and percentages as iproute2 does', () => {
    expect([parseTimeUs('100ms'), parseTimeUs('1.5ms'), parseTimeUs('2s'), parseTimeUs('250'), parseTimeUs('7usec'), parseTimeUs('1x'), parseTimeUs('-1ms')]).toEqual([100000, 1500, 2000000, 250, 7, null, null]);
    expect([parseRate('10mbit'), parseRate('1Mbit'), parseRate('800'), parseRate('1kbps'), parseRate('2.5mbit'), parseRate('1zz')]).toEqual([1250000, 125000, 100, 1000, 312500, null]);
    expect([parseSize('32kbit'), parseSize('10k'), parseSize('1m'), parseSize('1600'), parseSize('1600b'), parseSize('x')]).toEqual([4096, 10240, 1048576, 1600, 1600, null]);
    expect([parsePercent('1%'), parsePercent('1'), parsePercent('100%'), parsePercent('101%'), parsePercent('1%%')]).toEqual([42949673, 42949673, 0xffff_ffff, null, null]);
    expect([formatG(7.5696, 3), formatG(14, 3), formatG(0.1), formatG(1e-5), formatG(1234567)]).toEqual(['7.57', '14', '0.1', '1e-05', '1.23457e+06']);
    expect([formatSize(4096), formatSize(102375), formatSize(1600), formatSize(1048576), formatSize(0)]).toEqual(['4Kb', '102375b', '1600b', '1Mb', '0b']);
  });
});

describe('tc qdisc netem and tbf: options', () => {
  it('prints tbf as the real tc does, bucket and latency computed back from psched ticks', async () => {
    const real: Array<[string, string]> = [
      ['tbf rate 1mbit burst 32kbit limit 10000', 'rate 1Mbit burst 4Kb lat 47.2ms '],
      ['tbf rate 10mbit burst 1600 latency 50ms', 'rate 10Mbit burst 1600b lat 50ms '],
      ['tbf rate 2.5mbit burst 10k limit 3000', 'rate 2500Kbit burst 10Kb limit 3000b '],
      ['tbf rate 1gbit burst 100k limit 1m', 'rate 1Gbit burst 102375b lat 7.57ms '],
      ['tbf rate 1500kbit burst 5000 limit 20000', 'rate 1500Kbit burst 4999b lat 80ms '],
      ['tbf rate 800bit burst 1600 limit 3000', 'rate 800bit burst 1600b lat 14s '],
      ['tbf rate 10Mbit burst 15k limit 30k', 'rate 10Mbit burst 15Kb lat 12.3ms '],
    ];
    for (const [args, line] of real) expect(await shown(args)).toBe(`qdisc tbf 8001: root refcnt 2 ${line}\n`);
  });

  it('prints netem as q_netem.c does: two spaces before the jitter, gap 1 when reordering', async () => {
    expect(await shown('netem delay 100ms 10ms loss 1% duplicate 2% reorder 25% corrupt 0.1% rate 10mbit')).toBe(
      'qdisc netem 8001: root refcnt 2 limit 1000 delay 100ms  10ms loss 1% duplicate 2% reorder 25% corrupt 0.1% rate 10Mbit gap 1\n',
    );
    expect(await shown('netem loss random 0.5 limit 50')).toBe('qdisc netem 8001: root refcnt 2 limit 50 loss 0.5%\n');
    expect(await shown('netem delay 1.5ms reorder 10 gap 5')).toBe('qdisc netem 8001: root refcnt 2 limit 1000 delay 1.5ms reorder 10% gap 5\n');
    expect(await shown('netem')).toBe('qdisc netem 8001: root refcnt 2 limit 1000\n');
  });

  it('refuses bad options with tc messages and statuses', async () => {
    const { world: w } = routedWorld(PROGRAMS);
    const t = (a: string) => cmd(w, ['tc', 'qdisc', 'add', 'dev', NIC, 'root', ...a.split(' ')]);
    const usage = 'Usage: ... tbf limit BYTES burst BYTES[/BYTES] rate KBPS [ mtu BYTES[/BYTES] ]\n\t[ peakrate KBPS ] [ latency TIME ] [ overhead BYTES ] [ linklayer TYPE ]\n';
    expect(await t('tbf rate 1mbit burst 10k')).toEqual({ out: `tbf: either "limit" or "latency" is required.\n${usage}`, code: 1 });
    expect(await t('tbf burst 10k limit 1000')).toEqual({ out: `tbf: the "rate" parameter is mandatory.\n${usage}`, code: 1 });
    expect(await t('tbf rate 1mbit burst 10k limit 100 latency 10ms')).toEqual({ out: 'tbf: specifying both "limit" and "/latency" is not allowed\n', code: 1 });
    expect(await t('tbf rate 1mbit burst x limit 1')).toEqual({ out: 'tbf: illegal value for "burst": "x"\n', code: 1 });
    expect(await t('tbf rate 1zz burst 1k limit 1')).toEqual({ out: 'tbf: illegal value for "rate": "1zz"\n', code: 1 });
    expect(await t('tbf rate 1mbit burst 1k limit 1 foo')).toEqual({ out: `tbf: unknown parameter "foo"\n${usage}`, code: 1 });
    expect(await t('tbf rate')).toEqual({ out: 'Command line is not complete. Try option "help"\n', code: 255 });
    expect(await t('netem delay soon')).toEqual({ out: 'Illegal "latency"\n', code: 1 });
    expect(await t('netem loss 150%')).toEqual({ out: 'Illegal "loss percent"\n', code: 1 });
    expect(await t('netem loss sometimes')).toEqual({ out: 'Unknown loss parameter: sometimes\n', code: 1 });
    expect((await t('netem reorder 25%')).out).toMatch(/^reordering not possible without specifying some delay\nUsage: \.\.\. netem/);
    expect((await t('netem delay 10ms gap 3')).out).toMatch(/^gap specified without reorder probability\n/);
    expect((await t('netem jitter 5ms')).out).toMatch(/^What is "jitter"\?\nUsage: \.\.\. netem \[ limit PACKETS \]\n/);
    expect((await t('netem delay 10ms 5ms 25%')).out).toMatch(/^netem: a correlation is not supported by tunlab's netem/);
    expect((await t('netem delay 10ms distribution normal')).code).toBe(1);
    expect(await t('netem rate fast')).toEqual({ out: 'Illegal "rate"\n', code: 1 });
    // Nothing was installed by any of these.
    expect((await cmd(w, ['tc', 'qdisc', 'show', 'dev', NIC])).out).toBe('qdisc noqueue 0: root refcnt 2 \n');
  });
});

describe('tc qdisc netem and tbf: packets in virtual time', () => {
  /** The second round trip to the router, after `setup` (ARP already resolved by the first). */
  async function secondRtt(setup: string[] | null, size = 56): Promise<number> {
    const { world: w } = routedWorld(PROGRAMS);
    await cmd(w, ['ping', '-c', '1', '192.168.1.1']);
    if (setup) expect((await cmd(w, ['tc', 'qdisc', 'add', 'dev', NIC, 'root', ...setup])).code).toBe(0);
    return rtts((await cmd(w, ['ping', '-c', '1', '-s', String(size), '192.168.1.1'])).out)[0]!;
  }

  it('delays by exactly the delay, and serialises at the rate', async () => {
    const plain = await secondRtt(null);
    expect((await secondRtt(['netem', 'delay', '100ms'])) - plain).toBeCloseTo(100, 3);
    // 1000 data bytes: a 1042-byte frame at 1 Mbit/s takes 8.336 ms to leave.
    const big = await secondRtt(null, 1000);
    expect((await secondRtt(['netem', 'rate', '1mbit'], 1000)) - big).toBeCloseTo(8.336, 3);
  });

  it('loses, duplicates and reorders from the world seed: the same on every run, counted by tc -s', async () => {
    const once = async () => {
      const { world: w } = routedWorld(PROGRAMS);
      await cmd(w, ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'netem', 'delay', '10ms', '5ms', 'loss', '10%', 'duplicate', '5%', 'reorder', '20%']);
      const p = await cmd(w, ['ping', '-q', '-c', '200', '-i', '0.002', '192.168.1.1']);
      return { ping: p.out, tc: (await cmd(w, ['tc', '-s', 'qdisc', 'show', 'dev', NIC])).out };
    };
    const a = await once();
    expect(await once()).toEqual(a);
    const stats = /(\d+) packets transmitted, (\d+) packets received, \+(\d+) duplicates/.exec(a.ping)!;
    const [sent, received, dups] = [Number(stats[1]), Number(stats[2]), Number(stats[3])];
    expect(sent).toBe(200);
    expect(received).toBeGreaterThan(150);
    expect(received).toBeLessThan(200);
    expect(dups).toBeGreaterThan(0);
    const c = /Sent (\d+) bytes (\d+) pkt \(dropped (\d+), overlimits 0 requeues (\d+)\) \n backlog 0b 0p requeues (\d+)/.exec(a.tc)!;
    // Every request (and the ARP request) was either sent, once or twice, or dropped.
    expect(Number(c[2]) + Number(c[3])).toBeGreaterThanOrEqual(201);
    expect(Number(c[3])).toBeGreaterThan(0);
    expect(Number(c[4])).toBeGreaterThan(0);
    expect(c[4]).toBe(c[5]);
  });

  it('corrupts a bit of every frame with corrupt 100%: checksums catch nearly all of them', async () => {
    const { world: w } = routedWorld(PROGRAMS);
    await cmd(w, ['ping', '-c', '1', '192.168.1.1']);
    await cmd(w, ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'netem', 'corrupt', '100%']);
    const p = (await cmd(w, ['ping', '-q', '-c', '40', '-i', '0.01', '-W', '100', '192.168.1.1'])).out;
    // A flipped bit in the source MAC goes unnoticed, as on a real wire; the rest fail a checksum.
    const received = Number(/40 packets transmitted, (\d+) packets received/.exec(p)![1]);
    expect(received).toBeLessThan(8);
    // Corrupted frames are sent, not dropped: 40 frames of 98 bytes.
    expect((await cmd(w, ['tc', '-s', 'qdisc', 'show', 'dev', NIC])).out).toContain(' Sent 3920 bytes 40 pkt (dropped 0,');
  });

  it('tbf holds frames back for tokens (overlimits) and drops what does not fit its byte limit', async () => {
    const { world: w } = routedWorld(PROGRAMS);
    await cmd(w, ['ping', '-c', '1', '192.168.1.1']);
    await cmd(w, ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'tbf', 'rate', '1mbit', 'burst', '1600', 'limit', '3200']);
    // 1042-byte frames every millisecond at 1 Mbit/s: one leaves per 8.336 ms, three fit the queue.
    const p = await cmd(w, ['ping', '-c', '10', '-i', '0.001', '-s', '1000', '192.168.1.1']);
    const times = rtts(p.out);
    expect(times.length).toBeGreaterThan(2);
    expect(times.length).toBeLessThan(10);
    // The first frame leaves on the full bucket; the second waits for what the bucket lacks
    // (8.336 - (12.8 - 8.336) - 1 ms); then one leaves per 8.336 ms while pings go every 1 ms.
    expect(times[1]! - times[0]!).toBeCloseTo(2.872, 3);
    expect(times[2]! - times[1]!).toBeCloseTo(7.336, 3);
    const s = (await cmd(w, ['tc', '-s', 'qdisc', 'show', 'dev', NIC])).out;
    const c = /Sent (\d+) bytes (\d+) pkt \(dropped (\d+), overlimits (\d+) requeues 0\) \n backlog 0b 0p requeues 0\n$/.exec(s)!;
    expect(Number(c[2]) + Number(c[3])).toBe(10);
    expect(Number(c[1])).toBe(1042 * Number(c[2]));
    expect(Number(c[4])).toBeGreaterThan(0);
  });

  it('shapes the loopback too (any interface): both directions pass its netem', async () => {
    const { world: w } = routedWorld(PROGRAMS);
    const plain = rtts((await cmd(w, ['ping', '-c', '1', '127.0.0.1'])).out)[0]!;
    await cmd(w, ['tc', 'qdisc', 'add', 'dev', 'loop', 'root', 'netem', 'delay', '25ms']);
    expect(rtts((await cmd(w, ['ping', '-c', '1', '127.0.0.1'])).out)[0]! - plain).toBeCloseTo(50, 3);
  });

  it('changes options in place (counters kept), replaces by kind, deletes', async () => {
    const { world: w } = routedWorld(PROGRAMS);
    await cmd(w, ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'netem', 'delay', '5ms']);
    await cmd(w, ['ping', '-c', '2', '192.168.1.1']);
    expect(await cmd(w, ['tc', 'qdisc', 'change', 'dev', NIC, 'root', 'netem', 'loss', '1%'])).toEqual({ out: '', code: 0 });
    const s = (await cmd(w, ['tc', '-s', 'qdisc', 'show', 'dev', NIC])).out;
    expect(s).toMatch(/^qdisc netem 8001: root refcnt 2 limit 1000 loss 1%\n Sent [1-9]\d* bytes 3 pkt/);
    expect(await cmd(w, ['tc', 'qdisc', 'replace', 'dev', NIC, 'root', 'tbf', 'rate', '1mbit', 'burst', '10k', 'latency', '70ms'])).toEqual({ out: '', code: 0 });
    expect((await cmd(w, ['tc', '-s', 'qdisc', 'show', 'dev', NIC])).out).toBe(
      'qdisc tbf 8001: root refcnt 2 rate 1Mbit burst 10Kb lat 70ms \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n',
    );
    expect(await cmd(w, ['tc', 'qdisc', 'del', 'dev', NIC, 'root'])).toEqual({ out: '', code: 0 });
    expect((await cmd(w, ['tc', 'qdisc', 'show', 'dev', NIC])).out).toBe('qdisc noqueue 0: root refcnt 2 \n');
  });

  it('shapes a tun: netem on the tunnel interface delays what goes into the VPN', async () => {
    const w = pairWorld();
    await startOn(w, 'b', ['openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.1', '10.8.0.2', ...crypto('0')]);
    await startOn(w, 'a', ['openvpn', '--remote', '10.0.0.2', '--dev', 'tun', '--ifconfig', '10.8.0.2', '10.8.0.1', ...crypto('1')]);
    await runFor(w, 1);
    await cmd(w, ['ping', '-c', '1', '10.8.0.1']);
    const plain = rtts((await cmd(w, ['ping', '-c', '1', '10.8.0.1'])).out)[0]!;
    expect(await cmd(w, ['tc', 'qdisc', 'add', 'dev', 'tun/0', 'root', 'netem', 'delay', '30ms'])).toEqual({ out: '', code: 0 });
    expect(rtts((await cmd(w, ['ping', '-c', '1', '10.8.0.1'])).out)[0]! - plain).toBeCloseTo(30, 3);
    expect((await cmd(w, ['tc', '-s', 'qdisc', 'show', 'dev', 'tun/0'])).out).toBe(
      'qdisc netem 8001: root refcnt 2 limit 1000 delay 30ms\n Sent 84 bytes 1 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n',
    );
  });
});
