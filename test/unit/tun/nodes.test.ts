// Device nodes: /dev/misc/tun always; /dev/tun/N and /dev/tap/N exactly while interface N exists,
// and opening one attaches to it (Haiku style). `ifconfig tun/3 ...` creates a missing tunnel by
// SIOCAIFADDR, persistent, to be attached through its node (DESIGN.md "Devices and the TUN/TAP
// driver"; reference/haiku.md §1 current version: the node exists only while the device exists).

import { describe, expect, it } from 'vitest';
import { O_NONBLOCK, O_RDWR } from '../../../kernel/abi/fcntl.js';
import type { Ifreq } from '../../../kernel/abi/if.js';
import { IFF_NO_PI, IFF_TAP, IFF_TUN, TUNGETIFF, TUNSETIFF } from '../../../kernel/abi/ioctl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { print } from '../../../userland/lib/io.js';
import {
  asUser,
  createIface,
  deleteIface,
  describeIp,
  echoRequest,
  ifup,
  interfaceNames,
  openClone,
  outcome,
  report,
  tunAlloc,
} from '../../helpers/tun.js';
import { run, testWorld } from '../../helpers/world.js';

async function ls(sys: Sys, dir: string): Promise<string> {
  try {
    return (await sys.readdir(dir)).map((e) => e.d_name).join(' ') || '(empty)';
  } catch (e) {
    return (e as { errno?: string }).errno ?? String(e);
  }
}

describe('/dev/tun/N and /dev/tap/N', () => {
  it('appear with their interface and disappear with it', async () => {
    const prog = defineProgram({
      name: 'nodes',
      summary: '',
      async main(_a, sys) {
        const show = async (label: string) => print(sys, `${label}: misc [${await ls(sys, '/dev/misc')}] tun [${await ls(sys, '/dev/tun')}] tap [${await ls(sys, '/dev/tap')}]\n`);
        await show('boot');
        const a = await tunAlloc(sys, '', IFF_TUN);
        const b = await tunAlloc(sys, '', IFF_TUN);
        const c = await tunAlloc(sys, '', IFF_TAP);
        const d = await tunAlloc(sys, 'vpn0', IFF_TUN);
        await show('four interfaces');
        const st = await sys.stat('/dev/tun/1');
        await print(sys, `/dev/tun/1 rdev ${st.st_rdev >> 8}:${st.st_rdev & 0xff}\n`);
        await sys.close(a.fd);
        await show('tun/0 closed');
        await sys.close(b.fd);
        await sys.close(d.fd);
        await show('tun/1 and vpn0 closed');
        await sys.close(c.fd);
        await show('all closed');
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['nodes'])).out).toBe(
      [
        'boot: misc [tun] tun [ENOENT] tap [ENOENT]',
        'four interfaces: misc [tun] tun [0 1 vpn0] tap [0]',
        '/dev/tun/1 rdev 10:200',
        'tun/0 closed: misc [tun] tun [1 vpn0] tap [0]',
        'tun/1 and vpn0 closed: misc [tun] tun [ENOENT] tap [0]',
        'all closed: misc [tun] tun [ENOENT] tap [ENOENT]',
        '',
      ].join('\n'),
    );
  });

  it('opening a node attaches to its interface; a second opener of a single-queue device gets EBUSY', async () => {
    const prog = defineProgram({
      name: 'opennode',
      summary: '',
      async main(_a, sys) {
        const owner = await tunAlloc(sys, 'tun/4', IFF_TUN | IFF_NO_PI);
        await ifup(sys, 'tun/4', '10.8.0.2', { peer: '10.8.0.1' });
        await report(sys, 'open /dev/tun/4 while attached', sys.open('/dev/tun/4', O_RDWR));
        await report(sys, 'open /dev/tun/9', sys.open('/dev/tun/9', O_RDWR));
        await sys.close(owner.fd); // not persistent: gone
        await report(sys, 'open /dev/tun/4 after the last close', sys.open('/dev/tun/4', O_RDWR));
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['opennode'])).out).toBe(
      'open /dev/tun/4 while attached: EBUSY\nopen /dev/tun/9: ENOENT\nopen /dev/tun/4 after the last close: ENOENT\n',
    );
  });
});

describe('ifconfig-style creation (SIOCAIFADDR)', () => {
  it('creates a persistent tun/3 (IFF_PERSIST in TUNGETIFF) whose /dev/tun/3 can be opened to attach, again and again, until it is deleted', async () => {
    const prog = defineProgram({
      name: 'ifc',
      summary: '',
      async main(_a, sys) {
        await print(sys, `SIOCAIFADDR tun/3: index ${await createIface(sys, 'tun/3')}\n`);
        await print(sys, `interfaces: ${(await interfaceNames(sys)).join(' ')}; tun [${await ls(sys, '/dev/tun')}]\n`);
        await report(sys, 'SIOCAIFADDR tun/3 again', createIface(sys, 'tun/3'));
        await report(sys, 'SIOCAIFADDR foo/1', createIface(sys, 'foo/1'));
        await ifup(sys, 'tun/3', '10.8.0.2', { peer: '10.8.0.1' });
        for (const round of [1, 2]) {
          const fd = await sys.open('/dev/tun/3', O_RDWR | O_NONBLOCK);
          const ifr: Ifreq = { ifr_name: '' };
          await sys.ioctl(fd, TUNGETIFF, ifr);
          await sys.write(fd, echoRequest('10.8.0.1', '10.8.0.2', 3, round));
          await print(sys, `open #${round}: attached to ${ifr.ifr_name} flags 0x${ifr.ifr_flags!.toString(16)}, read ${describeIp(await sys.read(fd, 1500))}\n`);
          await sys.close(fd);
        }
        // The clone device re-attaches to it by name too.
        const clone = await openClone(sys);
        await report(sys, 'TUNSETIFF tun/3 on /dev/misc/tun', sys.ioctl(clone, TUNSETIFF, { ifr_name: 'tun/3', ifr_flags: IFF_TUN | IFF_NO_PI }));
        await sys.close(clone);
        await deleteIface(sys, 'tun/3');
        await print(sys, `deleted: ${(await interfaceNames(sys)).join(' ')}; tun [${await ls(sys, '/dev/tun')}]; open ${await outcome(sys.open('/dev/tun/3', O_RDWR))}\n`);
        await print(sys, `SIOCAIFADDR tap/2: index ${await createIface(sys, 'tap/2')}; tap [${await ls(sys, '/dev/tap')}]\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['ifc'])).out).toBe(
      [
        'SIOCAIFADDR tun/3: index 2',
        'interfaces: loop tun/3; tun [3]',
        'SIOCAIFADDR tun/3 again: EEXIST',
        'SIOCAIFADDR foo/1: ENODEV',
        'open #1: attached to tun/3 flags 0x1801, read 10.8.0.2>10.8.0.1 icmp echo-reply seq=1',
        'open #2: attached to tun/3 flags 0x1801, read 10.8.0.2>10.8.0.1 icmp echo-reply seq=2',
        'TUNSETIFF tun/3 on /dev/misc/tun: 0',
        'deleted: loop; tun [ENOENT]; open ENOENT',
        'SIOCAIFADDR tap/2: index 3; tap [2]',
        '',
      ].join('\n'),
    );
  });

  it('needs root', async () => {
    const prog = defineProgram({
      name: 'mkif',
      summary: '',
      async main(_a, sys) {
        await report(sys, `uid ${sys.getuid()} SIOCAIFADDR tun/3`, createIface(sys, 'tun/3'));
      },
    });
    expect((await run(testWorld([prog, asUser]), 'haiku', ['as', '1000', '1000', 'mkif'])).out).toBe('uid 1000 SIOCAIFADDR tun/3: EPERM\n');
  });
});
