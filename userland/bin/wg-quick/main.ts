// wg-quick(8), after wireguard-tools 1.0.20210914's Linux script: `up` starts the userspace daemon
// (tunlab's kernel has no WireGuard of its own, so there is no `ip link add ... type wireguard` to
// try first), applies the file with `wg setconf`, sets the addresses, the MTU (the endpoint route's
// less 80) and the routes of every allowed ip, runs the hooks; `down` undoes it. Each step is printed
// as "[#] ..." on stderr, as wg-quick prints the commands it runs: the programs it starts by their
// command lines, what it does through ioctls by the `ip` command that does the same on Linux.
// AllowedIPs = 0.0.0.0/0 becomes 0.0.0.0/1 and 128.0.0.0/1 plus a host route to each endpoint, as
// wg-quick does where it has no policy routing (its BSD and macOS scripts). tunlab has no IPv6 and
// one routing table: IPv6 entries are skipped with a warning, Table takes only auto and off.

import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { O_CLOEXEC, O_CREAT, O_EXCL, O_TRUNC, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { guarded } from '../../lib/guard.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { shellStatus } from '../../../kernel/abi/wait.js';
import { parseIpv4 } from '../../../kernel/abi/wire/address.js';
import { spawnp } from '../../lib/exec.js';
import { eprint, print, readAll, writeAll } from '../../lib/io.js';
import { RandomPool } from '../../lib/random.js';
import { formatPrefix } from '../../lib/wireguard/prefix.js';
import { showconf } from '../../lib/wireguard/showconf.js';
import { getDevice, IpcFailure, listInterfaces } from '../../lib/wireguard/uapi-client.js';
import { Die, parseOptions, type QuickConfig } from './config.js';
import { Net } from './net.js';

export default defineProgram({
  name: 'wg-quick',
  summary: 'set up a WireGuard interface simply',
  main: guarded('wg-quick', (argv, sys) => wgQuick(argv, sys)),
});

const PROGRAM = 'wg-quick';
const RESOLV_CONF = '/etc/resolv.conf';
const resolvBackup = (iface: string) => `/var/run/wireguard/${iface}.resolv.conf`;

const USAGE = `Usage: ${PROGRAM} [ up | down | save | strip ] [ CONFIG_FILE | INTERFACE ]

  CONFIG_FILE is a configuration file, whose filename is the interface name
  followed by \`.conf'. Otherwise, INTERFACE is an interface name, with
  configuration found at /etc/wireguard/INTERFACE.conf. It is to be readable
  by wg(8)'s \`setconf' sub-command, with the exception of the following additions
  to the [Interface] section, which are handled by ${PROGRAM}:

  - Address: may be specified one or more times and contains one or more
    IP addresses (with an optional CIDR mask) to be set for the interface.
  - DNS: an optional DNS server to use while the device is up.
  - MTU: an optional MTU for the interface; if unspecified, auto-calculated.
  - Table: an optional routing table to which routes will be added; if
    unspecified or \`auto', the default table is used. If \`off', no routes
    are added.
  - PreUp, PostUp, PreDown, PostDown: script snippets which will be executed
    by bash(1) at the corresponding phases of the link, most commonly used
    to configure DNS. The string \`%i' is expanded to INTERFACE.
  - SaveConfig: if set to \`true', the configuration is saved from the current
    state of the interface upon shutdown.

See wg-quick(8) for more info and examples.
`;

/** A failed step: the status wg-quick exits with (set -e). */
/** strtoul(s, &end, 0) with nothing left over: hex after 0x, octal after 0, else decimal; NaN if not. */
function strtoulBase0(s: string): number {
  if (/^0x[0-9a-f]+$/i.test(s)) return Number(s);
  if (/^0[0-7]*$/.test(s)) return parseInt(s, 8);
  return /^[1-9][0-9]*$/.test(s) ? Number(s) : NaN;
}

/** Linux's ETH_MIN_MTU: the smallest MTU of every device tunlab has. */
const ETH_MIN_MTU = 68;

class Failed {
  constructor(readonly status: number) {}
}

async function wgQuick(argv: string[], sys: Sys): Promise<number> {
  const args = argv.slice(1);
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h' || args[0] === 'help')) {
    await eprint(sys, USAGE);
    return 0;
  }
  const verb = args[0];
  if (args.length !== 2 || !['up', 'down', 'save', 'strip'].includes(verb!)) {
    await eprint(sys, USAGE);
    return 1;
  }
  if (sys.getuid() !== 0) {
    await eprint(sys, `${PROGRAM} must be run as root.\n`);
    return 1;
  }
  const c = await parseOptions(sys, args[1]!, (l) => eprint(sys, `${l}\n`));
  if (c instanceof Die) return die(sys, c.message);
  const q = new Quick(sys, c, await Net.open(sys));
  try {
    if (verb === 'up') return await q.up();
    if (verb === 'down') return await q.down();
    if (verb === 'strip') {
      await print(sys, `${c.wgConfig}\n`);
      return 0;
    }
    return await q.save();
  } catch (e) {
    if (e instanceof Die) return die(sys, e.message);
    if (e instanceof Failed) return e.status;
    throw e;
  } finally {
    await q.close();
  }
}

async function die(sys: Sys, message: string): Promise<number> {
  await eprint(sys, `${PROGRAM}: ${message}\n`);
  return 1;
}

class Quick {
  private readonly ipv6: string[] = [];
  /** What up has done that the interface going does not undo: the endpoints' host routes, the resolver. */
  private readonly endpointRoutesAdded: string[] = [];
  private dnsSet = false;

  constructor(
    private readonly sys: Sys,
    private readonly c: QuickConfig,
    private readonly net: Net,
  ) {}

  async close(): Promise<void> {
    await this.net.close();
  }

  private say(line: string): Promise<void> {
    return eprint(this.sys, `[#] ${line}\n`);
  }

  /** A program run as `cmd` runs it: its line printed, its failure the end of wg-quick. */
  private async run(argv: string[]): Promise<void> {
    await this.say(argv.join(' '));
    let status: number;
    try {
      const pid = await spawnp(this.sys, argv);
      status = await this.wait(pid);
    } catch (e) {
      if (!isSysError(e)) throw e;
      await eprint(this.sys, `${PROGRAM}: line 1: ${argv[0]}: command not found\n`);
      status = 127;
    }
    if (status !== 0) throw new Failed(status);
  }

  private async wait(pid: number): Promise<number> {
    for (;;) {
      try {
        return shellStatus((await this.sys.waitpid(pid)).status);
      } catch (e) {
        if (!isSysError(e, 'EINTR')) throw e;
      }
    }
  }

  /** An `ip` step done through an ioctl: printed, and its failure reported as `ip` words it. */
  private async ip(line: string, err: Promise<string | null>, say = true): Promise<void> {
    if (say) await this.say(line);
    const e = await err;
    if (e !== null) {
      await eprint(this.sys, `RTNETLINK answers: ${strerror(e as Parameters<typeof strerror>[0])}\n`);
      throw new Failed(2);
    }
  }

  private async hooks(list: string[]): Promise<void> {
    for (const hook of list) {
      const h = hook.replaceAll('%i', this.c.iface);
      await this.say(h);
      const status = await this.wait(await this.sys.spawn('/bin/sh', ['sh', '-c', h]));
      if (status !== 0) throw new Failed(status);
    }
  }

  async up(): Promise<number> {
    const { c, net } = this;
    if (await net.exists(c.iface)) throw new Die(`\`${c.iface}' already exists`);
    // What cannot be applied is refused before anything is.
    const table = c.table?.toLowerCase() ?? 'auto';
    if (table !== 'auto' && table !== 'main' && table !== 'off') throw new Die(`tunlab has one routing table: Table = ${c.table} cannot be used`);
    try {
      await this.hooks(c.preUp);
      await this.run(['wireguard-go', c.iface]);
      await this.setConfig();
      for (const a of c.addresses) await this.addAddress(a);
      await this.setMtuUp();
      await this.setDns();
      await this.addRoutes();
      if (this.ipv6.length) await eprint(this.sys, `[!] tunlab has no IPv6: ${this.ipv6.join(', ')} left out\n`);
      await this.hooks(c.postUp);
    } catch (e) {
      // The trap of `up` (del_if): whatever failed, after its error, everything done is undone in
      // down's order: the endpoints' host routes, the interface (its routes with it), the resolver.
      await this.undoUp();
      throw e;
    }
    return 0;
  }

  private async undoUp(): Promise<void> {
    const { c, net } = this;
    const attempt = async (line: string, err: Promise<string | null>) => {
      try {
        await this.ip(line, err);
      } catch (e) {
        if (!(e instanceof Failed)) throw e;
      }
    };
    for (const addr of this.endpointRoutesAdded.splice(0)) await attempt(`ip -4 route delete ${addr}/32`, net.deleteRoute(addr, 32, {}));
    if (await net.exists(c.iface)) await attempt(`ip link delete dev ${c.iface}`, net.deleteInterface(c.iface));
    if (this.dnsSet) await this.unsetDns();
  }

  /** set_config: the file less wg-quick's keys, through `wg setconf` (a private temporary file
   * stands where bash would give /dev/fd/63). */
  private async setConfig(): Promise<void> {
    const rng = new RandomPool(this.sys);
    const tag = Array.from(await rng.bytes(6), (b) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[b % 62]).join('');
    await rng.close();
    const path = `/tmp/wg-quick.${tag}`;
    const fd = await this.sys.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600);
    try {
      await writeAll(this.sys, fd, `${this.c.wgConfig}\n`);
    } finally {
      await this.sys.close(fd);
    }
    try {
      await this.run(['wg', 'setconf', this.c.iface, path]);
    } finally {
      await this.sys.unlink(path);
    }
  }

  private async addAddress(a: string): Promise<void> {
    if (a.includes(':')) {
      this.ipv6.push(a);
      return;
    }
    const [addr, bitsText] = a.split('/');
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (parseIpv4(addr!) === null || !/^\d{1,2}$/.test(bitsText ?? '32') || bits > 32) {
      await this.say(`ip -4 address add ${a} dev ${this.c.iface}`);
      await eprint(this.sys, `Error: any valid prefix is expected rather than "${a}".\n`);
      throw new Failed(1);
    }
    await this.ip(`ip -4 address add ${a} dev ${this.c.iface}`, this.net.addAddress(this.c.iface, addr!, bits));
  }

  /** set_mtu_up: MTU, or the largest MTU on the way to an endpoint (the default route's) less 80. */
  private async setMtuUp(): Promise<void> {
    const { c, net } = this;
    let mtu = 0;
    if (c.mtu !== null) {
      const line = `ip link set mtu ${c.mtu} up dev ${c.iface}`;
      // ip's get_unsigned: a decimal (or 0x/0 prefixed) number of 32 bits, else invarg(), exit 255.
      const m = strtoulBase0(c.mtu);
      if (!Number.isInteger(m) || m > 0xffff_ffff) {
        await this.say(line);
        await eprint(this.sys, `Error: argument "${c.mtu}" is wrong: Invalid "mtu" value\n`);
        throw new Failed(255);
      }
      await this.say(line);
      const e = await net.setMtuUp(c.iface, m);
      if (e === 'EINVAL') {
        // The kernel's extack for dev_validate_mtu; every device here has ETH_MIN_MTU (68) as its minimum.
        await eprint(this.sys, `Error: mtu ${m < ETH_MIN_MTU ? 'less than device minimum' : 'greater than device maximum'}.\n`);
        throw new Failed(2);
      }
      await this.ip(line, Promise.resolve(e), false);
      return;
    }
    const dev = await getDevice(this.sys, c.iface);
    for (const p of dev instanceof IpcFailure ? [] : dev.peers) {
      if (!p.endpoint) continue;
      const r = await net.routeTo(p.endpoint.slice(0, p.endpoint.lastIndexOf(':')));
      const m = r ? await net.mtu(r.dev) : null;
      if (m !== null && m > mtu) mtu = m;
    }
    if (mtu === 0) {
      const def = (await net.routes()).find((r) => r.rt_dst.sin_addr === '0.0.0.0' && r.rt_genmask.sin_addr === '0.0.0.0');
      const m = def?.rt_dev ? await net.mtu(def.rt_dev) : null;
      if (m !== null && m > mtu) mtu = m;
    }
    if (mtu === 0) mtu = 1500;
    await this.ip(`ip link set mtu ${mtu - 80} up dev ${c.iface}`, net.setMtuUp(c.iface, mtu - 80));
  }

  /** set_dns: the resolver's file says the tunnel's servers while it is up (the old one kept aside). */
  private async setDns(): Promise<void> {
    const { c } = this;
    if (c.dns.length === 0) return;
    let old: Uint8Array | null = null;
    try {
      const fd = await this.sys.open(RESOLV_CONF, 0);
      old = await readAll(this.sys, fd);
      await this.sys.close(fd);
    } catch (e) {
      if (!isSysError(e)) throw e;
    }
    if (old) await this.write(resolvBackup(c.iface), old, 0o644);
    this.dnsSet = true;
    let text = c.dns.map((d) => `nameserver ${d}\n`).join('');
    if (c.dnsSearch.length) text += `search ${c.dnsSearch.join(' ')}\n`;
    await this.say(`printf 'nameserver %s\\n' ${c.dns.join(' ')}${c.dnsSearch.length ? ` && printf 'search %s\\n' '${c.dnsSearch.join(' ')}'` : ''} > ${RESOLV_CONF}`);
    await this.write(RESOLV_CONF, new TextEncoder().encode(text), 0o644);
  }

  private async write(path: string, data: Uint8Array, mode: number): Promise<void> {
    const fd = await this.sys.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    try {
      await writeAll(this.sys, fd, data);
    } finally {
      await this.sys.close(fd);
    }
  }

  /** The routes of every allowed ip, longest prefix first (sort -nr -k 2 -t /). */
  private async addRoutes(): Promise<void> {
    const { c, net } = this;
    const dev = await getDevice(this.sys, c.iface);
    if (dev instanceof IpcFailure) throw new Die(`Unable to access interface: ${dev.message}`);
    const all = dev.peers.flatMap((p) => p.allowedIps.map(formatPrefix));
    all.sort((a, b) => Number(b.split('/')[1]) - Number(a.split('/')[1]) || (a < b ? 1 : a > b ? -1 : 0));
    if (c.table?.toLowerCase() === 'off') return;
    let defaultRoute = false;
    for (const prefix of all) {
      if (prefix.includes(':')) {
        this.ipv6.push(prefix);
        continue;
      }
      const [dest, bitsText] = prefix.split('/');
      const bits = Number(bitsText);
      if (bits === 0) {
        // add_default without policy routing: two halves that beat the default route.
        defaultRoute = true;
        await this.ip(`ip -4 route add 0.0.0.0/1 dev ${c.iface}`, net.addRoute('0.0.0.0', 1, { dev: c.iface }));
        await this.ip(`ip -4 route add 128.0.0.0/1 dev ${c.iface}`, net.addRoute('128.0.0.0', 1, { dev: c.iface }));
        continue;
      }
      if (await net.routeCovers(c.iface, dest!, bits)) continue;
      await this.ip(`ip -4 route add ${prefix} dev ${c.iface}`, net.addRoute(dest!, bits, { dev: c.iface }));
    }
    if (defaultRoute) await this.endpointRoutes(dev.peers.map((p) => p.endpoint));
  }

  /** A host route to each endpoint by the way it was reached before, so the tunnel's own packets
   * do not enter the tunnel (set_endpoint_direct_route). */
  private async endpointRoutes(endpoints: Array<string | null>): Promise<void> {
    const { net } = this;
    const def = (await net.routes()).find((r) => r.rt_dst.sin_addr === '0.0.0.0' && r.rt_genmask.sin_addr === '0.0.0.0' && r.rt_dev !== this.c.iface);
    for (const e of endpoints) {
      if (!e) continue;
      const addr = e.slice(0, e.lastIndexOf(':'));
      if (def?.rt_gateway) {
        await this.ip(`ip -4 route add ${addr}/32 via ${def.rt_gateway.sin_addr}`, net.addRoute(addr, 32, { gateway: def.rt_gateway.sin_addr, ...(def.rt_dev ? { dev: def.rt_dev } : {}) }));
      } else if (def?.rt_dev) await this.ip(`ip -4 route add ${addr}/32 dev ${def.rt_dev}`, net.addRoute(addr, 32, { dev: def.rt_dev }));
      else continue;
      this.endpointRoutesAdded.push(addr);
    }
  }

  async down(): Promise<number> {
    const { c, net } = this;
    if (!(await listInterfaces(this.sys)).includes(c.iface)) throw new Die(`\`${c.iface}' is not a WireGuard interface`);
    await this.hooks(c.preDown);
    if (c.saveConfig) await this.saveConfig();
    const dev = await getDevice(this.sys, c.iface);
    const peers = dev instanceof IpcFailure ? [] : dev.peers;
    if (peers.some((p) => p.allowedIps.some((ip) => ip.bits === 0 && ip.addr.length === 4))) {
      for (const p of peers) {
        if (!p.endpoint) continue;
        const addr = p.endpoint.slice(0, p.endpoint.lastIndexOf(':'));
        const held = (await net.routes()).some((r) => r.rt_dst.sin_addr === addr && r.rt_genmask.sin_addr === '255.255.255.255' && r.rt_dev !== c.iface);
        if (held) await this.ip(`ip -4 route delete ${addr}/32`, net.deleteRoute(addr, 32, {}));
      }
    }
    await this.ip(`ip link delete dev ${c.iface}`, net.deleteInterface(c.iface));
    await this.unsetDns();
    await this.hooks(c.postDown);
    return 0;
  }

  private async unsetDns(): Promise<void> {
    const { c } = this;
    if (c.dns.length === 0) return;
    const backup = resolvBackup(c.iface);
    try {
      await this.sys.stat(backup);
    } catch (e) {
      if (!isSysError(e)) throw e;
      await this.say(`rm ${RESOLV_CONF}`);
      await this.sys.unlink(RESOLV_CONF).catch((u: unknown) => {
        if (!isSysError(u)) throw u;
      });
      return;
    }
    await this.say(`mv ${backup} ${RESOLV_CONF}`);
    await this.sys.rename(backup, RESOLV_CONF);
  }

  async save(): Promise<number> {
    if (!(await listInterfaces(this.sys)).includes(this.c.iface)) throw new Die(`\`${this.c.iface}' is not a WireGuard interface`);
    await this.saveConfig();
    return 0;
  }

  /** save_config: the file rewritten from the interface's state, wg-quick's own keys kept. */
  private async saveConfig(): Promise<void> {
    const { c } = this;
    const dev = await getDevice(this.sys, c.iface);
    if (dev instanceof IpcFailure) throw new Die(`Unable to access interface: ${dev.message}`);
    const current = showconf(dev);
    let head = '[Interface]\n';
    for (const a of c.addresses) head += `Address = ${a}\n`;
    if (c.dns.length || c.dnsSearch.length) head += `DNS = ${[...c.dns, ...c.dnsSearch].join(', ')}\n`;
    if (c.mtu !== null) head += `MTU = ${c.mtu}\n`;
    if (c.table !== null) head += `Table = ${c.table}\n`;
    for (const h of c.preUp) head += `PreUp = ${h}\n`;
    for (const h of c.postUp) head += `PostUp = ${h}\n`;
    for (const h of c.preDown) head += `PreDown = ${h}\n`;
    for (const h of c.postDown) head += `PostDown = ${h}\n`;
    head += 'SaveConfig = true\n';
    await this.say(`wg showconf ${c.iface}`);
    await this.write(`${c.file}.tmp`, new TextEncoder().encode(`${current.replace('[Interface]\n', head)}\n`), 0o600);
    await this.sys.rename(`${c.file}.tmp`, c.file);
  }
}
