// route: list, add, delete and look up IPv4 routes with Haiku's syntax, usage text, table layout
// and error wording (src/bin/network/route/route.cpp), over SIOCGRTTABLE, SIOCADDRT, SIOCDELRT
// and SIOCGETRT.
//
//   route [list] [<interface>]
//   route add|delete <interface> [inet] <address|default> [<mask>] [netmask M|prefixlen N] [gw G] [mtu N] [reject|local|host]
//   route get <address>
//
// Exit status: 0 on success, 1 when the system refuses a change, 2 for bad usage.

import { type ErrnoName, strerror } from '../../kernel/abi/errno.js';
import type { Ifreq } from '../../kernel/abi/if.js';
import { SIOCADDRT, SIOCDELRT, SIOCGETRT, SIOCGIFADDR, SIOCGRTTABLE } from '../../kernel/abi/ioctl.js';
import { formatIpv4, maskFromPrefix } from '../../kernel/abi/wire/index.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { guarded } from '../lib/guard.js';
import { RTF_DEFAULT, RTF_GATEWAY, RTF_HOST, RTF_LOCAL, RTF_REJECT, RTF_STATIC, type Rtentry } from '../../kernel/abi/route.js';
import { sockaddrIn } from '../../kernel/abi/socket.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { parse } from '../lib/cli.js';
import { eprint, print } from '../lib/io.js';
import {
  EXIT_FAILURE,
  EXIT_USAGE,
  familyOf,
  formatRouteTable,
  inetAddress,
  nameTooLong,
  netSocket,
  prefixLength,
  routeGateway,
  routeMask,
  strtol,
  tryIoctl,
  usageError,
  wordCommand,
} from '../lib/netconf.js';
import { table } from '../lib/table.js';

const NAME = 'route';

export const ROUTE_USAGE = `usage: route [command] [<interface>] [<address family>] <address|default> [<option/flags>...]
Where <command> can be the one of:
  add                - add a route for the specified interface
  delete             - deletes the specified route
  list               - list with filters [default]
<option> can be the following:
  netmask <addr>     - networking subnet mask
  prefixlen <number> - subnet mask length in bits
  gw <addr>          - gateway address
  mtu <bytes>        - maximal transfer unit
And <flags> can be: reject, local, host

Example:
\troute add /dev/net/ipro1000/0 default gw 192.168.0.254
`;

type Mode = 'list' | 'add' | 'delete' | 'get';

const COMMANDS = table<Mode>({ list: 'list', add: 'add', '-a': 'add', delete: 'delete', del: 'delete', '-d': 'delete', get: 'get' });

interface Request {
  mode: Mode;
  iface: string | null;
  family: boolean;
  dest: string | null;
  isDefault: boolean;
  mask: string | null;
  gateway: string | null;
  mtu: number;
  flags: number;
}

/** Haiku's main(): [command] [<interface>] [<family>] <address|default> [<mask>] [options]. */
function parseWords(words: string[]): Request | { error: string | null; usage: boolean } {
  // argv as route.cpp indexes it: argv[1] the command, the rest from argv[2].
  const argv = ['route', ...words];
  const argc = argv.length;
  let mode: Mode = 'list';
  if (argc > 1) {
    const m = COMMANDS[argv[1]!];
    if (m === undefined) return { error: `Unknown command "${argv[1]}"`, usage: true };
    mode = m;
    if (mode !== 'list' && argc < 3) return { error: null, usage: true };
  }
  const req: Request = { mode, iface: null, family: false, dest: null, isDefault: false, mask: null, gateway: null, mtu: 0, flags: 0 };
  if (mode === 'list') {
    // `route [list] [<address family>] [<interface>]`: the interface filters the listing.
    const rest = argv.slice(2);
    if (familyOf(rest[0]) === 'inet6') return { error: 'Address family inet6 is not supported', usage: false };
    if (familyOf(rest[0]) !== null) rest.shift();
    if (rest.length > 1) return { error: null, usage: true };
    req.iface = rest[0] ?? null;
    return req;
  }
  // [<interface>] [<address family>] <address|default>, as the usage line has it.
  let i = 2;
  const isDest = (w: string | undefined) => w === 'default' || inetAddress(w) !== null;
  if (i < argc && familyOf(argv[i]) === null && !isDest(argv[i]) && !/^[0-9.]+$/.test(argv[i]!)) req.iface = argv[i++]!;
  const family = familyOf(argv[i]);
  if (family === 'inet6') return { error: 'Address family inet6 is not supported', usage: false };
  if (family !== null) {
    req.family = true;
    i++;
  }
  const word = argv[i];
  if (word === 'default') {
    req.isDefault = true;
    req.flags = RTF_DEFAULT;
  } else if (word !== undefined && inetAddress(word) !== null) {
    req.dest = word;
  } else {
    return { error: word !== undefined && /^[0-9.]+$/.test(word) ? `"${word}" is not a valid address` : null, usage: true };
  }
  i++;
  const posMask = inetAddress(argv[i]);
  if (posMask !== null) {
    req.mask = posMask;
    i++;
  }
  for (; i < argc; i++) {
    const word = argv[i]!;
    const value = argv[i + 1];
    switch (word) {
      case 'gw':
      case 'gateway':
        req.gateway = inetAddress(value);
        if (req.gateway === null) return { error: "Option 'gw' needs valid address parameter", usage: false };
        i++;
        break;
      case 'nm':
      case 'netmask':
        if (req.mask !== null) return { error: 'Netmask or prefix length is specified twice', usage: false };
        req.mask = inetAddress(value);
        if (req.mask === null) return { error: "Option 'netmask' needs valid address parameter", usage: false };
        i++;
        break;
      case 'plen':
      case 'prefixlen':
      case 'prefix-length': {
        if (req.mask !== null) return { error: 'Netmask or prefix length is specified twice', usage: false };
        const len = prefixLength(value);
        if (len === null || len > 32) return { error: "Option 'prefixlen' is invalid for this address family", usage: false };
        req.mask = formatIpv4(maskFromPrefix(len));
        i++;
        break;
      }
      case 'mtu':
        req.mtu = strtol(value);
        // (sic: route.cpp spells it so)
        if (req.mtu <= 500) return { error: "Option 'mtu' exptected valid max transfer unit size", usage: false };
        i++;
        break;
      case 'host':
        req.flags |= RTF_HOST;
        break;
      case 'local':
        req.flags |= RTF_LOCAL;
        break;
      case 'reject':
        req.flags |= RTF_REJECT;
        break;
      default:
        return { error: `Unknown option or flag "${word}"`, usage: true };
    }
  }
  if (req.gateway !== null) req.flags |= RTF_GATEWAY;
  return req;
}

export default defineProgram({
  name: NAME,
  summary: 'manipulate the routing table',
  main: guarded(NAME, async (argv, sys) => {
    const r = await parse(sys, wordCommand(NAME, 'manipulate the routing table', ROUTE_USAGE), argv);
    if ('status' in r) return r.status;
    const req = parseWords(r.args);
    if ('error' in req) {
      if (req.usage) return usageError(sys, NAME, req.error, ROUTE_USAGE);
      await eprint(sys, `${NAME}: ${req.error}\n`);
      return EXIT_USAGE;
    }
    if (req.iface !== null && nameTooLong(req.iface)) {
      await eprint(sys, `${NAME}: interface name "${req.iface}" is too long.\n`);
      return EXIT_USAGE;
    }
    if ((req.mode === 'add' || req.mode === 'delete') && req.iface === null) {
      const doing = req.mode === 'add' ? 'adding' : 'removing';
      return usageError(sys, NAME, `You need to specify an interface when ${doing} a route.`, ROUTE_USAGE);
    }
    const fd = await netSocket(sys);
    if (fd === null) {
      await eprint(sys, `${NAME}: The requested address family is not available.\n`);
      return EXIT_FAILURE;
    }
    switch (req.mode) {
      case 'list': {
        const table: { routes: Rtentry[] } = { routes: [] };
        await sys.ioctl(fd, SIOCGRTTABLE, table);
        await print(sys, formatRouteTable(table.routes, req.iface ?? undefined));
        return 0;
      }
      case 'get':
        return getRoute(sys, fd, req);
      case 'add':
      case 'delete':
        return change(sys, fd, req);
    }
  }),
});

function entryOf(req: Request): Rtentry {
  const host = (req.flags & RTF_HOST) !== 0 || (!req.isDefault && req.mask === null);
  const dest = req.isDefault ? '0.0.0.0' : req.dest!;
  const mask = req.isDefault ? '0.0.0.0' : host ? '255.255.255.255' : req.mask!;
  return {
    rt_dst: sockaddrIn(dest),
    rt_genmask: sockaddrIn(mask),
    ...(req.gateway !== null ? { rt_gateway: sockaddrIn(req.gateway) } : {}),
    // A route with no mask is a route to that one host, as Haiku's stack matches it.
    rt_flags: req.flags | (host ? RTF_HOST : 0) | (req.mode === 'add' ? RTF_STATIC : 0),
    ...(req.mtu > 0 ? { rt_mtu: req.mtu } : {}),
    rt_dev: req.iface!,
  };
}

async function change(sys: Sys, fd: number, req: Request): Promise<number> {
  const add = req.mode === 'add';
  const err = await tryIoctl(sys, fd, add ? SIOCADDRT : SIOCDELRT, entryOf(req));
  if (err === null) return 0;
  await eprint(sys, `${NAME}: Could not ${add ? 'add' : 'delete'} route for ${req.iface}: ${strerror(err)}\n`);
  return EXIT_FAILURE;
}

/** Haiku's get_route(): "<dest> mask <mask> [gateway <gw> ]source <interface address>". */
async function getRoute(sys: Sys, fd: number, req: Request): Promise<number> {
  const q: Rtentry = { rt_dst: sockaddrIn(req.isDefault ? '0.0.0.0' : req.dest!), rt_genmask: sockaddrIn('0.0.0.0'), rt_flags: 0 };
  const err: ErrnoName | null = await tryIoctl(sys, fd, SIOCGETRT, q);
  if (err !== null) {
    await eprint(sys, `${NAME}: Could not get route: ${strerror(err)}\n`);
    return EXIT_FAILURE;
  }
  const src: Ifreq = { ifr_name: q.rt_dev ?? '' };
  const source = q.rt_dev && (await tryIoctl(sys, fd, SIOCGIFADDR, src)) === null && src.ifr_addr ? src.ifr_addr.sin_addr : '-';
  let s = `${q.rt_dst.sin_addr} mask ${routeMask(q)} `;
  if (q.rt_flags & RTF_GATEWAY) s += `gateway ${routeGateway(q)} `;
  s += `source ${source}\n`;
  await print(sys, s);
  return 0;
}
