// The TUN/TAP driver: Linux's semantics (reference/tun-semantics.md) under Haiku's names.
//
//   /dev/misc/tun   the clone device: open gives an unattached fd, TUNSETIFF creates or attaches
//   /dev/tun/N      published while interface tun/N exists; opening it attaches to it (Haiku style)
//   /dev/tap/N      the same for TAP interfaces
//
// An fd's cookie is its queue: the packets the stack sent for it to read. Reads take one packet,
// writes give the stack one packet, and poll follows Linux: POLLIN while the queue has a packet,
// POLLOUT only while the interface is up, POLLERR while the fd is not attached.

import { SysError } from '../../abi/errno.js';
import { O_NONBLOCK } from '../../abi/fcntl.js';
import {
  IFF_NO_CARRIER,
  IFF_NO_PI,
  IFF_TAP,
  IFF_TUN,
  IFF_TYPE_MASK,
  TUN_PI_LEN,
  TUN_PKT_STRIP,
} from '../../abi/ioctl.js';
import { B_SELECT_ERROR, B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../../abi/select.js';
import type { Kernel } from '../../kernel.js';
import { WaitQueue } from '../../sched/scheduler.js';
import type { DeviceHooks } from '../../vfs/devfs.js';
import { type IoContext, SelectPool, type SelectSync } from '../../vfs/file.js';
import { tunControl } from './control.js';
import { MAX_QUEUES, type TunQueue, TunDevice, TAP_QUEUE_LEN, TUN_QUEUE_LEN, queueLength } from './tun-device.js';

/** Linux's IFNAMSIZ - 1: longer names are cut, not refused (reference §5.2). */
export const TUN_NAME_MAX = 15;
/** How far a "%d" pattern counts before giving up with ENFILE. */
export const TUN_MAX_UNITS = 256;

export interface TunCookie extends TunQueue {
  device: TunDevice | null;
  nonblocking: boolean;
  sndbuf: number;
  /** TUNSETIFINDEX: the index the next TUNSETIFF should give its interface. */
  wantedIndex: number | null;
  /** A multi-queue fd taken out of service with TUNSETQUEUE(IFF_DETACH_QUEUE). */
  detachedFrom: TunDevice | null;
}

let nextCookie = 1;

export class TunDriver {
  readonly devices = new Map<string, TunDevice>();

  constructor(readonly kernel: Kernel) {
    kernel.devfs.publish('misc/tun', this.hooks(), { mode: 0o666, rdev: (10 << 8) | 200 });
    kernel.net.factories.push({
      matches: (name) => /^(tun|tap)\/\d+$/.test(name),
      create: (name) => this.createForIfconfig(name),
    });
  }

  // ------------------------------------------------------------------ devices

  /** `ifconfig tun/0 up` on a name that does not exist yet: Haiku creates the tunnel. */
  private createForIfconfig(name: string) {
    const kind = name.startsWith('tun/') ? 'tun' : 'tap';
    const dev = this.create(name, kind, (kind === 'tun' ? IFF_TUN : IFF_TAP) | IFF_NO_PI, null);
    // Nobody holds it open: like a persistent Linux device, it lives until deleted.
    dev.persist = true;
    return dev.iface;
  }

  private create(name: string, kind: 'tun' | 'tap', flags: number, wantedIndex: number | null): TunDevice {
    const dev = new TunDevice(this.kernel, name, kind, flags);
    dev.iface = this.kernel.net.addInterface(name, dev, kind === 'tun' ? TUN_QUEUE_LEN : TAP_QUEUE_LEN, wantedIndex ?? undefined);
    const node = nodePath(name, kind);
    this.devices.set(name, dev);
    this.kernel.devfs.publish(node, this.hooks(), { mode: 0o666, rdev: (10 << 8) | 200 });
    dev.onGone = () => {
      // Every fd still attached is now simply unattached: a reader blocked on it wakes with
      // EFAULT, later calls get EBADFD, and TUNSETIFF works on it again (reference §5.6).
      for (const q of [...dev.queues, ...dev.detachedQueues] as TunCookie[]) {
        q.device = null;
        q.detachedFrom = null;
        q.shutdown = true;
        q.packets = [];
        q.head = 0;
        q.readable.wakeAll();
        q.pool.notify(B_SELECT_ERROR);
      }
      dev.queues.length = 0;
      dev.detachedQueues.clear();
      this.devices.delete(name);
      this.kernel.devfs.unpublish(node);
    };
    this.kernel.log.write(`tun: ${kind.toUpperCase()} interface ${name} created, device /dev/${node}`);
    return dev;
  }

  /** Delete the interface (and with it, through detach(), the device and its node). */
  destroy(dev: TunDevice): void {
    if (this.kernel.net.byName(dev.name) === dev.iface) this.kernel.net.removeInterface(dev.iface);
    else dev.detach();
    this.kernel.log.write(`tun: interface ${dev.name} deleted`);
  }

  attach(c: TunCookie, dev: TunDevice): void {
    c.device = dev;
    c.shutdown = false;
    dev.queues.push(c);
    if (!(dev.flags & IFF_NO_CARRIER)) dev.carrier = true;
    c.pool.notify(B_SELECT_WRITE);
  }

  /** Last close of an fd: its queue goes; with the last queue the carrier; non-persistent devices go entirely. */
  detach(c: TunCookie): void {
    const dev = c.device ?? c.detachedFrom;
    c.device = null;
    c.detachedFrom = null;
    c.packets = [];
    c.head = 0;
    if (!dev) return;
    const i = dev.queues.indexOf(c);
    if (i >= 0) dev.queues.splice(i, 1);
    dev.detachedQueues.delete(c);
    if (dev.queues.length === 0 && dev.detachedQueues.size === 0) {
      dev.carrier = false;
      if (!dev.persist) this.destroy(dev);
    }
  }

  /**
   * TUNSETIFF: attach to the named device, creating it if needed. The checks come in the order a
   * real kernel makes them (reference §2 and §5.7), so the same mistakes give the same errno.
   */
  setIff(c: TunCookie, requested: string, flags: number, ctx: IoContext): string {
    if (c.device || c.detachedFrom) throw new SysError('EEXIST');
    // Linux looks at IFF_TUN first, then IFF_TAP (flags with both make a TUN).
    const kind = flags & IFF_TUN ? 'tun' : flags & IFF_TAP ? 'tap' : null;
    const name = requested.slice(0, TUN_NAME_MAX);
    const existing = name.includes('%') ? undefined : this.kernel.net.byName(name);
    if (existing) {
      const dev = this.devices.get(name);
      if (flags & 0x8000 /* IFF_TUN_EXCL */) throw new SysError('EBUSY');
      if (!dev || dev.iface !== existing) throw new SysError('EINVAL');
      if (kind !== dev.kind) throw new SysError('EINVAL');
      if (!!(flags & 0x0100) !== dev.multiQueue) throw new SysError('EINVAL');
      if (notCapable(dev, ctx)) throw new SysError('EPERM');
      if (dev.queues.length > 0 && !dev.multiQueue) throw new SysError('EBUSY');
      // Linux counts numqueues + numdisabled: detached queues hold their slot (reference §2, E2BIG).
      if (queueCount(dev) >= MAX_QUEUES) throw new SysError('E2BIG');
      // A re-attach takes its framing (NO_PI, VNET_HDR ...) from the new call.
      dev.flags = (dev.flags & IFF_TYPE_MASK) | (flags & ~IFF_TYPE_MASK & ~0x8000);
      this.attach(c, dev);
      return dev.name;
    }
    if (ctx.uid !== 0) throw new SysError('EPERM');
    if (!kind) throw new SysError('EINVAL');
    const finalName = this.allocName(name === '' ? `${kind}/%d` : name, kind);
    const dev = this.create(finalName, kind, flags & ~0x8000, c.wantedIndex);
    c.wantedIndex = null;
    this.attach(c, dev);
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
      if (!this.kernel.net.byName(candidate)) return candidate;
    }
    throw new SysError('ENFILE');
  }

  // ------------------------------------------------------------------ the device hooks

  hooks(): DeviceHooks<TunCookie> {
    return {
      open: (name, flags, ctx) => this.open(name, flags, ctx),
      // The last close detaches at once (Linux's tun_chr_close): a reader killed while blocked
      // never finishes its read, and must not keep the interface alive.
      close: (c) => {
        this.detach(c);
        c.readable.wakeAll();
      },
      free: () => {},
      control: (c, op, arg, ctx) => tunControl(this, c, op, arg, ctx),
      read: (c, _pos, len, ctx) => this.read(c, len, ctx),
      write: (c, _pos, data) => this.write(c, data),
      select: (c, event, sync) => this.select(c, event, sync),
      deselect: (c, event, sync) => c.pool.remove(event, sync),
    };
  }

  private open(name: string, flags: number, ctx: IoContext): TunCookie {
    const c: TunCookie = {
      id: nextCookie++,
      packets: [],
      head: 0,
      readable: new WaitQueue(`/dev/${name} (waiting for a packet)`),
      pool: new SelectPool(),
      shutdown: false,
      device: null,
      nonblocking: (flags & O_NONBLOCK) !== 0,
      sndbuf: 0x7fff_ffff,
      wantedIndex: null,
      detachedFrom: null,
    };
    if (name !== 'misc/tun') {
      // /dev/tun/N: attach to that interface, as Haiku's tunnel driver does on open.
      const dev = [...this.devices.values()].find((d) => nodePath(d.name, d.kind) === name);
      if (!dev) throw new SysError('ENODEV');
      if (notCapable(dev, ctx)) throw new SysError('EPERM');
      if (dev.queues.length > 0 && !dev.multiQueue) throw new SysError('EBUSY');
      if (queueCount(dev) >= MAX_QUEUES) throw new SysError('E2BIG'); // as TUNSETIFF (reference §2)
      this.attach(c, dev);
    }
    return c;
  }

  /** One packet: at once when one is queued (no promise on the fast path), else after a wait. */
  private read(c: TunCookie, len: number, ctx: IoContext): Uint8Array | Promise<Uint8Array> {
    // A detached multi-queue fd is still attached to its device (Linux's tun_get() finds it), so
    // it is not EBADFD: it just never gets a packet until TUNSETQUEUE(IFF_ATTACH_QUEUE) (reference §2).
    if (!c.device && !c.detachedFrom) throw new SysError('EBADFD');
    if (len === 0) return new Uint8Array(0);
    if (queueLength(c) > 0) return this.take(c, len);
    return this.readBlocking(c, len, ctx);
  }

  private async readBlocking(c: TunCookie, len: number, ctx: IoContext): Promise<Uint8Array> {
    while (queueLength(c) === 0) {
      if (c.nonblocking) throw new SysError('EAGAIN');
      const r = await ctx.task.scheduler.sleep(ctx.task, [c.readable], { interruptible: true, syscall: ctx.syscall, channel: c.readable.name });
      if (r === 'signal') throw new SysError('EINTR');
      // The interface was deleted while we slept (Linux: RCV_SHUTDOWN, EFAULT), or the fd closed.
      if (c.shutdown) throw new SysError('EFAULT');
      if (!c.device && !c.detachedFrom) throw new SysError('EBADFD');
    }
    return this.take(c, len);
  }

  private take(c: TunCookie, len: number): Uint8Array {
    const dev = c.device!;
    if (!dev.noPi && len < TUN_PI_LEN) {
      // The packet is taken and lost, counted nowhere (reference §5.8).
      c.head++;
      throw new SysError('EINVAL');
    }
    const pkt = c.packets[c.head]!;
    c.packets[c.head++] = undefined as never;
    if (c.head === c.packets.length) {
      c.packets = [];
      c.head = 0;
    }
    const iface = dev.iface;
    // Counted as transmitted when read, with its full length even if the buffer cuts it (§5.8).
    iface.counters.txPackets++;
    iface.counters.txBytes += pkt.data.length;
    const net = dev.kernel.net;
    if (net.tracing) net.trace('driver', `/dev/${nodePath(dev.name, dev.kind)}`, 'out', dev.kind === 'tun' ? 'ip' : 'ether', pkt.data);
    let prefix = 0;
    if (!dev.noPi) prefix += TUN_PI_LEN;
    if (dev.vnetHdr) prefix += dev.vnetHdrSz;
    // The queue owns the packet: a plain read that fits takes it as it is.
    if (prefix === 0 && len >= pkt.data.length) return pkt.data;
    const total = prefix + pkt.data.length;
    const out = new Uint8Array(Math.min(len, total));
    if (!dev.noPi) {
      const strip = len < total ? TUN_PKT_STRIP : 0;
      // struct tun_pi: flags in host order (x86: little-endian), then the big-endian protocol.
      out[0] = strip & 0xff;
      out[1] = strip >> 8;
      out[2] = pkt.proto >> 8;
      out[3] = pkt.proto & 0xff;
    }
    // A virtio_net_hdr of zeros (no offloads) follows when IFF_VNET_HDR asked for one.
    if (out.length > prefix) out.set(pkt.data.subarray(0, out.length - prefix), prefix);
    return out;
  }

  private write(c: TunCookie, data: Uint8Array): number {
    const dev = c.device ?? c.detachedFrom; // a detached queue may still write (see read)
    if (!dev) throw new SysError('EBADFD');
    const iface = dev.iface;
    // The order of these checks is Linux's (reference §2): EINVAL before EIO. Only the last two
    // count the packet as dropped, as tun_get_user() does.
    let off = 0;
    let proto = 0;
    if (!dev.noPi) {
      if (data.length < TUN_PI_LEN) throw new SysError('EINVAL');
      proto = (data[2]! << 8) | data[3]!;
      off = TUN_PI_LEN;
    }
    if (dev.vnetHdr) {
      if (data.length - off < dev.vnetHdrSz) throw new SysError('EINVAL');
      off += dev.vnetHdrSz;
    }
    const len = data.length - off;
    if (dev.kind === 'tap') {
      if (len < 14) throw new SysError('EINVAL');
    } else if (dev.noPi) {
      const version = len > 0 ? data[off]! >> 4 : 0;
      if (version !== 4 && version !== 6) {
        iface.counters.rxDropped++;
        throw new SysError('EINVAL');
      }
      proto = version === 4 ? 0x0800 : 0x86dd;
    }
    if (!iface.up) {
      iface.counters.rxDropped++;
      throw new SysError('EIO');
    }
    iface.counters.rxPackets++;
    iface.counters.rxBytes += len;
    // A copy: the writer may reuse its buffer while the packet waits in the backlog.
    const copy = data.slice(off);
    if (dev.kernel.net.tracing) dev.kernel.net.trace('driver', `/dev/${nodePath(dev.name, dev.kind)}`, 'in', dev.kind === 'tun' ? 'ip' : 'ether', copy);
    // The stack takes IPv4 (and frames, for a TAP); an IPv6 packet or an unknown PI protocol is
    // accepted by the driver and then dropped by this IPv4-only stack, as a kernel without IPv6 would.
    if (dev.kind === 'tap' || proto === 0x0800) dev.kernel.net.linkInput(iface, copy);
    else iface.counters.rxNoHandler++; // counted, as Linux's rx_nohandler (see IfCounters)
    return data.length;
  }

  private select(c: TunCookie, event: SelectEvent, sync: SelectSync): void {
    c.pool.add(event, sync);
    const dev = c.device ?? c.detachedFrom; // POLLERR only when unattached (see read)
    if (!dev) {
      if (event === B_SELECT_ERROR) sync.notify(event);
      return;
    }
    if (event === B_SELECT_READ && queueLength(c) > 0) sync.notify(event);
    if (event === B_SELECT_WRITE && dev.iface.up) sync.notify(event);
  }
}

/** The devfs path for an interface: tun/0 for Haiku's names, tun/<name> for Linux-style ones. */
export function nodePath(name: string, kind: 'tun' | 'tap'): string {
  return /^(tun|tap)\/\d+$/.test(name) ? name : `${kind}/${name}`;
}

/** Queues attached or detached (Linux's numqueues + numdisabled). */
function queueCount(dev: TunDevice): number {
  return dev.queues.length + dev.detachedQueues.size;
}

/** Linux's tun_not_capable(): owner and group, when set, must both match, unless root. */
function notCapable(dev: TunDevice, ctx: IoContext): boolean {
  if (ctx.uid === 0) return false;
  const ownerBad = dev.owner !== -1 && dev.owner !== ctx.uid;
  const groupBad = dev.group !== -1 && dev.group !== ctx.gid;
  return ownerBad || groupBad;
}

export function installTunDriver(k: Kernel): TunDriver {
  return new TunDriver(k);
}
