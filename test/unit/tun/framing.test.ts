// What crosses the fd: one packet per read or write, the packet-info header and TUN_PKT_STRIP,
// the virtio-net header, truncated and 0-byte reads, TAP frames, and the write checks in Linux's
// order (reference/tun-semantics.md §1 struct tun_pi, §2 read and write semantics, §5.3, §5.8, §5.11).

import { describe, expect, it } from 'vitest';
import { IFF_NO_PI, IFF_TAP, IFF_TUN, IFF_VNET_HDR, SIOCGIFHWADDR, TUNSETVNETHDRSZ } from '../../../kernel/abi/ioctl.js';
import type { Ifreq } from '../../../kernel/abi/if.js';
import { ARPOP_REQUEST, buildArpPacket, buildEthernetFrame, ETHERTYPE_ARP, parseIpv4 } from '../../../kernel/abi/wire/index.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { print } from '../../../userland/lib/io.js';
import { describeIp, echoReplyFor, echoRequest, ifdown, ifup, report, statsLine, tunAlloc, udpPacket } from '../../helpers/tun.js';
import { run, testWorld } from '../../helpers/world.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A TUN at 10.8.0.2 whose peer is 10.8.0.1; the test plays the peer by writing into the fd. */
async function peerTun(sys: Sys, flags: number, net = '10.8.0') {
  const t = await tunAlloc(sys, '', IFF_TUN | flags);
  await ifup(sys, t.name, `${net}.2`, { peer: `${net}.1` });
  return t;
}

describe('TUN without packet info (IFF_NO_PI)', () => {
  it('reads exactly the IP packet the stack sent: every byte but the IP id and header checksum is predictable, ids are consecutive (§5.3)', async () => {
    const prog = defineProgram({
      name: 'nopi',
      summary: '',
      async main(_a, sys) {
        const { fd } = await peerTun(sys, IFF_NO_PI);
        const ids: number[] = [];
        for (const seq of [1, 2]) {
          const req = echoRequest('10.8.0.1', '10.8.0.2', 0x77, seq);
          await print(sys, `write ${await sys.write(fd, req)}\n`);
          const got = await sys.read(fd, 65536);
          const want = echoReplyFor(req)!;
          const diff = [...got].flatMap((b, i) => (b !== want[i] ? [i] : []));
          await print(sys, `read ${got.length}: ${describeIp(got)}; bytes differing from a hand-made reply: ${diff.filter((i) => ![4, 5, 10, 11].includes(i)).length}\n`);
          ids.push((got[4]! << 8) | got[5]!);
        }
        await print(sys, `ids consecutive: ${ids[1] === ((ids[0]! + 1) & 0xffff)}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['nopi'])).out).toBe(
      [
        'write 84',
        'read 84: 10.8.0.2>10.8.0.1 icmp echo-reply seq=1; bytes differing from a hand-made reply: 0',
        'write 84',
        'read 84: 10.8.0.2>10.8.0.1 icmp echo-reply seq=2; bytes differing from a hand-made reply: 0',
        'ids consecutive: true',
        '',
      ].join('\n'),
    );
  });

  it('a short buffer gets what fits with no sign of the cut; tx_bytes counts the whole packet (§5.8); a 0-byte read returns 0 and dequeues nothing', async () => {
    const prog = defineProgram({
      name: 'short',
      summary: '',
      async main(_a, sys) {
        const { fd, name } = await peerTun(sys, IFF_NO_PI);
        // Nothing queued: a 0-byte read does not block.
        await report(sys, 'read(0) empty', sys.read(fd, 0));
        await sys.write(fd, echoRequest('10.8.0.1', '10.8.0.2', 1, 1));
        await sys.write(fd, echoRequest('10.8.0.1', '10.8.0.2', 1, 2));
        await report(sys, 'read(0) with two queued', sys.read(fd, 0));
        const cut = await sys.read(fd, 30);
        await print(sys, `read(30): ${cut.length} bytes, total length field ${(cut[2]! << 8) | cut[3]!}\n`);
        const next = await sys.read(fd, 65536);
        await print(sys, `next read: ${describeIp(next)}\n`);
        await print(sys, `${await statsLine(sys, name)}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['short'])).out).toBe(
      [
        'read(0) empty: 0 bytes',
        'read(0) with two queued: 0 bytes',
        'read(30): 30 bytes, total length field 84',
        'next read: 10.8.0.2>10.8.0.1 icmp echo-reply seq=2',
        'rx 2/168 drop 0 | tx 2/168 drop 0',
        '',
      ].join('\n'),
    );
  });
});

describe('TUN with packet info', () => {
  it('prefixes struct tun_pi; TUN_PKT_STRIP marks a cut packet; under 4 bytes is EINVAL and the packet is lost, counted nowhere (§5.8)', async () => {
    const prog = defineProgram({
      name: 'pi',
      summary: '',
      async main(_a, sys) {
        const { fd, name } = await peerTun(sys, 0);
        const pi = (proto: number) => new Uint8Array([0, 0, proto >> 8, proto & 0xff]);
        const send = (seq: number) => sys.write(fd, new Uint8Array([...pi(0x0800), ...echoRequest('10.8.0.1', '10.8.0.2', 1, seq)]));
        await print(sys, `write with PI: ${await send(1)}\n`);
        const whole = await sys.read(fd, 65536);
        await print(sys, `read ${whole.length}: pi ${hex(whole.subarray(0, 4))} then ${describeIp(whole.subarray(4))}\n`);
        await send(2);
        const exact = await sys.read(fd, 88);
        await print(sys, `read(88) ${exact.length}: pi ${hex(exact.subarray(0, 4))}\n`);
        await send(3);
        const cut = await sys.read(fd, 87);
        await print(sys, `read(87) ${cut.length}: pi ${hex(cut.subarray(0, 4))}\n`);
        await send(4);
        const tiny = await sys.read(fd, 10);
        await print(sys, `read(10) ${tiny.length}: pi ${hex(tiny.subarray(0, 4))} ip ${hex(tiny.subarray(4, 8))}\n`);
        await print(sys, `${await statsLine(sys, name)}\n`);
        await send(5);
        await send(6);
        await report(sys, 'read(3)', sys.read(fd, 3));
        const after = await sys.read(fd, 65536);
        await print(sys, `then: ${describeIp(after.subarray(4))}\n`);
        await print(sys, `${await statsLine(sys, name)}\n`);
        await report(sys, 'write 3 bytes', sys.write(fd, new Uint8Array(3)));
        // The protocol field is taken unchecked: an unknown one is accepted, and this IPv4 stack ignores it.
        await report(sys, 'write PI proto 0x1234', sys.write(fd, new Uint8Array([...pi(0x1234), ...echoRequest('10.8.0.1', '10.8.0.2', 1, 9)])));
        await print(sys, `${await statsLine(sys, name)}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['pi'])).out).toBe(
      [
        'write with PI: 88',
        'read 88: pi 00000800 then 10.8.0.2>10.8.0.1 icmp echo-reply seq=1',
        'read(88) 88: pi 00000800',
        'read(87) 87: pi 01000800',
        'read(10) 10: pi 01000800 ip 45000054',
        'rx 4/336 drop 0 | tx 4/336 drop 0',
        'read(3): EINVAL',
        'then: 10.8.0.2>10.8.0.1 icmp echo-reply seq=6',
        'rx 6/504 drop 0 | tx 5/420 drop 0',
        'write 3 bytes: EINVAL',
        'write PI proto 0x1234: 88',
        'rx 7/588 drop 0 | tx 5/420 drop 0',
        '',
      ].join('\n'),
    );
  });
});

describe('IFF_VNET_HDR', () => {
  it('adds a zeroed virtio-net header of TUNSETVNETHDRSZ bytes (after the PI header); a write shorter than it is EINVAL', async () => {
    const prog = defineProgram({
      name: 'vnet',
      summary: '',
      async main(_a, sys) {
        const { fd, name } = await peerTun(sys, IFF_NO_PI | IFF_VNET_HDR);
        const req = (seq: number) => echoRequest('10.8.0.1', '10.8.0.2', 1, seq);
        await report(sys, 'write 5 bytes', sys.write(fd, new Uint8Array(5)));
        await report(sys, 'write 10-byte header + packet', sys.write(fd, new Uint8Array([...new Uint8Array(10), ...req(1)])));
        const a = await sys.read(fd, 65536);
        await print(sys, `read ${a.length}: header ${hex(a.subarray(0, 10))} then ${describeIp(a.subarray(10))}\n`);
        await sys.ioctl(fd, TUNSETVNETHDRSZ, { value: 12 });
        await report(sys, 'write 11 bytes', sys.write(fd, new Uint8Array(11)));
        await report(sys, 'write 12-byte header + packet', sys.write(fd, new Uint8Array([...new Uint8Array(12), ...req(2)])));
        const b = await sys.read(fd, 65536);
        await print(sys, `read ${b.length}: then ${describeIp(b.subarray(12))}\n`);
        await print(sys, `${await statsLine(sys, name)}\n`);
        // With packet info too: PI first, then the virtio header.
        const both = await peerTun(sys, IFF_VNET_HDR, '10.9.0');
        await sys.write(both.fd, new Uint8Array([0, 0, 8, 0, ...new Uint8Array(10), ...echoRequest('10.9.0.1', '10.9.0.2', 1, 3)]));
        const c = await sys.read(both.fd, 65536);
        await print(sys, `PI+VNET read ${c.length}: ${hex(c.subarray(0, 14))} then ${describeIp(c.subarray(14))}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['vnet'])).out).toBe(
      [
        'write 5 bytes: EINVAL',
        'write 10-byte header + packet: 94',
        'read 94: header 00000000000000000000 then 10.8.0.2>10.8.0.1 icmp echo-reply seq=1',
        'write 11 bytes: EINVAL',
        'write 12-byte header + packet: 96',
        'read 96: then 10.8.0.2>10.8.0.1 icmp echo-reply seq=2',
        'rx 2/168 drop 0 | tx 2/168 drop 0',
        'PI+VNET read 98: 0000080000000000000000000000 then 10.9.0.2>10.9.0.1 icmp echo-reply seq=3',
        '',
      ].join('\n'),
    );
  });
});

describe('write checks, in Linux order', () => {
  it('PI length, VNET length, TAP 14 bytes, TUN IP version, then IFF_UP: EINVAL beats EIO; the MTU is never checked', async () => {
    const prog = defineProgram({
      name: 'writes',
      summary: '',
      async main(_a, sys) {
        const tun = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        const pi = await tunAlloc(sys, '', IFF_TUN);
        const tap = await tunAlloc(sys, '', IFF_TAP | IFF_NO_PI);
        const ip4 = echoRequest('10.8.0.1', '10.8.0.2', 1, 1);
        const ip6 = new Uint8Array(40);
        ip6[0] = 0x60;
        const bad = ip4.slice();
        bad[0] = 0x55;
        const big = udpPacket('10.8.0.1', 4000, '10.8.0.2', 5000, new Uint8Array(1972).fill(7));
        for (const state of ['down', 'up']) {
          if (state === 'up') {
            await ifup(sys, tun.name, '10.8.0.2', { peer: '10.8.0.1' });
            await ifup(sys, pi.name, '10.9.0.2', { peer: '10.9.0.1' });
            await ifup(sys, tap.name, '10.10.0.2', { netmask: '255.255.255.0' });
          }
          await print(sys, `-- ${state}\n`);
          await report(sys, 'tun 0 bytes', sys.write(tun.fd, new Uint8Array(0)));
          await report(sys, 'tun version 5', sys.write(tun.fd, bad));
          await report(sys, 'tun IPv4', sys.write(tun.fd, ip4));
          await report(sys, 'tun IPv6', sys.write(tun.fd, ip6));
          await report(sys, 'pi 3 bytes', sys.write(pi.fd, new Uint8Array(3)));
          await report(sys, 'pi + version 5', sys.write(pi.fd, new Uint8Array([0, 0, 8, 0, ...bad])));
          await report(sys, 'tap 13 bytes', sys.write(tap.fd, new Uint8Array(13)));
          await report(sys, 'tap 14 bytes', sys.write(tap.fd, new Uint8Array(14)));
          await print(sys, `tun ${await statsLine(sys, tun.name)}\npi  ${await statsLine(sys, pi.name)}\ntap ${await statsLine(sys, tap.name)}\n`);
        }
        // 2000 bytes through an interface with MTU 1500: accepted whole, and delivered.
        const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        await sys.bind(s, sockaddrIn('10.8.0.2', 5000));
        await report(sys, `tun ${big.length} bytes`, sys.write(tun.fd, big));
        const got = await sys.recvfrom(s, 65536);
        await print(sys, `socket got ${got.data.length} bytes\n`);
        await ifdown(sys, tun.name);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['writes'])).out).toBe(
      [
        '-- down',
        'tun 0 bytes: EINVAL',
        'tun version 5: EINVAL',
        'tun IPv4: EIO',
        'tun IPv6: EIO',
        'pi 3 bytes: EINVAL',
        'pi + version 5: EIO',
        'tap 13 bytes: EINVAL',
        'tap 14 bytes: EIO',
        'tun rx 0/0 drop 4 | tx 0/0 drop 0',
        'pi  rx 0/0 drop 1 | tx 0/0 drop 0',
        'tap rx 0/0 drop 1 | tx 0/0 drop 0',
        '-- up',
        'tun 0 bytes: EINVAL',
        'tun version 5: EINVAL',
        'tun IPv4: 84',
        'tun IPv6: 40',
        'pi 3 bytes: EINVAL',
        'pi + version 5: 88',
        'tap 13 bytes: EINVAL',
        'tap 14 bytes: 14',
        'tun rx 2/124 drop 6 | tx 0/0 drop 0',
        'pi  rx 1/84 drop 1 | tx 0/0 drop 0',
        'tap rx 1/14 drop 1 | tx 0/0 drop 0',
        'tun 2000 bytes: 2000',
        'socket got 1972 bytes',
        '',
      ].join('\n'),
    );
  });
});

describe('TAP frames', () => {
  it('carries Ethernet frames; the host answers an ARP request with a 42-byte reply (§5.11); PI carries the EtherType', async () => {
    const prog = defineProgram({
      name: 'tapframes',
      summary: '',
      async main(_a, sys) {
        const tap = await tunAlloc(sys, '', IFF_TAP);
        await ifup(sys, tap.name, '10.10.0.1', { netmask: '255.255.255.0' });
        const hw: Ifreq = { ifr_name: '' };
        await sys.ioctl(tap.fd, SIOCGIFHWADDR, hw);
        const myMac = [...hw.ifr_hwaddr!.sa_data].reduce((n, b) => n * 256 + b, 0);
        const peerMac = 0x02_00_00_00_00_99;
        const arp = buildArpPacket({ operation: ARPOP_REQUEST, senderMac: peerMac, senderIp: parseIpv4('10.10.0.2')!, targetMac: 0, targetIp: parseIpv4('10.10.0.1')! });
        const frame = buildEthernetFrame({ dst: 0xffff_ffff_ffff, src: peerMac, ethertype: ETHERTYPE_ARP }, arp);
        await report(sys, 'write ARP request', sys.write(tap.fd, new Uint8Array([0, 0, 0x08, 0x06, ...frame])));
        const got = await sys.read(tap.fd, 65536);
        const f = got.subarray(4);
        const dst = f.subarray(0, 6).reduce((n, b) => n * 256 + b, 0);
        const src = f.subarray(6, 12).reduce((n, b) => n * 256 + b, 0);
        await print(sys, `read ${got.length}: pi ${hex(got.subarray(0, 4))}, frame ${f.length} bytes, to peer ${dst === peerMac}, from us ${src === myMac}, op ${f[21]}\n`);
        await print(sys, `${await statsLine(sys, tap.name)}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['tapframes'])).out).toBe(
      'write ARP request: 46\nread 46: pi 00000806, frame 42 bytes, to peer true, from us true, op 2\nrx 1/42 drop 0 | tx 1/42 drop 0\n',
    );
  });
});
