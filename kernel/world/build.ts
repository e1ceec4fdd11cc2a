// Turning a world file into a running world: segments, hosts with their NICs, addresses, routes
// and files, then each host's boot commands started by its shell.

import * as nodePath from 'node:path';
import { SysError } from '../abi/errno.js';
import { O_APPEND, O_CREAT, O_RDONLY, O_WRONLY } from '../abi/fcntl.js';
import { IFF_UP } from '../abi/if.js';
import { RTF_REJECT } from '../abi/route.js';
import type { Kernel } from '../kernel.js';
import * as config from '../net/iface/config.js';
import { maskFromPrefix } from '../abi/wire/address.js';
import { insideRoots, readBounded } from './host-files.js';
import { Segment } from './segment.js';
import { Uplink } from './uplink.js';
import { parseWorldFile, type WorldSpec, WorldFileError } from './world-file.js';
import { World, type WorldOptions } from './world.js';

export interface BuiltWorld {
  world: World;
  spec: WorldSpec;
  segments: Map<string, Segment>;
  uplink: Uplink | null;
}

/** A locally administered MAC, QEMU style (52:54:00:xx:xx:xx), from the world's seed. */
function randomMac(k: Kernel): number {
  const low = k.random.nextU32() & 0xff_ffff;
  return 0x5254_0000_0000 + low;
}

export function loadWorldFile(path: string, opts: Omit<WorldOptions, 'epochNs'>): BuiltWorld {
  const bytes = readBounded(path);
  if (typeof bytes === 'string') throw new WorldFileError('(file)', bytes);
  const spec = parseWorldFile(new TextDecoder().decode(bytes));
  return buildWorld(spec, opts, nodePath.dirname(path));
}

export function buildWorld(spec: WorldSpec, opts: Omit<WorldOptions, 'epochNs'>, baseDir: string): BuiltWorld {
  const world = new World({
    ...opts,
    ...(spec.epochNs !== null ? { epochNs: spec.epochNs } : {}),
    ...(spec.disk !== null ? { limits: { ...opts.limits, disk: spec.disk } } : {}),
  });
  const segments = new Map<string, Segment>();
  for (const [name, s] of spec.segments) {
    segments.set(
      name,
      new Segment(name, { delayNs: s.delayNs, jitterNs: s.jitterNs, loss: s.loss, duplicate: s.duplicate }, world.sched, world.random.fork(`segment:${name}`), world.events),
    );
  }
  for (const h of spec.hosts) {
    const k = world.addHost(h.name);
    const net = k.net;
    // The host is configured as `ifconfig` and `route` would configure it, through the same calls.
    config.setForwarding(net, h.forwarding);
    h.nics.forEach((n) => {
      const nic = k.nics.add(n.driver, n.mac ?? randomMac(k));
      segments.get(n.segment)!.attach(nic);
      const iface = nic.iface!;
      if (n.mtu !== null) config.setMtu(iface, n.mtu);
      if (n.address) {
        config.setAddress(net, iface, n.address.addr);
        config.setNetmask(net, iface, maskFromPrefix(n.address.prefix));
      }
      if (n.up) config.setFlags(net, iface, iface.flags | IFF_UP);
      if (n.qdisc) config.setQdisc(net, iface, { ...n.qdisc, handle: 0 });
    });
    h.bridges.forEach((b, i) => {
      const at = `hosts.${h.name}.bridges[${i}]`;
      const bridge = config.createInterface(net, b.name);
      b.members.forEach((m, j) => {
        const member = net.byName(m);
        if (!member) throw new WorldFileError(`${at}.members[${j}]`, `host ${h.name} has no interface ${JSON.stringify(m)}`);
        config.addBridgeMember(net, b.name, member);
      });
      if (b.address) {
        config.setAddress(net, bridge, b.address.addr);
        config.setNetmask(net, bridge, maskFromPrefix(b.address.prefix));
      }
      if (b.up) config.setFlags(net, bridge, bridge.flags | IFF_UP);
    });
    h.routes.forEach((r, i) => {
      const at = `hosts.${h.name}.routes[${i}]`;
      const iface = r.dev ? net.byName(r.dev) : null;
      if (r.dev && !iface) throw new WorldFileError(`${at}.dev`, `host ${h.name} has no interface ${JSON.stringify(r.dev)}`);
      try {
        // A reject route names no interface: it stays on the host (the loopback).
        config.addRoute(net, {
          dest: r.dest,
          mask: maskFromPrefix(r.prefix),
          gateway: r.via,
          iface: iface ?? (r.via === null ? net.loop : null),
          flags: r.reject ? RTF_REJECT : 0,
          metric: r.metric,
          mtu: 0,
        });
      } catch (e) {
        if (!(e instanceof SysError)) throw e;
        if (e.errno === 'ENETUNREACH') throw new WorldFileError(`${at}.via`, `gateway is not on a network of host ${h.name}`);
        // The same route twice once "dev" and "via" are resolved to one interface.
        if (e.errno === 'EEXIST') throw new WorldFileError(at, `host ${h.name} has this route already`);
        throw e;
      }
    });
    for (const f of h.files) {
      const at = `hosts.${h.name}.files.${f.path}`;
      const content = 'text' in f.spec ? f.spec.text : readFixture([baseDir, ...(opts.share ? [opts.share] : [])], baseDir, f.spec.from, `${at}.from`);
      try {
        k.root.install(f.path.slice(1), content, f.spec.mode);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EISDIR') throw new WorldFileError(at, `is a directory on host ${h.name}, not a file`);
        if (code === 'ENOTDIR') throw new WorldFileError(at, `a directory on its way is a file on host ${h.name}`);
        throw e;
      }
    }
  }
  let uplink: Uplink | null = null;
  if (spec.uplink) {
    // The uplink NIC and the gateway share a segment of their own, as QEMU's -netdev user does.
    const u = spec.uplink;
    const k = world.mustHost(u.host);
    const seg = new Segment('uplink', { delayNs: 50_000, jitterNs: 0, loss: 0, duplicate: 0 }, world.sched, world.random.fork('segment:uplink'), world.events);
    segments.set('uplink', seg);
    const nic = k.nics.add('virtio', 0x5254_0012_3457);
    seg.attach(nic);
    config.setAddress(k.net, nic.iface!, u.address.addr);
    config.setNetmask(k.net, nic.iface!, maskFromPrefix(u.address.prefix));
    config.setFlags(k.net, nic.iface!, nic.iface!.flags | IFF_UP);
    uplink = new Uplink(world, seg, k, u.gateway, u.address.addr, maskFromPrefix(u.address.prefix));
  }
  return { world, spec, segments, uplink };
}

/** A "from" file: inside the world file's directory or the share, real paths compared; bounded. */
function readFixture(roots: string[], baseDir: string, rel: string, at: string): Uint8Array {
  const where = insideRoots(baseDir, rel, roots);
  if ('problem' in where) throw new WorldFileError(at, where.problem);
  const bytes = readBounded(where.path);
  if (typeof bytes === 'string') throw new WorldFileError(at, bytes);
  return bytes;
}

/** How long a world may take to reach its ready point before the user's script starts anyway. */
const BOOT_SETTLE_NS = 1_000_000_000;

/**
 * Start every host's boot commands, each by `/bin/sh -c` as root, output appended to
 * /var/log/boot.log on that host (read it with `on HOST cat /var/log/boot.log`), then run the
 * world to its ready point: every boot command started and blocked or ended, with nothing due
 * now, as an init system reaches its target. A script's first line then finds what the boot
 * commands set up (openvpn's tun/0) rather than racing them. A boot that does not settle within
 * BOOT_SETTLE_NS (a command that computes for ever) is left running in the background.
 */
export async function bootWorld(built: BuiltWorld): Promise<void> {
  let started = false;
  for (const h of built.spec.hosts) {
    if (h.boot.length === 0) continue;
    const k = built.world.mustHost(h.name);
    for (const cmd of h.boot) {
      const stdin = await k.openKernel('/dev/null', O_RDONLY);
      const log = await k.openKernel('/var/log/boot.log', O_WRONLY | O_CREAT | O_APPEND);
      await k.spawn(null, '/bin/sh', ['sh', '-c', cmd], { files: [stdin, log, log], cwd: '/boot/home' });
      started = true;
    }
  }
  if (!started) return;
  const sched = built.world.sched;
  const deadline = sched.now() + BOOT_SETTLE_NS;
  await built.world.run({ untilIdle: true, until: () => sched.tasks.size === 0 || sched.now() >= deadline });
}
