// An fd of the clone device before TUNSETIFF: open() alone creates nothing, and the fd answers
// EBADFD to read, write and most ioctls and POLLERR to poll, except for the few requests Linux allows
// before attaching (reference/tun-semantics.md §2 Lifecycle and the errno table's first row).

import { describe, expect, it } from 'vitest';
import type { Ifreq } from '../../../kernel/abi/if.js';
import {
  FIONREAD,
  IFF_ATTACH_QUEUE,
  IFF_TUN,
  type IntRef,
  TUNGETFEATURES,
  TUNGETIFF,
  TUNGETSNDBUF,
  TUNGETVNETHDRSZ,
  TUNSETCARRIER,
  TUNSETGROUP,
  TUNSETIFF,
  TUNSETIFINDEX,
  TUNSETLINK,
  TUNSETNOCSUM,
  TUNSETOFFLOAD,
  TUNSETOWNER,
  TUNSETPERSIST,
  TUNSETQUEUE,
} from '../../../kernel/abi/ioctl.js';
import { POLLERR, POLLIN, POLLOUT } from '../../../kernel/abi/poll.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { print } from '../../../userland/lib/io.js';
import { echoRequest, openClone, outcome, report } from '../../helpers/tun.js';
import { run, testWorld } from '../../helpers/world.js';

async function setiff(sys: Sys, fd: number, name: string, flags: number): Promise<string> {
  const ifr: Ifreq = { ifr_name: name, ifr_flags: flags };
  const r = await outcome(sys.ioctl(fd, TUNSETIFF, ifr));
  return r === '0' ? ifr.ifr_name : r;
}

describe('an fd before TUNSETIFF', () => {
  it('gives EBADFD to read, write and most ioctls and POLLERR to poll; GETFEATURES, SETQUEUE and SETIFINDEX are allowed', async () => {
    const prog = defineProgram({
      name: 'unattached',
      summary: '',
      async main(_a, sys) {
        const fd = await openClone(sys);
        await report(sys, 'read', sys.read(fd, 100));
        await report(sys, 'write', sys.write(fd, echoRequest('10.8.0.1', '10.8.0.2', 1, 1)));
        const ioctls: Array<[string, number, unknown]> = [
          ['TUNGETIFF', TUNGETIFF, { ifr_name: '' }],
          ['TUNSETPERSIST', TUNSETPERSIST, 1],
          ['TUNSETOWNER', TUNSETOWNER, 1000],
          ['TUNSETGROUP', TUNSETGROUP, 100],
          ['TUNSETLINK', TUNSETLINK, 1],
          ['TUNSETOFFLOAD', TUNSETOFFLOAD, 0],
          ['TUNSETNOCSUM', TUNSETNOCSUM, 0],
          ['TUNGETSNDBUF', TUNGETSNDBUF, { value: 0 }],
          ['TUNGETVNETHDRSZ', TUNGETVNETHDRSZ, { value: 0 }],
          ['TUNSETCARRIER', TUNSETCARRIER, { value: 1 }],
          ['FIONREAD', FIONREAD, { value: 0 }],
          ['unknown 0x400454ff', 0x400454ff, 0],
        ];
        for (const [name, req, arg] of ioctls) await report(sys, name, sys.ioctl(fd, req, arg));
        const feat: IntRef = { value: 0 };
        await report(sys, 'TUNGETFEATURES', sys.ioctl(fd, TUNGETFEATURES, feat));
        await print(sys, `features 0x${feat.value.toString(16)}\n`);
        // Allowed before attaching: this one fails for its own reason (nothing to re-attach), not EBADFD.
        await report(sys, 'TUNSETQUEUE attach', sys.ioctl(fd, TUNSETQUEUE, { ifr_name: '', ifr_flags: IFF_ATTACH_QUEUE }));
        await report(sys, 'TUNSETIFINDEX', sys.ioctl(fd, TUNSETIFINDEX, 42));
        const fds = [{ fd, events: POLLIN | POLLOUT, revents: 0 }];
        await report(sys, 'poll', sys.poll(fds, 0));
        await print(sys, `revents ${fds[0]!.revents === POLLERR ? 'POLLERR' : fds[0]!.revents}\n`);
        // open() alone made no interface; SETIFINDEX then chose the index of the one TUNSETIFF makes.
        await print(sys, `attach ${await setiff(sys, fd, '', IFF_TUN)}\n`);
      },
    });
    const w = testWorld([prog]);
    const r = await run(w, 'haiku', ['unattached']);
    expect(r.out).toBe(
      [
        'read: EBADFD',
        'write: EBADFD',
        'TUNGETIFF: EBADFD',
        'TUNSETPERSIST: EBADFD',
        'TUNSETOWNER: EBADFD',
        'TUNSETGROUP: EBADFD',
        'TUNSETLINK: EBADFD',
        'TUNSETOFFLOAD: EBADFD',
        'TUNSETNOCSUM: EBADFD',
        'TUNGETSNDBUF: EBADFD',
        'TUNGETVNETHDRSZ: EBADFD',
        'TUNSETCARRIER: EBADFD',
        'FIONREAD: EBADFD',
        'unknown 0x400454ff: EBADFD',
        'TUNGETFEATURES: 0',
        'features 0x7173',
        'TUNSETQUEUE attach: EINVAL',
        'TUNSETIFINDEX: 0',
        'poll: 1',
        'revents POLLERR',
        'attach tun/0',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
  });

  it('open() alone creates no interface', async () => {
    let during: string[] = [];
    const prog = defineProgram({
      name: 'opener',
      summary: '',
      async main(_a, sys) {
        await openClone(sys);
        await openClone(sys);
        await sys.nanosleep(1e9);
      },
    });
    const w = testWorld([prog]);
    w.sched.after(5e8, () => (during = [...w.mustHost('haiku').net.interfaces.keys()]));
    await run(w, 'haiku', ['opener']);
    expect(during).toEqual(['loop']);
  });
});
