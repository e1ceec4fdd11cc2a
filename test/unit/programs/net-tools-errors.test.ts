// Bad input to ifconfig, route, arp and netstat: each gets a message on stderr and exit status 2
// (a usage error), never a JavaScript error or stack trace.

import { describe, expect, it } from 'vitest';
import { O_RDWR } from '../../../kernel/abi/fcntl.js';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import arp from '../../../userland/bin/arp.js';
import ifconfig from '../../../userland/bin/ifconfig.js';
import netstat from '../../../userland/bin/netstat.js';
import route from '../../../userland/bin/route.js';
import { routedWorld } from '../../helpers/net.js';
import { run } from '../../helpers/world.js';

const NIC = '/dev/net/ipro1000/0';
const LONG = 'x'.repeat(40);
const LONG_NAME = `tun/${'1'.repeat(40)}`;

/** [what, argv, a piece of the message] */
const CASES: ReadonlyArray<readonly [string, string[], string]> = [
  // ifconfig (no arguments is a listing, not an error)
  ['ifconfig: unknown option', ['ifconfig', '--bogus'], 'ifconfig: Unknown option "--bogus"\nusage: ifconfig'],
  ['ifconfig: -a with more', ['ifconfig', '-a', 'loop'], 'usage: ifconfig'],
  ['ifconfig: --delete alone', ['ifconfig', '--delete'], 'usage: ifconfig'],
  ['ifconfig: bad address', ['ifconfig', NIC, '10.0.0.256'], 'ifconfig: "10.0.0.256" is not a valid address\nusage: ifconfig'],
  ['ifconfig: unknown word', ['ifconfig', NIC, 'fast'], 'ifconfig: Unknown option or flag "fast"'],
  ['ifconfig: bad peer', ['ifconfig', 'tun/0', 'peer', 'nowhere'], "ifconfig: Option 'peer' needs valid address parameter"],
  ['ifconfig: bad netmask', ['ifconfig', NIC, 'netmask'], "ifconfig: Option 'netmask' needs valid address parameter"],
  ['ifconfig: mask twice', ['ifconfig', NIC, '10.0.0.1', '255.0.0.0', 'prefixlen', '8'], 'ifconfig: Netmask or prefix length is specified twice'],
  ['ifconfig: prefixlen out of range', ['ifconfig', NIC, 'prefixlen', '33'], "ifconfig: Option 'prefix-length 33' is invalid for this address family"],
  ['ifconfig: mtu out of range', ['ifconfig', NIC, 'mtu', '68'], "ifconfig: Option 'mtu' expected valid max transfer unit size"],
  ['ifconfig: metric missing', ['ifconfig', NIC, 'metric'], "ifconfig: Option 'metric' expected parameter"],
  ['ifconfig: bad media', ['ifconfig', NIC, 'media', 'fast'], "ifconfig: Invalid parameter for option 'media': 'fast'"],
  ['ifconfig: contradicting flags', ['ifconfig', NIC, 'up', 'down'], 'ifconfig: Contradicting flags specified'],
  ['ifconfig: inet6', ['ifconfig', NIC, 'inet6', '::1'], 'ifconfig: Address family inet6 is not supported'],
  ['ifconfig: long name', ['ifconfig', LONG_NAME, 'up'], `ifconfig: interface name "${LONG_NAME}" is too long.`],
  ['ifconfig: long name to delete', ['ifconfig', '--delete', LONG], `ifconfig: interface name "${LONG}" is too long.`],
  // route (no arguments lists)
  ['route: add alone', ['route', 'add'], 'usage: route'],
  ['route: unknown option', ['route', '-n'], 'route: Unknown command "-n"\nusage: route'],
  ['route: no destination', ['route', 'add', NIC, 'gw', '192.168.1.1'], 'usage: route'],
  ['route: bad address', ['route', 'add', NIC, '10.0.0.300'], 'route: "10.0.0.300" is not a valid address\nusage: route'],
  ['route: bad address, no interface', ['route', 'get', '10.0.0.300'], 'route: "10.0.0.300" is not a valid address\nusage: route'],
  ['route: bad gateway', ['route', 'add', NIC, '10.0.0.0', 'gw', '10.0.0'], "route: Option 'gw' needs valid address parameter"],
  ['route: prefixlen out of range', ['route', 'add', NIC, '10.0.0.0', 'prefixlen', '40'], "route: Option 'prefixlen' is invalid for this address family"],
  ['route: mtu out of range', ['route', 'add', NIC, '10.0.0.0', '255.0.0.0', 'mtu', '-1'], "route: Option 'mtu' exptected valid max transfer unit size"],
  ['route: unknown flag', ['route', 'add', NIC, '10.0.0.0', 'blackhole'], 'route: Unknown option or flag "blackhole"'],
  ['route: list with junk', ['route', 'list', 'loop', 'more'], 'usage: route'],
  ['route: long name', ['route', 'add', LONG, '10.0.0.0', '255.0.0.0'], `route: interface name "${LONG}" is too long.`],
  // arp (no arguments lists)
  ['arp: unknown option', ['arp', '-x'], 'arp: Unknown option -x\nusage: arp'],
  ['arp: -s alone', ['arp', '-s'], 'usage: arp'],
  ['arp: -d with two hosts', ['arp', '-d', '192.168.1.1', '192.168.1.2'], 'usage: arp'],
  ['arp: two hosts', ['arp', '192.168.1.1', '192.168.1.2'], 'usage: arp'],
  ['arp: bad address', ['arp', '-d', '192.168.1.300'], 'arp: Host "192.168.1.300" is not known in the IPv4 domain.'],
  ['arp: bad ethernet address', ['arp', '-s', '192.168.1.5', '02:00:00:00:00'], 'arp: "02:00:00:00:00" is not a valid ethernet address.'],
  ['arp: ethernet byte out of range', ['arp', '-s', '192.168.1.5', '02:00:00:00:00:100'], 'arp: "02:00:00:00:00:100" is not a valid ethernet address.'],
  ['arp: long host name', ['arp', LONG], `arp: Host "${LONG}" is not known in the IPv4 domain.`],
  // netstat (no arguments lists sockets)
  ['netstat: unknown option', ['netstat', '-x'], "netstat: unknown option '-x'\nusage: netstat [options]"],
  ['netstat: an argument', ['netstat', 'tcp'], 'netstat: too many arguments'],
  ['netstat: long argument', ['netstat', LONG], 'netstat: too many arguments'],
  ['netstat: two views', ['netstat', '-r', '-s'], 'netstat: -i, -r and -s cannot be combined'],
];

describe('bad input to the network tools', () => {
  it.each(CASES)('%s', async (_what, argv, message) => {
    const { world } = routedWorld([ifconfig, route, arp, netstat]);
    const r = await run(world, 'a', argv);
    expect(r.out).toContain(message);
    expect(WEXITSTATUS(r.status)).toBe(2);
    expect(r.out).not.toMatch(/Error:|^\s+at /m);
  });

  it('writes the messages to stderr: nothing is lost with stdout sent to /dev/null', async () => {
    const { world } = routedWorld([ifconfig, route, arp, netstat]);
    const k = world.mustHost('a');
    for (const argv of [['ifconfig', '--bogus'], ['route', '-n'], ['arp', '-x'], ['netstat', '-x'], ['ifconfig', NIC, 'mtu', '1']]) {
      const term = k.ttys.create(false);
      let err = '';
      term.onOutput = (d) => (err += new TextDecoder().decode(d));
      const tty = await k.openKernel(`/dev/${term.path}`, O_RDWR);
      const devnull = await k.openKernel('/dev/null', O_RDWR);
      const proc = await k.spawn(null, `/bin/${argv[0]}`, argv, { files: [tty, devnull, tty] });
      await world.run({ until: () => !proc.alive });
      expect(err).toMatch(new RegExp(`^${argv[0]}: `));
      expect(WEXITSTATUS(proc.status)).toBe(2);
    }
  });
});
