// The TUN/TAP ioctls on an attached fd: what each returns and the errno of each misuse
// (reference/tun-semantics.md §1, §2 errno table, §5.4, §5.5, §5.12).

import { describe, expect, it } from 'vitest';
import { ARPHRD_ETHER, ARPHRD_NONE, IFF_LOWER_UP, IFF_RUNNING, IFF_UP, type Ifreq } from '../../../kernel/abi/if.js';
import {
  FIONREAD,
  IFF_NO_CARRIER,
  IFF_NO_PI,
  IFF_TAP,
  IFF_TUN,
  type IntRef,
  SIOCGIFHWADDR,
  SIOCGIFINDEX,
  SIOCSIFHWADDR,
  TCGETS,
  TUN_F_CSUM,
  TUN_F_TSO4,
  TUN_F_TSO6,
  TUN_F_USO4,
  TUN_F_USO6,
  TUNGETFEATURES,
  TUNGETIFF,
  TUNGETSNDBUF,
  TUNGETVNETHDRSZ,
  TUNSETCARRIER,
  TUNSETDEBUG,
  TUNSETGROUP,
  TUNSETIFF,
  TUNSETIFINDEX,
  TUNSETLINK,
  TUNSETNOCSUM,
  TUNSETOFFLOAD,
  TUNSETOWNER,
  TUNSETPERSIST,
  TUNSETQUEUE,
  TUNSETSNDBUF,
  TUNSETTXFILTER,
  TUNSETVNETHDRSZ,
} from '../../../kernel/abi/ioctl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, SOCK_DGRAM } from '../../../kernel/abi/socket.js';
import { print } from '../../../userland/lib/io.js';
import { getFlags, ifdown, ifup, openClone, report, tunAlloc } from '../../helpers/tun.js';
import { run, testWorld } from '../../helpers/world.js';

const mac = (b: Uint8Array | undefined) => [...(b ?? [])].map((x) => x.toString(16).padStart(2, '0')).join(':');

describe('request numbers and flags (§1)', () => {
  it('are Linux\'s asm-generic values', () => {
    const values = { TUNSETNOCSUM, TUNSETIFF, TUNSETPERSIST, TUNSETOWNER, TUNSETLINK, TUNSETGROUP, TUNGETFEATURES, TUNSETOFFLOAD, TUNSETTXFILTER, TUNGETIFF, TUNGETSNDBUF, TUNSETSNDBUF, TUNGETVNETHDRSZ, TUNSETVNETHDRSZ, TUNSETQUEUE, TUNSETCARRIER, TUNSETDEBUG, TUNSETIFINDEX };
    expect(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, `0x${v.toString(16)}`]))).toEqual({
      TUNSETNOCSUM: '0x400454c8', TUNSETIFF: '0x400454ca', TUNSETPERSIST: '0x400454cb', TUNSETOWNER: '0x400454cc', TUNSETLINK: '0x400454cd',
      TUNSETGROUP: '0x400454ce', TUNGETFEATURES: '0x800454cf', TUNSETOFFLOAD: '0x400454d0', TUNSETTXFILTER: '0x400454d1', TUNGETIFF: '0x800454d2',
      TUNGETSNDBUF: '0x800454d3', TUNSETSNDBUF: '0x400454d4', TUNGETVNETHDRSZ: '0x800454d7', TUNSETVNETHDRSZ: '0x400454d8', TUNSETQUEUE: '0x400454d9',
      TUNSETCARRIER: '0x400454e2', TUNSETDEBUG: '0x400454c9', TUNSETIFINDEX: '0x400454da',
    });
    expect([IFF_TUN, IFF_TAP, IFF_NO_CARRIER, IFF_NO_PI, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6]).toEqual([0x1, 0x2, 0x40, 0x1000, 0x67]);
  });
});

describe('ioctl errnos on an attached fd', () => {
  it('follows the errno table row by row', async () => {
    const prog = defineProgram({
      name: 'ioctls',
      summary: '',
      async main(_a, sys) {
        const { fd, name } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        const int = (value: number): IntRef => ({ value });
        // Unknown requests are EINVAL, not ENOTTY; FIONREAD and TCGETS too (§5.4).
        await report(sys, 'unknown', sys.ioctl(fd, 0x400454ff, 0));
        await report(sys, 'FIONREAD', sys.ioctl(fd, FIONREAD, int(0)));
        await report(sys, 'TCGETS', sys.ioctl(fd, TCGETS, {}));
        // Bad user pointers.
        await report(sys, 'TUNGETIFF(42)', sys.ioctl(fd, TUNGETIFF, 42));
        await report(sys, 'TUNGETFEATURES(null)', sys.ioctl(fd, TUNGETFEATURES, null));
        await report(sys, 'TUNSETSNDBUF(7)', sys.ioctl(fd, TUNSETSNDBUF, 7));
        await report(sys, 'TUNSETIFF(null) on a fresh fd', sys.ioctl(await openClone(sys), TUNSETIFF, null));
        // Offloads: the known TUN_F_* bits only.
        await report(sys, 'TUNSETOFFLOAD(CSUM|TSO4|TSO6)', sys.ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6));
        await report(sys, 'TUNSETOFFLOAD(+USO4|USO6)', sys.ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6));
        await report(sys, 'TUNSETOFFLOAD(0x80)', sys.ioctl(fd, TUNSETOFFLOAD, 0x80));
        // Send buffer.
        const sb = int(0);
        await sys.ioctl(fd, TUNGETSNDBUF, sb);
        await print(sys, `sndbuf ${sb.value}\n`);
        await report(sys, 'TUNSETSNDBUF(0)', sys.ioctl(fd, TUNSETSNDBUF, int(0)));
        await report(sys, 'TUNSETSNDBUF(-1)', sys.ioctl(fd, TUNSETSNDBUF, int(-1)));
        await report(sys, 'TUNSETSNDBUF(65536)', sys.ioctl(fd, TUNSETSNDBUF, int(65536)));
        await sys.ioctl(fd, TUNGETSNDBUF, sb);
        await print(sys, `sndbuf ${sb.value}\n`);
        // virtio-net header size.
        const vh = int(0);
        await sys.ioctl(fd, TUNGETVNETHDRSZ, vh);
        await print(sys, `vnethdrsz ${vh.value}\n`);
        await report(sys, 'TUNSETVNETHDRSZ(9)', sys.ioctl(fd, TUNSETVNETHDRSZ, int(9)));
        await report(sys, 'TUNSETVNETHDRSZ(12)', sys.ioctl(fd, TUNSETVNETHDRSZ, int(12)));
        await sys.ioctl(fd, TUNGETVNETHDRSZ, vh);
        await print(sys, `vnethdrsz ${vh.value}\n`);
        // Owner and group: (uid_t)-1 is the one invalid id.
        await report(sys, 'TUNSETOWNER(-1)', sys.ioctl(fd, TUNSETOWNER, -1));
        await report(sys, 'TUNSETOWNER(0xffffffff)', sys.ioctl(fd, TUNSETOWNER, 0xffff_ffff));
        await report(sys, 'TUNSETGROUP(-1)', sys.ioctl(fd, TUNSETGROUP, -1));
        await report(sys, 'TUNSETOWNER(0)', sys.ioctl(fd, TUNSETOWNER, 0));
        await report(sys, 'TUNSETGROUP(0)', sys.ioctl(fd, TUNSETGROUP, 0));
        // No-ops, and requests that only make sense elsewhere.
        await report(sys, 'TUNSETNOCSUM', sys.ioctl(fd, TUNSETNOCSUM, 1));
        await report(sys, 'TUNSETDEBUG', sys.ioctl(fd, TUNSETDEBUG, 1));
        await report(sys, 'TUNSETTXFILTER on a TUN', sys.ioctl(fd, TUNSETTXFILTER, { flags: 0, addrs: [] }));
        // TUNATTACHFILTER / TUNDETACHFILTER / TUNGETFILTER (LP64 values)
        for (const req of [0x401054d5, 0x401054d6, 0x801054db]) await report(sys, `0x${req.toString(16)} on a TUN`, sys.ioctl(fd, req, {}));
        await report(sys, 'TUNSETIFINDEX after attach', sys.ioctl(fd, TUNSETIFINDEX, 9));
        await report(sys, 'TUNSETQUEUE(0)', sys.ioctl(fd, TUNSETQUEUE, { ifr_name: '', ifr_flags: 0 }));
        await report(sys, 'TUNSETQUEUE(DETACH) single-queue', sys.ioctl(fd, TUNSETQUEUE, { ifr_name: '', ifr_flags: 0x400 }));
        // TUNSETLINK only while down.
        await report(sys, 'TUNSETLINK(ETHER) down', sys.ioctl(fd, TUNSETLINK, ARPHRD_ETHER));
        const hw: Ifreq = { ifr_name: name };
        await sys.ioctl(fd, SIOCGIFHWADDR, hw);
        await print(sys, `link type ${hw.ifr_hwaddr!.sa_family}\n`);
        await sys.ioctl(fd, TUNSETLINK, ARPHRD_NONE);
        await ifup(sys, name, '10.8.0.1', { peer: '10.8.0.2' });
        await report(sys, 'TUNSETLINK(ETHER) up', sys.ioctl(fd, TUNSETLINK, ARPHRD_ETHER));
        await ifdown(sys, name);
        await report(sys, 'TUNSETLINK(ETHER) down again', sys.ioctl(fd, TUNSETLINK, ARPHRD_ETHER));
      },
    });
    const r = await run(testWorld([prog]), 'haiku', ['ioctls']);
    expect(r.out).toBe(
      [
        'unknown: EINVAL',
        'FIONREAD: EINVAL',
        'TCGETS: EINVAL',
        'TUNGETIFF(42): EFAULT',
        'TUNGETFEATURES(null): EFAULT',
        'TUNSETSNDBUF(7): EFAULT',
        'TUNSETIFF(null) on a fresh fd: EFAULT',
        'TUNSETOFFLOAD(CSUM|TSO4|TSO6): 0',
        'TUNSETOFFLOAD(+USO4|USO6): 0',
        'TUNSETOFFLOAD(0x80): EINVAL',
        'sndbuf 2147483647',
        'TUNSETSNDBUF(0): EINVAL',
        'TUNSETSNDBUF(-1): EINVAL',
        'TUNSETSNDBUF(65536): 0',
        'sndbuf 65536',
        'vnethdrsz 10',
        'TUNSETVNETHDRSZ(9): EINVAL',
        'TUNSETVNETHDRSZ(12): 0',
        'vnethdrsz 12',
        'TUNSETOWNER(-1): EINVAL',
        'TUNSETOWNER(0xffffffff): EINVAL',
        'TUNSETGROUP(-1): EINVAL',
        'TUNSETOWNER(0): 0',
        'TUNSETGROUP(0): 0',
        'TUNSETNOCSUM: 0',
        'TUNSETDEBUG: 0',
        'TUNSETTXFILTER on a TUN: EINVAL',
        '0x401054d5 on a TUN: EINVAL',
        '0x401054d6 on a TUN: EINVAL',
        '0x801054db on a TUN: EINVAL',
        'TUNSETIFINDEX after attach: EPERM',
        'TUNSETQUEUE(0): EINVAL',
        'TUNSETQUEUE(DETACH) single-queue: EINVAL',
        'TUNSETLINK(ETHER) down: 0',
        `link type ${ARPHRD_ETHER}`,
        'TUNSETLINK(ETHER) up: EBUSY',
        'TUNSETLINK(ETHER) down again: 0',
        '',
      ].join('\n'),
    );
  });

  it('TUNSETIFINDEX before TUNSETIFF picks the new interface index', async () => {
    const prog = defineProgram({
      name: 'index',
      summary: '',
      async main(_a, sys) {
        const fd = await openClone(sys);
        await sys.ioctl(fd, TUNSETIFINDEX, 42);
        const ifr: Ifreq = { ifr_name: '', ifr_flags: IFF_TUN };
        await sys.ioctl(fd, TUNSETIFF, ifr);
        const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        const q: Ifreq = { ifr_name: ifr.ifr_name };
        await sys.ioctl(s, SIOCGIFINDEX, q);
        await print(sys, `${ifr.ifr_name} index ${q.ifr_ifindex}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['index'])).out).toBe('tun/0 index 42\n');
  });
});

describe('hardware address on the fd (§5.5)', () => {
  it('SIOCSIFHWADDR: EOPNOTSUPP on a TUN; on a TAP multicast is EADDRNOTAVAIL, a wrong family EINVAL, a unicast MAC is taken', async () => {
    const prog = defineProgram({
      name: 'hw',
      summary: '',
      async main(_a, sys) {
        const tun = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        const tap = await tunAlloc(sys, '', IFF_TAP | IFF_NO_PI);
        const set = (fd: number, family: number, bytes: number[]) =>
          sys.ioctl(fd, SIOCSIFHWADDR, { ifr_name: '', ifr_hwaddr: { sa_family: family, sa_data: new Uint8Array(bytes) } });
        const unicast = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
        await report(sys, 'tun set', set(tun.fd, ARPHRD_ETHER, unicast));
        const get: Ifreq = { ifr_name: '' };
        await sys.ioctl(tun.fd, SIOCGIFHWADDR, get);
        await print(sys, `tun get family ${get.ifr_hwaddr!.sa_family} ${mac(get.ifr_hwaddr!.sa_data)}\n`);
        await report(sys, 'tap set multicast', set(tap.fd, ARPHRD_ETHER, [0x01, 0, 0x5e, 0, 0, 1]));
        await report(sys, 'tap set wrong family', set(tap.fd, ARPHRD_NONE, unicast));
        await report(sys, 'tap set unicast', set(tap.fd, ARPHRD_ETHER, unicast));
        await sys.ioctl(tap.fd, SIOCGIFHWADDR, get);
        await print(sys, `tap get family ${get.ifr_hwaddr!.sa_family} ${mac(get.ifr_hwaddr!.sa_data)}\n`);
        // The interface itself now has that address, as `ifconfig` would show it.
        const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        const q: Ifreq = { ifr_name: tap.name };
        await sys.ioctl(s, SIOCGIFHWADDR, q);
        await print(sys, `${tap.name} ${mac(q.ifr_hwaddr!.sa_data)}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['hw'])).out).toBe(
      [
        'tun set: EOPNOTSUPP',
        `tun get family ${ARPHRD_NONE} 00:00:00:00:00:00`,
        'tap set multicast: EADDRNOTAVAIL',
        'tap set wrong family: EINVAL',
        'tap set unicast: 0',
        `tap get family ${ARPHRD_ETHER} 02:11:22:33:44:55`,
        'tap/0 02:11:22:33:44:55',
        '',
      ].join('\n'),
    );
  });

  it('a TAP gets a random locally administered unicast MAC', async () => {
    const prog = defineProgram({
      name: 'tapmac',
      summary: '',
      async main(_a, sys) {
        const tap = await tunAlloc(sys, '', IFF_TAP);
        const get: Ifreq = { ifr_name: '' };
        await sys.ioctl(tap.fd, SIOCGIFHWADDR, get);
        await print(sys, `${get.ifr_hwaddr!.sa_data[0]! & 3}\n`);
      },
    });
    // bit 1 (locally administered) set, bit 0 (multicast) clear
    expect((await run(testWorld([prog]), 'haiku', ['tapmac'])).out).toBe('2\n');
  });
});

describe('carrier and oper state (§2 flags, §5.12)', () => {
  it('RUNNING and LOWER_UP need admin-UP and the carrier; TUNSETCARRIER and IFF_NO_CARRIER apply at once', async () => {
    const prog = defineProgram({
      name: 'carrier',
      summary: '',
      async main(_a, sys) {
        const show = async (label: string, name: string) => {
          const f = await getFlags(sys, name);
          const names = [[IFF_UP, 'UP'], [IFF_RUNNING, 'RUNNING'], [IFF_LOWER_UP, 'LOWER_UP']].filter(([b]) => f & (b as number)).map(([, n]) => n);
          await print(sys, `${label}: ${names.join(' ') || '-'}\n`);
        };
        const { fd, name } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        await show('created', name);
        await ifup(sys, name, '10.8.0.1', { peer: '10.8.0.2' });
        await show('up', name);
        await sys.ioctl(fd, TUNSETCARRIER, { value: 0 });
        await show('carrier 0', name);
        await sys.ioctl(fd, TUNSETCARRIER, { value: 1 });
        await show('carrier 1', name);
        const nc = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI | IFF_NO_CARRIER);
        await ifup(sys, nc.name, '10.9.0.1', { peer: '10.9.0.2' });
        await show('NO_CARRIER up', nc.name);
        await sys.ioctl(nc.fd, TUNSETCARRIER, { value: 1 });
        await show('NO_CARRIER then carrier 1', nc.name);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['carrier'])).out).toBe(
      [
        'created: -',
        'up: UP RUNNING LOWER_UP',
        'carrier 0: UP',
        'carrier 1: UP RUNNING LOWER_UP',
        'NO_CARRIER up: UP',
        'NO_CARRIER then carrier 1: UP RUNNING LOWER_UP',
        '',
      ].join('\n'),
    );
  });
});
