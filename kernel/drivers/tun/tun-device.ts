// The network side of a TUN or TAP interface: what the stack transmits is queued for the fds
// attached to it (one queue each, bounded by tx_queue_len: 500 for a TUN, 1000 for a TAP), and
// nothing the stack does ever waits for a reader. A packet with no fd to take it, or no room, is
// dropped and counted in tx_dropped: the two deadlocks of the Haiku seed driver cannot happen here.

import {
  ARPHRD_ETHER,
  ARPHRD_NONE,
  IFF_BROADCAST,
  IFF_MULTICAST,
  IFF_NOARP,
  IFF_POINTOPOINT,
  IFT_ETHER,
  IFT_TUNNEL,
} from '../../abi/if.js';
import { IFF_MULTI_QUEUE, IFF_NO_PI, IFF_PERSIST, IFF_TAP, IFF_TUN, IFF_TYPE_MASK, IFF_VNET_HDR, TUN_FEATURES, type TunInfo } from '../../abi/ioctl.js';
import { B_SELECT_WRITE } from '../../abi/select.js';
import type { LinkKind, NetDevice, NetInterface } from '../../net/iface/interface.js';
import type { PacketQueue } from '../../net/iface/packet-queue.js';
import type { SelectPool } from '../../vfs/file.js';
import { type DriverEnv, randomLocalMac } from '../env.js';

export const TUN_QUEUE_LEN = 500;
export const TAP_QUEUE_LEN = 1000;
export const MAX_QUEUES = 256;

/** One packet waiting for a reader, with the EtherType a packet-info header would carry. */
export interface QueuedPacket {
  data: Uint8Array;
  proto: number;
}

/** An attached fd (tun-file.ts), as far as the device needs to know it. */
export interface TunQueue {
  readonly queue: PacketQueue<QueuedPacket>;
  readonly pool: SelectPool;
}

export class TunDevice implements NetDevice {
  readonly link: LinkKind;
  readonly ifType: number;
  readonly deviceFlags: number;
  readonly defaultMtu = 1500;
  readonly minMtu = 68;
  readonly maxMtu: number;
  mac: number | null;
  /** Carrier: on while an fd is attached, unless IFF_NO_CARRIER or TUNSETCARRIER(0) says otherwise. */
  carrier = false;
  iface!: NetInterface;
  /** Framing flags of the last TUNSETIFF (device-wide, as Linux keeps them). */
  flags: number;
  persist = false;
  owner = -1;
  group = -1;
  /** ARPHRD link type (TUNSETLINK). */
  linkType: number;
  vnetHdrSz = 10;
  readonly queues: TunQueue[] = [];
  /** Queues of a multi-queue device taken out of service by TUNSETQUEUE(IFF_DETACH_QUEUE). */
  readonly detachedQueues = new Set<TunQueue>();
  private nextFlow = 0;
  tunInfo(): TunInfo {
    return { flags: (this.kind === 'tun' ? IFF_TUN : IFF_TAP) | (this.flags & ~(IFF_TUN | IFF_TAP)), persist: this.persist, owner: this.owner, group: this.group };
  }

  /** TUNSETTXFILTER on a TAP: only frames for these MACs (and multicast, if asked) reach the fd. */
  txFilter: { allMulti: boolean; addrs: Set<number> } | null = null;

  constructor(
    readonly env: DriverEnv,
    readonly name: string,
    readonly kind: 'tun' | 'tap',
    flags: number,
  ) {
    this.flags = flags;
    if (kind === 'tun') {
      this.link = 'ip';
      this.ifType = IFT_TUNNEL;
      this.deviceFlags = IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST;
      this.mac = null;
      this.linkType = ARPHRD_NONE;
      this.maxMtu = 65535;
    } else {
      this.link = 'ether';
      this.ifType = IFT_ETHER;
      this.deviceFlags = IFF_BROADCAST | IFF_MULTICAST;
      this.mac = randomLocalMac(env.random);
      this.linkType = ARPHRD_ETHER;
      this.maxMtu = 65535 - 14;
    }
  }

  get multiQueue(): boolean {
    return (this.flags & IFF_MULTI_QUEUE) !== 0;
  }

  get noPi(): boolean {
    return (this.flags & IFF_NO_PI) !== 0;
  }

  get vnetHdr(): boolean {
    return (this.flags & IFF_VNET_HDR) !== 0;
  }

  /**
   * The flags TUNGETIFF reports: type, features, persistence. Linux's tun_flags() masks with
   * TUN_FEATURES|PERSIST|TUN|TAP (reference §1 "What the ioctls return", §5.10), so bits a caller
   * merely passed to TUNSETIFF (IFF_ATTACH_QUEUE, IFF_DETACH_QUEUE, IFF_PERSIST, IFF_TUN_EXCL ...)
   * are not echoed back; IFF_DETACH_QUEUE is added by the ioctl only for a detached queue.
   */
  get reportedFlags(): number {
    return (this.kind === 'tun' ? IFF_TUN : IFF_TAP) | (this.flags & TUN_FEATURES & ~IFF_TYPE_MASK) | (this.persist ? IFF_PERSIST : 0);
  }

  /** Stack → fd. Never blocks, never buffers past the queue: drop and count instead. */
  transmit(iface: NetInterface, data: Uint8Array): void {
    if (this.queues.length === 0 || !this.carrier || !this.passesFilter(data)) {
      iface.counters.txDropped++;
      if (this.env.net.tracing) this.dropped(iface, data, this.queues.length === 0 ? 'no-reader' : !this.carrier ? 'no-carrier' : 'tx-filter');
      return;
    }
    // Spread flows over the queues of a multi-queue device; one queue takes everything otherwise.
    const q = this.queues.length === 1 ? this.queues[0]! : this.queues[this.flowHash(data) % this.queues.length]!;
    // The stack hands over a buffer of its own (freshly built or copied at the driver): no copy.
    if (!q.queue.push({ data, proto: this.protoOf(data) })) {
      iface.counters.txDropped++;
      if (this.env.net.tracing) this.dropped(iface, data, 'queue-full');
      return;
    }
    if (this.env.net.tracing) {
      const where = `/dev/${nodePath(this.name, this.kind)}`;
      this.env.net.trace('queue', where, 'out', this.link === 'ip' ? 'ip' : 'ether', data, { event: 'enqueue', decision: `${q.queue.length} of ${iface.txQueueLen} waiting for a reader` });
    }
  }

  private dropped(iface: NetInterface, data: Uint8Array, reason: 'no-reader' | 'no-carrier' | 'tx-filter' | 'queue-full'): void {
    const decision = reason === 'queue-full' ? `${iface.txQueueLen} of ${iface.txQueueLen} waiting` : undefined;
    this.env.net.trace('queue', `/dev/${nodePath(this.name, this.kind)}`, 'drop', this.link === 'ip' ? 'ip' : 'ether', data, {
      reason,
      counter: `${iface.name} tx_dropped`,
      ...(decision ? { decision } : {}),
    });
  }

  private passesFilter(frame: Uint8Array): boolean {
    const f = this.txFilter;
    if (!f || frame.length < 6) return true;
    const dst = frame.subarray(0, 6).reduce((n, b) => n * 256 + b, 0);
    if (f.addrs.has(dst)) return true;
    return (frame[0]! & 1) === 1 && f.allMulti;
  }

  private protoOf(data: Uint8Array): number {
    if (this.kind === 'tap') return data.length >= 14 ? (data[12]! << 8) | data[13]! : 0;
    const v = data.length > 0 ? data[0]! >> 4 : 0;
    return v === 6 ? 0x86dd : 0x0800;
  }

  private flowHash(data: Uint8Array): number {
    const off = this.kind === 'tap' ? 14 : 0;
    if (data.length < off + 20) return this.nextFlow++;
    let h = 0;
    for (let i = off + 12; i < off + 20; i++) h = (Math.imul(h, 31) + data[i]!) >>> 0;
    return h;
  }

  adminChanged(_iface: NetInterface, up: boolean): void {
    // POLLOUT follows IFF_UP: going up wakes writers waiting in poll.
    if (up) for (const q of this.queues) q.pool.notify(B_SELECT_WRITE);
  }

  /** The interface is being deleted (ifconfig --delete, or the last close of a non-persistent one). */
  detach(): void {
    this.carrier = false;
    this.onGone?.();
  }

  /** Set by the driver: unpublish the node, forget the device. */
  onGone: (() => void) | null = null;
}

/** The devfs path for an interface: tun/0 for Haiku's names, tun/<name> for Linux-style ones. */
export function nodePath(name: string, kind: 'tun' | 'tap'): string {
  return /^(tun|tap)\/\d+$/.test(name) ? name : `${kind}/${name}`;
}
