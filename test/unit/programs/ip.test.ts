// ip, as iproute2's: each listing compared whole with what iproute2 prints for the same state
// (checked against iproute2 6.1 in a network namespace: veth and tun devices, addresses, routes,
// neighbours), with this host's interface names; and the errors with iproute2's words and statuses.

import { describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import ip from '../../../userland/bin/ip/main.js';
import { routedWorld } from '../../helpers/net.js';
import { run } from '../../helpers/world.js';

const NIC = '/dev/net/ipro1000/0';

function world() {
  return routedWorld([ip]).world;
}

async function sh(w: ReturnType<typeof world>, argv: string[], opts: { uid?: number } = {}) {
  const r = await run(w, 'a', argv, opts);
  return { out: r.out, code: WEXITSTATUS(r.status) };
}

const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');

describe('ip link and ip addr', () => {
  it('list the interfaces in iproute2 layout: full, -br, -o, -4, -s', async () => {
    const w = world();
    expect(await sh(w, ['ip', 'link'])).toEqual({
      out: lines(
        '1: loop: <LOOPBACK,UP,LOWER_UP> mtu 16384 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000',
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
        `2: ${NIC}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000`,
        '    link/ether 52:54:00:00:00:0a brd ff:ff:ff:ff:ff:ff',
      ),
      code: 0,
    });
    expect(await sh(w, ['ip', 'addr', 'show', 'dev', NIC])).toEqual({
      out: lines(
        `2: ${NIC}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000`,
        '    link/ether 52:54:00:00:00:0a brd ff:ff:ff:ff:ff:ff',
        `    inet 192.168.1.10/24 brd 192.168.1.255 scope global ${NIC}`,
        '       valid_lft forever preferred_lft forever',
      ),
      code: 0,
    });
    expect((await sh(w, ['ip', '-br', 'link'])).out).toBe(
      lines('loop             UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> ', `${NIC} UP             52:54:00:00:00:0a <BROADCAST,MULTICAST,UP,LOWER_UP> `),
    );
    expect((await sh(w, ['ip', '-br', 'a'])).out).toBe(lines('loop             UNKNOWN        127.0.0.1/8 ', `${NIC} UP             192.168.1.10/24 `));
    expect((await sh(w, ['ip', '-o', 'addr'])).out).toBe(
      lines(
        '1: loop    inet 127.0.0.1/8 scope host loop\\       valid_lft forever preferred_lft forever',
        `2: ${NIC}    inet 192.168.1.10/24 brd 192.168.1.255 scope global ${NIC}\\       valid_lft forever preferred_lft forever`,
      ),
    );
    expect((await sh(w, ['ip', '-o', 'link', 'show', 'loop'])).out).toBe(
      lines('1: loop: <LOOPBACK,UP,LOWER_UP> mtu 16384 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00'),
    );
    expect((await sh(w, ['ip', '-4', 'a', 's', 'loop'])).out).toBe(
      lines(
        '1: loop: <LOOPBACK,UP,LOWER_UP> mtu 16384 qdisc noqueue state UNKNOWN group default qlen 1000',
        '    inet 127.0.0.1/8 scope host loop',
        '       valid_lft forever preferred_lft forever',
      ),
    );
    expect((await sh(w, ['ip', '-s', 'link', 'show', 'loop'])).out).toBe(
      lines(
        '1: loop: <LOOPBACK,UP,LOWER_UP> mtu 16384 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000',
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
        '    RX:  bytes packets errors dropped  missed   mcast           ',
        '             0       0      0       0       0       0 ',
        '    TX:  bytes packets errors dropped carrier collsns           ',
        '             0       0      0       0       0       0 ',
      ),
    );
  });

  it('set flags, MTU and address; add and delete addresses, a peer and a second one', async () => {
    const w = world();
    expect(await sh(w, ['ip', 'tuntap', 'add', 'dev', 'tun/5', 'mode', 'tun'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'addr', 'add', '10.8.0.2', 'peer', '10.8.0.1', 'dev', 'tun/5'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'addr', 'add', '10.9.0.1/16', 'dev', 'tun/5'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'link', 'set', 'tun/5', 'up', 'mtu', '1400'])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['ip', 'addr', 'show', 'tun/5'])).out).toBe(
      lines(
        '3: tun/5: <NO-CARRIER,POINTOPOINT,MULTICAST,NOARP,UP> mtu 1400 qdisc noqueue state DOWN group default qlen 500',
        '    link/none ',
        '    inet 10.8.0.2 peer 10.8.0.1/32 scope global tun/5',
        '       valid_lft forever preferred_lft forever',
        '    inet 10.9.0.1/16 scope global tun/5',
        '       valid_lft forever preferred_lft forever',
      ),
    );
    expect(await sh(w, ['ip', 'addr', 'del', '10.9.0.1/16', 'dev', 'tun/5'])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['ip', '-br', 'addr', 'show', 'tun/5'])).out).toBe(lines('tun/5            DOWN           10.8.0.2 peer 10.8.0.1/32 '));
    expect(await sh(w, ['ip', 'link', 'set', 'dev', NIC, 'address', '02:00:00:00:00:01', 'down'])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['ip', 'link', 'show', NIC])).out).toBe(
      lines(`2: ${NIC}: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000`, '    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff'),
    );
  });

  it('answer bad input as iproute2 does', async () => {
    const w = world();
    expect(await sh(w, ['ip', 'foo'])).toEqual({ out: 'Object "foo" is unknown, try "ip help".\n', code: 1 });
    expect(await sh(w, ['ip', 'link', 'xyz'])).toEqual({ out: 'Command "xyz" is unknown, try "ip link help".\n', code: 255 });
    expect(await sh(w, ['ip', 'link', 'set', 'nosuch', 'up'])).toEqual({ out: 'Cannot find device "nosuch"\n', code: 1 });
    expect(await sh(w, ['ip', 'link', 'show', 'nosuch'])).toEqual({ out: 'Device "nosuch" does not exist.\n', code: 1 });
    expect(await sh(w, ['ip', 'link', 'set', 'loop', 'bogus'])).toEqual({ out: 'Error: either "dev" is duplicate, or "bogus" is a garbage.\n', code: 255 });
    expect(await sh(w, ['ip', 'addr', 'add', '10.1.0.5/33', 'dev', 'loop'])).toEqual({ out: 'Error: any valid prefix is expected rather than "10.1.0.5/33".\n', code: 1 });
    expect(await sh(w, ['ip', 'addr', 'add', '192.168.1.10/24', 'dev', NIC])).toEqual({ out: 'Error: ipv4: Address already assigned.\n', code: 2 });
    expect(await sh(w, ['ip', 'addr', 'del', '10.7.7.7/24', 'dev', NIC])).toEqual({ out: 'Error: ipv4: Address not found.\n', code: 2 });
    expect(await sh(w, ['ip', 'link', 'set', 'loop', 'down'], { uid: 1000 })).toEqual({ out: 'RTNETLINK answers: Operation not allowed\n', code: 2 });
  });
});

describe('ip route and ip neigh', () => {
  it('list the main table as iproute2 does, add, replace, delete and look up routes', async () => {
    const w = world();
    expect((await sh(w, ['ip', 'route'])).out).toBe(lines(`default via 192.168.1.1 dev ${NIC} `, `192.168.1.0/24 dev ${NIC} proto kernel scope link src 192.168.1.10 `));
    expect(await sh(w, ['ip', 'route', 'add', '10.20.0.0/16', 'via', '192.168.1.1', 'metric', '5'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'route', 'add', '10.30.0.0/24', 'dev', NIC])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'route', 'replace', '10.30.0.0/24', 'via', '192.168.1.2'])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['ip', 'r'])).out).toBe(
      lines(
        `default via 192.168.1.1 dev ${NIC} `,
        `10.20.0.0/16 via 192.168.1.1 dev ${NIC} metric 5 `,
        `10.30.0.0/24 via 192.168.1.2 dev ${NIC} `,
        `192.168.1.0/24 dev ${NIC} proto kernel scope link src 192.168.1.10 `,
      ),
    );
    expect((await sh(w, ['ip', 'route', 'get', '10.20.1.1'])).out).toBe(lines(`10.20.1.1 via 192.168.1.1 dev ${NIC} src 192.168.1.10 uid 0 `, '    cache '));
    expect((await sh(w, ['ip', 'route', 'get', '192.168.1.77'])).out).toBe(lines(`192.168.1.77 dev ${NIC} src 192.168.1.10 uid 0 `, '    cache '));
    expect((await sh(w, ['ip', 'route', 'get', '192.168.1.10'])).out).toBe(lines('local 192.168.1.10 dev loop src 192.168.1.10 uid 0 ', '    cache <local> '));
    expect(await sh(w, ['ip', 'route', 'del', '10.20.0.0/16'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'route', 'del', '10.20.0.0/16'])).toEqual({ out: 'RTNETLINK answers: No such process\n', code: 2 });
    expect(await sh(w, ['ip', 'route', 'add', '10.99.0.0/16', 'via', '172.16.0.1'])).toEqual({ out: 'Error: Nexthop has invalid gateway.\n', code: 2 });
    expect(await sh(w, ['ip', 'route', 'get', '300.1.1.1'])).toEqual({ out: 'Error: any valid prefix is expected rather than "300.1.1.1".\n', code: 1 });
  });

  it('shows, adds, deletes and flushes neighbours', async () => {
    const w = world();
    expect(await sh(w, ['ip', 'neigh', 'add', '192.168.1.7', 'lladdr', '00:11:22:33:44:55', 'dev', NIC])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'neigh'])).toEqual({ out: `192.168.1.7 dev ${NIC} lladdr 00:11:22:33:44:55 PERMANENT \n`, code: 0 });
    expect(await sh(w, ['ip', 'neigh', 'del', '192.168.1.7', 'dev', NIC])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'neigh', 'del', '192.168.1.7', 'dev', NIC])).toEqual({ out: 'RTNETLINK answers: No such file or directory\n', code: 2 });
    expect(await sh(w, ['ip', 'n'])).toEqual({ out: '', code: 0 });
  });
});

describe('ip tuntap', () => {
  it('adds persistent devices with owner and group, lists them, deletes them', async () => {
    const w = world();
    expect(await sh(w, ['ip', 'tuntap', 'add', 'dev', 'tun/5', 'mode', 'tun', 'user', '1000', 'group', '100'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'tuntap', 'add', 'mode', 'tap', 'multi_queue'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'tuntap', 'add', 'mode', 'tap', 'pi'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'tuntap', 'list'])).toEqual({ out: lines('tun/5: tun persist user 1000 group 100', 'tap/0: tap multi_queue persist', 'tap/1: tap pi persist'), code: 0 });
    expect(await sh(w, ['ip', 'tuntap', 'del', 'dev', 'tap/0', 'mode', 'tap', 'multi_queue'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'tuntap', 'show'])).toEqual({ out: lines('tun/5: tun persist user 1000 group 100', 'tap/1: tap pi persist'), code: 0 });
    expect(await sh(w, ['ip', 'tuntap', 'add', 'dev', 'tun/5', 'mode', 'tun'])).toEqual({ out: 'ioctl(TUNSETIFF): Device/File/Resource busy\n', code: 1 });
    expect(await sh(w, ['ip', 'tuntap', 'add', 'dev', 'x', 'mode', 'foo'])).toEqual({ out: 'Unknown tunnel mode "foo"\n', code: 255 });
    expect(await sh(w, ['ip', 'tuntap', 'add', 'dev', 'tun/6'])).toEqual({ out: 'You failed to specify a tunnel mode\n', code: 255 });
  });
});
