// The tun/tap device and its configuration, done as OpenVPN does it on Haiku (haikuports patch of
// tun.c and route.c): open the device, then run /bin/ifconfig and /bin/route as programs and wait
// for them, logging each command line. `--dev tun` and `--dev tap` ask the clone device
// /dev/misc/tun for the next free unit (TUNSETIFF with IFF_NO_PI); `--dev tun/3` names the unit;
// any other name is opened as /dev/NAME, as open_tun_generic() does.

import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { F_SETFL, O_CLOEXEC, O_NONBLOCK, O_RDWR } from '../../../kernel/abi/fcntl.js';
import type { Ifreq } from '../../../kernel/abi/if.js';
import { IFF_NO_PI, IFF_TAP, IFF_TUN, SIOCGRTTABLE, TUNGETIFF, TUNSETIFF } from '../../../kernel/abi/ioctl.js';
import { formatIpv4, parseIpv4 } from '../../../kernel/abi/wire/index.js';
import { RTF_GATEWAY, type Rtentry } from '../../../kernel/abi/route.js';
import { SIGHUP, SIGUSR1 } from '../../../kernel/abi/signal.js';
import { AF_INET, SOCK_DGRAM } from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { shellStatus, WIFEXITED } from '../../../kernel/abi/wait.js';
import { resolveHost } from '../../lib/resolve.js';
import { D_ROUTE, D_SHOW_PARMS, D_HANDSHAKE, FatalError, type Logger, M_INFO, M_WARN } from './log.js';
import type { Options } from './options.js';
import { type ResolvChange, restoreResolv } from './resolv-conf.js';

const IFCONFIG_PATH = '/bin/ifconfig';
const ROUTE_PATH = '/bin/route';

export interface Device {
  readonly kind: 'tun' | 'tap' | 'null';
  /** The interface name (tun/0), or "null". */
  readonly name: string;
  /** -1 for --dev null. */
  readonly fd: number;
  /** Routes added, to delete again on close. */
  routes: RouteEntry[];
  /** /etc/resolv.conf as the tunnel's dhcp-options set it, to put back on close. */
  resolv?: ResolvChange | null;
}

/**
 * How an instance ends: the program exits; or it restarts (SIGUSR1, --ping-restart), keeping the
 * device with --persist-tun; or, on SIGHUP, it reloads: the device closed whatever --persist-tun
 * says, the command line and config file read again (2.6's outer loop in openvpn.c).
 */
export type Ending =
  | { readonly action: 'exit'; readonly status: number }
  | { readonly action: 'restart'; readonly device: Device | null; readonly connectFailed?: boolean }
  | { readonly action: 'reload' };

/** The Ending after a signal, once the instance has closed what it must (see Ending). */
export function endingFor(signo: number, device: Device | null, connectFailed = false): Ending {
  if (signo === SIGHUP) return { action: 'reload' };
  // connectFailed: a TCP client's connect was refused (its restart pause backs off).
  if (signo === SIGUSR1) return { action: 'restart', device, connectFailed };
  return { action: 'exit', status: 0 };
}

export interface RouteEntry {
  readonly network: string;
  readonly netmask: string;
  readonly gateway: string;
  /** The interface, when not the tunnel's own (redirect-gateway's route to the server). */
  readonly iface?: string;
}

/** An error as OpenVPN's M_ERR prints it: "text: strerror (errno=N)". */
export function errnoText(e: unknown): string {
  if (!isSysError(e)) throw e;
  return `${strerror(e.errno)} (errno=${e.code})`;
}

/** open_tun(): the device, or a FatalError with OpenVPN's words. */
export async function openDevice(sys: Sys, log: Logger, o: Options, kind: 'tun' | 'tap' | 'null'): Promise<Device> {
  if (kind === 'null') return { kind, name: 'null', fd: -1, routes: [] };
  const dev = o.dev!;
  let fd: number;
  let name: string;
  if (dev === 'tun' || dev === 'tap' || /^(tun|tap)\/\d+$/.test(dev)) {
    try {
      fd = await sys.open('/dev/misc/tun', O_RDWR | O_CLOEXEC);
    } catch (e) {
      throw new FatalError([`ERROR: Cannot open TUN/TAP dev /dev/misc/tun: ${errnoText(e)}`]);
    }
    const ifr: Ifreq = { ifr_name: dev.includes('/') ? dev : '', ifr_flags: (kind === 'tun' ? IFF_TUN : IFF_TAP) | IFF_NO_PI };
    try {
      await sys.ioctl(fd, TUNSETIFF, ifr);
    } catch (e) {
      await sys.close(fd);
      throw new FatalError([`ERROR: Cannot ioctl TUNSETIFF ${dev}: ${errnoText(e)}`]);
    }
    name = ifr.ifr_name;
  } else {
    try {
      fd = await sys.open(`/dev/${dev}`, O_RDWR | O_CLOEXEC);
    } catch (e) {
      throw new FatalError([`Cannot open TUN/TAP dev /dev/${dev}: ${errnoText(e)}`]);
    }
    const ifr: Ifreq = { ifr_name: '' };
    try {
      await sys.ioctl(fd, TUNGETIFF, ifr);
      name = ifr.ifr_name;
    } catch {
      name = dev;
    }
  }
  await sys.fcntl(fd, F_SETFL, O_NONBLOCK);
  await log.msg(M_INFO, `TUN/TAP device ${name} opened`);
  return { kind, name, fd, routes: [] };
}

/** "external program exited with error status: N" and friends (system_error_message). */
async function execve(sys: Sys, argv: string[]): Promise<string | null> {
  let pid: number;
  try {
    pid = await sys.spawn(argv[0]!, argv);
  } catch (e) {
    if (!isSysError(e)) throw e;
    return 'could not execute external program';
  }
  for (;;) {
    try {
      const { status } = await sys.waitpid(pid);
      if (WIFEXITED(status) && shellStatus(status) === 0) return null;
      return WIFEXITED(status)
        ? `external program exited with error status: ${shellStatus(status)}`
        : `external program did not execute -- returned error code ${shellStatus(status)}`;
    } catch (e) {
      // A signal while we wait (^C reaches ifconfig too): keep waiting for the child.
      if (!isSysError(e, 'EINTR')) throw e;
    }
  }
}

/** do_ifconfig(): Haiku's `ifconfig <if> inet <local> peer <remote> mtu <mtu> up` (tap: a netmask). */
export async function configureDevice(sys: Sys, log: Logger, o: Options, dev: Device): Promise<void> {
  if (o.ifconfigNoexec) return;
  const ipv4 = o.ifconfig !== null && dev.kind !== 'null';
  await log.msg(D_SHOW_PARMS, `do_ifconfig, ipv4=${ipv4 ? 1 : 0}, ipv6=0`);
  if (!ipv4) return;
  const { local, remote } = o.ifconfig!;
  const mtu = String(o.tunMtu);
  // --topology subnet (a TUN with a netmask, as a server pushes it) configures like a tap.
  const argv =
    dev.kind === 'tap'
      ? [IFCONFIG_PATH, dev.name, 'inet', local, remote, 'mtu', mtu, 'up']
      : o.topology === 'subnet'
        ? [IFCONFIG_PATH, dev.name, 'inet', local, 'netmask', remote, 'mtu', mtu, 'up']
        : [IFCONFIG_PATH, dev.name, 'inet', local, 'peer', remote, 'mtu', mtu, 'up'];
  await log.msg(M_INFO, argv.join(' '));
  const err = await execve(sys, argv);
  if (err !== null) throw new FatalError([`Haiku ifconfig failed: ${err}`]);
}

/**
 * init_route_list(): each --route resolved, its netmask and gateway defaulted, the default gateway
 * reported ("ROUTE_GATEWAY 192.168.1.1 IFACE=/dev/net/ipro1000/0", from the routing table as the
 * Haiku port reads it). Bad routes are warned about and left out, as OpenVPN does.
 */
export async function routeList(sys: Sys, log: Logger, o: Options, kind: 'tun' | 'tap' | 'null'): Promise<RouteEntry[]> {
  if (o.routes.length === 0) return [];
  await log.msg(D_ROUTE, await defaultGatewayLine(sys));
  const out: RouteEntry[] = [];
  const defaultGw = o.routeGateway ?? (kind === 'tun' && o.ifconfig ? o.ifconfig.remote : null);
  for (const r of o.routes) {
    const fail = () => log.msg(M_WARN, `OpenVPN ROUTE: failed to parse/resolve route for host/network: ${r.network}`);
    const network = await resolveHost(sys, r.network);
    const netmask = parseIpv4(r.netmask ?? '255.255.255.255');
    const gwName = r.gateway ?? defaultGw;
    const gateway = gwName === null ? null : await resolveHost(sys, gwName);
    const bad = network === null ? r.network : netmask === null ? r.netmask! : gwName !== null && gateway === null ? gwName : null;
    if (bad !== null) {
      await log.msg(M_WARN, `RESOLVE: Cannot parse IP address: ${bad}: (Name or service not known)`);
      await fail();
      continue;
    }
    if (gateway === null) {
      await log.msg(
        M_WARN,
        'OpenVPN ROUTE: OpenVPN needs a gateway parameter for a --route option and no default was specified by either --route-gateway or --ifconfig options',
      );
      await fail();
      continue;
    }
    out.push({ network: formatIpv4(network!), netmask: formatIpv4(netmask!), gateway: formatIpv4(gateway) });
  }
  return out;
}

/** The default route's gateway and interface (get_default_gateway()), or null. */
export async function defaultGateway(sys: Sys): Promise<{ gateway: string; iface: string | null } | null> {
  let fd = -1;
  try {
    fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    const table: { routes: Rtentry[] } = { routes: [] };
    await sys.ioctl(fd, SIOCGRTTABLE, table);
    const def = table.routes.find((r) => r.rt_dst.sin_addr === '0.0.0.0' && r.rt_genmask.sin_addr === '0.0.0.0' && r.rt_flags & RTF_GATEWAY);
    if (def?.rt_gateway) return { gateway: def.rt_gateway.sin_addr, iface: def.rt_dev ?? null };
  } catch (e) {
    if (!isSysError(e)) throw e;
  } finally {
    if (fd >= 0) await sys.close(fd);
  }
  return null;
}

async function defaultGatewayLine(sys: Sys): Promise<string> {
  const def = await defaultGateway(sys);
  return def ? `ROUTE_GATEWAY ${def.gateway}${def.iface ? ` IFACE=${def.iface}` : ''}` : 'ROUTE: default_gateway=UNDEF';
}

/**
 * --redirect-gateway def1 (redirect_default_route_to_vpn()): a host route to the server through
 * the old default gateway, then 0.0.0.0/1 and 128.0.0.0/1 through the tunnel, which win over the
 * default route without deleting it. Other flags are accepted; tunlab acts on def1 only.
 */
export async function redirectGatewayRoutes(sys: Sys, log: Logger, flags: readonly string[], server: string, tunGateway: string | null): Promise<RouteEntry[]> {
  if (!flags.includes('def1')) {
    await log.msg(M_WARN, `WARNING: --redirect-gateway ${flags.join(' ')}: tunlab redirects only with def1`);
    return [];
  }
  const def = await defaultGateway(sys);
  if (!def || tunGateway === null) {
    await log.msg(M_WARN, 'NOTE: unable to redirect IPv4 default gateway -- Cannot read current default gateway from system');
    return [];
  }
  return [
    { network: server, netmask: '255.255.255.255', gateway: def.gateway, ...(def.iface ? { iface: def.iface } : {}) },
    { network: '0.0.0.0', netmask: '128.0.0.0', gateway: tunGateway },
    { network: '128.0.0.0', netmask: '128.0.0.0', gateway: tunGateway },
  ];
}

/** add_routes(): `route add <if> inet <net> gw <gw> netmask <mask>` for each. */
export async function addRoutes(sys: Sys, log: Logger, o: Options, dev: Device, routes: RouteEntry[]): Promise<void> {
  if (o.routeNoexec || routes.length === 0) return;
  if (dev.kind === 'null' || o.ifconfig === null) {
    await log.msg(
      M_WARN,
      `WARNING: OpenVPN was configured to add an IPv4 route. However, no IPv4 has been configured for ${dev.name}, therefore the route installation may fail or may not work as expected.`,
    );
  }
  for (const r of routes) {
    const argv = [ROUTE_PATH, 'add', r.iface ?? dev.name, 'inet', r.network, 'gw', r.gateway, 'netmask', r.netmask];
    await log.msg(D_ROUTE, argv.join(' '));
    const err = await execve(sys, argv);
    if (err !== null) await log.msg(M_WARN, `ERROR: Haiku inet route add command failed: ${err}`);
    else dev.routes.push(r);
  }
}

/** delete_routes() then close_tun(): the closing lines of a restart or an exit. */
export async function closeDevice(sys: Sys, log: Logger, dev: Device): Promise<void> {
  for (const r of dev.routes.splice(0).reverse()) {
    const argv = [ROUTE_PATH, 'del', r.iface ?? dev.name, 'inet', r.network, 'gw', r.gateway, 'netmask', r.netmask];
    await log.msg(D_ROUTE, argv.join(' '));
    const err = await execve(sys, argv);
    if (err !== null) await log.msg(M_WARN, `ERROR: Haiku inet route delete command failed: ${err}`);
  }
  await log.msg(D_HANDSHAKE, 'Closing TUN/TAP interface');
  if (dev.fd >= 0) {
    try {
      await sys.close(dev.fd);
    } catch (e) {
      if (!isSysError(e)) throw e;
    }
  }
  // The down script runs once the tun is closed (close_instance, then run_down_cmd).
  if (dev.resolv) await restoreResolv(sys, log, dev.resolv);
  dev.resolv = null;
}
