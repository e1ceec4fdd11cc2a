// Who may create and who may attach: creating needs root (CAP_NET_ADMIN); attaching to an existing
// device is open to anyone unless TUNSETOWNER / TUNSETGROUP restrict it, in which case every id that
// is set must match; root is always allowed (reference/tun-semantics.md §2 errno table, §5.7).

import { describe, expect, it } from 'vitest';
import { O_RDWR } from '../../../kernel/abi/fcntl.js';
import { IFF_NO_PI, IFF_TUN, TUNSETGROUP, TUNSETIFF, TUNSETOWNER, TUNSETPERSIST } from '../../../kernel/abi/ioctl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { print } from '../../../userland/lib/io.js';
import { asUser, echoRequest, ifup, openClone, outcome, tunAlloc } from '../../helpers/tun.js';
import { run, start, testWorld } from '../../helpers/world.js';

/** `mkdev NAME OWNER GROUP [hold]`: root makes a persistent, up TUN with that owner and group (-1: unset). */
const mkdev = defineProgram({
  name: 'mkdev',
  summary: '',
  async main(argv, sys) {
    const [, name, owner, group, hold] = argv;
    const { fd } = await tunAlloc(sys, name!, IFF_TUN | IFF_NO_PI);
    await sys.ioctl(fd, TUNSETPERSIST, 1);
    if (owner !== '-1') await sys.ioctl(fd, TUNSETOWNER, Number(owner));
    if (group !== '-1') await sys.ioctl(fd, TUNSETGROUP, Number(group));
    await ifup(sys, name!, `10.8.${name!.slice(4)}.1`, { peer: `10.8.${name!.slice(4)}.2` });
    // "hold": keep the single queue attached for a while, so that a second attach is EBUSY.
    if (hold) await sys.nanosleep(3600e9);
  },
});

/** `attach NAME`: attach by TUNSETIFF, then by opening /dev/NAME, writing a packet through each. */
const attach = defineProgram({
  name: 'attach',
  summary: '',
  async main(argv, sys) {
    const name = argv[1]!;
    const pkt = echoRequest('10.9.9.9', '10.9.9.8', 1, 1);
    const fd = await openClone(sys);
    let viaIoctl = await outcome(sys.ioctl(fd, TUNSETIFF, { ifr_name: name, ifr_flags: IFF_TUN | IFF_NO_PI }));
    if (viaIoctl === '0') viaIoctl = `ok, write ${await outcome(sys.write(fd, pkt))}`;
    await sys.close(fd);
    let viaOpen = await outcome(sys.open(`/dev/${name}`, O_RDWR));
    if (/^\d+$/.test(viaOpen)) {
      const node = Number(viaOpen);
      viaOpen = `ok, write ${await outcome(sys.write(node, pkt))}`;
      await sys.close(node);
    }
    await print(sys, `uid ${sys.getuid()} gid ${sys.getgid()}: TUNSETIFF ${viaIoctl}; open ${viaOpen}\n`);
  },
});

/** `create`: try to make a new interface. */
const create = defineProgram({
  name: 'create',
  summary: '',
  async main(_a, sys) {
    const fd = await openClone(sys);
    await print(sys, `uid ${sys.getuid()} create: ${await outcome(sys.ioctl(fd, TUNSETIFF, { ifr_name: '', ifr_flags: IFF_TUN }))}\n`);
  },
});

/** `member UID GID G1,G2 PROG ARGS...`: run PROG with these ids and supplementary groups. */
const member = defineProgram({
  name: 'member',
  summary: '',
  async main(argv, sys) {
    const [, uid, gid, groups, prog, ...rest] = argv;
    const pid = await sys.spawn(`/bin/${prog}`, [prog!, ...rest], { uid: Number(uid), gid: Number(gid), groups: groups ? groups.split(',').map(Number) : [] });
    return (await sys.waitpid(pid)).status >> 8;
  },
});

async function scenario(owner: number, group: number, users: Array<[number, number] | [number, number, number[]]>): Promise<string> {
  const w = testWorld([mkdev, attach, asUser, member]);
  await run(w, 'haiku', ['mkdev', 'tun/5', String(owner), String(group)]);
  let out = '';
  for (const [uid, gid, groups] of users) {
    const argv = groups ? ['member', String(uid), String(gid), groups.join(','), 'attach', 'tun/5'] : ['as', String(uid), String(gid), 'attach', 'tun/5'];
    out += (await run(w, 'haiku', argv)).out;
  }
  return out;
}

describe('creating', () => {
  it('needs root: uid 1000 gets EPERM, root creates', async () => {
    const w = testWorld([create, asUser]);
    expect((await run(w, 'haiku', ['as', '1000', '1000', 'create'])).out).toBe('uid 1000 create: EPERM\n');
    expect((await run(w, 'haiku', ['create'])).out).toBe('uid 0 create: 0\n');
  });
});

describe('attaching', () => {
  it('with neither owner nor group set, anyone may attach', async () => {
    expect(await scenario(-1, -1, [[1000, 1000], [1001, 100]])).toBe(
      'uid 1000 gid 1000: TUNSETIFF ok, write 84; open ok, write 84\nuid 1001 gid 100: TUNSETIFF ok, write 84; open ok, write 84\n',
    );
  });

  it('TUNSETOWNER: only that uid, and root', async () => {
    expect(await scenario(1000, -1, [[1000, 1000], [1001, 1000], [0, 0]])).toBe(
      [
        'uid 1000 gid 1000: TUNSETIFF ok, write 84; open ok, write 84',
        'uid 1001 gid 1000: TUNSETIFF EPERM; open EPERM',
        'uid 0 gid 0: TUNSETIFF ok, write 84; open ok, write 84',
        '',
      ].join('\n'),
    );
  });

  it("TUNSETGROUP: a supplementary group counts as Linux's in_egroup_p() counts it", async () => {
    expect(await scenario(-1, 100, [[1001, 101, [100]], [1001, 101, [102, 103]]])).toBe(
      ['uid 1001 gid 101: TUNSETIFF ok, write 84; open ok, write 84', 'uid 1001 gid 101: TUNSETIFF EPERM; open EPERM', ''].join('\n'),
    );
  });

  it('TUNSETGROUP: only that gid, and root', async () => {
    expect(await scenario(-1, 100, [[1001, 100], [1001, 101], [0, 0]])).toBe(
      [
        'uid 1001 gid 100: TUNSETIFF ok, write 84; open ok, write 84',
        'uid 1001 gid 101: TUNSETIFF EPERM; open EPERM',
        'uid 0 gid 0: TUNSETIFF ok, write 84; open ok, write 84',
        '',
      ].join('\n'),
    );
  });

  it('with both set, both must match (§5.7)', async () => {
    expect(await scenario(1000, 100, [[1000, 100], [1000, 101], [1001, 100], [0, 5]])).toBe(
      [
        'uid 1000 gid 100: TUNSETIFF ok, write 84; open ok, write 84',
        'uid 1000 gid 101: TUNSETIFF EPERM; open EPERM',
        'uid 1001 gid 100: TUNSETIFF EPERM; open EPERM',
        'uid 0 gid 5: TUNSETIFF ok, write 84; open ok, write 84',
        '',
      ].join('\n'),
    );
  });

  it('an owner mismatch is EPERM before the single-queue EBUSY (§5.7)', async () => {
    const w = testWorld([mkdev, attach, asUser]);
    const k = w.mustHost('haiku');
    const holder = await start(k, ['mkdev', 'tun/6', '1000', '-1', 'hold']);
    await w.run({ until: () => !!k.net.byName('tun/6')?.up });
    const out = (await run(w, 'haiku', ['as', '1001', '1001', 'attach', 'tun/6'])).out + (await run(w, 'haiku', ['as', '1000', '1000', 'attach', 'tun/6'])).out;
    expect(out).toBe('uid 1001 gid 1001: TUNSETIFF EPERM; open EPERM\nuid 1000 gid 1000: TUNSETIFF EBUSY; open EBUSY\n');
    expect(holder.proc.alive).toBe(true);
  });
});
