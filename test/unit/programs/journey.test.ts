// journey (the program) and the journey_* system calls under it, in a routed world
// (a --- lan --- r --- wan --- b): the text list of a ping's journeys, filters, errors, the
// recording's bounds, and a program's own drop report.

import { describe, expect, it } from 'vitest';
import { F_GETFD, FD_CLOEXEC } from '../../../kernel/abi/fcntl.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import { SIGINT } from '../../../kernel/abi/signal.js';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import journey from '../../../userland/bin/journey/main.js';
import ping from '../../../userland/bin/ping.js';
import { FIRST_TRIP_A_TO_B, journeySteps as steps, routedWorld } from '../../helpers/net.js';
import { errnoOf, probe } from '../../helpers/probe.js';
import { run, start } from '../../helpers/world.js';

async function journeyOn(args: string[], opts: { uid?: number } = {}) {
  const { world } = routedWorld([ping, journey]);
  const r = await run(world, 'a', ['journey', ...args], opts);
  return { out: r.out, code: WEXITSTATUS(r.status) };
}

describe('journey', () => {
  it("lists a ping's journey across a router, from sendto to recvfrom, with the decisions taken", async () => {
    const r = await journeyOn(['-f', 'icmp', 'ping', '-c', '1', '10.0.0.2']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('#1 IP 192.168.1.10 > 10.0.0.2: ICMP echo request, id 3, seq 0, length 64\n');
    expect(r.out).toMatch(/#\d+ IP 10\.0\.0\.2 > 192\.168\.1\.10: ICMP echo reply, id 3, seq 0, length 64 \(answers #1\)\n/);
    expect(r.out).toMatch(/ r +ip +forward +\/dev\/net\/ipro1000\/1 +10\.0\.0\.0\/24 dev \/dev\/net\/ipro1000\/1, TTL 64->63\n/);
    expect(steps(r.out)).toEqual([
      'a syscall sendto',
      ...FIRST_TRIP_A_TO_B,
      'b ip icmp',
      'b ip output',
      'b arp hit',
      'b nic out',
      'wan segment switch',
      'r nic in',
      'r ip input',
      'r ip forward',
      'r arp hit',
      'r nic out',
      'lan segment switch',
      'a nic in',
      'a ip input',
      'a socket deliver',
      'a syscall recvfrom',
    ]);
  });

  it("keeps what 'on HOST' and 'layer NAME' select, and a packet test keeps whole journeys", async () => {
    const onR = await journeyOn(['-f', 'icmp and on r and layer ip', 'ping', '-c', '1', '10.0.0.2']);
    expect(steps(onR.out)).toEqual(['r ip input', 'r ip forward', 'r ip input', 'r ip forward']);
    const arp = await journeyOn(['-f', 'arp', 'ping', '-c', '1', '10.0.0.2']);
    expect(arp.out.split('\n').filter((l) => l.startsWith('#'))).toEqual([
      '#2 ARP, Request who-has 192.168.1.1 tell 192.168.1.10, length 28',
      '#3 ARP, Reply 192.168.1.1 is-at 52:54:00:00:00:01, length 28',
      '#4 ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28',
      '#5 ARP, Reply 10.0.0.2 is-at 52:54:00:00:01:02, length 28',
    ]);
  });

  it('says what is wrong with a filter, a command, or the caller', async () => {
    expect(await journeyOn(['-f', 'layer wire', 'true'])).toEqual({
      out: "journey: unknown layer 'wire' (layers: syscall, socket, ip, arp, queue, driver, nic, bridge, segment, uplink)\n",
      code: 1,
    });
    expect(await journeyOn(['-f', 'on nosuch', 'true'])).toEqual({ out: "journey: unknown host 'nosuch' (hosts and segments: a, lan, r, wan, b)\n", code: 1 });
    expect(await journeyOn(['-f', 'icmp and', 'true'])).toEqual({ out: "journey: can't parse filter expression: syntax error\n", code: 1 });
    expect(await journeyOn(['nosuch'])).toEqual({ out: 'journey: nosuch: command not found\n', code: 127 });
    expect(await journeyOn(['ping', '-c', '1', '10.0.0.2'], { uid: 1000 })).toEqual({ out: 'journey: recording the packets of the world needs root (uid 0)\n', code: 1 });
    expect(await journeyOn(['-i', 'ping', '-c', '1', '10.0.0.2'])).toEqual({ out: 'journey: -i needs a terminal (standard input is not one)\n', code: 1 });
    // The page's file is checked before the command runs: no ping output, nothing run for nothing.
    expect(await journeyOn(['-o', '/nodir/x.html', 'ping', '-c', '1', '10.0.0.2'])).toEqual({ out: 'journey: /nodir/x.html: No such file or directory\n', code: 1 });
    const usage = await journeyOn(['-b', '0', 'true']);
    expect(usage.code).toBe(2);
    expect(usage.out).toContain('--buffer must be from 1 to');
  });

  it('lives through ^C, which ends the command, and lists what the command did', async () => {
    const { world } = routedWorld([ping, journey]);
    const s = await start(world.mustHost('a'), ['journey', '-f', 'layer syscall', 'ping', '10.0.0.2']);
    await world.run({ until: () => false, timeLimitNs: 1.5e9 });
    world.mustHost('a').procs.signalGroup(s.proc.pgid, SIGINT);
    await world.run({ until: () => !s.proc.alive });
    expect(WEXITSTATUS(s.proc.status)).toBe(0);
    expect(s.output()).toContain('2 packets transmitted, 2 packets received');
    expect(steps(s.output())).toEqual(['a syscall sendto', 'a syscall recvfrom', 'a syscall sendto', 'a syscall recvfrom']);
  });

  it('keeps the newest events when the ring is full, and says how many it lost', async () => {
    const r = await journeyOn(['-b', '4', 'ping', '-c', '1', '10.0.0.2']);
    expect(r.out).toContain('journey: 38 events were lost: the recording keeps 4 events and 128 MiB of packets (-b to keep more events)\n');
    expect(steps(r.out)).toEqual(['a nic in', 'a ip input', 'a socket deliver', 'a syscall recvfrom']);
  });
});

describe('the journey system calls', () => {
  it('refuse what makes no sense, and record while the fd is open', async () => {
    const r = await probe(async (sys, note) => {
      note(`open 0: ${await errnoOf(sys.journey_open({ events: 0 }))}`);
      const fd = await sys.journey_open({ events: 16 });
      note(`close-on-exec: ${(await sys.fcntl(fd, F_GETFD)) === FD_CLOEXEC}`);
      note(`read a non-recording: ${await errnoOf(sys.journey_read(0, 1))}`);
      note(`read 0 events: ${await errnoOf(sys.journey_read(fd, 0))}`);
      note(`drop for no reason: ${await errnoOf(sys.journey_drop('bogus' as 'hmac'))}`);
      note(`drop with nothing pending: ${await sys.journey_drop('hmac')}`);
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.bind(s, sockaddrIn('127.0.0.1', 5000));
      await sys.sendto(s, new Uint8Array(8), 0, sockaddrIn('127.0.0.1', 5000));
      await sys.recvfrom(s, 100);
      note(`drop the datagram received: ${await sys.journey_drop('hmac')}`);
      const b = await sys.journey_read(fd, 100);
      const drop = b.events.find((e) => e.dir === 'drop')!;
      note(`${drop.layer} ${drop.event} ${drop.reason} ${drop.counter}; same packet as sent: ${drop.id === b.events[0]!.id}`);
      await sys.close(fd);
      note(`lost ${b.lost}`);
    });
    expect(r.lines).toEqual([
      'open 0: EINVAL',
      'close-on-exec: true',
      'read a non-recording: EINVAL',
      'read 0 events: EINVAL',
      'drop for no reason: EINVAL',
      'drop with nothing pending: 0',
      'drop the datagram received: 1',
      'syscall journey_drop hmac probe: HMAC authentication failed (reported by the program); same packet as sent: true',
      'lost 0',
    ]);
    // Closed, the recording stops listening: nothing is built any more.
    expect(r.kernel.events.listening('packet')).toBe(false);
  });
});

