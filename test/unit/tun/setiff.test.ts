// TUNSETIFF: creation and attachment, names, and the errno of every way it can fail, in the order
// a Linux kernel checks them (reference/tun-semantics.md §2 errno table, §5.2, §5.7, §5.10).

import { describe, expect, it } from 'vitest';
import type { Ifreq } from '../../../kernel/abi/if.js';
import {
  IFF_ATTACH_QUEUE,
  IFF_DETACH_QUEUE,
  IFF_NO_PI,
  IFF_ONE_QUEUE,
  IFF_PERSIST,
  IFF_TAP,
  IFF_TUN,
  IFF_TUN_EXCL,
  TUNGETIFF,
  TUNSETIFF,
  TUNSETPERSIST,
} from '../../../kernel/abi/ioctl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { print } from '../../../userland/lib/io.js';
import { openClone, outcome } from '../../helpers/tun.js';
import { run, testWorld } from '../../helpers/world.js';

/** TUNSETIFF on `fd`: the name the kernel gave, or the errno. */
async function setiff(sys: Sys, fd: number, name: string, flags: number): Promise<string> {
  const ifr: Ifreq = { ifr_name: name, ifr_flags: flags };
  const r = await outcome(sys.ioctl(fd, TUNSETIFF, ifr));
  return r === '0' ? ifr.ifr_name : r;
}

/** Try each [name, flags] on fresh fds (kept open, so the interfaces stay) and print one line each. */
async function attempts(sys: Sys, list: Array<[string, number]>): Promise<number[]> {
  const fds: number[] = [];
  for (const [name, flags] of list) {
    const fd = await openClone(sys);
    fds.push(fd);
    await print(sys, `${JSON.stringify(name)} 0x${flags.toString(16)} -> ${await setiff(sys, fd, name, flags)}\n`);
  }
  return fds;
}

describe('TUNSETIFF errors', () => {
  it('EEXIST on an fd that is already attached', async () => {
    const prog = defineProgram({
      name: 'twice',
      summary: '',
      async main(_a, sys) {
        const fd = await openClone(sys);
        await print(sys, `${await setiff(sys, fd, '', IFF_TUN)} then ${await setiff(sys, fd, '', IFF_TUN)} then ${await setiff(sys, fd, 'tun/0', IFF_TUN)}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['twice'])).out).toBe('tun/0 then EEXIST then EEXIST\n');
  });

  it('EPERM without privilege, checked before the missing-type EINVAL (§5.7)', async () => {
    const prog = defineProgram({
      name: 'mk',
      summary: '',
      async main(_a, sys) {
        await attempts(sys, [
          ['', IFF_TUN],
          ['mytap', IFF_TAP],
          ['', 0],
        ]);
      },
    });
    const w = testWorld([prog]);
    expect((await run(w, 'haiku', ['mk'], { uid: 1000 })).out).toBe('"" 0x1 -> EPERM\n"mytap" 0x2 -> EPERM\n"" 0x0 -> EPERM\n');
    expect((await run(w, 'haiku', ['mk'])).out).toBe('"" 0x1 -> tun/0\n"mytap" 0x2 -> mytap\n"" 0x0 -> EINVAL\n');
  });

  it('names: tun%d and tun/%d take the lowest free unit, bad names are EINVAL, long ones are cut to 15 (§5.2)', async () => {
    const prog = defineProgram({
      name: 'names',
      summary: '',
      async main(_a, sys) {
        await attempts(sys, [
          ['', IFF_TUN],
          ['', IFF_TAP],
          ['tun/%d', IFF_TUN],
          ['tun%d', IFF_TUN],
          ['tun%d', IFF_TUN],
          ['vpn%d', IFF_TAP],
          ['tun/7', IFF_TUN],
          ['a/b', IFF_TUN],
          ['tun/x', IFF_TUN],
          ['tun/', IFF_TUN],
          ['tap/3', IFF_TUN],
          ['.', IFF_TUN],
          ['..', IFF_TUN],
          ['my tun', IFF_TUN],
          ['a:b', IFF_TUN],
          ['x%s', IFF_TUN],
          ['x%d%d', IFF_TUN],
          ['x%', IFF_TUN],
          ['abcdefghijklmnopqrst', IFF_TUN],
        ]);
      },
    });
    const w = testWorld([prog]);
    const r = await run(w, 'haiku', ['names']);
    expect(r.out).toBe(
      [
        '"" 0x1 -> tun/0',
        '"" 0x2 -> tap/0',
        '"tun/%d" 0x1 -> tun/1',
        '"tun%d" 0x1 -> tun0',
        '"tun%d" 0x1 -> tun1',
        '"vpn%d" 0x2 -> vpn0',
        '"tun/7" 0x1 -> tun/7',
        '"a/b" 0x1 -> EINVAL',
        '"tun/x" 0x1 -> EINVAL',
        '"tun/" 0x1 -> EINVAL',
        '"tap/3" 0x1 -> EINVAL',
        '"." 0x1 -> EINVAL',
        '".." 0x1 -> EINVAL',
        '"my tun" 0x1 -> EINVAL',
        '"a:b" 0x1 -> EINVAL',
        '"x%s" 0x1 -> EINVAL',
        '"x%d%d" 0x1 -> EINVAL',
        '"x%" 0x1 -> EINVAL',
        '"abcdefghijklmnopqrst" 0x1 -> abcdefghijklmno',
        '',
      ].join('\n'),
    );
  });

  it('the lowest free unit is reused once its interface is gone', async () => {
    const prog = defineProgram({
      name: 'reuse',
      summary: '',
      async main(_a, sys) {
        const a = await openClone(sys);
        const b = await openClone(sys);
        await print(sys, `${await setiff(sys, a, '', IFF_TUN)} ${await setiff(sys, b, '', IFF_TUN)}\n`);
        await sys.close(a);
        const c = await openClone(sys);
        await print(sys, `${await setiff(sys, c, '', IFF_TUN)}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['reuse'])).out).toBe('tun/0 tun/1\ntun/0\n');
  });

  it('ENFILE when a %d pattern has no free unit left', async () => {
    const prog = defineProgram({
      name: 'exhaust',
      summary: '',
      async main(_a, sys) {
        // 13 characters and the unit: 0..99 fit in IFNAMSIZ-1 = 15, unit 100 would not.
        let last = '';
        for (let i = 0; i < 100; i++) {
          const fd = await openClone(sys);
          last = await setiff(sys, fd, 'abcdefghijklm%d', IFF_TUN | IFF_NO_PI);
          await sys.ioctl(fd, TUNSETPERSIST, 1);
          await sys.close(fd);
        }
        const fd = await openClone(sys);
        await print(sys, `last ${last}, next ${await setiff(sys, fd, 'abcdefghijklm%d', IFF_TUN | IFF_NO_PI)}\n`);
      },
    });
    const w = testWorld([prog]);
    expect((await run(w, 'haiku', ['exhaust'])).out).toBe('last abcdefghijklm99, next ENFILE\n');
    expect(w.mustHost('haiku').net.interfaces.size).toBe(101);
  });

  it('an existing name of another kind is EINVAL; IFF_TUN_EXCL makes any existing name EBUSY, before the type check (§5.7)', async () => {
    const prog = defineProgram({
      name: 'exists',
      summary: '',
      async main(_a, sys) {
        const fds = await attempts(sys, [
          ['tap/0', IFF_TAP | IFF_NO_PI],
          ['tun0', IFF_TUN | IFF_NO_PI | IFF_TUN_EXCL],
          ['tap/0', IFF_TUN | IFF_NO_PI],
          ['tun0', IFF_TAP],
          ['loop', IFF_TUN],
          ['loop', IFF_TUN | IFF_TUN_EXCL],
          ['tap/0', IFF_TUN | IFF_TUN_EXCL],
          ['tun0', IFF_TUN | IFF_NO_PI | IFF_TUN_EXCL],
          // Both type bits: Linux's TUN test comes first, so a new one is a TUN.
          ['both%d', IFF_TUN | IFF_TAP],
        ]);
        const get: Ifreq = { ifr_name: '' };
        await sys.ioctl(fds[fds.length - 1]!, TUNGETIFF, get);
        await print(sys, `${get.ifr_name} flags 0x${get.ifr_flags!.toString(16)}\n`);
      },
    });
    const w = testWorld([prog]);
    expect((await run(w, 'haiku', ['exists'])).out).toBe(
      [
        '"tap/0" 0x1002 -> tap/0',
        '"tun0" 0x9001 -> tun0',
        '"tap/0" 0x1001 -> EINVAL',
        '"tun0" 0x2 -> EINVAL',
        '"loop" 0x1 -> EINVAL',
        '"loop" 0x8001 -> EBUSY',
        '"tap/0" 0x8001 -> EBUSY',
        '"tun0" 0x9001 -> EBUSY',
        '"both%d" 0x3 -> both0',
        'both0 flags 0x1001',
        '',
      ].join('\n'),
    );
  });
});

describe('TUNSETIFF and TUNGETIFF flags (§5.10)', () => {
  it('TUNSETIFF leaves the flags as passed; TUNGETIFF reports only type, features and PERSIST, plus IFF_NOFILTER', async () => {
    const prog = defineProgram({
      name: 'flags',
      summary: '',
      async main(_a, sys) {
        const hex = (n: number | undefined) => `0x${(n ?? 0).toString(16)}`;
        const passed = IFF_TUN | IFF_NO_PI | IFF_ONE_QUEUE | IFF_TUN_EXCL | IFF_PERSIST | IFF_ATTACH_QUEUE | IFF_DETACH_QUEUE;
        const fd = await openClone(sys);
        const ifr: Ifreq = { ifr_name: 'vpn0', ifr_flags: passed };
        await sys.ioctl(fd, TUNSETIFF, ifr);
        await print(sys, `TUNSETIFF wrote back ${ifr.ifr_name} ${hex(ifr.ifr_flags)}\n`);
        const get: Ifreq = { ifr_name: '' };
        await sys.ioctl(fd, TUNGETIFF, get);
        await print(sys, `TUNGETIFF ${get.ifr_name} ${hex(get.ifr_flags)}\n`);
        await sys.ioctl(fd, TUNSETPERSIST, 1);
        await sys.ioctl(fd, TUNGETIFF, get);
        await print(sys, `persistent ${hex(get.ifr_flags)}\n`);
        await sys.ioctl(fd, TUNSETPERSIST, 0);
        // A TAP with packet info: IFF_NOFILTER (the NO_PI bit) is still reported.
        const tap = await openClone(sys);
        await sys.ioctl(tap, TUNSETIFF, { ifr_name: '', ifr_flags: IFF_TAP });
        await sys.ioctl(tap, TUNGETIFF, get);
        await print(sys, `TUNGETIFF ${get.ifr_name} ${hex(get.ifr_flags)}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['flags'])).out).toBe(
      'TUNSETIFF wrote back vpn0 0xbe01\nTUNGETIFF vpn0 0x3001\npersistent 0x3801\nTUNGETIFF tap/0 0x1002\n',
    );
  });
});
