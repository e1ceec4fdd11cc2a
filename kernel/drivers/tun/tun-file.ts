// One open TUN/TAP fd (the device cookie), and its life as one state machine:
//
//   unattached --attach--> attached --disable--> disabled      (TUNSETQUEUE IFF_DETACH_QUEUE)
//       ^                     |  ^------enable-------'           (TUNSETQUEUE IFF_ATTACH_QUEUE)
//       '----deviceGone-------'-----------'
//   any --close--> closed
//
// Opened on /dev/misc/tun it starts unattached until TUNSETIFF; opened on /dev/tun/N it attaches at
// once. A disabled queue still belongs to its device (Linux's tun_get() finds it: its ioctls work,
// it may write) but gets no packets. When the interface is deleted under it, the fd is unattached
// again: a reader asleep in read() wakes with EFAULT, later calls get EBADFD, and TUNSETIFF works
// on it once more (reference §5.6). Reads take one packet from the fd's queue; writes hand one to
// the stack; poll follows Linux: POLLIN while a packet waits, POLLOUT only while the interface is
// up, POLLERR while unattached.

import { SysError } from '../../abi/errno.js';
import { IFF_NO_CARRIER, TUN_PI_LEN, TUN_PKT_STRIP } from '../../abi/ioctl.js';
import { B_SELECT_ERROR, B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../../abi/select.js';
import { IP_HEADROOM } from '../../net/iface/ipv4.js';
import { PacketQueue } from '../../net/iface/packet-queue.js';
import { type IoContext, SelectPool, type SelectSync } from '../../vfs/file.js';
import { type QueuedPacket, type TunDevice, type TunQueue, nodePath } from './tun-device.js';

export type TunFileState = 'unattached' | 'attached' | 'disabled' | 'closed';

export class TunFile implements TunQueue {
  state: TunFileState = 'unattached';
  /** The device while attached or disabled. */
  device: TunDevice | null = null;
  readonly queue: PacketQueue<QueuedPacket>;
  readonly pool = new SelectPool();
  nonblocking: boolean;
  sndbuf = 0x7fff_ffff;
  /** TUNSETIFINDEX: the index the next TUNSETIFF should give its interface. */
  wantedIndex: number | null = null;
  /** The device went away while attached: a reader asleep wakes with EFAULT. */
  private shutdown = false;

  constructor(node: string, nonblocking: boolean) {
    this.nonblocking = nonblocking;
    // Bounded by the interface's tx_queue_len: 500 for a TUN, 1000 for a TAP, as Linux's.
    this.queue = new PacketQueue<QueuedPacket>({ name: `/dev/${node} (waiting for a packet)`, limit: () => this.device?.iface.txQueueLen ?? 0 });
    this.queue.onPush = () => this.pool.notify(B_SELECT_READ);
  }

  // ------------------------------------------------------------------ transitions

  attach(dev: TunDevice): void {
    this.expect('unattached');
    this.state = 'attached';
    this.device = dev;
    this.shutdown = false;
    dev.queues.push(this);
    if (!(dev.flags & IFF_NO_CARRIER)) dev.carrier = true;
    this.pool.notify(B_SELECT_WRITE);
  }

  /** TUNSETQUEUE(IFF_DETACH_QUEUE): out of service, still the device's. */
  disable(): void {
    const dev = this.device;
    if (this.state !== 'attached' || !dev?.multiQueue) throw new SysError('EINVAL');
    dev.queues.splice(dev.queues.indexOf(this), 1);
    dev.detachedQueues.add(this);
    this.state = 'disabled';
    this.queue.clear();
  }

  /** TUNSETQUEUE(IFF_ATTACH_QUEUE): back in service. */
  enable(): void {
    const dev = this.device;
    if (this.state !== 'disabled' || !dev) throw new SysError('EINVAL');
    dev.detachedQueues.delete(this);
    this.state = 'unattached';
    this.device = null;
    this.attach(dev);
  }

  /** The interface was deleted: unattached again, and anyone asleep or polling hears of it. */
  deviceGone(): void {
    if (this.state !== 'attached' && this.state !== 'disabled') return;
    this.state = 'unattached';
    this.device = null;
    this.shutdown = true;
    this.queue.clear();
    this.queue.readers.wakeAll();
    this.pool.notify(B_SELECT_ERROR);
  }

  /**
   * The last close: the queue leaves its device at once (Linux's tun_chr_close: a reader killed
   * while blocked never finishes its read, and must not keep the interface alive). Returns the
   * device it left, for the driver to decide whether the device goes too.
   */
  close(): TunDevice | null {
    const dev = this.device;
    if (dev) {
      const i = dev.queues.indexOf(this);
      if (i >= 0) dev.queues.splice(i, 1);
      dev.detachedQueues.delete(this);
    }
    this.state = 'closed';
    this.device = null;
    this.queue.clear();
    this.queue.readers.wakeAll();
    return dev;
  }

  private expect(state: TunFileState): void {
    if (this.state !== state) throw new SysError(this.state === 'closed' ? 'EBADF' : 'EEXIST');
  }

  /** The device of an fd that has one (attached or disabled), else EBADFD. */
  owner(): TunDevice {
    if (!this.device) throw new SysError('EBADFD');
    return this.device;
  }

  // ------------------------------------------------------------------ I/O

  /** One packet: at once when one is queued (no promise on the fast path), else after a wait. */
  read(len: number, ctx: IoContext): Uint8Array | Promise<Uint8Array> {
    // A disabled queue is still attached to its device, so it is not EBADFD: it just never gets a
    // packet until TUNSETQUEUE(IFF_ATTACH_QUEUE) (reference §2).
    this.owner();
    if (len === 0) return new Uint8Array(0);
    if (this.queue.length > 0) return this.take(len, ctx);
    return this.readBlocking(len, ctx);
  }

  private async readBlocking(len: number, ctx: IoContext): Promise<Uint8Array> {
    while (this.queue.length === 0) {
      if (this.nonblocking) throw new SysError('EAGAIN');
      const r = await ctx.task.scheduler.sleep(ctx.task, [this.queue.readers], { interruptible: true, syscall: ctx.syscall, channel: this.queue.readers.name });
      if (r === 'signal') throw new SysError('EINTR');
      // The interface was deleted while we slept (Linux: RCV_SHUTDOWN, EFAULT), or the fd closed.
      if (this.shutdown) throw new SysError('EFAULT');
      this.owner();
    }
    return this.take(len, ctx);
  }

  private take(len: number, ctx: IoContext): Uint8Array {
    const dev = this.owner();
    if (!dev.noPi && len < TUN_PI_LEN) {
      // The packet is taken and lost, counted nowhere (reference §5.8).
      this.queue.shift();
      throw new SysError('EINVAL');
    }
    const pkt = this.queue.shift()!;
    const iface = dev.iface;
    // Counted as transmitted when read, with its full length even if the buffer cuts it (§5.8).
    iface.counters.txPackets++;
    iface.counters.txBytes += pkt.data.length;
    const net = dev.env.net;
    if (net.tracing) {
      // The task now holds the packet: a datagram it sends next carries it (obs/journey.ts).
      net.journeys.readFromTun(ctx.task, pkt.data);
      net.trace('driver', `/dev/${nodePath(dev.name, dev.kind)}`, 'out', dev.kind === 'tun' ? 'ip' : 'ether', pkt.data, {
        event: ctx.syscall,
        pid: ctx.pid,
        command: ctx.command,
      });
    }
    let prefix = 0;
    if (!dev.noPi) prefix += TUN_PI_LEN;
    if (dev.vnetHdr) prefix += dev.vnetHdrSz;
    if (prefix === 0 && len >= pkt.data.length) {
      // The queue owns the packet: a plain read that fits takes it as it is, when its buffer holds
      // nothing else (but the headroom it was built in). One in a slab of the kernel's (page-frag.ts)
      // is copied to the reader's own memory: a program sees its packet's bytes, never its neighbours'.
      return pkt.data.buffer.byteLength - pkt.data.length <= IP_HEADROOM ? pkt.data : dev.env.net.frags.copyToUser(ctx.task, pkt.data);
    }
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

  write(data: Uint8Array, ctx: IoContext): number {
    // A disabled queue may still write (see read).
    const dev = this.owner();
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
    const net = dev.env.net;
    const node = `/dev/${nodePath(dev.name, dev.kind)}`;
    const link = dev.kind === 'tun' ? 'ip' : 'ether';
    if (!iface.up) {
      iface.counters.rxDropped++;
      if (net.tracing) this.wrote(ctx, data.slice(off), { reason: 'iface-down', counter: `${iface.name} rx_dropped` });
      throw new SysError('EIO');
    }
    iface.counters.rxPackets++;
    iface.counters.rxBytes += len;
    // A copy: the writer may reuse its buffer while the packet waits in the backlog.
    const copy = net.frags.copy(data, off);
    if (net.tracing) this.wrote(ctx, copy);
    // The stack takes IPv4 (and frames, for a TAP); an IPv6 packet or an unknown PI protocol is
    // accepted by the driver and then dropped by this IPv4-only stack, as a kernel without IPv6 would.
    if (dev.kind === 'tap' || proto === 0x0800) net.linkInput(iface, copy);
    else {
      iface.counters.rxNoHandler++; // counted, as Linux's rx_nohandler (see IfCounters)
      if (net.tracing) net.trace('driver', node, 'drop', link, copy, { reason: 'no-handler', counter: `${iface.name} rx_nohandler` });
    }
    return data.length;
  }

  /**
   * A task wrote a packet (the kernel's copy): it came out of the oldest datagram the task received
   * and goes on as the packet that datagram carried (obs/journey.ts). A drop when it goes no further.
   */
  private wrote(ctx: IoContext, copy: Uint8Array, drop?: { reason: 'iface-down'; counter: string }): void {
    const dev = this.owner();
    const net = dev.env.net;
    net.journeys.writingToTun(ctx.task, copy);
    const node = `/dev/${nodePath(dev.name, dev.kind)}`;
    const detail = { event: ctx.syscall, pid: ctx.pid, command: ctx.command };
    net.trace('driver', node, 'in', dev.kind === 'tun' ? 'ip' : 'ether', copy, detail);
    if (drop) net.trace('driver', node, 'drop', dev.kind === 'tun' ? 'ip' : 'ether', copy, drop);
  }

  select(event: SelectEvent, sync: SelectSync): void {
    this.pool.add(event, sync);
    const dev = this.device; // POLLERR only when unattached (see read)
    if (!dev) {
      if (event === B_SELECT_ERROR) sync.notify(event);
      return;
    }
    if (event === B_SELECT_READ && this.queue.length > 0) sync.notify(event);
    if (event === B_SELECT_WRITE && dev.iface.up) sync.notify(event);
  }
}
