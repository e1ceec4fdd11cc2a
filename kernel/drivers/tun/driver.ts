// The TUN/TAP driver: Linux's semantics (reference/tun-semantics.md) under Haiku's names.
//
//   /dev/misc/tun   the clone device: open gives an unattached fd, TUNSETIFF creates or attaches
//   /dev/tun/N      published while interface tun/N exists; opening it attaches to it (Haiku style)
//   /dev/tap/N      the same for TAP interfaces
//
// An fd's cookie is a TunFile (tun-file.ts: its queue, its state, its reads and writes); the device
// is a TunDevice (tun-device.ts: the interface's side); the ioctls are control.ts. This file makes
// and deletes devices, publishes their nodes and decides what TUNSETIFF attaches to.

import { SysError } from '../../abi/errno.js';
import { O_NONBLOCK } from '../../abi/fcntl.js';
import { IFF_MULTI_QUEUE, IFF_NO_PI, IFF_TAP, IFF_TUN, IFF_TUN_EXCL, IFF_TYPE_MASK } from '../../abi/ioctl.js';
import type { NetInterface } from '../../net/iface/interface.js';
import type { DeviceHooks } from '../../vfs/devfs.js';
import type { IoContext } from '../../vfs/file.js';
import type { DriverEnv } from '../env.js';
import { tunControl, type TunSetIff } from './control.js';
import { MAX_QUEUES, TAP_QUEUE_LEN, TUN_QUEUE_LEN, TunDevice, nodePath } from './tun-device.js';
import { TunFile } from './tun-file.js';

/** Linux's IFNAMSIZ - 1: longer names are cut, not refused (reference §5.2). */
export const TUN_NAME_MAX = 15;
/** How far a "%d" pattern counts before giving up with ENFILE. */
export const TUN_MAX_UNITS = 256;

/** The clone device's and every tun node's device numbers (Linux's misc 10:200). */
const TUN_RDEV = (10 << 8) | 200;

export class TunDriver implements TunSetIff {
  readonly devices = new Map<string, TunDevice>();

  constructor(readonly env: DriverEnv) {
    env.devfs.publish('misc/tun', this.hooks(), { mode: 0o666, rdev: TUN_RDEV });
    env.log.write('tun: driver loaded, /dev/misc/tun published');
    env.net.factories.push({
      matches: (name) => /^(tun|tap)\/\d+$/.test(name),
      create: (name) => this.createForIfconfig(name),
    });
  }

  // ------------------------------------------------------------------ devices

  /** `ifconfig tun/0 up` on a name that does not exist yet: Haiku creates the tunnel. */
  private createForIfconfig(name: string): NetInterface {
    const kind = name.startsWith('tun/') ? 'tun' : 'tap';
    const dev = this.create(name, kind, (kind === 'tun' ? IFF_TUN : IFF_TAP) | IFF_NO_PI, null);
    // Nobody holds it open: like a persistent Linux device, it lives until deleted.
    dev.persist = true;
    return dev.iface;
  }

  private create(name: string, kind: 'tun' | 'tap', flags: number, wantedIndex: number | null): TunDevice {
    const env = this.env;
    const dev = new TunDevice(env, name, kind, flags);
    dev.iface = env.net.addInterface(name, dev, kind === 'tun' ? TUN_QUEUE_LEN : TAP_QUEUE_LEN, wantedIndex ?? undefined);
    const node = nodePath(name, kind);
    this.devices.set(name, dev);
    env.devfs.publish(node, this.hooks(), { mode: 0o666, rdev: TUN_RDEV });
    dev.onGone = () => {
      // Every fd still attached is now simply unattached (tun-file.ts).
      for (const q of [...dev.queues, ...dev.detachedQueues]) (q as TunFile).deviceGone();
      dev.queues.length = 0;
      dev.detachedQueues.clear();
      this.devices.delete(name);
      env.devfs.unpublish(node);
    };
    env.log.write(`tun: ${kind.toUpperCase()} interface ${name} created, device /dev/${node}`);
    return dev;
  }

  /** Delete the interface (and with it, through detach(), the device and its node). */
  destroy(dev: TunDevice): void {
    const net = this.env.net;
    if (net.byName(dev.name) === dev.iface) net.removeInterface(dev.iface);
    else dev.detach();
    this.env.log.write(`tun: interface ${dev.name} deleted`);
  }

  /** An fd's last close: with the last queue goes the carrier; a device nobody made persistent goes entirely. */
  private closed(f: TunFile): void {
    const dev = f.close();
    if (dev && dev.queues.length === 0 && dev.detachedQueues.size === 0) {
      dev.carrier = false;
      if (!dev.persist) this.destroy(dev);
    }
  }

  /**
   * TUNSETIFF: attach to the named device, creating it if needed. The checks come in the order a
   * real kernel makes them (reference §2 and §5.7), so the same mistakes give the same errno.
   */
  setIff(f: TunFile, requested: string, flags: number, ctx: IoContext): string {
    if (f.state !== 'unattached') throw new SysError('EEXIST');
    // Linux looks at IFF_TUN first, then IFF_TAP (flags with both make a TUN).
    const kind = flags & IFF_TUN ? 'tun' : flags & IFF_TAP ? 'tap' : null;
    const name = requested.slice(0, TUN_NAME_MAX);
    const existing = name.includes('%') ? undefined : this.env.net.byName(name);
    if (existing) {
      const dev = this.devices.get(name);
      if (flags & IFF_TUN_EXCL) throw new SysError('EBUSY');
      if (!dev || dev.iface !== existing) throw new SysError('EINVAL');
      if (kind !== dev.kind) throw new SysError('EINVAL');
      if (!!(flags & IFF_MULTI_QUEUE) !== dev.multiQueue) throw new SysError('EINVAL');
      if (notCapable(dev, ctx)) throw new SysError('EPERM');
      if (dev.queues.length > 0 && !dev.multiQueue) throw new SysError('EBUSY');
      // Linux counts numqueues + numdisabled: detached queues hold their slot (reference §2, E2BIG).
      if (queueCount(dev) >= MAX_QUEUES) throw new SysError('E2BIG');
      // A re-attach takes its framing (NO_PI, VNET_HDR ...) from the new call.
      dev.flags = (dev.flags & IFF_TYPE_MASK) | (flags & ~IFF_TYPE_MASK & ~IFF_TUN_EXCL);
      f.attach(dev);
      return dev.name;
    }
    if (ctx.uid !== 0) throw new SysError('EPERM');
    if (!kind) throw new SysError('EINVAL');
    const finalName = this.allocName(name === '' ? `${kind}/%d` : name, kind);
    const dev = this.create(finalName, kind, flags & ~IFF_TUN_EXCL, f.wantedIndex);
    f.wantedIndex = null;
    f.attach(dev);
    return finalName;
  }

  /** Validate a requested name and expand its "%d" to the lowest free unit. */
  private allocName(name: string, kind: 'tun' | 'tap'): string {
    const haiku = /^(tun|tap)\/(.*)$/.exec(name);
    if (haiku) {
      // Haiku's names: the prefix says the type; the unit is a number or "%d".
      if (haiku[1] !== kind || !/^(\d+|%d)$/.test(haiku[2]!)) throw new SysError('EINVAL');
    } else if (name === '.' || name === '..' || /[/:\s]/.test(name)) throw new SysError('EINVAL');
    const pct = name.indexOf('%');
    if (pct < 0) return name;
    if (name[pct + 1] !== 'd' || name.indexOf('%', pct + 2) >= 0) throw new SysError('EINVAL');
    for (let n = 0; n < TUN_MAX_UNITS; n++) {
      const candidate = name.slice(0, pct) + n + name.slice(pct + 2);
      if (candidate.length > TUN_NAME_MAX) break;
      if (!this.env.net.byName(candidate)) return candidate;
    }
    throw new SysError('ENFILE');
  }

  // ------------------------------------------------------------------ the device hooks

  hooks(): DeviceHooks<TunFile> {
    return {
      open: (name, flags, ctx) => this.open(name, flags, ctx),
      close: (f) => this.closed(f),
      free: () => {},
      control: (f, op, arg, ctx) => tunControl(this, f, op, arg, ctx),
      read: (f, _pos, len, ctx) => f.read(len, ctx),
      write: (f, _pos, data, ctx) => f.write(data, ctx),
      select: (f, event, sync) => f.select(event, sync),
      deselect: (f, event, sync) => f.pool.remove(event, sync),
    };
  }

  private open(name: string, flags: number, ctx: IoContext): TunFile {
    const f = new TunFile(name, (flags & O_NONBLOCK) !== 0);
    if (name !== 'misc/tun') {
      // /dev/tun/N: attach to that interface, as Haiku's tunnel driver does on open.
      const dev = [...this.devices.values()].find((d) => nodePath(d.name, d.kind) === name);
      if (!dev) throw new SysError('ENODEV');
      if (notCapable(dev, ctx)) throw new SysError('EPERM');
      if (dev.queues.length > 0 && !dev.multiQueue) throw new SysError('EBUSY');
      if (queueCount(dev) >= MAX_QUEUES) throw new SysError('E2BIG'); // as TUNSETIFF (reference §2)
      f.attach(dev);
    }
    return f;
  }
}

/** Queues attached or detached (Linux's numqueues + numdisabled). */
function queueCount(dev: TunDevice): number {
  return dev.queues.length + dev.detachedQueues.size;
}

/**
 * Linux's tun_not_capable(): owner and group, when set, must both match, unless root. The group
 * matches as in_egroup_p() has it: the effective gid or any supplementary group.
 */
function notCapable(dev: TunDevice, ctx: IoContext): boolean {
  if (ctx.uid === 0) return false;
  const ownerBad = dev.owner !== -1 && dev.owner !== ctx.uid;
  const groupBad = dev.group !== -1 && dev.group !== ctx.gid && !(ctx.groups?.includes(dev.group) ?? false);
  return ownerBad || groupBad;
}
