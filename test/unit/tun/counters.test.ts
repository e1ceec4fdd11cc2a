// The interface counters seen from the driver: what a reader takes is transmitted (tx), what a
// writer gives is received (rx), a write refused after the header checks is rx_dropped, and a cut
// read counts the whole packet (reference/tun-semantics.md §2 Counters, errno table, §5.8, §5.9).

import { describe, expect, it } from 'vitest';
import { IFF_NO_PI, IFF_TAP, IFF_TUN, TUNSETPERSIST } from '../../../kernel/abi/ioctl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { print } from '../../../userland/lib/io.js';
import { echoRequest, ifdown, ifup, outcome, statsLine, tunAlloc, udpBurst } from '../../helpers/tun.js';
import { run, testWorld } from '../../helpers/world.js';

describe('TUN counters', () => {
  it('reads are tx, writes are rx, refused writes are rx_dropped, a cut read counts in full', async () => {
    const prog = defineProgram({
      name: 'count',
      summary: '',
      async main(_a, sys) {
        const { fd } = await tunAlloc(sys, 'vpn0', IFF_TUN | IFF_NO_PI);
        await sys.ioctl(fd, TUNSETPERSIST, 1);
        await ifup(sys, 'vpn0', '10.8.0.2', { peer: '10.8.0.1' });
        const step = async (label: string, p: Promise<unknown>) => print(sys, `${label.padEnd(22)} ${(await outcome(p)).padEnd(9)} ${await statsLine(sys, 'vpn0')}\n`);
        const ping = (seq: number) => echoRequest('10.8.0.1', '10.8.0.2', 1, seq);
        await step('write request 1', sys.write(fd, ping(1)));
        await step('write request 2', sys.write(fd, ping(2)));
        await step('read reply 1', sys.read(fd, 1500));
        await step('read reply 2 into 20', sys.read(fd, 20));
        const bad = ping(3);
        bad[0] = 0x35;
        await step('write version 3', sys.write(fd, bad));
        await step('write 0 bytes', sys.write(fd, new Uint8Array(0)));
        await ifdown(sys, 'vpn0');
        await step('write while down', sys.write(fd, ping(4)));
        await ifup(sys, 'vpn0', '10.8.0.2', { peer: '10.8.0.1' });
        await sys.close(fd);
        await step('udp with no fd (x3)', udpBurst(sys, '10.8.0.1', 9, 3));
      },
    });
    const w = testWorld([prog]);
    expect((await run(w, 'haiku', ['count'])).out).toBe(
      [
        'write request 1        84        rx 1/84 drop 0 | tx 0/0 drop 0',
        'write request 2        84        rx 2/168 drop 0 | tx 0/0 drop 0',
        'read reply 1           84 bytes  rx 2/168 drop 0 | tx 1/84 drop 0',
        'read reply 2 into 20   20 bytes  rx 2/168 drop 0 | tx 2/168 drop 0',
        'write version 3        EINVAL    rx 2/168 drop 1 | tx 2/168 drop 0',
        'write 0 bytes          EINVAL    rx 2/168 drop 2 | tx 2/168 drop 0',
        'write while down       EIO       rx 2/168 drop 3 | tx 2/168 drop 0',
        'udp with no fd (x3)    3         rx 2/168 drop 3 | tx 2/168 drop 3',
        '',
      ].join('\n'),
    );
    // The kernel's own view of the (persistent) interface agrees.
    const c = w.mustHost('haiku').net.byName('vpn0')!.counters;
    expect([c.rxPackets, c.rxBytes, c.rxDropped, c.txPackets, c.txBytes, c.txDropped]).toEqual([2, 168, 3, 2, 168, 3]);
  });

  it('a TAP counts whole frames, Ethernet header included; PI bytes are never counted', async () => {
    const prog = defineProgram({
      name: 'tapcount',
      summary: '',
      async main(_a, sys) {
        const { fd, name } = await tunAlloc(sys, '', IFF_TAP);
        await ifup(sys, name, '10.9.0.1', { netmask: '255.255.255.0' });
        const frame = new Uint8Array(4 + 60);
        frame.set([0, 0, 0x88, 0xb5], 0); // PI, then a frame of an unknown EtherType (dropped by the stack)
        frame.fill(0xff, 4, 10);
        frame.set([0x02, 0, 0, 0, 0, 9, 0x88, 0xb5], 10);
        await print(sys, `write ${await sys.write(fd, frame)}: ${await statsLine(sys, name)}\n`);
        // 'who-has 10.9.0.2' from the host: one ARP request frame of 42 bytes.
        await udpBurst(sys, '10.9.0.2', 9, 1);
        const got = await sys.read(fd, 1500);
        await print(sys, `read ${got.length}: ${await statsLine(sys, name)}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['tapcount'])).out).toBe('write 64: rx 1/60 drop 0 | tx 0/0 drop 0\nread 46: rx 1/60 drop 0 | tx 1/42 drop 0\n');
  });
});
