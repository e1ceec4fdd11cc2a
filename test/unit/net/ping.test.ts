import { describe, expect, it } from 'vitest';
import ping from '../../../userland/bin/ping.js';
import { routedWorld } from '../../helpers/net.js';
import { run } from '../../helpers/world.js';

describe('ping through the real packet path', () => {
  it('reaches a neighbour on the same segment, resolving its MAC by ARP first', async () => {
    const { world } = routedWorld([ping]);
    const r = await run(world, 'a', ['ping', '-c', '2', '192.168.1.1']);
    expect(r.out).toBe(
      [
        'PING 192.168.1.1 (192.168.1.1): 56 data bytes',
        '64 bytes from 192.168.1.1: icmp_seq=0 ttl=64 time=2.000 ms',
        '64 bytes from 192.168.1.1: icmp_seq=1 ttl=64 time=1.000 ms',
        '',
        '--- 192.168.1.1 ping statistics ---',
        '2 packets transmitted, 2 packets received, 0.0% packet loss',
        'round-trip min/avg/max/stddev = 1.000/1.500/2.000/0.500 ms',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
    const a = world.mustHost('a').net;
    const iface = a.byName('/dev/net/ipro1000/0')!;
    expect(a.arp(iface)!.requestsSent).toBe(1);
    expect(iface.counters.txPackets).toBe(3); // ARP request + 2 echo requests
    expect(iface.counters.rxPackets).toBe(3); // ARP reply + 2 echo replies
  });

  it('with fewer than 8 data bytes has no room for a send time: no times, no round-trip line', async () => {
    const { world } = routedWorld([ping]);
    const r = await run(world, 'a', ['ping', '-c', '1', '-s', '4', '192.168.1.1']);
    expect(r.out).toBe(
      [
        'PING 192.168.1.1 (192.168.1.1): 4 data bytes',
        '12 bytes from 192.168.1.1: icmp_seq=0 ttl=64',
        '',
        '--- 192.168.1.1 ping statistics ---',
        '1 packets transmitted, 1 packets received, 0.0% packet loss',
        '',
      ].join('\n'),
    );
  });

  it('crosses the router, which decrements the TTL', async () => {
    const { world } = routedWorld([ping]);
    const r = await run(world, 'a', ['ping', '-c', '1', '10.0.0.2']);
    expect(r.out).toContain('64 bytes from 10.0.0.2: icmp_seq=0 ttl=63 time=');
    expect(r.status).toBe(0);
    expect(world.mustHost('r').net.ip.ForwDatagrams).toBe(2);
  });
});

describe('ping -S and -D (FreeBSD)', () => {
  it('-S binds to a source address and says so; an address not of this host is refused', async () => {
    const { world } = routedWorld([ping]);
    const r = await run(world, 'a', ['ping', '-c', '1', '-S', '192.168.1.10', '10.0.0.2']);
    expect(r.out.split('\n').slice(0, 2)).toEqual(['PING 10.0.0.2 (10.0.0.2) from 192.168.1.10: 56 data bytes', '64 bytes from 10.0.0.2: icmp_seq=0 ttl=63 time=22.000 ms']);
    const bad = await run(world, 'a', ['ping', '-c', '1', '-S', '10.9.9.9', '10.0.0.2']);
    expect([bad.out, bad.status >> 8]).toEqual(["ping: bind: Can't assign requested address\n", 1]);
    const unknown = await run(world, 'a', ['ping', '-c', '1', '-S', 'nosuchhost', '10.0.0.2']);
    expect([unknown.out, unknown.status >> 8]).toEqual(['ping: cannot resolve nosuchhost: Unknown host\n', 68]);
  });

  it('-D sets DF: too big for the first link is EMSGSIZE, too big for a later one brings "frag needed"', async () => {
    const { world } = routedWorld([ping]);
    const big = await run(world, 'a', ['ping', '-c', '1', '-D', '-W', '100', '-s', '2000', '192.168.1.1']);
    expect(big.out).toContain('ping: sendto: Message too long\n');
    world.mustHost('r').net.byName('/dev/net/ipro1000/1')!.mtu = 1000;
    const r = await run(world, 'a', ['ping', '-c', '1', '-D', '-W', '100', '-s', '1200', '10.0.0.2']);
    expect(r.out).toMatch(/^PING 10\.0\.0\.2 \(10\.0\.0\.2\): 1200 data bytes\n36 bytes from 192\.168\.1\.1: frag needed and DF set \(MTU 1000\)\n/);
    // Without -D the router fragments and the reply comes back.
    const ok = await run(world, 'a', ['ping', '-c', '1', '-s', '1200', '10.0.0.2']);
    expect(ok.out).toContain('1208 bytes from 10.0.0.2: icmp_seq=0');
  });
});

describe('ping --help (11.10)', () => {
  it('gives each default once', async () => {
    const r = await run(routedWorld([ping]).world, 'a', ['ping', '--help']);
    expect(r.out).toContain('(default 56)');
    for (const line of r.out.split('\n')) expect(line.split('(default').length - 1).toBeLessThanOrEqual(1);
    expect(r.out.split('(default 1)').length - 1).toBe(1);
  });
});

describe('ping as a user (issue 12.24): no raw socket, an ICMP datagram socket instead', () => {
  it('prints what root prints, TTL included (IP_RECVTTL), across the router', async () => {
    const root = await run(routedWorld([ping]).world, 'a', ['ping', '-c', '2', '10.0.0.2']);
    const user = await run(routedWorld([ping]).world, 'a', ['ping', '-c', '2', '10.0.0.2'], { uid: 1000 });
    expect(user.out).toContain('64 bytes from 10.0.0.2: icmp_seq=0 ttl=63 time=');
    expect(user.out).toBe(root.out);
    expect(user.status).toBe(0);
  });

  it('with ping_group_range closed as well, says what iputils says and exits 2', async () => {
    const { world } = routedWorld([ping]);
    const range = world.mustHost('a').sockets.pingGroupRange;
    range[0] = 1;
    range[1] = 0;
    const r = await run(world, 'a', ['ping', '-c', '1', '192.168.1.1'], { uid: 1000 });
    expect(r.out).toBe('ping: socktype: SOCK_RAW\nping: socket: Operation not allowed\nping: => missing cap_net_raw+p capability or setuid?\n');
    expect(r.status >> 8).toBe(2);
  });
});
