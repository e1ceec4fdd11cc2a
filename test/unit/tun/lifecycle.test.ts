// The life of an interface: open allocates nothing, TUNSETIFF registers it admin-down with the
// carrier on, the last close takes the carrier, the queue and (unless persistent) the interface with
// its addresses and routes; a persistent one stays, NO-CARRIER, and TUNSETIFF re-attaches to it
// taking its framing from the new call (reference/tun-semantics.md §2 Lifecycle, Flags and oper state).

import { describe, expect, it } from 'vitest';
import { O_NONBLOCK } from '../../../kernel/abi/fcntl.js';
import { IFF_BROADCAST, IFF_MULTICAST, IFF_NOARP, IFF_POINTOPOINT, IFF_RUNNING, IFF_UP, type Ifreq } from '../../../kernel/abi/if.js';
import {
  IFF_NO_PI,
  IFF_PERSIST,
  IFF_TAP,
  IFF_TUN,
  SIOCGIFFLAGS,
  SIOCGIFMTU,
  SIOCGIFTXQLEN,
  SIOCSIFMTU,
  TUNGETIFF,
  TUNSETIFF,
  TUNSETPERSIST,
} from '../../../kernel/abi/ioctl.js';
import { AF_INET, SOCK_DGRAM } from '../../../kernel/abi/socket.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { print } from '../../../userland/lib/io.js';
import {
  describeIp,
  echoRequest,
  exists,
  getFlags,
  ifup,
  interfaceNames,
  openClone,
  outcome,
  report,
  routesVia,
  statsLine,
  tunAlloc,
  udpBurst,
} from '../../helpers/tun.js';
import { run, start, testWorld } from '../../helpers/world.js';

async function state(sys: Sys, label: string, name: string, node = `/dev/${name}`): Promise<void> {
  const dev = `${node} ${(await exists(sys, node)) ? 'present' : 'absent'}`;
  if (!(await interfaceNames(sys)).includes(name)) {
    await print(sys, `${label}: no ${name}, ${dev}, routes [${(await routesVia(sys, name)).join(' ')}]\n`);
    return;
  }
  const f = await getFlags(sys, name);
  const flags = `${f & IFF_UP ? 'UP' : 'DOWN'}${f & IFF_UP && !(f & IFF_RUNNING) ? ' NO-CARRIER' : ''}${f & IFF_RUNNING ? ' RUNNING' : ''}`;
  await print(sys, `${label}: ${name} ${flags}, ${dev}, routes [${(await routesVia(sys, name)).join(' ')}]\n`);
}

describe('creation and the last close', () => {
  it('TUNSETIFF registers the interface admin-down with the carrier on; the last close of a non-persistent one removes it, its addresses and routes', async () => {
    const prog = defineProgram({
      name: 'life',
      summary: '',
      async main(_a, sys) {
        const { fd, name } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        await state(sys, 'created', name);
        await ifup(sys, name, '10.8.0.1', { peer: '10.8.0.2', netmask: '255.255.255.0' });
        await state(sys, 'configured', name);
        const copy = await sys.dup(fd);
        await sys.close(fd);
        await state(sys, 'one of two fds closed', name);
        await sys.close(copy);
        await state(sys, 'last fd closed', name);
        await report(sys, 'sendto the old peer', udpBurst(sys, '10.8.0.2', 9, 1));
      },
    });
    const w = testWorld([prog]);
    const k = w.mustHost('haiku');
    let carrier: boolean | undefined;
    w.events.on('syscall', (e) => {
      if (e.name === 'ioctl' && e.args[1] === TUNSETIFF) carrier = k.net.byName('tun/0')?.device.carrier;
    });
    expect((await run(w, 'haiku', ['life'])).out).toBe(
      [
        'created: tun/0 DOWN, /dev/tun/0 present, routes []',
        'configured: tun/0 UP RUNNING, /dev/tun/0 present, routes [10.8.0.1/255.255.255.255 10.8.0.2/255.255.255.255 10.8.0.0/255.255.255.0]',
        'one of two fds closed: tun/0 UP RUNNING, /dev/tun/0 present, routes [10.8.0.1/255.255.255.255 10.8.0.2/255.255.255.255 10.8.0.0/255.255.255.0]',
        'last fd closed: no tun/0, /dev/tun/0 absent, routes []',
        'sendto the old peer: ENETUNREACH',
        '',
      ].join('\n'),
    );
    expect(carrier).toBe(true);
  });

  it('a process that dies holding the only fd takes a non-persistent interface with it', async () => {
    const holder = defineProgram({
      name: 'holder',
      summary: '',
      async main(_a, sys) {
        await tunAlloc(sys, '', IFF_TAP);
        await sys.nanosleep(10e9);
        throw new Error('gone');
      },
    });
    const w = testWorld([holder]);
    const k = w.mustHost('haiku');
    const h = await start(k, ['holder']);
    await w.run({ timeLimitNs: 5e9 });
    expect([...k.net.interfaces.keys()]).toEqual(['loop', 'tap/0']);
    await w.run({ until: () => !h.proc.alive });
    expect([...k.net.interfaces.keys()]).toEqual(['loop']);
    expect(k.devfs.isPublished('tap/0')).toBe(false);
  });
});

describe('device defaults (§1 "Device defaults", §5.1)', () => {
  it('TUN: point-to-point, no ARP, MTU 1500, queue 500; TAP: broadcast, queue 1000; MTU range 68 .. 65535 - link header', async () => {
    const prog = defineProgram({
      name: 'defaults',
      summary: '',
      async main(_a, sys) {
        const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        const names: Array<[number, string]> = [[IFF_BROADCAST, 'BROADCAST'], [IFF_POINTOPOINT, 'POINTOPOINT'], [IFF_NOARP, 'NOARP'], [IFF_MULTICAST, 'MULTICAST']];
        for (const flags of [IFF_TUN, IFF_TAP]) {
          const { name } = await tunAlloc(sys, '', flags);
          const r: Ifreq = { ifr_name: name };
          await sys.ioctl(s, SIOCGIFFLAGS, r);
          await sys.ioctl(s, SIOCGIFMTU, r);
          await sys.ioctl(s, SIOCGIFTXQLEN, r);
          const f = names.filter(([b]) => r.ifr_flags! & b).map(([, n]) => n).join('|');
          await print(sys, `${name}: ${f} mtu ${r.ifr_mtu} txqueuelen ${r.ifr_qlen}; mtu`);
          for (const mtu of [67, 68, 65521, 65522, 65535, 65536]) await print(sys, ` ${mtu}:${await outcome(sys.ioctl(s, SIOCSIFMTU, { ifr_name: name, ifr_mtu: mtu }))}`);
          await print(sys, '\n');
        }
        const st = await sys.stat('/dev/misc/tun');
        await print(sys, `/dev/misc/tun ${st.st_rdev >> 8}:${st.st_rdev & 0xff}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['defaults'])).out).toBe(
      [
        'tun/0: POINTOPOINT|NOARP|MULTICAST mtu 1500 txqueuelen 500; mtu 67:EINVAL 68:0 65521:0 65522:0 65535:0 65536:EINVAL',
        'tap/0: BROADCAST|MULTICAST mtu 1500 txqueuelen 1000; mtu 67:EINVAL 68:0 65521:0 65522:EINVAL 65535:EINVAL 65536:EINVAL',
        '/dev/misc/tun 10:200',
        '',
      ].join('\n'),
    );
  });
});

describe('persistence (TUNSETPERSIST)', () => {
  it('keeps the interface after the last close, NO-CARRIER, with its routes; TUNSETIFF re-attaches and takes NO_PI from the new call', async () => {
    const prog = defineProgram({
      name: 'persist',
      summary: '',
      async main(_a, sys) {
        const first = await tunAlloc(sys, 'vpn0', IFF_TUN | IFF_NO_PI);
        await sys.ioctl(first.fd, TUNSETPERSIST, 1);
        const ifr: Ifreq = { ifr_name: '' };
        await sys.ioctl(first.fd, TUNGETIFF, ifr);
        await print(sys, `TUNGETIFF persist: ${((ifr.ifr_flags ?? 0) & IFF_PERSIST) !== 0}\n`);
        await ifup(sys, 'vpn0', '10.8.0.1', { peer: '10.8.0.2' });
        await udpBurst(sys, '10.8.0.2', 9, 3); // queued, never read: purged by the close
        await sys.close(first.fd);
        await state(sys, 'closed', 'vpn0', '/dev/tun/vpn0');
        await udpBurst(sys, '10.8.0.2', 9, 2); // no fd: dropped
        // Re-attach, with packet info this time.
        const fd = await openClone(sys, O_NONBLOCK);
        await report(sys, 'TUNSETIFF vpn0 again', sys.ioctl(fd, TUNSETIFF, { ifr_name: 'vpn0', ifr_flags: IFF_TUN }));
        await state(sys, 're-attached', 'vpn0', '/dev/tun/vpn0');
        await report(sys, 'read (old packets purged)', sys.read(fd, 1500));
        await sys.write(fd, new Uint8Array([0, 0, 8, 0, ...echoRequest('10.8.0.2', '10.8.0.1', 5, 1)]));
        const reply = await sys.read(fd, 1500);
        await print(sys, `read ${reply.length}: pi ${Buffer.from(reply.subarray(0, 4)).toString('hex')} ${describeIp(reply.subarray(4))}\n`);
        await print(sys, `${await statsLine(sys, 'vpn0')}\n`);
        await report(sys, 'TUNSETIFF as a TAP', sys.ioctl(await openClone(sys), TUNSETIFF, { ifr_name: 'vpn0', ifr_flags: IFF_TAP }));
        // No longer persistent: the next last close removes it.
        await sys.ioctl(fd, TUNSETPERSIST, 0);
        await sys.close(fd);
        await state(sys, 'not persistent, closed', 'vpn0', '/dev/tun/vpn0');
        await print(sys, `TUNSETIFF vpn0 now creates: ${await outcome(sys.ioctl(await openClone(sys), TUNSETIFF, { ifr_name: 'vpn0', ifr_flags: IFF_TUN }))}\n`);
      },
    });
    expect((await run(testWorld([prog]), 'haiku', ['persist'])).out).toBe(
      [
        'TUNGETIFF persist: true',
        'closed: vpn0 UP NO-CARRIER, /dev/tun/vpn0 present, routes [10.8.0.1/255.255.255.255 10.8.0.2/255.255.255.255]',
        'TUNSETIFF vpn0 again: 0',
        're-attached: vpn0 UP RUNNING, /dev/tun/vpn0 present, routes [10.8.0.1/255.255.255.255 10.8.0.2/255.255.255.255]',
        'read (old packets purged): EAGAIN',
        'read 88: pi 00000800 10.8.0.1>10.8.0.2 icmp echo-reply seq=1',
        'rx 1/84 drop 0 | tx 1/84 drop 2',
        'TUNSETIFF as a TAP: EINVAL',
        'not persistent, closed: no vpn0, /dev/tun/vpn0 absent, routes []',
        'TUNSETIFF vpn0 now creates: 0',
        '',
      ].join('\n'),
    );
  });
});
