// Deleting an interface under its fds: a blocked reader wakes with EFAULT, a blocked poll with
// POLLERR; afterwards the fd is simply unattached (EBADFD, POLLERR) and TUNSETIFF works on it again
// (reference/tun-semantics.md §2 errno table "Device deleted under a blocked reader", §5.6).

import { describe, expect, it } from 'vitest';
import type { Ifreq } from '../../../kernel/abi/if.js';
import { IFF_NO_PI, IFF_TUN, TUNGETIFF, TUNSETIFF, TUNSETPERSIST } from '../../../kernel/abi/ioctl.js';
import { POLLERR, POLLIN } from '../../../kernel/abi/poll.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { CLOCK_MONOTONIC, type Sys } from '../../../kernel/abi/syscalls.js';
import { print } from '../../../userland/lib/io.js';
import { deleteIface, describeIp, echoRequest, exists, ifup, outcome, report, tunAlloc } from '../../helpers/tun.js';
import { run, start, testWorld } from '../../helpers/world.js';

const at = async (sys: Sys) => `${(await sys.clock_gettime(CLOCK_MONOTONIC)) / 1e9}s`;

/** `deleter SECONDS NAME`: `ifconfig --delete NAME` after a while. */
const deleter = defineProgram({
  name: 'deleter',
  summary: '',
  async main(argv, sys) {
    await sys.nanosleep(Number(argv[1]) * 1e9);
    await deleteIface(sys, argv[2]!);
  },
});

/** `poller FD`: poll the inherited fd for input and print what came back. */
const poller = defineProgram({
  name: 'poller',
  summary: '',
  async main(argv, sys) {
    const fds = [{ fd: Number(argv[1]), events: POLLIN, revents: 0 }];
    const n = await sys.poll(fds, -1);
    await print(sys, `poller: ${n} ${fds[0]!.revents === POLLERR ? 'POLLERR' : fds[0]!.revents} at ${await at(sys)}\n`);
  },
});

describe('deleting the interface under a blocked reader', () => {
  it('the read fails with EFAULT, later calls with EBADFD, poll gives POLLERR, and TUNSETIFF works again', async () => {
    const reader = defineProgram({
      name: 'reader',
      summary: '',
      async main(_a, sys) {
        const { fd, name } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        await ifup(sys, name, '10.8.0.2', { peer: '10.8.0.1' });
        const p = await sys.spawn('/bin/poller', ['poller', '3'], { fds: [0, 1, 2, fd] });
        await sys.spawn('/bin/deleter', ['deleter', '2', name]);
        await report(sys, `blocked read on ${name}`, sys.read(fd, 1500));
        await print(sys, `  ...at ${await at(sys)}; /dev/${name} ${(await exists(sys, `/dev/${name}`)) ? 'present' : 'absent'}\n`);
        await sys.waitpid(p);
        await report(sys, 'read again', sys.read(fd, 1500));
        await report(sys, 'write', sys.write(fd, echoRequest('10.8.0.1', '10.8.0.2', 1, 1)));
        await report(sys, 'TUNGETIFF', sys.ioctl(fd, TUNGETIFF, { ifr_name: '' }));
        const fds = [{ fd, events: POLLIN, revents: 0 }];
        await report(sys, 'poll', sys.poll(fds, 0));
        await print(sys, `  revents ${fds[0]!.revents === POLLERR ? 'POLLERR' : fds[0]!.revents}\n`);
        // The same fd attaches again, to a new interface.
        const ifr: Ifreq = { ifr_name: '', ifr_flags: IFF_TUN | IFF_NO_PI };
        await report(sys, 'TUNSETIFF', sys.ioctl(fd, TUNSETIFF, ifr));
        await ifup(sys, ifr.ifr_name, '10.8.0.2', { peer: '10.8.0.1' });
        await sys.write(fd, echoRequest('10.8.0.1', '10.8.0.2', 1, 2));
        await print(sys, `  ${ifr.ifr_name}: ${describeIp(await sys.read(fd, 1500))}\n`);
      },
    });
    const w = testWorld([reader, deleter, poller]);
    const r = await run(w, 'haiku', ['reader']);
    expect(r.out).toBe(
      [
        'poller: 1 POLLERR at 2s',
        'blocked read on tun/0: EFAULT',
        '  ...at 2s; /dev/tun/0 absent',
        'read again: EBADFD',
        'write: EBADFD',
        'TUNGETIFF: EBADFD',
        'poll: 1',
        '  revents POLLERR',
        'TUNSETIFF: 0',
        '  tun/0: 10.8.0.2>10.8.0.1 icmp echo-reply seq=2',
        '',
      ].join('\n'),
    );
  });

  it('the kernel call (NetStack.removeInterface) does the same to the fd of a persistent device', async () => {
    const holder = defineProgram({
      name: 'holder',
      summary: '',
      async main(_a, sys) {
        const a = await tunAlloc(sys, 'tun/2', IFF_TUN | IFF_NO_PI);
        await sys.ioctl(a.fd, TUNSETPERSIST, 1);
        await report(sys, 'blocked read', sys.read(a.fd, 1500));
        await report(sys, 'read again', sys.read(a.fd, 1500));
        await report(sys, 'TUNSETIFF tun/2 again', sys.ioctl(a.fd, TUNSETIFF, { ifr_name: 'tun/2', ifr_flags: IFF_TUN | IFF_NO_PI }));
        await print(sys, `${await outcome(sys.ioctl(a.fd, TUNSETPERSIST, 0))}\n`);
      },
    });
    const w = testWorld([holder]);
    const k = w.mustHost('haiku');
    const s = await start(k, ['holder']);
    await w.run({ timeLimitNs: 1e9 });
    const iface = k.net.byName('tun/2')!;
    w.sched.after(1e9, () => k.net.removeInterface(iface));
    await w.run({ until: () => !s.proc.alive });
    expect(s.output()).toBe('blocked read: EFAULT\nread again: EBADFD\nTUNSETIFF tun/2 again: 0\n0\n');
    // The new tun/2 is a new interface, not the deleted one.
    expect(k.net.byName('tun/2')).toBeUndefined();
    expect(k.devfs.isPublished('tun/2')).toBe(false);
  });
});
