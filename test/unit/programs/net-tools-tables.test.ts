// arp and netstat, run as programs in a routed world after real traffic (ping, UDP datagrams, TCP), their
// whole output compared.

import { describe, expect, it } from 'vitest';
import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, SOCK_DGRAM, SOCK_STREAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import arp, { ARP_USAGE } from '../../../userland/bin/arp.js';
import netstat from '../../../userland/bin/netstat.js';
import ping from '../../../userland/bin/ping.js';
import route from '../../../userland/bin/route.js';
import { routedWorld } from '../../helpers/net.js';
import { run, start } from '../../helpers/world.js';

/** Test helper: bind UDP 5000, connect a second socket to 192.168.1.1:53, then sleep. */
const udphold = defineProgram({
  name: 'udphold',
  summary: 'hold two UDP sockets open',
  async main(_argv, sys) {
    const a = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.bind(a, sockaddrIn('0.0.0.0', 5000));
    const b = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.connect(b, sockaddrIn('192.168.1.1', 53));
    await sys.nanosleep(60e9);
    return 0;
  },
});

/** Test helper: send one datagram of argv[2] to argv[1]:5000, then wait for it to land. */
const udpsend = defineProgram({
  name: 'udpsend',
  summary: 'send one UDP datagram',
  async main(argv, sys) {
    const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.sendto(s, new TextEncoder().encode(argv[2]!), 0, sockaddrIn(argv[1]!, 5000));
    await sys.nanosleep(10e6);
    return 0;
  },
});

/** Test helper: connect to argv[1]:7, send "abc" and hold the connection. */
const tcphold = defineProgram({
  name: 'tcphold',
  summary: 'hold a TCP connection open',
  async main(argv, sys) {
    const s = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.connect(s, sockaddrIn(argv[1]!, 7));
    await sys.write(s, 'abc');
    await sys.nanosleep(60e9);
    return 0;
  },
});

/** Test helper: listen on port 7 (backlog 5), accept one connection, say so and hold it unread. */
const echod = defineProgram({
  name: 'echod',
  summary: 'accept and hold a TCP connection',
  async main(_argv, sys) {
    const l = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.bind(l, sockaddrIn('0.0.0.0', 7));
    await sys.listen(l, 5);
    await sys.accept(l);
    await sys.nanosleep(1e9);
    await sys.write(1, 'accepted\n');
    await sys.nanosleep(60e9);
    return 0;
  },
});

const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');

function world() {
  return routedWorld([arp, netstat, ping, route, udphold, udpsend, tcphold, echod]).world;
}

async function sh(w: ReturnType<typeof world>, argv: string[], opts: { uid?: number; host?: string } = {}) {
  const r = await run(w, opts.host ?? 'a', argv, opts.uid !== undefined ? { uid: opts.uid } : {});
  return { out: r.out, code: WEXITSTATUS(r.status) };
}

describe('arp', () => {
  it('is empty on a fresh host and lists the neighbour a ping resolved', async () => {
    const w = world();
    expect(await sh(w, ['arp'])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['ping', '-c', '1', '10.0.0.2'])).code).toBe(0);
    const one = '    192.168.1.1  52:54:00:00:00:01  valid\n';
    expect(await sh(w, ['arp'])).toEqual({ out: one, code: 0 });
    expect(await sh(w, ['arp', '-a'])).toEqual({ out: one, code: 0 });
    expect(await sh(w, ['arp', '192.168.1.1'])).toEqual({ out: one, code: 0 });
    // The router learned a's address from the request, and b's from its own resolution.
    expect(await sh(w, ['arp'], { host: 'r' })).toEqual({
      out: lines('   192.168.1.10  52:54:00:00:00:0a  valid', '       10.0.0.2  52:54:00:00:01:02  valid'),
      code: 0,
    });
    expect(await sh(w, ['arp', '192.168.1.2'])).toEqual({ out: 'arp: ARP entry does not exist.\n', code: 1 });
  });

  it('sets permanent entries with -s, deletes them with -d, resolving names through /etc/hosts', async () => {
    const w = world();
    w.mustHost('a').root.install('etc/hosts', '192.168.1.1 router\n192.168.1.50 printer\n');
    expect(await sh(w, ['arp', '-s', 'printer', '52:54:0:A:b:c'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['arp', '-s', '192.168.1.51', '02:00:00:00:00:51'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['arp', '-a'])).toEqual({
      out: lines('   192.168.1.50  52:54:00:0a:0b:0c  permanent valid', '   192.168.1.51  02:00:00:00:00:51  permanent valid'),
      code: 0,
    });
    // A permanent entry answers without any ARP on the wire.
    expect(await sh(w, ['arp', '-d', 'printer'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['arp', '-d', '192.168.1.50'])).toEqual({ out: 'arp: Could not delete ARP entry: Device not accessible\n', code: 1 });
    expect(await sh(w, ['arp'])).toEqual({ out: '   192.168.1.51  02:00:00:00:00:51  permanent valid\n', code: 0 });
    expect(await sh(w, ['arp', '-s', '172.16.0.1', '02:00:00:00:00:01'])).toEqual({
      out: 'arp: ARP entry could not been set: Network is unreachable\n',
      code: 1,
    });
    expect(await sh(w, ['arp', '-s', '192.168.1.5', '02:00:00:00:00:05', 'pub'])).toEqual({
      out: 'arp: Flag "pub" is not supported: entries set by hand are permanent.\n',
      code: 1,
    });
    expect(await sh(w, ['arp', '-s', '192.168.1.5', '02:00:00:00:00:05', 'bogus'])).toEqual({ out: 'arp: Flag "bogus" is invalid.\n', code: 2 });
    expect(await sh(w, ['arp', '--help'])).toEqual({ out: ARP_USAGE, code: 0 });
  });

  it('needs root to change the cache', async () => {
    const w = world();
    await sh(w, ['arp', '-s', '192.168.1.51', '02:00:00:00:00:51']);
    expect(await sh(w, ['arp', '-s', '192.168.1.52', '02:00:00:00:00:52'], { uid: 1000 })).toEqual({
      out: 'arp: ARP entry could not been set: Operation not allowed\n',
      code: 1,
    });
    expect(await sh(w, ['arp', '-d', '192.168.1.51'], { uid: 1000 })).toEqual({ out: 'arp: Could not delete ARP entry: Operation not allowed\n', code: 1 });
    expect((await sh(w, ['arp'], { uid: 1000 })).out).toBe('   192.168.1.51  02:00:00:00:00:51  permanent valid\n');
  });

  it('flushes temporary entries with -F and reads entries from a file with -f', async () => {
    const w = world();
    await sh(w, ['ping', '-c', '1', '192.168.1.1']);
    await sh(w, ['arp', '-s', '192.168.1.51', '02:00:00:00:00:51']);
    expect(await sh(w, ['arp', '-F'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['arp'])).toEqual({ out: '   192.168.1.51  02:00:00:00:00:51  permanent valid\n', code: 0 });
    w.mustHost('a').root.install('etc/ethers', '# static entries\n192.168.1.60 02:00:00:00:00:60\n\n192.168.1.61\nnohost 02:00:00:00:00:62\n192.168.1.63 xx\n');
    expect(await sh(w, ['arp', '-f', '/etc/ethers'])).toEqual({
      out: lines(
        'arp: Line 4 is invalid (missing ethernet address).',
        'arp: Line 5, host "nohost" is not known in the IPv4 domain.',
        'arp: Line 6, "xx" is not a valid ethernet address.',
      ),
      code: 1,
    });
    expect((await sh(w, ['arp'])).out).toContain('   192.168.1.60  02:00:00:00:00:60  permanent valid\n');
    expect(await sh(w, ['arp', '-f', '/etc/nothing'])).toEqual({ out: 'arp: Could not open file: No such file or directory\n', code: 1 });
  });
});

describe('netstat', () => {
  it('lists UDP sockets with their queues, "*" for the wildcard address', async () => {
    const w = world();
    await start(w.mustHost('a'), ['udphold']);
    expect((await sh(w, ['udpsend', '192.168.1.10', 'hello'], { host: 'r' })).code).toBe(0);
    expect(await sh(w, ['netstat'])).toEqual({
      out: lines(
        'Proto  Recv-Q Send-Q  Drops Local Address         Foreign Address       State',
        'udp         5      0      0 *:5000                *:*',
        'udp         0      0      0 192.168.1.10:49152    192.168.1.1:53',
      ),
      code: 0,
    });
    expect((await sh(w, ['netstat', '-a', '-n'])).out).toBe((await sh(w, ['netstat'])).out);
  });

  it('shows interface counters with -i', async () => {
    const w = world();
    await sh(w, ['ping', '-c', '2', '192.168.1.1']);
    expect(await sh(w, ['netstat', '-i'])).toEqual({
      out: lines(
        'Name                  Mtu Network            Address              Ipkts Ierrs Idrop    Opkts Oerrs Odrop  Coll',
        'loop                16384 <Link#1>                                    0     0     0        0     0     0     0',
        'loop                16384 127.0.0.0/8        127.0.0.1                -     -     -        -     -     -     -',
        '/dev/net/ipro1000/0  1500 <Link#2>           52:54:00:00:00:0a        3     0     0        3     0     0     0',
        '/dev/net/ipro1000/0  1500 192.168.1.0/24     192.168.1.10             -     -     -        -     -     -     -',
      ),
      code: 0,
    });
  });

  it('shows the routing table with -r, as route lists it', async () => {
    const w = world();
    const r = await sh(w, ['netstat', '-rn']);
    expect(r).toEqual(await sh(w, ['route', 'list']));
    expect(r.out).toContain('        0.0.0.0         0.0.0.0     192.168.1.1 D----- /dev/net/ipro1000/0\n');
  });

  it('lists TCP endpoints first with their queues and states, listeners only with -a', async () => {
    const w = world();
    const server = await start(w.mustHost('b'), ['echod']);
    await start(w.mustHost('a'), ['tcphold', '10.0.0.2']);
    await w.run({ until: () => server.output() !== '' });
    const both = await sh(w, ['netstat', '-a'], { host: 'b' });
    expect(both.out).toMatch(
      new RegExp(
        '^' +
          [
            'Proto  Recv-Q Send-Q  Drops Local Address         Foreign Address       State',
            'tcp         0      5      0 \\*:7                   \\*:\\*                   LISTEN',
            'tcp         3      0      0 10\\.0\\.0\\.2:7            192\\.168\\.1\\.10:\\d+    ESTABLISHED',
          ].join('\n') +
          '\n$',
      ),
    );
    const plain = await sh(w, ['netstat', '-n'], { host: 'b' });
    expect(plain.out.split('\n').filter((l) => l.includes('LISTEN'))).toEqual([]);
    expect(plain.out).toContain('ESTABLISHED');
    // The counters: one connection each way, singular wording; segments counted both ways.
    const sa = (await sh(w, ['netstat', '-s'])).out;
    const sb = (await sh(w, ['netstat', '-s'], { host: 'b' })).out;
    expect(sa).toContain('\t1 connection request\n\t0 connection accepts\n');
    expect(sb).toContain('\t0 connection requests\n\t1 connection accept\n');
    expect(sa).toMatch(/tcp:\n\t3 packets sent\n\t\t0 window probe packets\n\t[23] packets received\n/);
  });

  it('shows ip, icmp, tcp and udp counters with -s, grouped as BSD does', async () => {
    const w = world();
    await sh(w, ['ping', '-c', '1', '192.168.1.1']);
    await sh(w, ['udpsend', '192.168.1.10', 'x'], { host: 'r' });
    expect(await sh(w, ['netstat', '-s'])).toEqual({
      out:
        'ip:\n' +
        lines(
          '\t2 total packets received',
          '\t0 with bad headers',
          '\t0 with invalid destination addresses',
          '\t0 fragments received',
          '\t0 fragments dropped (dup or out of space)',
          '\t0 fragments dropped after timeout',
          '\t0 packets reassembled ok',
          '\t2 packets for this host',
          '\t0 packets for unknown/unsupported protocol',
          '\t0 packets forwarded',
          '\t0 packets not forwardable',
          '\t0 incoming packets discarded',
          '\t2 packets sent from this host',
          '\t0 output packets dropped due to no bufs, etc.',
          '\t0 output packets discarded due to no route',
          '\t0 output datagrams fragmented',
          '\t0 fragments created',
          "\t0 datagrams that can't be fragmented",
        ) +
        'icmp:\n' +
        lines(
          '\t1 message received',
          '\t0 input messages with errors',
          '\tInput histogram:',
          '\t\techo reply: 1',
          // ping's echo request counts too, as Linux counts what a raw socket sends.
          '\t2 messages sent',
          '\t0 messages that could not be sent',
          '\tOutput histogram:',
          '\t\tdestination unreachable: 1',
          '\t\techo: 1',
        ) +
        'tcp:\n' +
        lines(
          '\t0 packets sent',
          '\t\t0 window probe packets',
          '\t0 packets received',
          '\t\t0 discarded for bad checksums',
          '\t0 connection requests',
          '\t0 connection accepts',
          '\t0 embryonic connections dropped',
          '\t0 listen queue overflows',
          '\t0 retransmit timeouts',
          '\t\t0 connections dropped by rexmit timeout',
          '\t0 keepalive probes sent',
          '\t0 cookies sent',
          '\t0 cookies received',
          '\t0 SACK recovery episodes',
        ) +
        'udp:\n' +
        lines(
          '\t0 datagrams received',
          '\t0 with bad checksum',
          '\t0 with other errors',
          '\t1 dropped due to no socket',
          '\t0 dropped due to full socket buffers',
          '\t0 datagrams output',
          '\t0 output datagrams dropped due to full buffers',
        ),
      code: 0,
    });
  });

  it('refuses to mix -i, -r and -s', async () => {
    const w = world();
    expect(await sh(w, ['netstat', '-i', '-s'])).toEqual({ out: 'netstat: -i, -r and -s cannot be combined\nusage: netstat [options]\n', code: 2 });
  });
});
