// Blocking, O_NONBLOCK (at open, by fcntl(F_SETFL) and FIONBIO, all reaching the driver), signals,
// and poll() readiness: POLLIN with a packet queued, POLLOUT only while the interface is up,
// POLLERR while unattached (reference/tun-semantics.md §2 read semantics, poll(), errno table).

import { describe, expect, it } from 'vitest';
import { F_GETFL, F_SETFL, O_NONBLOCK } from '../../../kernel/abi/fcntl.js';
import { FIONBIO, IFF_NO_PI, IFF_TUN, TUNSETIFF } from '../../../kernel/abi/ioctl.js';
import { POLLERR, POLLIN, POLLOUT } from '../../../kernel/abi/poll.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { SIGUSR1 } from '../../../kernel/abi/signal.js';
import { CLOCK_MONOTONIC, type Sys } from '../../../kernel/abi/syscalls.js';
import { print } from '../../../userland/lib/io.js';
import { describeIp, ifup, openClone, report, tunAlloc, udpBurst } from '../../helpers/tun.js';
import { run, start, testWorld } from '../../helpers/world.js';

const seconds = async (sys: Sys) => (await sys.clock_gettime(CLOCK_MONOTONIC)) / 1e9;

/** `later SECONDS send|up`: after a while, send one UDP datagram to the tun's peer, or bring tun/0 up. */
const later = defineProgram({
  name: 'later',
  summary: '',
  async main(argv, sys) {
    await sys.nanosleep(Number(argv[1]) * 1e9);
    if (argv[2] === 'send') await udpBurst(sys, '10.8.0.2', 9, 1);
    else await ifup(sys, 'tun/0', '10.8.0.1', { peer: '10.8.0.2' });
  },
});

const POLL_NAMES: Array<[number, string]> = [
  [POLLIN, 'POLLIN'],
  [POLLOUT, 'POLLOUT'],
  [POLLERR, 'POLLERR'],
];
const revents = (n: number) => POLL_NAMES.filter(([b]) => n & b).map(([, s]) => s).join('|') || '0';

describe('O_NONBLOCK', () => {
  it('an fd opened O_NONBLOCK gets EAGAIN on an empty queue, at once', async () => {
    const prog = defineProgram({
      name: 'nb',
      summary: '',
      async main(_a, sys) {
        const fd = await openClone(sys, O_NONBLOCK);
        await sys.ioctl(fd, TUNSETIFF, { ifr_name: '', ifr_flags: IFF_TUN | IFF_NO_PI });
        await ifup(sys, 'tun/0', '10.8.0.1', { peer: '10.8.0.2' });
        await report(sys, 'read', sys.read(fd, 1500));
        await print(sys, `at ${await seconds(sys)}s\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['nb'])).out).toBe('read: EAGAIN\nat 0s\n');
  });

  it('fcntl(F_SETFL) and FIONBIO switch the driver between EAGAIN and blocking', async () => {
    const prog = defineProgram({
      name: 'setfl',
      summary: '',
      async main(_a, sys) {
        const { fd } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        await ifup(sys, 'tun/0', '10.8.0.1', { peer: '10.8.0.2' });
        await sys.fcntl(fd, F_SETFL, O_NONBLOCK);
        await print(sys, `F_GETFL nonblock: ${((await sys.fcntl(fd, F_GETFL)) & O_NONBLOCK) !== 0}\n`);
        await report(sys, 'read after F_SETFL O_NONBLOCK', sys.read(fd, 1500));
        await sys.fcntl(fd, F_SETFL, 0);
        await sys.ioctl(fd, FIONBIO, { value: 1 });
        await report(sys, 'read after FIONBIO 1', sys.read(fd, 1500));
        await sys.ioctl(fd, FIONBIO, { value: 0 });
        await sys.spawn('/bin/later', ['later', '2', 'send']);
        const pkt = await sys.read(fd, 1500);
        await print(sys, `blocking read returned at ${await seconds(sys)}s: ${describeIp(pkt).replace(/'.*'/, '')}\n`);
      },
    });
    expect((await run(testWorld([prog, later]), 'haiku', ['setfl'])).out).toMatch(
      /^F_GETFL nonblock: true\nread after F_SETFL O_NONBLOCK: EAGAIN\nread after FIONBIO 1: EAGAIN\nblocking read returned at 2s: 10\.8\.0\.1>10\.8\.0\.2 udp \d+>9 \n$/,
    );
  });

  it('a blocked read ends with EINTR when a signal with a handler arrives', async () => {
    const prog = defineProgram({
      name: 'intr',
      summary: '',
      async main(_a, sys) {
        const { fd } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        let caught = 0;
        await sys.sigaction(SIGUSR1, (s) => {
          caught = s;
        });
        await report(sys, 'read', sys.read(fd, 1500));
        await print(sys, `handler saw ${caught} at ${await seconds(sys)}s\n`);
      },
    });
    const w = testWorld([prog]);
    const s = await start(w.mustHost('haiku'), ['intr']);
    w.sched.after(3e9, () => s.proc.signal(SIGUSR1));
    await w.run({ until: () => !s.proc.alive });
    expect(s.output()).toBe(`read: EINTR\nhandler saw ${SIGUSR1} at 3s\n`);
  });
});

describe('poll()', () => {
  it('POLLIN exactly while a packet is queued', async () => {
    const prog = defineProgram({
      name: 'pollin',
      summary: '',
      async main(_a, sys) {
        const { fd } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        await ifup(sys, 'tun/0', '10.8.0.1', { peer: '10.8.0.2' });
        const fds = [{ fd, events: POLLIN, revents: 0 }];
        await print(sys, `empty: ${await sys.poll(fds, 0)} ${revents(fds[0]!.revents)}\n`);
        await sys.spawn('/bin/later', ['later', '1.5', 'send']);
        const n = await sys.poll(fds, 10_000);
        await print(sys, `after a send: ${n} ${revents(fds[0]!.revents)} at ${await seconds(sys)}s\n`);
        await print(sys, `still there: ${await sys.poll(fds, 0)} ${revents(fds[0]!.revents)}\n`);
        await sys.read(fd, 1500);
        await print(sys, `read it: ${await sys.poll(fds, 0)} ${revents(fds[0]!.revents)}\n`);
        const t0 = await seconds(sys);
        await print(sys, `timeout: ${await sys.poll(fds, 250)} after ${(await seconds(sys)) - t0}s\n`);
      },
    });
    expect((await run(testWorld([prog, later]), 'haiku', ['pollin'])).out).toBe(
      'empty: 0 0\nafter a send: 1 POLLIN at 1.5s\nstill there: 1 POLLIN\nread it: 0 0\ntimeout: 0 after 0.25s\n',
    );
  });

  it('POLLOUT only while the interface is up; going up wakes a writer blocked in poll', async () => {
    const prog = defineProgram({
      name: 'pollout',
      summary: '',
      async main(_a, sys) {
        const { fd } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        const fds = [{ fd, events: POLLOUT, revents: 0 }];
        await print(sys, `down: ${await sys.poll(fds, 0)} ${revents(fds[0]!.revents)}\n`);
        await sys.spawn('/bin/later', ['later', '3', 'up']);
        const n = await sys.poll(fds, -1);
        await print(sys, `woken: ${n} ${revents(fds[0]!.revents)} at ${await seconds(sys)}s\n`);
        const both = [{ fd, events: POLLIN | POLLOUT, revents: 0 }];
        await print(sys, `up, empty: ${await sys.poll(both, 0)} ${revents(both[0]!.revents)}\n`);
      },
    });
    expect((await run(testWorld([prog, later]), 'haiku', ['pollout'])).out).toBe(
      'down: 0 0\nwoken: 1 POLLOUT at 3s\nup, empty: 1 POLLOUT\n',
    );
  });

  it('POLLERR, whatever was asked, while the fd is not attached', async () => {
    const prog = defineProgram({
      name: 'pollerr',
      summary: '',
      async main(_a, sys) {
        const fd = await openClone(sys, O_NONBLOCK);
        const fds = [{ fd, events: POLLIN, revents: 0 }];
        await print(sys, `${await sys.poll(fds, -1)} ${revents(fds[0]!.revents)}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['pollerr'])).out).toBe('1 POLLERR\n');
  });
});
