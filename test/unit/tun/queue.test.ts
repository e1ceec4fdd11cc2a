// Stack → fd: the bounded queue towards the reader (TUN 500, TAP 1000, or tx_queue_len), drops
// counted in tx_dropped when it is full or nobody is attached, the local loop that never reaches the
// fd, and a TAP's TUNSETTXFILTER (reference/tun-semantics.md §2 "Stack → fd", §5.1, §5.9).

import { describe, expect, it } from 'vitest';
import { F_SETFL, O_NONBLOCK } from '../../../kernel/abi/fcntl.js';
import { IFF_RUNNING, type Ifreq } from '../../../kernel/abi/if.js';
import { IFF_NO_PI, IFF_TAP, IFF_TUN, SIOCGIFHWADDR, SIOCSIFTXQLEN, TUNSETIFF, TUNSETPERSIST, TUNSETTXFILTER } from '../../../kernel/abi/ioctl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, SO_BROADCAST, SOCK_DGRAM, SOL_SOCKET, sockaddrIn } from '../../../kernel/abi/socket.js';
import { print } from '../../../userland/lib/io.js';
import type { World } from '../../../kernel/world/world.js';
import { arpSet, drain, echoReplyFor, echoRequest, getFlags, ifup, openClone, statsLine, tunAlloc, udpBurst } from '../../helpers/tun.js';
import { run, testWorld } from '../../helpers/world.js';

/** The sequence number udpBurst put in the first two payload bytes, from an IPv4 packet or an Ethernet frame. */
const seqOf = (p: Uint8Array, off = 0) => (p[off + 28]! << 8) | p[off + 29]!;

describe('queue length towards the reader (§5.1)', () => {
  it('600 packets to an unread TUN: the first 500 are readable, 100 are counted in tx_dropped', async () => {
    const prog = defineProgram({
      name: 'tun600',
      summary: '',
      async main(_a, sys) {
        const fd = await openClone(sys, O_NONBLOCK);
        await sys.ioctl(fd, TUNSETIFF, { ifr_name: '', ifr_flags: IFF_TUN | IFF_NO_PI });
        await ifup(sys, 'tun/0', '10.8.0.1', { peer: '10.8.0.2' });
        await udpBurst(sys, '10.8.0.2', 9, 600);
        await print(sys, `sent: ${await statsLine(sys, 'tun/0')}\n`);
        const got = await drain(sys, fd);
        await print(sys, `read ${got.length}, seq ${seqOf(got[0]!)}..${seqOf(got[got.length - 1]!)}: ${await statsLine(sys, 'tun/0')}\n`);
      },
    });
    const w = testWorld([prog]);
    expect((await run(w, 'haiku', ['tun600'])).out).toBe(
      'sent: rx 0/0 drop 0 | tx 0/0 drop 100\nread 500, seq 0..499: rx 0/0 drop 0 | tx 500/22000 drop 100\n',
    );
  });

  it('1100 frames to an unread TAP: 1000 readable, 100 dropped', async () => {
    const prog = defineProgram({
      name: 'tap1100',
      summary: '',
      async main(_a, sys) {
        const fd = await openClone(sys, O_NONBLOCK);
        await sys.ioctl(fd, TUNSETIFF, { ifr_name: '', ifr_flags: IFF_TAP | IFF_NO_PI });
        await ifup(sys, 'tap/0', '10.9.0.1', { netmask: '255.255.255.0' });
        // A permanent neighbour: every datagram leaves as one frame, with no ARP exchange.
        await arpSet(sys, '10.9.0.2', '02:00:00:00:00:02');
        await udpBurst(sys, '10.9.0.2', 9, 1100);
        const got = await drain(sys, fd);
        await print(sys, `read ${got.length}, seq ${seqOf(got[0]!, 14)}..${seqOf(got[got.length - 1]!, 14)}: ${await statsLine(sys, 'tap/0')}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['tap1100'])).out).toBe('read 1000, seq 0..999: rx 0/0 drop 0 | tx 1000/58000 drop 100\n');
  });

  it('follows tx_queue_len when SIOCSIFTXQLEN changes it', async () => {
    const prog = defineProgram({
      name: 'qlen',
      summary: '',
      async main(_a, sys) {
        const { fd } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        await ifup(sys, 'tun/0', '10.8.0.1', { peer: '10.8.0.2' });
        const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        await sys.ioctl(s, SIOCSIFTXQLEN, { ifr_name: 'tun/0', ifr_qlen: 10 } as Ifreq);
        await udpBurst(sys, '10.8.0.2', 9, 15);
        await sys.fcntl(fd, F_SETFL, O_NONBLOCK);
        await print(sys, `read ${(await drain(sys, fd)).length}: ${await statsLine(sys, 'tun/0')}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['qlen'])).out).toBe('read 10: rx 0/0 drop 0 | tx 10/440 drop 5\n');
  });
});

describe('what never reaches the fd', () => {
  it('packets to the interface’s own address are looped back locally', async () => {
    const prog = defineProgram({
      name: 'own',
      summary: '',
      async main(_a, sys) {
        const fd = await openClone(sys, O_NONBLOCK);
        await sys.ioctl(fd, TUNSETIFF, { ifr_name: '', ifr_flags: IFF_TUN | IFF_NO_PI });
        await ifup(sys, 'tun/0', '10.8.0.1', { peer: '10.8.0.2' });
        const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        await sys.bind(s, sockaddrIn('10.8.0.1', 7000));
        await sys.sendto(s, new TextEncoder().encode('to myself'), 0, sockaddrIn('10.8.0.1', 7000));
        const got = await sys.recvfrom(s, 100);
        await print(sys, `socket got '${new TextDecoder().decode(got.data)}'; fd has ${(await drain(sys, fd)).length}; ${await statsLine(sys, 'tun/0')}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['own'])).out).toBe("socket got 'to myself'; fd has 0; rx 0/0 drop 0 | tx 0/0 drop 0\n");
  });

  it('with no fd attached, packets count in tx_dropped, before and after the carrier goes down (§5.9)', async () => {
    const prog = defineProgram({
      name: 'nofd',
      summary: '',
      async main(_a, sys) {
        const { fd } = await tunAlloc(sys, 'vpn0', IFF_TUN | IFF_NO_PI);
        await sys.ioctl(fd, TUNSETPERSIST, 1);
        await ifup(sys, 'vpn0', '10.8.0.1', { peer: '10.8.0.2' });
        await udpBurst(sys, '10.8.0.2', 9, 2);
        await sys.close(fd);
        const running = ((await getFlags(sys, 'vpn0')) & IFF_RUNNING) !== 0;
        await udpBurst(sys, '10.8.0.2', 9, 3);
        await print(sys, `after close: running ${running}; ${await statsLine(sys, 'vpn0')}\n`);
      },
    });
    // The 2 queued before the close were purged with the queue: never read, never counted as sent.
    expect((await run(testWorld([prog]), 'haiku', ['nofd'])).out).toBe('after close: running false; rx 0/0 drop 0 | tx 0/0 drop 3\n');
  });
});

describe('TUNSETTXFILTER on a TAP', () => {
  it('passes frames for the listed MACs, and multicast only with TUN_FLT_ALLMULTI; returns the exact-entry count', async () => {
    const prog = defineProgram({
      name: 'filter',
      summary: '',
      async main(_a, sys) {
        const fd = await openClone(sys, O_NONBLOCK);
        await sys.ioctl(fd, TUNSETIFF, { ifr_name: '', ifr_flags: IFF_TAP | IFF_NO_PI });
        await ifup(sys, 'tap/0', '10.9.0.1', { netmask: '255.255.255.0' });
        await arpSet(sys, '10.9.0.2', '02:00:00:00:00:02');
        await arpSet(sys, '10.9.0.3', '02:00:00:00:00:03');
        const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        await sys.setsockopt(s, SOL_SOCKET, SO_BROADCAST, 1);
        const round = async (label: string) => {
          for (const to of ['10.9.0.2', '10.9.0.3', '10.9.0.255']) await sys.sendto(s, new Uint8Array(4), 0, sockaddrIn(to, 9));
          const frames = await drain(sys, fd);
          const dsts = frames.map((f) => [...f.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':'));
          await print(sys, `${label}: ${dsts.join(' ') || '-'} (${await statsLine(sys, 'tap/0')})\n`);
        };
        await round('no filter');
        const n = await sys.ioctl(fd, TUNSETTXFILTER, { flags: 0, addrs: [0x02_00_00_00_00_02, 0x02_00_00_00_00_09] });
        await print(sys, `TUNSETTXFILTER returned ${n}\n`);
        await round('exact');
        await sys.ioctl(fd, TUNSETTXFILTER, { flags: 1, addrs: [0x02_00_00_00_00_03] });
        await round('exact+allmulti');
        await sys.ioctl(fd, TUNSETTXFILTER, { flags: 0, addrs: [] });
        await round('cleared');
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['filter'])).out).toBe(
      [
        'no filter: 02:00:00:00:00:02 02:00:00:00:00:03 ff:ff:ff:ff:ff:ff (rx 0/0 drop 0 | tx 3/138 drop 0)',
        'TUNSETTXFILTER returned 2',
        'exact: 02:00:00:00:00:02 (rx 0/0 drop 0 | tx 4/184 drop 2)',
        'exact+allmulti: 02:00:00:00:00:03 ff:ff:ff:ff:ff:ff (rx 0/0 drop 0 | tx 6/276 drop 3)',
        'cleared: 02:00:00:00:00:02 02:00:00:00:00:03 ff:ff:ff:ff:ff:ff (rx 0/0 drop 0 | tx 9/414 drop 3)',
        '',
      ].join('\n'),
    );
  });
});

describe('packet memory between the writer, the stack and the reader', () => {
  it('the kernel keeps its own copy of a write: the writer may reuse its buffer at once', async () => {
    const prog = defineProgram({
      name: 'reuse',
      summary: '',
      async main(_a, sys) {
        const { fd } = await tunAlloc(sys, 'vpn0', IFF_TUN | IFF_NO_PI);
        await ifup(sys, 'vpn0', '10.8.0.2', { peer: '10.8.0.1' });
        const [one, two] = [1, 2].map((seq) => echoRequest('10.8.0.1', '10.8.0.2', 7, seq, new Uint8Array(1400).fill(seq)));
        // Both writes before the stack's backlog runs, the buffer overwritten in between.
        const buf = one!.slice();
        const first = sys.write(fd, buf);
        buf.set(two!);
        await Promise.all([first, sys.write(fd, buf)]);
        for (const req of [one!, two!]) {
          const got = await sys.read(fd, 2048);
          const want = echoReplyFor(req)!;
          // The ICMP message and the addresses; the IP ID is the host's own.
          const same = (from: number, to: number) => got.subarray(from, to).every((b, i) => b === want[from + i]);
          await print(sys, `reply ${got.length} bytes, ${same(12, want.length) ? `echoes request ${req[27]}` : 'wrong'}\n`);
        }
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['reuse'])).out).toBe('reply 1428 bytes, echoes request 1\nreply 1428 bytes, echoes request 2\n');
  });

  it('a TAP\'s echo requests written back to back are each answered with the right frame', async () => {
    const prog = defineProgram({
      name: 'tapecho',
      summary: '',
      async main(_a, sys) {
        const { fd, name } = await tunAlloc(sys, '', IFF_TAP | IFF_NO_PI);
        await ifup(sys, name, '10.9.0.1', { netmask: '255.255.255.0' });
        await arpSet(sys, '10.9.0.2', '02:00:00:00:00:02');
        const hw: Ifreq = { ifr_name: name };
        await sys.ioctl(fd, SIOCGIFHWADDR, hw);
        const own = hw.ifr_hwaddr!.sa_data.subarray(0, 6);
        const peer = Uint8Array.from([2, 0, 0, 0, 0, 2]);
        const frame = (dst: Uint8Array, src: Uint8Array, ip: Uint8Array) => Uint8Array.from([...dst, ...src, 0x08, 0x00, ...ip]);
        const reqs = [1, 2].map((seq) => echoRequest('10.9.0.2', '10.9.0.1', 9, seq, new Uint8Array(1000).fill(seq)));
        // Both in before the stack runs: their copies sit side by side, each answered where it lies.
        await Promise.all(reqs.map((r) => sys.write(fd, frame(own, peer, r))));
        for (const req of reqs) {
          const got = await sys.read(fd, 2048);
          const want = frame(peer, own, echoReplyFor(req)!);
          // All but the IP ID (bytes 18-19 of the frame) and the header checksum (24-25), the host's own.
          const same = got.length === want.length && got.every((b, i) => b === want[i] || (i >= 18 && i < 20) || (i >= 24 && i < 26));
          await print(sys, `reply ${got.length} bytes, ${same ? `answers request ${req[27]}` : 'wrong'}\n`);
        }
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['tapecho'])).out).toBe('reply 1042 bytes, answers request 1\nreply 1042 bytes, answers request 2\n');
  });

  it('a packet in a buffer shared with others (a slab) is read as its own bytes alone', async () => {
    let w: World | null = null;
    const prog = defineProgram({
      name: 'shared',
      summary: '',
      async main(_a, sys) {
        const { fd } = await tunAlloc(sys, 'vpn0', IFF_TUN | IFF_NO_PI);
        await ifup(sys, 'vpn0', '10.8.0.2', { peer: '10.8.0.1' });
        const pkt = echoRequest('10.8.0.2', '10.8.0.1', 7, 1);
        // The device is handed the packet in the middle of a larger buffer, as a slab holds packets.
        const slab = new Uint8Array(4096).fill(0xcc);
        slab.set(pkt, 1000);
        const iface = w!.mustHost('haiku').net.byName('vpn0')!;
        iface.device.transmit(iface, slab.subarray(1000, 1000 + pkt.length));
        const got = await sys.read(fd, 2048);
        const same = got.length === pkt.length && got.every((b, i) => b === pkt[i]);
        // What the program can reach through its buffer holds none of the slab's other bytes.
        const leaked = new Uint8Array(got.buffer).includes(0xcc);
        await print(sys, `read ${got.length} bytes (${same ? 'the packet' : 'wrong'}), ${leaked ? 'with the slab around it' : 'nothing else'}\n`);
      },
    });
    w = testWorld([prog]);
    expect((await run(w, 'haiku', ['shared'])).out).toBe('read 84 bytes (the packet), nothing else\n');
  });
});
