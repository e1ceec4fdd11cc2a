// tcpdump capturing live in a routed world (a --- lan --- r --- wan --- b): a ping from a is the
// traffic, tcpdump runs beside it on a, and its whole terminal output (stderr and stdout as a
// terminal shows them) is compared. Times are virtual: the world's clock starts at 2026-01-01 UTC.

import { describe, expect, it } from 'vitest';
import { SIGINT } from '../../../kernel/abi/signal.js';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import ping from '../../../userland/bin/ping.js';
import tcpdump from '../../../userland/bin/tcpdump.js';
import { routedWorld } from '../../helpers/net.js';
import { run, start } from '../../helpers/world.js';

const NIC = '/dev/net/ipro1000/0';
const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');

const SUPPRESSED = 'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode';
const LISTEN_NIC = `listening on ${NIC}, link-type EN10MB (Ethernet), snapshot length 262144 bytes`;

/** Start tcpdump on host a, run `ping -c 1 DST` there, then let tcpdump finish (or stop it). */
async function captureDuringPing(args: string[], opts: { dst?: string; uid?: number; interrupt?: boolean } = {}) {
  const { world } = routedWorld([ping, tcpdump]);
  const td = await start(world.mustHost('a'), ['tcpdump', ...args], { uid: opts.uid });
  const p = await run(world, 'a', ['ping', '-c', '1', opts.dst ?? '192.168.1.1']);
  if (opts.interrupt) td.proc.signal(SIGINT);
  await world.run({ until: () => !td.proc.alive, timeLimitNs: 60e9 });
  return { out: td.output(), code: td.proc.alive ? -1 : WEXITSTATUS(td.proc.status), ping: p.out, world };
}

describe('tcpdump on any', () => {
  it('captures every interface of the host, each line saying which one and which way, as Linux does', async () => {
    const r = await captureDuringPing(['-i', 'any', '-c', '4']);
    expect(r.out).toBe(
      lines(
        SUPPRESSED,
        'listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes',
        `00:00:00.000000 ${NIC} Out ARP, Request who-has 192.168.1.1 tell 192.168.1.10, length 28`,
        `00:00:00.001000 ${NIC} In  ARP, Reply 192.168.1.1 is-at 52:54:00:00:00:01, length 28`,
        `00:00:00.001000 ${NIC} Out IP 192.168.1.10 > 192.168.1.1: ICMP echo request, id 3, seq 0, length 64`,
        `00:00:00.002000 ${NIC} In  IP 192.168.1.1 > 192.168.1.10: ICMP echo reply, id 3, seq 0, length 64`,
        '4 packets captured',
        '4 packets received by filter',
        '0 packets dropped by kernel',
      ),
    );
    // A ping to itself goes by the loopback: "any" sees it there too (interface loop, short name padded).
    const self = await captureDuringPing(['-i', 'any', '-c', '2', 'icmp'], { dst: '127.0.0.1' });
    expect(self.out).toContain('00:00:00.000000 loop  In  IP 127.0.0.1 > 127.0.0.1: ICMP echo request');
  });
});

describe('tcpdump on a NIC', () => {
  it('shows the ARP exchange and the echo request and reply of a ping, then its counters', async () => {
    const r = await captureDuringPing(['-i', NIC, '-c', '4']);
    expect(r.out).toBe(
      lines(
        SUPPRESSED,
        LISTEN_NIC,
        '00:00:00.000000 ARP, Request who-has 192.168.1.1 tell 192.168.1.10, length 28',
        '00:00:00.001000 ARP, Reply 192.168.1.1 is-at 52:54:00:00:00:01, length 28',
        '00:00:00.001000 IP 192.168.1.10 > 192.168.1.1: ICMP echo request, id 3, seq 0, length 64',
        '00:00:00.002000 IP 192.168.1.1 > 192.168.1.10: ICMP echo reply, id 3, seq 0, length 64',
        '4 packets captured',
        '4 packets received by filter',
        '0 packets dropped by kernel',
      ),
    );
    expect(r.code).toBe(0);
    expect(r.ping).toContain('1 packets transmitted, 1 packets received, 0.0% packet loss');
  });

  it('captures on the first up interface that is not a loopback when given none, and -e shows MACs', async () => {
    const r = await captureDuringPing(['-c', '2', '-e']);
    expect(r.out).toBe(
      lines(
        SUPPRESSED,
        LISTEN_NIC,
        '00:00:00.000000 52:54:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.168.1.1 tell 192.168.1.10, length 28',
        '00:00:00.001000 52:54:00:00:00:01 > 52:54:00:00:00:0a, ethertype ARP (0x0806), length 42: Reply 192.168.1.1 is-at 52:54:00:00:00:01, length 28',
        '2 packets captured',
        // The echo request went out at the same instant as the ARP reply came in: queued, not read.
        '3 packets received by filter',
        '0 packets dropped by kernel',
      ),
    );
  });

  it('stops on ^C with a blank line before the counters, as tcpdump does', async () => {
    const r = await captureDuringPing(['-i', NIC, '-v'], { interrupt: true });
    expect(r.out).toBe(
      lines(
        `tcpdump: ${LISTEN_NIC}`,
        '00:00:00.000000 ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 192.168.1.1 tell 192.168.1.10, length 28',
        '00:00:00.001000 ARP, Ethernet (len 6), IPv4 (len 4), Reply 192.168.1.1 is-at 52:54:00:00:00:01, length 28',
        '00:00:00.001000 IP (tos 0x0, ttl 64, id 16805, offset 0, flags [none], proto ICMP (1), length 84)',
        '    192.168.1.10 > 192.168.1.1: ICMP echo request, id 3, seq 0, length 64',
        '00:00:00.002000 IP (tos 0x0, ttl 64, id 26405, offset 0, flags [none], proto ICMP (1), length 84)',
        '    192.168.1.1 > 192.168.1.10: ICMP echo reply, id 3, seq 0, length 64',
        '',
        '4 packets captured',
        '4 packets received by filter',
        '0 packets dropped by kernel',
      ),
    );
    expect(r.code).toBe(0);
  });

  it('keeps only received packets with --direction in, and counts only those as received by filter', async () => {
    const r = await captureDuringPing(['-i', NIC, '--direction', 'in', '-c', '2', '-q']);
    expect(r.out).toBe(
      lines(
        SUPPRESSED,
        LISTEN_NIC,
        '00:00:00.001000 ARP, Reply 192.168.1.1 is-at 52:54:00:00:00:01, length 28',
        '00:00:00.002000 IP 192.168.1.1 > 192.168.1.10: ICMP echo reply, id 3, seq 0, length 64',
        '2 packets captured',
        '2 packets received by filter',
        '0 packets dropped by kernel',
      ),
    );
  });

  it('captures only what a filter expression keeps; the rest is received but not captured', async () => {
    const r = await captureDuringPing(['-i', NIC, '-c', '1', 'icmp', 'and', 'src', 'host', '192.168.1.1']);
    expect(r.out).toBe(
      lines(
        SUPPRESSED,
        LISTEN_NIC,
        '00:00:00.002000 IP 192.168.1.1 > 192.168.1.10: ICMP echo reply, id 3, seq 0, length 64',
        '1 packet captured',
        '4 packets received by filter',
        '0 packets dropped by kernel',
      ),
    );
  });

  it('says why a filter expression cannot be used, as libpcap words it, status 1', async () => {
    for (const [args, message] of [
      [['udp', 'port'], "tcpdump: can't parse filter expression: syntax error"],
      [['host', 'nowhere'], "tcpdump: unknown host 'nowhere'"],
      [['port', '99999'], 'tcpdump: illegal port number 99999 > 65535'],
    ] as const) {
      const r = await captureDuringPing(['-i', NIC, ...args]);
      expect({ out: r.out, code: r.code }, args.join(' ')).toEqual({ out: lines(message), code: 1 });
    }
  });

  it('cuts packets at the snapshot length and dumps what it kept with -X', async () => {
    const r = await captureDuringPing(['-i', NIC, '-s', '40', '-c', '1', '-Q', 'out', '-X', '-t'], { dst: '10.0.0.2' });
    expect(r.out).toBe(
      lines(
        SUPPRESSED,
        `listening on ${NIC}, link-type EN10MB (Ethernet), snapshot length 40 bytes`,
        ' [|arp]',
        '\t0x0000:  ffff ffff ffff 5254 0000 000a 0806 0001  ......RT........',
        '\t0x0010:  0800 0604 0001 5254 0000 000a c0a8 010a  ......RT........',
        '\t0x0020:  0000 0000 0000 c0a8                      ........',
        '1 packet captured',
        '1 packet received by filter',
        '0 packets dropped by kernel',
      ),
    );
  });

  it('sees the loopback as raw IP', async () => {
    const r = await captureDuringPing(['-i', 'loop', '-c', '2'], { dst: '127.0.0.1' });
    expect(r.out).toBe(
      lines(
        SUPPRESSED,
        'listening on loop, link-type RAW (Raw IP), snapshot length 262144 bytes',
        '00:00:00.000000 IP 127.0.0.1 > 127.0.0.1: ICMP echo request, id 3, seq 0, length 64',
        '00:00:00.000000 IP 127.0.0.1 > 127.0.0.1: ICMP echo reply, id 3, seq 0, length 64',
        '2 packets captured',
        '2 packets received by filter',
        '0 packets dropped by kernel',
      ),
    );
  });
});

describe('tcpdump refusals', () => {
  async function tcpdumpAlone(args: string[], uid?: number) {
    const { world } = routedWorld([tcpdump]);
    const r = await run(world, 'a', ['tcpdump', ...args], { uid });
    return { out: r.out, code: WEXITSTATUS(r.status) };
  }

  it('names a missing interface the way libpcap does, status 1', async () => {
    expect(await tcpdumpAlone(['-i', 'tun/9'])).toEqual({ out: lines('tcpdump: tun/9: No such device exists', '(No such device exists)'), code: 1 });
  });

  it('needs root to capture, status 1', async () => {
    expect(await tcpdumpAlone(['-i', NIC], 1000)).toEqual({
      out: lines(`tcpdump: ${NIC}: You don't have permission to perform this capture on that device`, '(SIOCSPACKETCAP: Operation not allowed)'),
      code: 1,
    });
  });

  it('refuses bad arguments with a usage message, status 2, no stack trace', async () => {
    const usage = 'usage: tcpdump [options] [expression...]';
    const cases: [string[], string][] = [
      [['-c', 'abc'], 'tcpdump: invalid packet count abc'],
      [['-c', '0'], 'tcpdump: invalid packet count 0'],
      [['-s', '300000'], 'tcpdump: invalid snaplen 300000 (must be >= 0 and <= 262144)'],
      [['-Q', 'sideways'], "tcpdump: unknown capture direction `sideways'"],
      [['--bogus'], "tcpdump: unknown option '--bogus'"],
      [['-c'], "tcpdump: option '-c <count>' argument missing"],
    ];
    for (const [args, message] of cases) {
      expect(await tcpdumpAlone(args), args.join(' ')).toEqual({ out: lines(message, usage), code: 2 });
    }
  });
});
