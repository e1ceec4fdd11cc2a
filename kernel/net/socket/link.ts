// Link-level capture sockets (AF_LINK), Haiku's way for tcpdump to see traffic: SIOCSPACKETCAP on
// an interface name starts a copy of every frame it sends or receives, with the direction and the
// interface type in the source address so the reader knows how to decode it. The name "any" means
// every interface of the host, present and future, as Linux's "any" device does. While it captures,
// the socket asks for packet identities, and each frame comes with its journey id.

import { SysError } from '../../abi/errno.js';
import type { Ifreq } from '../../abi/if.js';
import { SIOCCPACKETCAP, SIOCSPACKETCAP } from '../../abi/ioctl.js';
import { AF_LINK, type SockaddrDl, type SockaddrIn } from '../../abi/socket.js';
import type { IoContext } from '../../vfs/file.js';
import type { NetInterface } from '../iface/interface.js';
import { Socket, type SocketHost } from './socket.js';

/** Captures get a larger buffer by default: a burst should not cost a trace its packets. */
const CAPTURE_RCVBUF = 4 * 1024 * 1024;

/** The capture name for every interface of the host. */
export const ANY_INTERFACE = 'any';

export class LinkSocket extends Socket {
  protected override readonly carriesPackets = false;
  private iface: NetInterface | null = null;
  private tap: ((dir: 'in' | 'out', data: Uint8Array) => void) | null = null;
  private anyTap: ((iface: NetInterface, dir: 'in' | 'out', data: Uint8Array) => void) | null = null;
  private releaseIds: (() => void) | null = null;

  constructor(host: SocketHost, type: number, flags: number) {
    super(host, AF_LINK, type, 0, flags);
    this.rcvbuf = CAPTURE_RCVBUF;
  }

  startCapture(req: Ifreq, ctx: IoContext): void {
    if (ctx.uid !== 0) throw new SysError('EPERM');
    const any = req.ifr_name === ANY_INTERFACE && !this.stack.byName(ANY_INTERFACE);
    const iface = any ? null : this.stack.byName(req.ifr_name);
    if (!any && !iface) throw new SysError('ENODEV');
    this.stopCapture();
    this.releaseIds = this.stack.journeys.want();
    const from = (i: NetInterface, dir: 'in' | 'out'): SockaddrDl => ({
      sdl_family: AF_LINK,
      sdl_index: i.index,
      sdl_type: i.device.ifType,
      sdl_name: i.name,
      sdl_direction: dir,
    });
    const take = (i: NetInterface, dir: 'in' | 'out', data: Uint8Array) => void this.enqueue(data.slice(), from(i, dir), this.stack.journeys.tag(data).id);
    if (!iface) {
      this.anyTap = take;
      this.stack.anyTaps.add(take);
      return;
    }
    this.tap = (dir, data) => take(iface, dir, data);
    let set = this.stack.taps.get(iface);
    if (!set) this.stack.taps.set(iface, (set = new Set()));
    set.add(this.tap);
    this.iface = iface;
  }

  stopCapture(): void {
    if (this.iface && this.tap) this.stack.taps.get(this.iface)?.delete(this.tap);
    if (this.anyTap) this.stack.anyTaps.delete(this.anyTap);
    this.releaseIds?.();
    this.releaseIds = null;
    this.iface = null;
    this.tap = null;
    this.anyTap = null;
  }

  /** The interface went away under the capture: the reader sees ENETDOWN. */
  interfaceGone(iface: NetInterface): void {
    if (this.iface === iface) {
      this.stopCapture();
      this.setError('ENETDOWN');
    }
  }

  override ioctl(ctx: IoContext, op: number, arg: unknown): number {
    if (op === SIOCSPACKETCAP) {
      if (typeof arg !== 'object' || arg === null || typeof (arg as Ifreq).ifr_name !== 'string') throw new SysError('EFAULT');
      this.startCapture(arg as Ifreq, ctx);
      return 0;
    }
    if (op === SIOCCPACKETCAP) {
      this.stopCapture();
      return 0;
    }
    return super.ioctl(ctx, op, arg);
  }

  sendto(): number {
    throw new SysError('EOPNOTSUPP');
  }

  localName(): SockaddrDl {
    return { sdl_family: AF_LINK, sdl_index: this.iface?.index ?? 0, sdl_type: this.iface?.device.ifType ?? 0, sdl_name: this.iface?.name ?? (this.anyTap ? ANY_INTERFACE : '') };
  }

  peerName(): SockaddrIn | null {
    return null;
  }

  describe(): string {
    return `capture ${this.iface?.name ?? (this.anyTap ? ANY_INTERFACE : '(none)')}`;
  }

  protected unregister(): void {
    this.stopCapture();
    this.host.forget(this);
  }
}
