// ifconfig and route, run as programs in a routed world (a --- lan --- r --- wan --- b), their whole
// output compared: Haiku's listing layouts, its syntax, and its error wording.

import { describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import ifconfig, { IFCONFIG_USAGE } from '../../../userland/bin/ifconfig.js';
import route, { ROUTE_USAGE } from '../../../userland/bin/route.js';
import { formatRouteTable } from '../../../userland/lib/netconf.js';
import { routedWorld } from '../../helpers/net.js';
import { run } from '../../helpers/world.js';

const NIC = '/dev/net/ipro1000/0';

function world() {
  return routedWorld([ifconfig, route]).world;
}

async function sh(w: ReturnType<typeof world>, argv: string[], opts: { uid?: number } = {}) {
  const r = await run(w, 'a', argv, opts);
  return { out: r.out, code: WEXITSTATUS(r.status) };
}

const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');

const LOOP_BLOCK = lines(
  'loop\tHardware type: Local Loopback, Address: none',
  '\tinet addr: 127.0.0.1, Mask: 255.0.0.0',
  '\tMTU: 16384, Metric: 0, up loopback link',
  '\tReceive: 0 packets, 0 errors, 0 bytes, 0 mcasts, 0 dropped',
  '\tTransmit: 0 packets, 0 errors, 0 bytes, 0 mcasts, 0 dropped',
  '\tCollisions: 0',
  '',
);

describe('ifconfig', () => {
  it('lists every interface of a fresh host in Haiku layout, with or without -a', async () => {
    const w = world();
    const expected =
      LOOP_BLOCK +
      lines(
        NIC,
        '\tHardware type: Ethernet, Address: 52:54:00:00:00:0a',
        '\tMedia type: 1 GBit, 1000BASE-T',
        '\tinet addr: 192.168.1.10, Bcast: 192.168.1.255, Mask: 255.255.255.0',
        '\tMTU: 1500, Metric: 0, up broadcast link',
        '\tReceive: 0 packets, 0 errors, 0 bytes, 0 mcasts, 0 dropped',
        '\tTransmit: 0 packets, 0 errors, 0 bytes, 0 mcasts, 0 dropped',
        '\tCollisions: 0',
        '',
      );
    expect(await sh(w, ['ifconfig'])).toEqual({ out: expected, code: 0 });
    expect(await sh(w, ['ifconfig', '-a'])).toEqual({ out: expected, code: 0 });
    expect(await sh(w, ['ifconfig', 'loop'])).toEqual({ out: LOOP_BLOCK, code: 0 });
  });

  it('prints Haiku usage text for --help', async () => {
    const w = world();
    expect(await sh(w, ['ifconfig', '--help'])).toEqual({ out: IFCONFIG_USAGE, code: 0 });
    expect(IFCONFIG_USAGE).toContain('For Ethernet <media> can be one of: 10baseT 100baseTX 1000baseT 1000baseSX 10GbaseT \n');
  });

  it('configures a NIC: address, netmask, MTU, metric and flags', async () => {
    const w = world();
    expect(await sh(w, ['ifconfig', NIC, '192.168.1.20', 'netmask', '255.255.0.0', 'mtu', '1400', 'metric', '3', 'promisc', 'allmulti'])).toEqual({
      out: '',
      code: 0,
    });
    expect(await sh(w, ['ifconfig', NIC])).toEqual({
      out: lines(
        NIC,
        '\tHardware type: Ethernet, Address: 52:54:00:00:00:0a',
        '\tMedia type: 1 GBit, 1000BASE-T',
        '\tinet addr: 192.168.1.20, Bcast: 192.168.255.255, Mask: 255.255.0.0',
        '\tMTU: 1400, Metric: 3, up broadcast promiscuous allmulti link',
        '\tReceive: 0 packets, 0 errors, 0 bytes, 0 mcasts, 0 dropped',
        '\tTransmit: 0 packets, 0 errors, 0 bytes, 0 mcasts, 0 dropped',
        '\tCollisions: 0',
        '',
      ),
      code: 0,
    });
    // A positional mask and prefixlen are the same thing; down and -promisc clear flags.
    expect((await sh(w, ['ifconfig', NIC, 'inet', '10.1.2.3', '255.255.255.0', '-promisc', '-allmulti', 'down'])).code).toBe(0);
    expect((await sh(w, ['ifconfig', NIC])).out).toContain('\tinet addr: 10.1.2.3, Bcast: 10.1.2.255, Mask: 255.255.255.0\n\tMTU: 1400, Metric: 3, broadcast\n');
    expect((await sh(w, ['ifconfig', NIC, '10.1.2.3', 'prefixlen', '8', 'broadcast', '10.1.2.255', 'up'])).code).toBe(0);
    expect((await sh(w, ['ifconfig', NIC])).out).toContain('\tinet addr: 10.1.2.3, Bcast: 10.1.2.255, Mask: 255.0.0.0\n\tMTU: 1400, Metric: 3, up broadcast link\n');
  });

  it('creates a missing tun interface, with its peer, and lists it as Haiku does: no P-t-P field', async () => {
    const w = world();
    expect(await sh(w, ['ifconfig', 'tun/0', 'inet', '10.8.0.2', '255.255.255.0', 'peer', '10.8.0.1', 'mtu', '1400', 'up'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ifconfig', 'tun/0'])).toEqual({
      out: lines(
        'tun/0\tHardware type: unknown, Address: none',
        '\tinet addr: 10.8.0.2, Mask: 255.255.255.0',
        '\tMTU: 1400, Metric: 0, up noarp',
        '\tReceive: 0 packets, 0 errors, 0 bytes, 0 mcasts, 0 dropped',
        '\tTransmit: 0 packets, 0 errors, 0 bytes, 0 mcasts, 0 dropped',
        '\tCollisions: 0',
        '',
      ),
      code: 0,
    });
    expect((await sh(w, ['ifconfig'])).out).toMatch(/^loop\t[^]*\n\n\/dev\/net\/ipro1000\/0\n\t[^]*\n\ntun\/0\tHardware type: unknown[^]*Collisions: 0\n\n$/);
    // The address brought its local route, the route to the peer and the network route.
    expect((await sh(w, ['route', 'list', 'tun/0'])).out).toBe(
      lines(
        'IPv4 routing table:',
        '    Destination         Netmask         Gateway Flags  Interface',
        '       10.8.0.2               -               - --HL-- tun/0',
        '       10.8.0.1               -               - --H--- tun/0',
        '       10.8.0.0   255.255.255.0               - ------ tun/0',
      ),
    );
  });

  it('deletes an interface with any of Haiku delete spellings; a NIC comes back when named', async () => {
    const w = world();
    await sh(w, ['ifconfig', 'tun/0', 'up']);
    await sh(w, ['ifconfig', 'tap/1', 'up']);
    expect(await sh(w, ['ifconfig', '--delete', 'tun/0'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ifconfig', 'delete', 'tap/1'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ifconfig', '-d', NIC])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['ifconfig'])).out).toBe(LOOP_BLOCK);
    expect(await sh(w, ['ifconfig', '--del', 'tun/0'])).toEqual({ out: 'ifconfig: Could not delete interface tun/0: No such device\n', code: 1 });
    expect(await sh(w, ['ifconfig', 'del', 'loop'])).toEqual({ out: 'ifconfig: Could not delete interface loop: Device/File/Resource busy\n', code: 1 });
    expect(await sh(w, ['ifconfig', NIC, '192.168.1.10', '255.255.255.0', 'up'])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['ifconfig', NIC])).out).toContain('\tinet addr: 192.168.1.10, Bcast: 192.168.1.255, Mask: 255.255.255.0\n');
  });

  it('deletes single addresses with --delete IF ADDR', async () => {
    const w = world();
    expect(await sh(w, ['ifconfig', '--delete', NIC, 'inet', '192.168.1.10'])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['ifconfig', NIC])).out).not.toContain('inet addr');
    expect(await sh(w, ['ifconfig', '--delete', NIC, '192.168.1.10'])).toEqual({
      out: `ifconfig: Could not delete address 192.168.1.10 from interface ${NIC}: Can't assign requested address\n`,
      code: 1,
    });
    expect(await sh(w, ['ifconfig', '--delete', NIC, 'bogus'])).toEqual({ out: 'ifconfig: Could not parse address "bogus".\n', code: 2 });
  });

  it('rejects an MTU of 500 or less as Haiku does, and reports one the device refuses', async () => {
    const w = world();
    const msg = "ifconfig: Option 'mtu' expected valid max transfer unit size\n";
    expect(await sh(w, ['ifconfig', NIC, 'mtu', '500'])).toEqual({ out: msg, code: 2 });
    expect(await sh(w, ['ifconfig', NIC, 'mtu', 'abc'])).toEqual({ out: msg, code: 2 });
    expect(await sh(w, ['ifconfig', NIC, 'mtu'])).toEqual({ out: msg, code: 2 });
    expect(await sh(w, ['ifconfig', NIC, 'mtu', '100000'])).toEqual({ out: 'ifconfig: Setting MTU failed: Invalid Argument\n', code: 1 });
    // strtol(..., 0): hex is a valid way to write it.
    expect(await sh(w, ['ifconfig', NIC, 'mtu', '0x5dc'])).toEqual({ out: '', code: 0 });
    expect((await sh(w, ['ifconfig', NIC])).out).toContain('\tMTU: 1500, Metric: 0');
  });

  it('names an unknown interface the way Haiku does', async () => {
    const w = world();
    expect(await sh(w, ['ifconfig', 'eth0'])).toEqual({ out: 'eth0\tInterface not found!\n', code: 1 });
    expect(await sh(w, ['ifconfig', '/dev/net/virtio/7'])).toEqual({ out: '/dev/net/virtio/7\n\tInterface not found!\n', code: 1 });
    expect(await sh(w, ['ifconfig', 'eth0', '10.0.0.1', 'up'])).toEqual({ out: 'ifconfig: Could not add interface: No such device\n', code: 1 });
    expect(await sh(w, ['ifconfig', 'eth0', 'scan'])).toEqual({ out: 'ifconfig: "eth0" does not exist!\n', code: 1 });
    expect(await sh(w, ['ifconfig', NIC, 'scan'])).toEqual({ out: `ifconfig: "${NIC}" is not a WLAN device!\n`, code: 1 });
  });

  it('needs root to change anything: EPERM is "Operation not allowed"', async () => {
    const w = world();
    expect(await sh(w, ['ifconfig', NIC, '10.0.0.5'], { uid: 1000 })).toEqual({ out: 'ifconfig: Setting address failed: Operation not allowed\n', code: 1 });
    expect(await sh(w, ['ifconfig', NIC, 'down'], { uid: 1000 })).toEqual({ out: 'ifconfig: Setting flags failed: Operation not allowed\n', code: 1 });
    expect(await sh(w, ['ifconfig', NIC, 'mtu', '1400', 'metric', '2'], { uid: 1000 })).toEqual({
      out: 'ifconfig: Setting MTU failed: Operation not allowed\nifconfig: Setting metric failed: Operation not allowed\n',
      code: 1,
    });
    expect(await sh(w, ['ifconfig', 'tun/0', 'up'], { uid: 1000 })).toEqual({ out: 'ifconfig: Could not add interface: Operation not allowed\n', code: 1 });
    expect(await sh(w, ['ifconfig', '--delete', NIC], { uid: 1000 })).toEqual({ out: `ifconfig: Could not delete interface ${NIC}: Operation not allowed\n`, code: 1 });
    // Looking is allowed.
    expect((await sh(w, ['ifconfig', 'loop'], { uid: 1000 })).out).toBe(LOOP_BLOCK);
  });

  it('reports what the kernel refuses while setting an address', async () => {
    const w = world();
    expect(await sh(w, ['ifconfig', NIC, 'peer', '10.0.0.9'])).toEqual({ out: 'ifconfig: Setting address failed: Invalid Argument\n', code: 1 });
    expect(await sh(w, ['ifconfig', NIC, '10.0.0.1', '255.0.255.0'])).toEqual({ out: 'ifconfig: Setting address failed: Invalid Argument\n', code: 1 });
    expect(await sh(w, ['ifconfig', NIC, 'media', '10baseT'])).toEqual({ out: 'ifconfig: Setting media failed: Operation not supported\n', code: 1 });
    expect(await sh(w, ['ifconfig', NIC, 'media', '1000baseT'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ifconfig', 'loop', 'media', 'auto'])).toEqual({ out: 'ifconfig: Unable to detect media type\n', code: 1 });
    expect(await sh(w, ['ifconfig', NIC, 'auto-config'])).toEqual({ out: 'ifconfig: The net_server needs to run for the auto configuration!\n', code: 1 });
  });
});

describe('route', () => {
  const HEAD = lines('IPv4 routing table:', '    Destination         Netmask         Gateway Flags  Interface');
  const BASE =
    HEAD +
    lines(
      '      127.0.0.1               -               - --HL-- loop',
      '   192.168.1.10               -               - --HL-- /dev/net/ipro1000/0',
      '    192.168.1.0   255.255.255.0               - ------ /dev/net/ipro1000/0',
      '      127.0.0.0       255.0.0.0               - ------ loop',
      '        0.0.0.0         0.0.0.0     192.168.1.1 D----- /dev/net/ipro1000/0',
    );

  it('lists the table with Haiku 15-wide columns and D R H L D M flags', async () => {
    const w = world();
    expect(await sh(w, ['route'])).toEqual({ out: BASE, code: 0 });
    expect(await sh(w, ['route', 'list'])).toEqual({ out: BASE, code: 0 });
    expect(await sh(w, ['route', 'list', 'inet', 'loop'])).toEqual({ out: HEAD + lines(BASE.split('\n')[2]!, BASE.split('\n')[5]!), code: 0 });
    expect(await sh(w, ['route', '--help'])).toEqual({ out: ROUTE_USAGE, code: 0 });
    // route.cpp returns before its heading when SIOCGRTSIZE says the table is empty.
    expect(formatRouteTable([])).toBe('');
  });

  it('adds and deletes network, host, reject and default routes', async () => {
    const w = world();
    expect(await sh(w, ['route', 'add', NIC, '10.9.0.0', '255.255.0.0', 'gw', '192.168.1.1'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['route', 'add', NIC, 'inet', '10.66.0.0', 'prefixlen', '16', 'reject'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['route', '-a', NIC, '192.168.1.99', 'host'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['route', 'delete', NIC, 'default', 'gw', '192.168.1.1'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['route', 'add', NIC, 'default', 'gateway', '192.168.1.2'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['route', 'list'])).toEqual({
      out:
        HEAD +
        lines(
          // Haiku's table order (route.cpp prints it as the kernel keeps it): the most specific
          // first, routes of one mask in the order they were added, the default last.
          '      127.0.0.1               -               - --HL-- loop',
          '   192.168.1.10               -               - --HL-- /dev/net/ipro1000/0',
          '   192.168.1.99               -               - --H--- /dev/net/ipro1000/0',
          '    192.168.1.0   255.255.255.0               - ------ /dev/net/ipro1000/0',
          '       10.9.0.0     255.255.0.0     192.168.1.1 ------ /dev/net/ipro1000/0',
          '      10.66.0.0     255.255.0.0               - -R---- /dev/net/ipro1000/0',
          '      127.0.0.0       255.0.0.0               - ------ loop',
          '        0.0.0.0         0.0.0.0     192.168.1.2 D----- /dev/net/ipro1000/0',
        ),
      code: 0,
    });
    expect(await sh(w, ['route', 'del', NIC, '10.9.0.0', 'nm', '255.255.0.0'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['route', '-d', NIC, '10.66.0.0', 'plen', '16'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['route', 'delete', NIC, '192.168.1.99'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['route', 'delete', NIC, '10.66.0.0', 'plen', '16'])).toEqual({
      out: `route: Could not delete route for ${NIC}: No such process\n`,
      code: 1,
    });
    expect((await sh(w, ['route'])).out).toBe(BASE.replace('192.168.1.1 D', '192.168.1.2 D'));
  });

  it('looks a destination up with get, reject and local routes included', async () => {
    const w = world();
    await sh(w, ['route', 'add', NIC, '10.66.0.0', '255.255.0.0', 'reject']);
    expect(await sh(w, ['route', 'get', '10.0.0.2'])).toEqual({ out: '0.0.0.0 mask 0.0.0.0 gateway 192.168.1.1 source 192.168.1.10\n', code: 0 });
    expect(await sh(w, ['route', 'get', '192.168.1.77'])).toEqual({ out: '192.168.1.0 mask 255.255.255.0 source 192.168.1.10\n', code: 0 });
    expect(await sh(w, ['route', 'get', '192.168.1.10'])).toEqual({ out: '192.168.1.10 mask - source 192.168.1.10\n', code: 0 });
    expect(await sh(w, ['route', 'get', '10.66.1.1'])).toEqual({ out: '10.66.0.0 mask 255.255.0.0 source 192.168.1.10\n', code: 0 });
    await sh(w, ['route', 'delete', NIC, 'default']);
    expect(await sh(w, ['route', 'get', '8.8.8.8'])).toEqual({ out: 'route: Could not get route: Network is unreachable\n', code: 1 });
  });

  it('needs an interface to add or remove a route', async () => {
    const w = world();
    expect(await sh(w, ['route', 'add', 'default', 'gw', '192.168.1.1'])).toEqual({
      out: `route: You need to specify an interface when adding a route.\n${ROUTE_USAGE}`,
      code: 2,
    });
    expect(await sh(w, ['route', 'delete', '10.0.0.0', '255.0.0.0'])).toEqual({
      out: `route: You need to specify an interface when removing a route.\n${ROUTE_USAGE}`,
      code: 2,
    });
  });

  it('reports what the kernel refuses in Haiku words', async () => {
    const w = world();
    expect(await sh(w, ['route', 'add', NIC, '10.9.0.0', '255.255.0.0', 'gw', '10.0.0.1'])).toEqual({
      out: `route: Could not add route for ${NIC}: Network is unreachable\n`,
      code: 1,
    });
    expect(await sh(w, ['route', 'add', 'tun/9', '10.9.0.0', '255.255.0.0'])).toEqual({ out: 'route: Could not add route for tun/9: No such device\n', code: 1 });
    expect(await sh(w, ['route', 'add', NIC, '192.168.1.0', '255.255.255.0'])).toEqual({
      out: `route: Could not add route for ${NIC}: File or Directory already exists\n`,
      code: 1,
    });
    expect(await sh(w, ['route', 'add', NIC, '10.9.0.0', '255.255.0.0', 'gw', '192.168.1.1'], { uid: 1000 })).toEqual({
      out: `route: Could not add route for ${NIC}: Operation not allowed\n`,
      code: 1,
    });
    expect(await sh(w, ['route', 'add', NIC, '10.9.0.0', '255.255.0.0', 'mtu', '200'])).toEqual({
      out: "route: Option 'mtu' exptected valid max transfer unit size\n",
      code: 2,
    });
  });
});
