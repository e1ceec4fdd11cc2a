// The seed's stories, each told by userland programs over syscalls only: a TAP ping responder,
// UDP across a tun, writes to a down interface, a reader that crashes, eight writers on one fd,
// the first read after open, and ping through a tunnel carried by two relays over a LAN.

import { describe, expect, it } from 'vitest';
import { O_NONBLOCK, O_RDWR } from '../../../kernel/abi/fcntl.js';
import { IFF_NO_PI, IFF_TUN, TUNSETIFF, TUNSETPERSIST } from '../../../kernel/abi/ioctl.js';
import {
  formatIpv4,
  IPPROTO_UDP,
  Ipv4Packet,
  isWireError,
  UdpPacket,
} from '../../../kernel/abi/wire/index.js';
import { POLLIN, POLLOUT } from '../../../kernel/abi/poll.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, SO_RCVBUF, SOCK_DGRAM, SOL_SOCKET, sockaddrIn, type SockaddrIn } from '../../../kernel/abi/socket.js';
import { CLOCK_MONOTONIC, type Sys } from '../../../kernel/abi/syscalls.js';
import { WTERMSIG } from '../../../kernel/abi/wait.js';
import ping from '../../../userland/bin/ping.js';
import { print } from '../../../userland/lib/io.js';
import { routedWorld } from '../../helpers/net.js';
import { describeIp, ifup, outcome, statsLine, tapPingResponder, tunAlloc, udpBurst, udpPacket, udpTunnel, waitReadable } from '../../helpers/tun.js';
import { run, start, testWorld } from '../../helpers/world.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const now = (sys: Sys) => sys.clock_gettime(CLOCK_MONOTONIC);

describe('story 1: a ping responder behind a TAP', () => {
  it('answers ARP for the peer and turns echo requests into replies; ping on the host gets them', async () => {
    const w = testWorld([tapPingResponder, ping]);
    const k = w.mustHost('haiku');
    const tap = await start(k, ['tapreply', '3']);
    await w.run({ until: () => !!k.net.byName('tap/0')?.up });
    const r = await run(w, 'haiku', ['ping', '-c', '3', '10.9.0.2']);
    await w.run({ until: () => !tap.proc.alive });
    // The responder answers within the same instant: virtual round trips of zero.
    expect(r.out).toBe(
      [
        'PING 10.9.0.2 (10.9.0.2): 56 data bytes',
        ...[0, 1, 2].map((seq) => `64 bytes from 10.9.0.2: icmp_seq=${seq} ttl=64 time=0.000 ms`),
        '',
        '--- 10.9.0.2 ping statistics ---',
        '3 packets transmitted, 3 packets received, 0.0% packet loss',
        'round-trip min/avg/max/stddev = 0.000/0.000/0.000/0.000 ms',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
    // One ARP exchange and three echoes each way: reads are tx, writes are rx.
    expect(tap.output()).toBe('tapreply: told 10.9.0.1 that 10.9.0.2 is at 02:00:00:00:00:02\ntapreply: answered 3 echo requests; rx 4/336 drop 0 | tx 4/336 drop 0\n');
  });
});

describe('story 2: UDP client and server across a tun', () => {
  it('the client’s datagrams leave by the tun, a userland relay carries them to a real server socket and writes the answers back', async () => {
    const server = defineProgram({
      name: 'udpserver',
      summary: 'uppercase echo on 127.0.0.1:9000',
      async main(argv, sys) {
        const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        await sys.bind(s, sockaddrIn('127.0.0.1', 9000));
        for (let i = 0; i < Number(argv[1]); i++) {
          const { data, from } = await sys.recvfrom(s, 1500);
          await print(sys, `server: '${dec.decode(data)}' from ${(from as SockaddrIn).sin_addr}\n`);
          await sys.sendto(s, enc.encode(dec.decode(data).toUpperCase()), 0, from as SockaddrIn);
        }
      },
    });
    const relay = defineProgram({
      name: 'tunrelay',
      summary: 'carry UDP for 10.8.0.2:7000 between a tun and the server',
      async main(argv, sys) {
        const { fd, name } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        await ifup(sys, name, '10.8.0.1', { peer: '10.8.0.2' });
        const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        await sys.connect(s, sockaddrIn('127.0.0.1', 9000));
        let client: { addr: string; port: number } | null = null;
        for (let answers = 0; answers < Number(argv[1]); ) {
          const [tunEv, sockEv] = await waitReadable(sys, [fd, s]);
          if (tunEv! & POLLIN) {
            const ip = new Ipv4Packet(await sys.read(fd, 2048));
            if (ip.protocol !== IPPROTO_UDP) continue;
            const udp = new UdpPacket(ip.payload);
            if (formatIpv4(ip.dst) !== '10.8.0.2' || udp.dstPort !== 7000) continue;
            client = { addr: formatIpv4(ip.src), port: udp.srcPort };
            await sys.sendto(s, udp.payload.slice(), 0, null);
          }
          if (sockEv! & POLLIN && client) {
            const { data } = await sys.recvfrom(s, 1500);
            await sys.write(fd, udpPacket('10.8.0.2', 7000, client.addr, client.port, data));
            answers++;
          }
        }
        await print(sys, `tunrelay: ${await statsLine(sys, name)}\n`);
      },
    });
    const client = defineProgram({
      name: 'udpclient',
      summary: 'send three greetings to 10.8.0.2:7000',
      async main(_a, sys) {
        const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        await sys.connect(s, sockaddrIn('10.8.0.2', 7000));
        const me = (await sys.getsockname(s)) as SockaddrIn;
        await print(sys, `client: bound to ${me.sin_addr}\n`);
        for (let i = 1; i <= 3; i++) {
          await sys.sendto(s, enc.encode(`hello ${i}`), 0, null);
          const { data, from } = await sys.recvfrom(s, 1500);
          await print(sys, `client: '${dec.decode(data)}' from ${(from as SockaddrIn).sin_addr}:${(from as SockaddrIn).sin_port}\n`);
        }
      },
    });
    const w = testWorld([server, relay, client]);
    const k = w.mustHost('haiku');
    const srv = await start(k, ['udpserver', '3']);
    const rel = await start(k, ['tunrelay', '3']);
    await w.run({ until: () => !!k.net.byName('tun/0')?.up });
    const c = await run(w, 'haiku', ['udpclient']);
    await w.run({ until: () => !srv.proc.alive && !rel.proc.alive });
    expect(c.out).toBe(
      "client: bound to 10.8.0.1\nclient: 'HELLO 1' from 10.8.0.2:7000\nclient: 'HELLO 2' from 10.8.0.2:7000\nclient: 'HELLO 3' from 10.8.0.2:7000\n",
    );
    expect(srv.output()).toBe("server: 'hello 1' from 127.0.0.1\nserver: 'hello 2' from 127.0.0.1\nserver: 'hello 3' from 127.0.0.1\n");
    expect(rel.output()).toBe('tunrelay: rx 3/105 drop 0 | tx 3/105 drop 0\n');
  });
});

describe('story 3: writing while the interface is down', () => {
  it('fails with EIO at once, every time, and nothing blocks: virtual time does not move', async () => {
    const prog = defineProgram({
      name: 'downwriter',
      summary: '',
      async main(_a, sys) {
        const { fd, name } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        const t0 = await now(sys);
        const results = new Map<string, number>();
        for (let i = 0; i < 100; i++) {
          const r = await outcome(sys.write(fd, udpPacket('10.8.0.2', 1000, '10.8.0.1', 2000, enc.encode(`${i}`))));
          results.set(r, (results.get(r) ?? 0) + 1);
        }
        const fds = [{ fd, events: POLLOUT, revents: 0 }];
        const writable = await sys.poll(fds, 0);
        await print(sys, `100 writes: ${[...results].map(([r, n]) => `${n} x ${r}`).join(', ')}; POLLOUT ${writable}; ${(await now(sys)) - t0} ns\n`);
        await print(sys, `${await statsLine(sys, name)}\n`);
      },
    });
    const w = testWorld([prog]);
    const r = await run(w, 'haiku', ['downwriter']);
    expect(r.out).toBe('100 writes: 100 x EIO; POLLOUT 0; 0 ns\nrx 0/0 drop 100 | tx 0/0 drop 0\n');
    expect(w.sched.now()).toBe(0);
    expect(r.outcome.kind).toBe('done');
  });
});

describe('story 4: the reader crashes mid-stream', () => {
  it('the stack and the writer carry on, drops are counted while nobody reads the persistent tun, and re-opening it works', async () => {
    const setup = defineProgram({
      name: 'mkpersist',
      summary: '',
      async main(_a, sys) {
        const { fd } = await tunAlloc(sys, 'tun/0', IFF_TUN | IFF_NO_PI);
        // Persistent, so that the interface (and the sender's route) outlive the reader.
        await sys.ioctl(fd, TUNSETPERSIST, 1);
        await ifup(sys, 'tun/0', '10.8.0.1', { peer: '10.8.0.2' });
      },
    });
    const sender = defineProgram({
      name: 'sender',
      summary: '30 datagrams to 10.8.0.2, one every 100 ms',
      async main(_a, sys) {
        const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        let failed = 0;
        for (let seq = 0; seq < 30; seq++) {
          if ((await outcome(sys.sendto(s, new Uint8Array([seq]), 0, sockaddrIn('10.8.0.2', 9)))) !== '1') failed++;
          await sys.nanosleep(100e6);
        }
        await print(sys, `sender: 30 sent, ${failed} failed\n`);
      },
    });
    const reader = defineProgram({
      name: 'reader',
      summary: 'read COUNT datagrams from /dev/tun/0, then (crash) throw',
      async main(argv, sys) {
        const fd = await sys.open('/dev/tun/0', O_RDWR);
        const seqs: number[] = [];
        for (let i = 0; i < Number(argv[1]); i++) seqs.push((await sys.read(fd, 1500))[28]!);
        await print(sys, `${argv[2] ?? 'reader'}: seq ${seqs.join(',')}\n`);
        if (argv[2] === 'crash') throw new TypeError('reader bug');
      },
    });
    const w = testWorld([setup, sender, reader]);
    const k = w.mustHost('haiku');
    await run(w, 'haiku', ['mkpersist']);
    const iface = k.net.byName('tun/0')!;
    const crashy = await start(k, ['reader', '5', 'crash']);
    const snd = await start(k, ['sender']);
    await w.run({ timeLimitNs: 0.75e9 });
    const meanwhile = { alive: crashy.proc.alive, iface: k.net.byName('tun/0') === iface, running: iface.running, dropped: iface.counters.txDropped };
    await w.run({ timeLimitNs: 1.05e9 });
    const again = await start(k, ['reader', '19', 'reader2']);
    await w.run({ until: () => !snd.proc.alive && !again.proc.alive });
    expect(crashy.output()).toBe('crash: seq 0,1,2,3,4\n');
    expect(WTERMSIG(crashy.proc.status)).toBe(11);
    expect(k.log.snapshot().some((l) => /reader\[\d+\]: crashed: TypeError: reader bug/.test(l))).toBe(true);
    // At 0.75 s: the reader is dead, the interface still there without a carrier, seq 5..7 dropped.
    expect(meanwhile).toEqual({ alive: false, iface: true, running: false, dropped: 3 });
    expect(again.output()).toBe(`reader2: seq ${Array.from({ length: 19 }, (_, i) => i + 11).join(',')}\n`);
    expect(snd.output()).toBe('sender: 30 sent, 0 failed\n');
    // 30 = 5 read by the first reader + 6 dropped (seq 5..10) + 19 read by the second.
    expect([iface.counters.txPackets, iface.counters.txDropped]).toEqual([24, 6]);
  });
});

describe('story 5: eight writers on one tun fd', () => {
  it('8 processes x 1000 packets through one shared fd: every packet arrives intact and in per-writer order', async () => {
    const PAYLOAD = 32;
    const payloadOf = (id: number, seq: number) => Uint8Array.from({ length: PAYLOAD }, (_, j) => (j === 0 ? id : j === 1 ? seq >> 8 : j === 2 ? seq & 0xff : (id * 31 + seq * 7 + j) & 0xff));
    const writer = defineProgram({
      name: 'tunwriter',
      summary: 'write 1000 UDP/IP packets into the tun fd 3',
      async main(argv, sys) {
        const id = Number(argv[1]);
        let short = 0;
        for (let seq = 0; seq < 1000; seq++) {
          const pkt = udpPacket('10.8.0.2', 6000 + id, '10.8.0.1', 5000, payloadOf(id, seq));
          if ((await sys.write(3, pkt)) !== pkt.length) short++;
        }
        return short === 0 ? 0 : 1;
      },
    });
    const sink = defineProgram({
      name: 'udpsink',
      summary: 'spawn the writers, receive and check everything',
      async main(_a, sys) {
        const { fd, name } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        await ifup(sys, name, '10.8.0.1', { peer: '10.8.0.2' });
        const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        await sys.setsockopt(s, SOL_SOCKET, SO_RCVBUF, 4 << 20);
        await sys.bind(s, sockaddrIn('10.8.0.1', 5000));
        const pids: number[] = [];
        for (let id = 0; id < 8; id++) pids.push(await sys.spawn('/bin/tunwriter', ['tunwriter', String(id)], { fds: [0, 1, 2, fd] }));
        const next = new Array<number>(8).fill(0);
        let bad = 0;
        let switches = 0;
        let last = -1;
        for (let i = 0; i < 8000; i++) {
          const { data, from } = await sys.recvfrom(s, 1500);
          const id = data[0]!;
          const seq = (data[1]! << 8) | data[2]!;
          const want = payloadOf(id, next[id]!);
          if (id > 7 || seq !== next[id] || (from as SockaddrIn).sin_port !== 6000 + id || data.length !== PAYLOAD || data.some((b, j) => b !== want[j])) bad++;
          next[id] = seq + 1;
          if (id !== last) switches++;
          last = id;
        }
        const statuses: number[] = [];
        for (const pid of pids) statuses.push((await sys.waitpid(pid)).status);
        await print(sys, `received 8000: ${bad} bad or out of order; per writer ${next.join(' ')}; interleaved ${switches > 8}; writers' statuses ${statuses.join(' ')}\n`);
        await print(sys, `${await statsLine(sys, name)}\n`);
      },
    });
    const w = testWorld([sink, writer]);
    const r = await run(w, 'haiku', ['udpsink']);
    expect(r.out).toBe(
      `received 8000: 0 bad or out of order; per writer 1000 1000 1000 1000 1000 1000 1000 1000; interleaved true; writers' statuses 0 0 0 0 0 0 0 0\nrx 8000/${8000 * 60} drop 0 | tx 0/0 drop 0\n`,
    );
    expect(w.mustHost('haiku').net.backlogDrops).toBe(0);
  });
});

describe('story 6: the first read after open', () => {
  it('returns only a real packet: EAGAIN on a fresh or re-opened fd, never stale or invalid bytes, then exactly the packet sent', async () => {
    const prog = defineProgram({
      name: 'firstread',
      summary: '',
      async main(_a, sys) {
        const first = async (label: string, fd: number, peer: string) => {
          await print(sys, `${label}: first read ${await outcome(sys.read(fd, 1500))}\n`);
          const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
          await sys.sendto(s, enc.encode(`real ${label}`), 0, sockaddrIn(peer, 4242));
          await sys.close(s);
          const pkt = await sys.read(fd, 1500);
          const v = Ipv4Packet.checked(pkt);
          const valid = !isWireError(v) && v.verifyChecksum() && v.totalLen === pkt.length;
          await print(sys, `${label}: then ${pkt.length} bytes, valid ${valid}: ${describeIp(pkt).replace(/udp \d+>/, 'udp *>')}\n`);
        };
        // A fresh interface, attached by the clone device with O_NONBLOCK.
        const fresh = await sys.open('/dev/misc/tun', O_RDWR | O_NONBLOCK);
        await sys.ioctl(fresh, TUNSETIFF, { ifr_name: 'tun/1', ifr_flags: IFF_TUN | IFF_NO_PI });
        await ifup(sys, 'tun/1', '10.9.0.1', { peer: '10.9.0.2' });
        await first('fresh', fresh, '10.9.0.2');
        // A persistent one whose last reader left packets behind: the close purged them.
        const old = await tunAlloc(sys, 'tun/0', IFF_TUN | IFF_NO_PI);
        await sys.ioctl(old.fd, TUNSETPERSIST, 1);
        await ifup(sys, 'tun/0', '10.8.0.1', { peer: '10.8.0.2' });
        await udpBurst(sys, '10.8.0.2', 9, 5);
        await sys.close(old.fd);
        await udpBurst(sys, '10.8.0.2', 9, 5); // nobody attached: dropped, not kept for later
        await first('re-opened', await sys.open('/dev/tun/0', O_RDWR | O_NONBLOCK), '10.8.0.2');
        await print(sys, `tun/0: ${await statsLine(sys, 'tun/0')}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['firstread'])).out).toBe(
      [
        'fresh: first read EAGAIN',
        "fresh: then 38 bytes, valid true: 10.9.0.1>10.9.0.2 udp *>4242 'real fresh'",
        're-opened: first read EAGAIN',
        "re-opened: then 42 bytes, valid true: 10.8.0.1>10.8.0.2 udp *>4242 'real re-opened'",
        'tun/0: rx 0/0 drop 0 | tx 1/42 drop 5',
        '',
      ].join('\n'),
    );
  });
});

describe('story 7: ping through a point-to-point tunnel carried by userland relays', () => {
  it('two hosts on a LAN, each with a tun and a relay that carries its packets in UDP datagrams: ping 10.8.0.2 gets replies with ttl=64', async () => {
    const spec = {
      segments: { lan: { delay: '0.5ms' } },
      hosts: {
        a: { nics: [{ segment: 'lan', address: '192.168.1.10/24', mac: '52:54:00:00:00:0a' }] },
        b: { nics: [{ segment: 'lan', address: '192.168.1.20/24', mac: '52:54:00:00:00:0b' }] },
      },
    };
    const { world } = routedWorld([udpTunnel, ping], spec);
    const a = world.mustHost('a');
    const b = world.mustHost('b');
    await start(a, ['udptunnel', '10.8.0.1', '10.8.0.2', '192.168.1.20']);
    await start(b, ['udptunnel', '10.8.0.2', '10.8.0.1', '192.168.1.10']);
    await world.run({ until: () => !!a.net.byName('tun/0')?.up && !!b.net.byName('tun/0')?.up });
    const r = await run(world, 'a', ['ping', '-c', '3', '10.8.0.2']);
    expect(r.out).toBe(
      [
        'PING 10.8.0.2 (10.8.0.2): 56 data bytes',
        '64 bytes from 10.8.0.2: icmp_seq=0 ttl=64 time=2.000 ms',
        '64 bytes from 10.8.0.2: icmp_seq=1 ttl=64 time=1.000 ms',
        '64 bytes from 10.8.0.2: icmp_seq=2 ttl=64 time=1.000 ms',
        '',
        '--- 10.8.0.2 ping statistics ---',
        '3 packets transmitted, 3 packets received, 0.0% packet loss',
        'round-trip min/avg/max/stddev = 1.000/1.333/2.000/0.471 ms',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
    // Each tun: 3 packets read by its relay and 3 written by it; the LAN carried them as UDP.
    for (const k of [a, b]) {
      const c = k.net.byName('tun/0')!.counters;
      expect([c.txPackets, c.rxPackets, c.txDropped, c.rxDropped]).toEqual([3, 3, 0, 0]);
    }
    expect(a.sockets.udp.counters.OutDatagrams).toBe(3);
  });
});
