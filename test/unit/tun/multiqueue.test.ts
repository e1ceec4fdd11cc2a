// IFF_MULTI_QUEUE and TUNSETQUEUE: several fds on one interface, queues taken out of service and
// put back, the 256-queue limit, and the errno rows that only a multi-queue device can reach
// (reference/tun-semantics.md §2 errno table, §5.9).

import { describe, expect, it } from 'vitest';
import { O_NONBLOCK, O_RDWR } from '../../../kernel/abi/fcntl.js';
import { IFF_RUNNING, type Ifreq } from '../../../kernel/abi/if.js';
import {
  IFF_ATTACH_QUEUE,
  IFF_DETACH_QUEUE,
  IFF_MULTI_QUEUE,
  IFF_NO_PI,
  IFF_TUN,
  TUNGETIFF,
  TUNSETCARRIER,
  TUNSETIFF,
  TUNSETQUEUE,
} from '../../../kernel/abi/ioctl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { POLLIN, POLLOUT } from '../../../kernel/abi/poll.js';
import { print } from '../../../userland/lib/io.js';
import { drain, echoRequest, getFlags, ifup, interfaceNames, openClone, outcome, report, statsLine, udpBurst } from '../../helpers/tun.js';
import { run, testWorld } from '../../helpers/world.js';

const MQ = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE;

async function attachQueue(sys: Sys, name: string, flags = MQ): Promise<[number, string]> {
  const fd = await openClone(sys, O_NONBLOCK);
  return [fd, await outcome(sys.ioctl(fd, TUNSETIFF, { ifr_name: name, ifr_flags: flags }))];
}

const queue = (sys: Sys, fd: number, flags: number) => sys.ioctl(fd, TUNSETQUEUE, { ifr_name: '', ifr_flags: flags });

describe('multi-queue attach', () => {
  it('several fds attach; MULTI_QUEUE must match the device, either way', async () => {
    const prog = defineProgram({
      name: 'mq',
      summary: '',
      async main(_a, sys) {
        const [a, ra] = await attachQueue(sys, 'mq0');
        const [, rb] = await attachQueue(sys, 'mq0');
        await print(sys, `mq0 queue 1: ${ra}, queue 2: ${rb}, /dev/tun/mq0 open: ${/^\d+$/.test(await outcome(sys.open('/dev/tun/mq0', O_RDWR | O_NONBLOCK))) ? 'ok' : 'failed'}\n`);
        await print(sys, `mq0 without IFF_MULTI_QUEUE: ${(await attachQueue(sys, 'mq0', IFF_TUN | IFF_NO_PI))[1]}\n`);
        await attachQueue(sys, 'sq0', IFF_TUN | IFF_NO_PI);
        await print(sys, `sq0 with IFF_MULTI_QUEUE: ${(await attachQueue(sys, 'sq0'))[1]}\n`);
        await print(sys, `sq0 second queue: ${(await attachQueue(sys, 'sq0', IFF_TUN | IFF_NO_PI))[1]}\n`);
        await ifup(sys, 'mq0', '10.8.0.1', { peer: '10.8.0.2', netmask: '255.255.255.0' });
        // Flows (by address pair) are spread over the queues; each packet is read once.
        for (let i = 2; i < 10; i++) await udpBurst(sys, `10.8.0.${i}`, 9, 5);
        let total = 0;
        const perQueue: number[] = [];
        for (const fd of [a, a + 1, a + 2]) {
          const got = await drain(sys, fd);
          perQueue.push(got.length);
          total += got.length;
          // A flow never straddles two queues.
          const dsts = new Set(got.map((p) => p[19]));
          for (const d of dsts) if (got.filter((p) => p[19] === d).length !== 5) await print(sys, `flow to .${d} split\n`);
        }
        await print(sys, `read ${total} over ${perQueue.filter((n) => n > 0).length}+ queues: ${await statsLine(sys, 'mq0')}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['mq'])).out).toMatch(
      /^mq0 queue 1: 0, queue 2: 0, \/dev\/tun\/mq0 open: ok\nmq0 without IFF_MULTI_QUEUE: EINVAL\nsq0 with IFF_MULTI_QUEUE: EINVAL\nsq0 second queue: EBUSY\nread 40 over [23]\+ queues: rx 0\/0 drop 0 \| tx 40\/1760 drop 0\n$/,
    );
  });

  it('E2BIG past 256 queues, detached ones included', async () => {
    const prog = defineProgram({
      name: 'many',
      summary: '',
      async main(_a, sys) {
        const fds: number[] = [];
        for (let i = 0; i < 256; i++) {
          const [fd, r] = await attachQueue(sys, 'mq0');
          if (r !== '0') await print(sys, `queue ${i}: ${r}\n`);
          fds.push(fd);
        }
        await print(sys, `queue 257: ${(await attachQueue(sys, 'mq0'))[1]}\n`);
        await report(sys, 'detach one', queue(sys, fds[0]!, IFF_DETACH_QUEUE));
        await print(sys, `256 with one detached, another: ${(await attachQueue(sys, 'mq0'))[1]}\n`);
        await sys.close(fds[1]!);
        await print(sys, `after closing one: ${(await attachQueue(sys, 'mq0'))[1]}\n`);
      },
    });
    expect((await run(testWorld([prog], { limits: { maxFds: 400 } }), 'haiku', ['many'])).out).toBe(
      'queue 257: E2BIG\ndetach one: 0\n256 with one detached, another: E2BIG\nafter closing one: 0\n',
    );
  });
});

describe('TUNSETQUEUE', () => {
  it('detaches and re-attaches a queue; a detached fd still belongs to its device: ioctls, poll and write work, reads find nothing', async () => {
    const prog = defineProgram({
      name: 'setqueue',
      summary: '',
      async main(_a, sys) {
        const [a] = await attachQueue(sys, 'mq0');
        const [b] = await attachQueue(sys, 'mq0');
        await ifup(sys, 'mq0', '10.8.0.1', { peer: '10.8.0.2' });
        await report(sys, 'ATTACH an attached queue', queue(sys, a, IFF_ATTACH_QUEUE));
        await report(sys, 'DETACH', queue(sys, a, IFF_DETACH_QUEUE));
        await report(sys, 'DETACH again', queue(sys, a, IFF_DETACH_QUEUE));
        const ifr: Ifreq = { ifr_name: '' };
        await report(sys, 'TUNGETIFF detached', sys.ioctl(a, TUNGETIFF, ifr));
        await print(sys, `  ${ifr.ifr_name} 0x${(ifr.ifr_flags ?? 0).toString(16)}\n`);
        await report(sys, 'TUNSETIFF detached', sys.ioctl(a, TUNSETIFF, { ifr_name: 'mq0', ifr_flags: MQ }));
        const pf = [{ fd: a, events: POLLIN | POLLOUT, revents: 0 }];
        await sys.poll(pf, 0);
        await print(sys, `poll detached: ${pf[0]!.revents === POLLOUT ? 'POLLOUT' : pf[0]!.revents}\n`);
        await report(sys, 'read detached', sys.read(a, 1500));
        // It may still write; the answer goes to an attached queue.
        await report(sys, 'write detached', sys.write(a, echoRequest('10.8.0.2', '10.8.0.1', 1, 1)));
        await udpBurst(sys, '10.8.0.2', 9, 4);
        await print(sys, `detached queue got ${(await drain(sys, a)).length}, attached one ${(await drain(sys, b)).length}\n`);
        await report(sys, 'ATTACH', queue(sys, a, IFF_ATTACH_QUEUE));
        await sys.ioctl(a, TUNGETIFF, ifr);
        await print(sys, `  0x${(ifr.ifr_flags ?? 0).toString(16)}\n`);
        await report(sys, 'neither flag', queue(sys, a, 0));
        // A detached queue keeps the device alive.
        await queue(sys, a, IFF_DETACH_QUEUE);
        await sys.close(b);
        await print(sys, `last attached queue closed: ${(await interfaceNames(sys)).join(' ')}\n`);
        await sys.close(a);
        await print(sys, `detached queue closed: ${(await interfaceNames(sys)).join(' ')}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['setqueue'])).out).toBe(
      [
        'ATTACH an attached queue: EINVAL',
        'DETACH: 0',
        'DETACH again: EINVAL',
        'TUNGETIFF detached: 0',
        '  mq0 0x1501',
        'TUNSETIFF detached: EEXIST',
        'poll detached: POLLOUT',
        'read detached: EAGAIN',
        'write detached: 84',
        'detached queue got 0, attached one 5',
        'ATTACH: 0',
        '  0x1101',
        'neither flag: EINVAL',
        'last attached queue closed: loop mq0',
        'detached queue closed: loop',
        '',
      ].join('\n'),
    );
  });

  it('with every queue detached: TUNSETCARRIER(1) is EPERM, and packets count in tx_dropped while the carrier is still on (§5.9)', async () => {
    const prog = defineProgram({
      name: 'noqueue',
      summary: '',
      async main(_a, sys) {
        const [a] = await attachQueue(sys, 'mq0');
        await ifup(sys, 'mq0', '10.8.0.1', { peer: '10.8.0.2' });
        await queue(sys, a, IFF_DETACH_QUEUE);
        await print(sys, `running with no queue: ${((await getFlags(sys, 'mq0')) & IFF_RUNNING) !== 0}\n`);
        await udpBurst(sys, '10.8.0.2', 9, 3);
        await print(sys, `${await statsLine(sys, 'mq0')}\n`);
        await report(sys, 'TUNSETCARRIER(1)', sys.ioctl(a, TUNSETCARRIER, { value: 1 }));
        await report(sys, 'TUNSETCARRIER(0)', sys.ioctl(a, TUNSETCARRIER, { value: 0 }));
        await print(sys, `running: ${((await getFlags(sys, 'mq0')) & IFF_RUNNING) !== 0}\n`);
        await queue(sys, a, IFF_ATTACH_QUEUE);
        await report(sys, 'TUNSETCARRIER(1) with a queue', sys.ioctl(a, TUNSETCARRIER, { value: 1 }));
        await print(sys, `running: ${((await getFlags(sys, 'mq0')) & IFF_RUNNING) !== 0}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['noqueue'])).out).toBe(
      [
        'running with no queue: true',
        'rx 0/0 drop 0 | tx 0/0 drop 3',
        'TUNSETCARRIER(1): EPERM',
        'TUNSETCARRIER(0): 0',
        'running: false',
        'TUNSETCARRIER(1) with a queue: 0',
        'running: true',
        '',
      ].join('\n'),
    );
  });
});
