// Haiku's route semantics, through ifconfig, route, ping and the route ioctls: the routes an address
// brings and takes away, default, gateway, host and reject routes, metrics, longest-prefix match, and
// who may change the table.
//
// The world: h on a LAN with two routers, gw1 (192.168.1.1) and gw2 (192.168.1.2), both forwarding to
// a WAN where far (10.0.0.2) lives; h has a second NIC on its own segment with no address.

import { describe, expect, it } from 'vitest';
import { isSysError } from '../../../kernel/abi/errno.js';
import { SIOCADDRT, SIOCGRTTABLE } from '../../../kernel/abi/ioctl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import type { Rtentry } from '../../../kernel/abi/route.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import ifconfig from '../../../userland/bin/ifconfig.js';
import netstat from '../../../userland/bin/netstat.js';
import ping from '../../../userland/bin/ping.js';
import route from '../../../userland/bin/route.js';
import { routedWorld } from '../../helpers/net.js';
import { run } from '../../helpers/world.js';

const NIC0 = '/dev/net/ipro1000/0';
const NIC1 = '/dev/net/ipro1000/1';
const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');
const HEAD = lines('IPv4 routing table:', '    Destination         Netmask         Gateway Flags  Interface');

/**
 * Test helper: the route ioctls as a C program would use them.
 *   rt add DEST MASK GW METRIC   SIOCADDRT on the first NIC; prints "ok" or the errno name
 *   rt list                      SIOCGRTTABLE: "dest/mask gw metric" per route of the first NIC
 */
const rt = defineProgram({
  name: 'rt',
  summary: 'route ioctls',
  async main(argv, sys) {
    const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    if (argv[1] === 'add') {
      const [, , dest, mask, gw, metric] = argv as [string, string, string, string, string, string];
      const entry: Rtentry = {
        rt_dst: sockaddrIn(dest),
        rt_genmask: sockaddrIn(mask),
        ...(gw !== '-' ? { rt_gateway: sockaddrIn(gw) } : {}),
        rt_flags: 0,
        rt_metric: Number(metric),
        rt_dev: NIC0,
      };
      try {
        await sys.ioctl(fd, SIOCADDRT, entry);
        await sys.write(1, 'ok\n');
      } catch (e) {
        if (!isSysError(e)) throw e;
        await sys.write(1, `${e.errno}\n`);
      }
      return 0;
    }
    const table: { routes: Rtentry[] } = { routes: [] };
    await sys.ioctl(fd, SIOCGRTTABLE, table);
    const rows = table.routes
      .filter((r) => r.rt_dev === NIC0)
      .map((r) => `${r.rt_dst.sin_addr}/${r.rt_genmask.sin_addr} ${r.rt_gateway?.sin_addr ?? '-'} ${r.rt_metric}\n`);
    await sys.write(1, rows.join(''));
    return 0;
  },
});

const nic = (segment: string, address: string | null, mac: string) => ({ segment, mac, ...(address !== null ? { address } : {}) });

function spec(hRoutes: object[] = [{ to: 'default', via: '192.168.1.1' }]) {
  return {
    segments: { lan: { delay: '0.5ms' }, wan: { delay: '5ms' }, lab: {} },
    hosts: {
      h: { nics: [nic('lan', '192.168.1.10/24', '52:54:00:00:00:10'), nic('lab', null, '52:54:00:00:00:11')], routes: hRoutes },
      gw1: { forwarding: true, nics: [nic('lan', '192.168.1.1/24', '52:54:00:00:01:01'), nic('wan', '10.0.0.1/24', '52:54:00:00:01:02')] },
      gw2: { forwarding: true, nics: [nic('lan', '192.168.1.2/24', '52:54:00:00:02:01'), nic('wan', '10.0.0.254/24', '52:54:00:00:02:02')] },
      far: { nics: [nic('wan', '10.0.0.2/24', '52:54:00:00:03:01')], routes: [{ to: 'default', via: '10.0.0.1' }] },
    },
  };
}

function world(hRoutes?: object[]) {
  return routedWorld([ifconfig, ping, route, rt, netstat], spec(hRoutes)).world;
}

type W = ReturnType<typeof world>;

async function sh(w: W, argv: string[], opts: { uid?: number } = {}) {
  const r = await run(w, 'h', argv, opts);
  return { out: r.out, code: WEXITSTATUS(r.status) };
}

/** Which router forwarded how many packets. */
function forwarded(w: W) {
  return { gw1: w.mustHost('gw1').net.ip.ForwDatagrams, gw2: w.mustHost('gw2').net.ip.ForwDatagrams };
}

/** One ping; its first reply line or its error. */
async function pingOnce(w: W, dst: string): Promise<string> {
  const out = (await sh(w, ['ping', '-c', '1', '-W', '500', dst])).out.split('\n');
  return out[1]!;
}

describe('an interface address', () => {
  it('brings a network route and a local host route (Haiku AddDefaultRoutes)', async () => {
    const w = world();
    expect(await sh(w, ['route', 'list', NIC1])).toEqual({ out: HEAD, code: 0 });
    // ifconfig sets the address (with its classful mask, 255.255.0.0 here) and then the netmask.
    expect(await sh(w, ['ifconfig', NIC1, '172.16.5.9', '255.255.255.0', 'up'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['route', 'list', NIC1])).toEqual({
      out: HEAD + lines('     172.16.5.9               -               - --HL-- /dev/net/ipro1000/1', '     172.16.5.0   255.255.255.0               - ------ /dev/net/ipro1000/1'),
      code: 0,
    });
    // The host route is local: this host's own address is reached through the loopback.
    const before = w.mustHost('h').net.byName(NIC1)!.counters.txPackets;
    expect(await pingOnce(w, '172.16.5.9')).toBe('64 bytes from 172.16.5.9: icmp_seq=0 ttl=64 time=0.000 ms');
    expect(w.mustHost('h').net.byName(NIC1)!.counters.txPackets).toBe(before);
    expect(await sh(w, ['route', 'get', '172.16.5.77'])).toEqual({ out: '172.16.5.0 mask 255.255.255.0 source 172.16.5.9\n', code: 0 });
  });

  it('moves its network route with a new netmask', async () => {
    const w = world();
    await sh(w, ['ifconfig', NIC1, '172.16.5.9', '255.255.255.0', 'up']);
    expect(await sh(w, ['ifconfig', NIC1, 'netmask', '255.255.0.0'])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['route', 'list', NIC1])).out).toBe(
      HEAD + lines('     172.16.5.9               -               - --HL-- /dev/net/ipro1000/1', '     172.16.0.0     255.255.0.0               - ------ /dev/net/ipro1000/1'),
    );
  });

  it('takes its routes away when deleted', async () => {
    const w = world();
    await sh(w, ['ifconfig', NIC1, '172.16.5.9', '255.255.255.0', 'up']);
    expect(await sh(w, ['ifconfig', '--delete', NIC1, '172.16.5.9'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['route', 'list', NIC1])).toEqual({ out: HEAD, code: 0 });
    // The network is now reached like any other: by the default route.
    expect(await sh(w, ['route', 'get', '172.16.5.77'])).toEqual({ out: '0.0.0.0 mask 0.0.0.0 gateway 192.168.1.1 source 192.168.1.10\n', code: 0 });
  });

  it('takes the routes through its interface when it was the last one, as Haiku and Linux do', async () => {
    const w = world();
    expect(await sh(w, ['ifconfig', '--delete', NIC0, '192.168.1.10'])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['route'])).out).toBe(
      HEAD + lines('      127.0.0.1               -               - --HL-- loop', '      127.0.0.0       255.0.0.0               - ------ loop'),
    );
    // Nothing leaves from 0.0.0.0: the send fails as it should.
    expect(await pingOnce(w, '10.0.0.2')).toBe('ping: sendto: Network is unreachable');
    expect(w.mustHost('h').net.byName(NIC0)!.counters.txPackets).toBe(0);
  });
});

describe('routing decisions', () => {
  it('sends what no other route covers to the default gateway', async () => {
    const w = world();
    expect(await pingOnce(w, '10.0.0.2')).toBe('64 bytes from 10.0.0.2: icmp_seq=0 ttl=63 time=22.000 ms');
    expect(forwarded(w)).toEqual({ gw1: 2, gw2: 0 });
    // A gateway that has no route either says so with an ICMP net unreachable.
    expect(await pingOnce(w, '8.8.8.8')).toBe('36 bytes from 192.168.1.1: Destination Net Unreachable');
    // Counted as Linux's ip_error() counts a forwarded packet: IpExt InNoRoutes, not OutNoRoutes.
    expect([w.mustHost('gw1').net.ip.InNoRoutes, w.mustHost('gw1').net.ip.OutNoRoutes]).toEqual([1, 0]);
    expect((await run(w, 'gw1', ['netstat', '-s'])).out).toContain('\t1 packet not forwardable\n');
  });

  it('without a default route, only the networks of the interfaces are reachable', async () => {
    const w = world([]);
    expect(await pingOnce(w, '10.0.0.2')).toBe('ping: sendto: Network is unreachable');
    expect(await pingOnce(w, '192.168.1.2')).toBe('64 bytes from 192.168.1.2: icmp_seq=0 ttl=64 time=2.000 ms');
    expect(w.mustHost('h').net.ip.OutNoRoutes).toBe(1);
  });

  it('takes the longest prefix: network gateway route over default, host route over network', async () => {
    const w = world();
    expect(await sh(w, ['route', 'add', NIC0, '10.0.0.0', '255.255.255.0', 'gw', '192.168.1.2'])).toEqual({ out: '', code: 0 });
    expect(await pingOnce(w, '10.0.0.2')).toContain('64 bytes from 10.0.0.2: icmp_seq=0 ttl=63');
    // The request went by gw2; far answered by its own default, gw1.
    expect(forwarded(w)).toEqual({ gw1: 1, gw2: 1 });
    expect(await sh(w, ['route', 'add', NIC0, '10.0.0.2', 'gw', '192.168.1.1'])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['route', 'list', NIC0])).out).toContain('       10.0.0.2               -     192.168.1.1 --H--- /dev/net/ipro1000/0\n');
    expect(await pingOnce(w, '10.0.0.2')).toContain('64 bytes from 10.0.0.2: icmp_seq=0 ttl=63');
    expect(forwarded(w)).toEqual({ gw1: 3, gw2: 1 });
    expect(await sh(w, ['route', 'get', '10.0.0.2'])).toEqual({ out: '10.0.0.2 mask - gateway 192.168.1.1 source 192.168.1.10\n', code: 0 });
    expect(await sh(w, ['route', 'get', '10.0.0.3'])).toEqual({ out: '10.0.0.0 mask 255.255.255.0 gateway 192.168.1.2 source 192.168.1.10\n', code: 0 });
    expect(await sh(w, ['route', 'get', '10.0.1.3'])).toEqual({ out: '0.0.0.0 mask 0.0.0.0 gateway 192.168.1.1 source 192.168.1.10\n', code: 0 });
  });

  it('refuses with reject routes: ENETUNREACH for a network, EHOSTUNREACH for a host, nothing sent', async () => {
    const w = world();
    expect(await sh(w, ['route', 'add', NIC0, '10.0.0.128', '255.255.255.128', 'reject'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['route', 'add', NIC0, '10.0.0.3', 'reject'])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['route', 'list', NIC0])).out).toContain(
      // Haiku's table order: the host route first, the /25 before the /24 (add_route sorts by mask).
      lines('       10.0.0.3               -               - -RH--- /dev/net/ipro1000/0', '     10.0.0.128 255.255.255.128               - -R---- /dev/net/ipro1000/0'),
    );
    expect(await pingOnce(w, '10.0.0.200')).toBe('ping: sendto: Network is unreachable');
    expect(await pingOnce(w, '10.0.0.3')).toBe('ping: sendto: No route to host');
    expect(w.mustHost('h').net.ip.OutNoRoutes).toBe(2);
    expect(w.mustHost('h').net.byName(NIC0)!.counters.txPackets).toBe(0);
    // Around them, the default route still works.
    expect(await pingOnce(w, '10.0.0.2')).toContain('64 bytes from 10.0.0.2: icmp_seq=0 ttl=63');
  });

  it('skips a route whose interface is down', async () => {
    const w = world();
    await sh(w, ['ifconfig', NIC1, '172.16.5.9', '255.255.255.0', 'up']);
    expect(await sh(w, ['route', 'get', '172.16.5.1'])).toEqual({ out: '172.16.5.0 mask 255.255.255.0 source 172.16.5.9\n', code: 0 });
    expect(await sh(w, ['ifconfig', NIC1, 'down'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['route', 'get', '172.16.5.1'])).toEqual({ out: '0.0.0.0 mask 0.0.0.0 gateway 192.168.1.1 source 192.168.1.10\n', code: 0 });
  });
});

describe('metrics', () => {
  it('choose the lowest among routes of the same prefix, from a world file', async () => {
    const w = world([
      { to: 'default', via: '192.168.1.1', metric: 10 },
      { to: 'default', via: '192.168.1.2', metric: 5 },
    ]);
    expect(await sh(w, ['rt', 'list'])).toEqual({
      out: lines('192.168.1.10/255.255.255.255 - 0', '192.168.1.0/255.255.255.0 - 0', '0.0.0.0/0.0.0.0 192.168.1.1 10', '0.0.0.0/0.0.0.0 192.168.1.2 5'),
      code: 0,
    });
    await pingOnce(w, '10.0.0.2');
    expect(forwarded(w)).toEqual({ gw1: 1, gw2: 1 }); // out by gw2, back by far's gw1
    expect(await sh(w, ['route', 'delete', NIC0, 'default', 'gw', '192.168.1.2'])).toEqual({ out: '', code: 0 });
    await pingOnce(w, '10.0.0.2');
    expect(forwarded(w)).toEqual({ gw1: 3, gw2: 1 });
  });

  it('are set with SIOCADDRT; a route differing only in metric is a new route, the same one is EEXIST', async () => {
    const w = world();
    expect((await sh(w, ['rt', 'add', '10.0.0.0', '255.255.255.0', '192.168.1.1', '20'])).out).toBe('ok\n');
    expect((await sh(w, ['rt', 'add', '10.0.0.0', '255.255.255.0', '192.168.1.2', '7'])).out).toBe('ok\n');
    expect((await sh(w, ['rt', 'add', '10.0.0.0', '255.255.255.0', '192.168.1.1', '7'])).out).toBe('ok\n');
    expect((await sh(w, ['rt', 'add', '10.0.0.0', '255.255.255.0', '192.168.1.2', '7'])).out).toBe('EEXIST\n');
    // Equal metrics: the first added wins.
    expect(await sh(w, ['route', 'get', '10.0.0.2'])).toEqual({ out: '10.0.0.0 mask 255.255.255.0 gateway 192.168.1.2 source 192.168.1.10\n', code: 0 });
    await pingOnce(w, '10.0.0.2');
    expect(forwarded(w)).toEqual({ gw1: 1, gw2: 1 });
  });

  it('do not beat a longer prefix', async () => {
    const w = world([{ to: 'default', via: '192.168.1.2', metric: 0 }]);
    expect((await sh(w, ['rt', 'add', '10.0.0.0', '255.0.0.0', '192.168.1.1', '1000'])).out).toBe('ok\n');
    await pingOnce(w, '10.0.0.2');
    expect(forwarded(w)).toEqual({ gw1: 2, gw2: 0 });
  });
});

describe('permissions', () => {
  it('let uid 1000 read the table but not change it: EPERM', async () => {
    const w = world();
    const table = (await sh(w, ['route'])).out;
    expect(await sh(w, ['route'], { uid: 1000 })).toEqual({ out: table, code: 0 });
    expect(await sh(w, ['route', 'add', NIC0, '10.9.0.0', '255.255.0.0', 'gw', '192.168.1.2'], { uid: 1000 })).toEqual({
      out: `route: Could not add route for ${NIC0}: Operation not allowed\n`,
      code: 1,
    });
    expect(await sh(w, ['route', 'delete', NIC0, 'default'], { uid: 1000 })).toEqual({
      out: `route: Could not delete route for ${NIC0}: Operation not allowed\n`,
      code: 1,
    });
    expect((await sh(w, ['rt', 'add', '10.9.0.0', '255.255.0.0', '192.168.1.2', '0'], { uid: 1000 })).out).toBe('EPERM\n');
    expect(await sh(w, ['ifconfig', '--delete', NIC0, '192.168.1.10'], { uid: 1000 })).toEqual({
      out: `ifconfig: Could not delete address 192.168.1.10 from interface ${NIC0}: Operation not allowed\n`,
      code: 1,
    });
    expect(await sh(w, ['ifconfig', NIC1, '172.16.5.9'], { uid: 1000 })).toEqual({ out: 'ifconfig: Setting address failed: Operation not allowed\n', code: 1 });
    expect((await sh(w, ['route'])).out).toBe(table);
  });
});
