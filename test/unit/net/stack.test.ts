// The IPv4 stack's error paths and mechanisms, through the real packet path in virtual time: no route,
// an absent neighbour (ARP retries, the bounded queue), UDP between hosts, ICMP port unreachable as
// ECONNREFUSED, fragmentation and reassembly, forwarding off, TTL exceeded, and ARP as the interface
// counters and the ARP table show it.

import { describe, expect, it } from 'vitest';
import { isSysError } from '../../../kernel/abi/errno.js';
import { POLL_NAMES, POLLIN } from '../../../kernel/abi/poll.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, MSG_DONTWAIT, SOCK_DGRAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import { CLOCK_MONOTONIC } from '../../../kernel/abi/syscalls.js';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import { ARP_FAILED_HOLD_NS, ARP_MAX_REQUESTS, ARP_QUEUE_LEN, ARP_REACHABLE_NS, ARP_RETRY_NS } from '../../../kernel/net/iface/arp.js';
import arp from '../../../userland/bin/arp.js';
import ifconfig from '../../../userland/bin/ifconfig.js';
import ping from '../../../userland/bin/ping.js';
import udpclient from '../../../userland/bin/udpclient.js';
import udpserver from '../../../userland/bin/udpserver.js';
import { ROUTED_WORLD, routedWorld } from '../../helpers/net.js';
import { run, start } from '../../helpers/world.js';

const NIC = '/dev/net/ipro1000/0';
const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');

/**
 * Test helper: one UDP socket driven step by step by its arguments, each step printed with the virtual
 * time since the start and what it gave (ok, the data, or the errno name):
 *   connect A:P | sendto A:P | send | recv | recvnb (MSG_DONTWAIT) | poll MS | sleep MS
 */
const udpprobe = defineProgram({
  name: 'udpprobe',
  summary: 'drive one UDP socket step by step',
  async main(argv, sys) {
    const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    const t0 = await sys.clock_gettime(CLOCK_MONOTONIC);
    const addr = (s: string) => sockaddrIn(s.split(':')[0]!, Number(s.split(':')[1]));
    const out: string[] = [];
    for (let i = 1; i < argv.length; i++) {
      const op = argv[i]!;
      const arg = ['connect', 'sendto', 'poll', 'sleep'].includes(op) ? argv[++i]! : null;
      let result = 'ok';
      try {
        switch (op) {
          case 'connect':
            await sys.connect(fd, addr(arg!));
            break;
          case 'sendto':
            await sys.sendto(fd, new TextEncoder().encode('probe'), 0, addr(arg!));
            break;
          case 'send':
            await sys.sendto(fd, new TextEncoder().encode('probe'));
            break;
          case 'recv':
          case 'recvnb': {
            const got = await sys.recvfrom(fd, 1500, op === 'recvnb' ? MSG_DONTWAIT : 0);
            result = new TextDecoder().decode(got.data);
            break;
          }
          case 'poll': {
            const fds = [{ fd, events: POLLIN, revents: 0 }];
            const n = await sys.poll(fds, Number(arg));
            const names = POLL_NAMES.filter(([bit]) => fds[0]!.revents & bit).map(([, name]) => name);
            result = `${n} ${names.join('|') || '-'}`;
            break;
          }
          case 'sleep':
            await sys.nanosleep(Number(arg) * 1e6);
            break;
          default:
            throw new Error(`udpprobe: unknown step ${op}`);
        }
      } catch (e) {
        if (!isSysError(e)) throw e;
        result = e.errno;
      }
      const t = ((await sys.clock_gettime(CLOCK_MONOTONIC)) - t0) / 1e9;
      out.push(`${t.toFixed(3)} ${op}${arg !== null ? ` ${arg}` : ''}: ${result}\n`);
    }
    await sys.write(1, out.join(''));
    return 0;
  },
});

/** The routed world (a --- lan --- r --- wan --- b) changed by `edit`. */
function worldWith(edit: (spec: typeof ROUTED_WORLD) => void, programs = [ping, udpprobe]) {
  const spec = structuredClone(ROUTED_WORLD);
  edit(spec);
  return routedWorld(programs, spec).world;
}

describe('no route to the destination', () => {
  const withoutDefaultRoute = () =>
    worldWith((s) => {
      s.hosts.a.routes = [];
    });

  it('fails a UDP sendto with ENETUNREACH at once, counted as OutNoRoutes, and sends nothing for it', async () => {
    const w = withoutDefaultRoute();
    const r = await run(w, 'a', ['udpprobe', 'sendto', '8.8.8.8:53', 'sendto', '192.168.1.1:53']);
    expect(r.out).toBe(lines('0.000 sendto 8.8.8.8:53: ENETUNREACH', '0.000 sendto 192.168.1.1:53: ok'));
    const a = w.mustHost('a').net;
    expect(w.mustHost('a').sockets.protoStats().ip.OutNoRoutes).toBe(1);
    expect(w.mustHost('a').sockets.protoStats().udp.OutDatagrams).toBe(1);
    // The datagram to the neighbour needed an ARP request; the one with no route sent nothing.
    expect(a.arp(a.byName(NIC)!)!.requestsSent).toBe(1);
  });

  it('fails connect() with ENETUNREACH too', async () => {
    const w = withoutDefaultRoute();
    const r = await run(w, 'a', ['udpprobe', 'connect', '10.0.0.2:7']);
    expect(r.out).toBe('0.000 connect 10.0.0.2:7: ENETUNREACH\n');
  });

  it('makes ping print "sendto: Network is unreachable" and lose every packet', async () => {
    const w = withoutDefaultRoute();
    const t0 = w.sched.now();
    const r = await run(w, 'a', ['ping', '-c', '1', '8.8.8.8']);
    expect(r.out).toBe(
      lines(
        'PING 8.8.8.8 (8.8.8.8): 56 data bytes',
        'ping: sendto: Network is unreachable',
        '',
        '--- 8.8.8.8 ping statistics ---',
        // A request the kernel refused was never transmitted (nor is there a loss to speak of).
        '0 packets transmitted, 0 packets received, ',
      ),
    );
    expect(WEXITSTATUS(r.status)).toBe(2);
    // ping waited its default 10 s for a reply that could not come, in virtual time.
    expect(w.sched.now() - t0).toBe(10e9);
  });
});

describe('an absent neighbour', () => {
  it('gives EHOSTUNREACH after the ARP retries; packets beyond the queue bound are dropped and counted', async () => {
    const w = worldWith(() => {});
    const arpRequests: number[] = [];
    w.events.on('packet', (e) => {
      // ARP frames as the LAN switch sees them enter from a (EtherType 0x0806).
      if (e.layer === 'segment' && e.host === 'lan' && e.bytes[12] === 0x08 && e.bytes[13] === 0x06) arpRequests.push(e.timeNs);
    });
    const t0 = w.sched.now();
    const sends = ARP_QUEUE_LEN + 2;
    const r = await run(w, 'a', ['udpprobe', 'connect', '192.168.1.99:9', ...Array<string>(sends).fill('send'), 'recv', 'send', 'sleep', '20000', 'send']);
    expect(r.out).toBe(
      lines(
        '0.000 connect 192.168.1.99:9: ok',
        ...Array<string>(sends).fill('0.000 send: ok'),
        // Five requests one second apart, then one more second for the last answer: 5 s.
        '5.000 recv: EHOSTUNREACH',
        // The failed entry makes further sends fail at once, for 20 s (Haiku's ARP_REJECT_TIMEOUT)...
        '5.000 send: EHOSTUNREACH',
        '25.000 sleep 20000: ok',
        // ...after which a new resolution starts.
        '25.000 send: ok',
      ),
    );
    expect(ARP_MAX_REQUESTS * ARP_RETRY_NS).toBe(5e9);
    expect(ARP_FAILED_HOLD_NS).toBe(20e9);
    expect(arpRequests.map((t) => (t - t0) / 1e9)).toEqual([0, 1, 2, 3, 4, 25]);
    const a = w.mustHost('a').net;
    const iface = a.byName(NIC)!;
    expect(a.arp(iface)!.requestsSent).toBe(6);
    // 2 pushed out of the full queue, the ARP_QUEUE_LEN queued when ARP gave up, 1 refused while failed.
    expect(iface.counters.txDropped).toBe(2 + ARP_QUEUE_LEN + 1);
    expect(iface.counters.txPackets).toBe(6); // the ARP requests: no datagram ever left
    // Each packet lost to ARP came back as an ICMP host unreachable from this host to itself.
    const { icmp } = w.mustHost('a').sockets.protoStats();
    expect({ OutDestUnreachs: icmp.OutDestUnreachs, InDestUnreachs: icmp.InDestUnreachs }).toEqual({
      OutDestUnreachs: ARP_QUEUE_LEN,
      InDestUnreachs: ARP_QUEUE_LEN,
    });
  });

  it('is reported to ping as "Destination Host Unreachable" from this host, then as sendto: No route to host', async () => {
    const w = worldWith(() => {});
    // The second request goes at 6 s, after ARP gave up (5 s) and while the neighbour is held as failed.
    const r = await run(w, 'a', ['ping', '-c', '2', '-i', '6', '192.168.1.99']);
    expect(r.out).toMatch(
      new RegExp(
        '^' +
          [
            'PING 192\\.168\\.1\\.99 \\(192\\.168\\.1\\.99\\): 56 data bytes',
            '36 bytes from 192\\.168\\.1\\.10: Destination Host Unreachable',
            'Vr HL TOS  Len   ID Flg  off TTL Pro  cks          Src          Dst',
            ' 4  5  00 0054 [0-9a-f]{4}   0 0000  40  01 [0-9a-f]{4} 192\\.168\\.1\\.10 192\\.168\\.1\\.99',
            'ICMP: type 8, code 0, size 64, id 0x[0-9a-f]{4}, seq 0x0000',
            'ping: sendto: No route to host',
            '',
            '--- 192\\.168\\.1\\.99 ping statistics ---',
            // The second request was refused (EHOSTUNREACH): only the first went out.
            '1 packets transmitted, 0 packets received, 100\\.0% packet loss',
            '',
          ].join('\n') +
          '$',
      ),
    );
    expect(WEXITSTATUS(r.status)).toBe(2);
  });
});

describe('UDP between two hosts', () => {
  it('carries a datagram across the router and its echo back', async () => {
    const w = worldWith(() => {}, [udpclient, udpserver]);
    const server = await start(w.mustHost('b'), ['udpserver', '-n', '1']);
    const r = await run(w, 'a', ['udpclient', '10.0.0.2', '7777', 'hello', 'world']);
    await w.run({ until: () => !server.proc.alive });
    expect(r.out).toBe('reply from 10.0.0.2:7777: hello world\n');
    expect(WEXITSTATUS(r.status)).toBe(0);
    expect(server.output()).toBe(
      lines('udpserver: listening on 0.0.0.0:7777', 'from 192.168.1.10:49152 (11 bytes): hello world', 'udpserver: 1 datagram received'),
    );
    for (const host of ['a', 'b']) {
      const { udp } = w.mustHost(host).sockets.protoStats();
      expect({ host, InDatagrams: udp.InDatagrams, OutDatagrams: udp.OutDatagrams, NoPorts: udp.NoPorts }).toEqual({
        host,
        InDatagrams: 1,
        OutDatagrams: 1,
        NoPorts: 0,
      });
    }
    expect(w.mustHost('r').sockets.protoStats().ip.ForwDatagrams).toBe(2);
  });
});

describe('ICMP port unreachable', () => {
  it('is ECONNREFUSED for a connected sender: udpclient says "Connection refused"', async () => {
    const w = worldWith(() => {}, [udpclient]);
    const r = await run(w, 'a', ['udpclient', '10.0.0.2', '9', 'hello']);
    expect(r.out).toBe('udpclient: recv: Connection refused\n');
    expect(WEXITSTATUS(r.status)).toBe(1);
    const b = w.mustHost('b').sockets.protoStats();
    expect({ NoPorts: b.udp.NoPorts, OutDestUnreachs: b.icmp.OutDestUnreachs }).toEqual({ NoPorts: 1, OutDestUnreachs: 1 });
    expect(w.mustHost('a').sockets.protoStats().icmp.InDestUnreachs).toBe(1);
  });

  it('is reported once, to the next call, and only to a connected socket', async () => {
    const w = worldWith(() => {});
    const r = await run(w, 'a', ['udpprobe', 'connect', '10.0.0.2:9', 'send', 'poll', '1000', 'send', 'recvnb']);
    expect(r.out).toBe(
      lines(
        '0.000 connect 10.0.0.2:9: ok',
        '0.000 send: ok',
        // ARP on the LAN (1 ms), the router's ARP on the WAN (10 ms), 5 ms on the WAN and 0.5 ms on the LAN each way.
        // The pending error makes the socket readable, with POLLERR.
        '0.022 poll 1000: 1 POLLIN|POLLERR',
        '0.022 send: ECONNREFUSED',
        '0.022 recvnb: EAGAIN',
      ),
    );
  });

  it('is not reported to an unconnected sender, as on Linux without IP_RECVERR', async () => {
    const w = worldWith(() => {});
    const r = await run(w, 'a', ['udpprobe', 'sendto', '10.0.0.2:9', 'poll', '1000', 'recvnb', 'sendto', '10.0.0.2:9']);
    expect(r.out).toBe(
      lines('0.000 sendto 10.0.0.2:9: ok', '1.000 poll 1000: 0 -', '1.000 recvnb: EAGAIN', '1.000 sendto 10.0.0.2:9: ok'),
    );
    // The error did arrive; the socket just did not hear of it.
    expect(w.mustHost('a').sockets.protoStats().icmp.InDestUnreachs).toBe(1);
  });
});

describe('fragmentation', () => {
  it('sends a 4000-byte ping across MTU 1500 in three fragments each way and reassembles both', async () => {
    const w = worldWith(() => {});
    const r = await run(w, 'a', ['ping', '-c', '2', '-s', '4000', '10.0.0.2']);
    expect(r.out).toBe(
      lines(
        'PING 10.0.0.2 (10.0.0.2): 4000 data bytes',
        '4008 bytes from 10.0.0.2: icmp_seq=0 ttl=63 time=22.000 ms',
        '4008 bytes from 10.0.0.2: icmp_seq=1 ttl=63 time=11.000 ms',
        '',
        '--- 10.0.0.2 ping statistics ---',
        '2 packets transmitted, 2 packets received, 0.0% packet loss',
        'round-trip min/avg/max/stddev = 11.000/16.500/22.000/5.500 ms',
      ),
    );
    // 4028 bytes of IP: 1480 + 1480 + 1048 bytes of payload, three fragments per datagram.
    const pick = (h: string) => {
      const { ip } = w.mustHost(h).sockets.protoStats();
      return { FragOKs: ip.FragOKs, FragCreates: ip.FragCreates, ReasmReqds: ip.ReasmReqds, ReasmOKs: ip.ReasmOKs, ReasmFails: ip.ReasmFails };
    };
    const ends = { FragOKs: 2, FragCreates: 6, ReasmReqds: 6, ReasmOKs: 2, ReasmFails: 0 };
    expect(pick('a')).toEqual(ends);
    expect(pick('b')).toEqual(ends);
    // The router passes fragments on as they are, without reassembling them.
    expect(pick('r')).toEqual({ FragOKs: 0, FragCreates: 0, ReasmReqds: 0, ReasmOKs: 0, ReasmFails: 0 });
    expect(w.mustHost('r').sockets.protoStats().ip.ForwDatagrams).toBe(12);
  });

  it('sends the largest ping (65507 bytes, 45 fragments) to a neighbour not yet resolved: ARP holds every fragment', async () => {
    const w = worldWith(() => {});
    const r = await run(w, 'a', ['ping', '-c', '1', '-q', '-s', '65507', '10.0.0.2']);
    expect(r.out).toContain('1 packets transmitted, 1 packets received, 0.0% packet loss');
    expect(w.mustHost('a').sockets.protoStats().ip.FragCreates).toBe(45);
  });

  it('has the router fragment again for a smaller MTU on the way', async () => {
    const w = worldWith((s) => {
      (s.hosts.r.nics[1] as { mtu?: number }).mtu = 1000;
      (s.hosts.b.nics[0] as { mtu?: number }).mtu = 1000;
    });
    const r = await run(w, 'a', ['ping', '-c', '1', '-s', '2000', '10.0.0.2']);
    expect(r.out).toContain('2008 bytes from 10.0.0.2: icmp_seq=0 ttl=63 time=');
    const rs = w.mustHost('r').sockets.protoStats().ip;
    // a sends 1480 + 548 bytes; the router splits the first into 976 + 504: 3 fragments reach b.
    expect({ FragOKs: rs.FragOKs, FragCreates: rs.FragCreates }).toEqual({ FragOKs: 1, FragCreates: 2 });
    const bs = w.mustHost('b').sockets.protoStats().ip;
    expect({ ReasmReqds: bs.ReasmReqds, ReasmOKs: bs.ReasmOKs, FragCreates: bs.FragCreates }).toEqual({ ReasmReqds: 3, ReasmOKs: 1, FragCreates: 3 });
    expect(w.mustHost('a').sockets.protoStats().ip.ReasmOKs).toBe(1);
  });
});

describe('forwarding', () => {
  it('when off, the router drops a packet not for it and counts it in InAddrErrors; the sender hears nothing', async () => {
    const w = worldWith((s) => {
      s.hosts.r.forwarding = false;
    });
    const r = await run(w, 'a', ['ping', '-c', '1', '-W', '2000', '10.0.0.2']);
    expect(r.out).toBe(
      lines('PING 10.0.0.2 (10.0.0.2): 56 data bytes', '', '--- 10.0.0.2 ping statistics ---', '1 packets transmitted, 0 packets received, 100.0% packet loss'),
    );
    const rs = w.mustHost('r').sockets.protoStats();
    expect({ InReceives: rs.ip.InReceives, InAddrErrors: rs.ip.InAddrErrors, ForwDatagrams: rs.ip.ForwDatagrams, OutMsgs: rs.icmp.OutMsgs }).toEqual({
      InReceives: 1,
      InAddrErrors: 1,
      ForwDatagrams: 0,
      OutMsgs: 0,
    });
    expect(w.mustHost('b').sockets.protoStats().ip.InReceives).toBe(0);
    expect(w.mustHost('a').sockets.protoStats().icmp.InMsgs).toBe(0);
  });
});

describe('TTL', () => {
  it('a ping with TTL 1 across the router gets "Time to live exceeded" from the router', async () => {
    const w = worldWith(() => {});
    const r = await run(w, 'a', ['ping', '-c', '1', '-t', '1', '-W', '2000', '10.0.0.2']);
    expect(r.out).toMatch(
      new RegExp(
        '^' +
          [
            'PING 10\\.0\\.0\\.2 \\(10\\.0\\.0\\.2\\): 56 data bytes',
            '36 bytes from 192\\.168\\.1\\.1: Time to live exceeded',
            'Vr HL TOS  Len   ID Flg  off TTL Pro  cks          Src      Dst',
            // The quoted header is the packet as it reached the router: TTL 1.
            ' 4  5  00 0054 [0-9a-f]{4}   0 0000  01  01 [0-9a-f]{4} 192\\.168\\.1\\.10 10\\.0\\.0\\.2',
            'ICMP: type 8, code 0, size 64, id 0x[0-9a-f]{4}, seq 0x0000',
            '',
            '--- 10\\.0\\.0\\.2 ping statistics ---',
            '1 packets transmitted, 0 packets received, 100\\.0% packet loss',
            '',
          ].join('\n') +
          '$',
      ),
    );
    const rs = w.mustHost('r').sockets.protoStats();
    // Linux counts a packet whose TTL runs out in ip_forward() as InHdrErrors.
    expect({ InHdrErrors: rs.ip.InHdrErrors, ForwDatagrams: rs.ip.ForwDatagrams, OutTimeExcds: rs.icmp.OutTimeExcds }).toEqual({
      InHdrErrors: 1,
      ForwDatagrams: 0,
      OutTimeExcds: 1,
    });
    expect(w.mustHost('a').sockets.protoStats().icmp.InTimeExcds).toBe(1);
    expect(w.mustHost('b').sockets.protoStats().ip.InReceives).toBe(0);
  });

  it('a TTL of 2 is enough to cross the one router', async () => {
    const w = worldWith(() => {});
    const r = await run(w, 'a', ['ping', '-c', '1', '-t', '2', '10.0.0.2']);
    expect(r.out).toContain('64 bytes from 10.0.0.2: icmp_seq=0 ttl=63 time=22.000 ms\n');
  });
});

describe('ARP', () => {
  /** The routed world with a third host, c, on the LAN. */
  const withC = () =>
    worldWith(
      (s) => {
        (s.hosts as Record<string, unknown>).c = { nics: [{ segment: 'lan', address: '192.168.1.20/24', mac: '52:54:00:00:00:0c' }] };
      },
      [arp, ifconfig, ping],
    );

  it('shows an incomplete entry while resolving, and the resolved neighbours in the table and the counters', async () => {
    const w = withC();
    const pinger = await start(w.mustHost('a'), ['ping', '-c', '1', '192.168.1.1']);
    // Half a millisecond in, the request is on the wire and the reply not back yet.
    await w.run({ timeLimitNs: 300_000 });
    expect((await run(w, 'a', ['arp', '-a'])).out).toBe('    192.168.1.1  00:00:00:00:00:00\n');
    await w.run({ until: () => !pinger.proc.alive });
    expect(WEXITSTATUS(pinger.proc.status)).toBe(0);
    expect((await run(w, 'a', ['arp', '-a'])).out).toBe('    192.168.1.1  52:54:00:00:00:01  valid\n');
    // The router learned a from the request, which was for it (RFC 826)...
    expect((await run(w, 'r', ['arp', '-a'])).out).toBe('   192.168.1.10  52:54:00:00:00:0a  valid\n');
    // ...and c, which saw the broadcast too, did not make an entry for a request not for it.
    expect((await run(w, 'c', ['arp', '-a'])).out).toBe('');
    const counters = async (host: string) => (await run(w, host, ['ifconfig', NIC])).out.split('\n').filter((l) => /Receive|Transmit/.test(l));
    // a: the ARP request (42 bytes) and the echo request (98); the ARP reply and the echo reply.
    expect(await counters('a')).toEqual([
      '\tReceive: 2 packets, 0 errors, 140 bytes, 0 mcasts, 0 dropped',
      '\tTransmit: 2 packets, 0 errors, 140 bytes, 0 mcasts, 0 dropped',
    ]);
    expect(await counters('c')).toEqual([
      '\tReceive: 1 packets, 0 errors, 42 bytes, 0 mcasts, 0 dropped',
      '\tTransmit: 0 packets, 0 errors, 0 bytes, 0 mcasts, 0 dropped',
    ]);
    expect(w.mustHost('r').net.arp(w.mustHost('r').net.byName(NIC)!)!.repliesSent).toBe(1);
  });

  it('forgets a failed neighbour after the hold time and a resolved one after its lifetime', async () => {
    const w = worldWith(() => {}, [arp, ping, udpprobe]);
    const sleep = async (ns: number) => run(w, 'a', ['udpprobe', 'sleep', String(ns / 1e6)]);
    expect((await run(w, 'a', ['ping', '-c', '1', '192.168.1.1'])).status).toBe(0);
    await run(w, 'a', ['udpprobe', 'sendto', '192.168.1.99:9', 'sleep', '5500']);
    expect((await run(w, 'a', ['arp', '-a'])).out).toBe(lines('    192.168.1.1  52:54:00:00:00:01  valid', '   192.168.1.99  00:00:00:00:00:00'));
    await sleep(ARP_FAILED_HOLD_NS);
    expect((await run(w, 'a', ['arp', '-a'])).out).toBe('    192.168.1.1  52:54:00:00:00:01  valid\n');
    await sleep(ARP_REACHABLE_NS);
    expect((await run(w, 'a', ['arp', '-a'])).out).toBe('');
  });

  it('resolves once: a second ping to the same neighbour sends no ARP request', async () => {
    const w = withC();
    await run(w, 'a', ['ping', '-c', '1', '192.168.1.20']);
    await run(w, 'a', ['ping', '-c', '1', '192.168.1.20']);
    const a = w.mustHost('a').net;
    expect(a.arp(a.byName(NIC)!)!.requestsSent).toBe(1);
  });
});
