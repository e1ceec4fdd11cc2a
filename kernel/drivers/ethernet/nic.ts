// A virtual Ethernet card, published as /dev/net/<driver>/<n> and named after its device path, as
// Haiku names network interfaces. It can call itself by any of Haiku's driver names (ipro1000,
// virtio, rtl8139 ...): only the name and the media line differ. Its cable plugs into a segment.

import { SysError } from '../../abi/errno.js';
import { IFF_BROADCAST, IFF_MULTICAST, IFT_ETHER } from '../../abi/if.js';
import { formatMac } from '../../abi/wire/address.js';
import type { NetDevice, NetInterface } from '../../net/iface/interface.js';
import { NetFeatures, NIC_CHANGEABLE } from '../../net/iface/offload/features.js';
import type { NetStack } from '../../net/iface/stack.js';
import type { DevicePublisher } from '../../vfs/devfs.js';
import { alwaysReady } from '../hooks.js';

/** What a NIC's cable plugs into: a segment's port. */
export interface Wire {
  /** `gsoSize`: a TCP super-frame of segments that size (the card has TSO). */
  send(from: Nic, frame: Uint8Array, gsoSize?: number): void;
  /** The segment's name (topology). */
  readonly name: string;
  /**
   * What a received frame leads to may have changed: the interface came or went, went up or down,
   * lost its carrier, changed addresses or bridge. Said after the change.
   */
  changed?(): void;
  /** The interface's ARP cache made an entry for `ip`. */
  neighbourAdded?(ip: number): void;
  /** Frames the wire counts lazily are added to the interface's counters before they are read. */
  settle?(): void;
  /** The host's backlog: see BacklogWatcher. */
  backlogActive?(drain: () => void): { owed: number; placed: boolean };
  backlogIdle?(): void;
}

interface Media {
  /** What SIOCGIFMEDIA answers (ifconfig's media line). */
  readonly text: string;
  /** The ifmedia subtype (FreeBSD's if_media.h, which Haiku shares). */
  readonly subtype: number;
  readonly bitsPerSecond: number;
}

const MEDIA: Record<string, Media> = {
  ipro1000: { text: '1 GBit, 1000BASE-T', subtype: 16, bitsPerSecond: 1e9 },
  virtio: { text: '10 GBit, 10GBASE-T', subtype: 26, bitsPerSecond: 10e9 },
  rtl8139: { text: '100 MBit, 100BASE-TX', subtype: 6, bitsPerSecond: 100e6 },
  rtl81xx: { text: '1 GBit, 1000BASE-T', subtype: 16, bitsPerSecond: 1e9 },
};

const IFM_ETHER = 0x20;
const IFM_FDX = 0x0010_0000;
const IFM_AVALID = 0x1;
const IFM_ACTIVE = 0x2;

export class Nic implements NetDevice {
  readonly link = 'ether';
  readonly ifType = IFT_ETHER;
  readonly deviceFlags = IFF_BROADCAST | IFF_MULTICAST;
  readonly defaultMtu = 1500;
  readonly minMtu = 68;
  readonly maxMtu = 9000;
  readonly media: string;
  private readonly mediaInfo: Media;
  carrier = false;
  /** Its offloads (`ethtool -k`): all off until switched on, so a capture shows one frame per segment. */
  readonly features = new NetFeatures(NIC_CHANGEABLE);
  iface: NetInterface | null = null;
  private wire: Wire | null = null;

  constructor(
    private readonly net: NetStack,
    devfs: DevicePublisher,
    /** The host the card is in, for the segment's port label. */
    readonly host: string,
    readonly path: string,
    readonly driver: string,
    public mac: number,
  ) {
    this.mediaInfo = MEDIA[driver] ?? MEDIA['ipro1000']!;
    this.media = this.mediaInfo.text;
    // The stack holds the device open; like Haiku's net_server, it lets no one else in.
    devfs.publish(path.replace(/^\/dev\//, ''), {
      open: () => {
        throw new SysError('EBUSY');
      },
      close() {},
      free() {},
      control: () => {
        throw new SysError('B_DEV_INVALID_IOCTL');
      },
      read: () => new Uint8Array(0),
      write: () => 0,
      ...alwaysReady,
    });
  }

  /** The segment the cable goes to, null while unplugged. */
  get segment(): string | null {
    return this.wire?.name ?? null;
  }

  /** Plug the cable in (or pull it out with null): the carrier follows. */
  plug(wire: Wire | null): void {
    if (this.wire) this.net.backlogWatchers.delete(this.watcher);
    this.wire = wire;
    if (wire?.backlogActive) this.net.backlogWatchers.add(this.watcher);
    this.bindCounters();
    const carrier = wire !== null;
    if (carrier === this.carrier) return void this.wire?.changed?.();
    this.carrier = carrier;
    this.wire?.changed?.();
    // Haiku's ethernet module logs each link state change in these words (dprintf in ethernet.cpp).
    const m = this.mediaInfo;
    const media = carrier ? IFM_ETHER | m.subtype | IFM_FDX | IFM_AVALID | IFM_ACTIVE : IFM_ETHER | IFM_AVALID;
    this.net.env.log.write(`${this.path}: media change, media 0x${media.toString(16)} quality ${carrier ? 1000 : 0} speed ${carrier ? m.bitsPerSecond : 0}`);
  }

  transmit(iface: NetInterface, frame: Uint8Array, gsoSize = 0): void {
    if (!this.carrier || !this.wire) {
      iface.counters.txDropped++;
      if (this.net.tracing) this.net.trace('nic', iface.name, 'drop', 'ether', frame, { reason: 'no-carrier', counter: `${iface.name} tx_dropped` });
      return;
    }
    iface.counters.txPackets++;
    iface.counters.txBytes += frame.length;
    this.wire.send(this, frame, gsoSize);
  }

  detach(): void {
    this.iface = null;
    this.wire?.changed?.();
  }

  /** The interface (re)made for this card by the stack. */
  attachInterface(iface: NetInterface): void {
    this.iface = iface;
    this.bindCounters();
    this.wire?.changed?.();
  }

  adminChanged(): void {
    this.wire?.changed?.();
  }

  configChanged(): void {
    this.wire?.changed?.();
  }

  neighbourAdded(_iface: NetInterface, ip: number): void {
    this.wire?.neighbourAdded?.(ip);
  }

  /** Whether the interface's ARP cache has an entry for `ip` (any state). */
  hasNeighbour(ip: number): boolean {
    return this.iface !== null && this.net.arp(this.iface)?.get(ip) !== undefined;
  }

  /** Frames the wire handed over without queueing that found the host's backlog full. */
  backlogDropped(n: number): void {
    this.net.countBacklogDrops(n);
  }

  /** Whether this card's host has other cards whose frames share its backlog. */
  get sharesBacklog(): boolean {
    return this.net.backlogWatchers.size > 1;
  }

  private readonly watcher = {
    active: (drain: () => void) => this.wire?.backlogActive?.(drain) ?? { owed: 0, placed: false },
    idle: () => this.wire?.backlogIdle?.(),
  };

  private bindCounters(): void {
    if (this.iface) this.iface.counters.sync = this.wire?.settle ? () => this.wire?.settle?.() : null;
  }

  /** A frame came down the cable; `gsoSize` for a super-frame a segment carried whole. */
  receive(frame: Uint8Array, gsoSize = 0): void {
    const iface = this.iface;
    if (!iface) return;
    if (!iface.running) {
      iface.counters.rxDropped++;
      if (this.net.tracing) this.net.trace('nic', iface.name, 'drop', 'ether', frame, { reason: 'iface-down', counter: `${iface.name} rx_dropped` });
      return;
    }
    iface.counters.rxPackets++;
    iface.counters.rxBytes += frame.length;
    this.net.linkInput(iface, frame, gsoSize);
  }
}

/**
 * The NICs of one host. A deleted NIC interface comes back when named again (`ifconfig
 * /dev/net/ipro1000/0 up`), as Haiku's net_server re-adds a device it finds in /dev/net.
 */
export class NicDriver {
  private readonly nics = new Map<string, Nic>();

  constructor(
    private readonly net: NetStack,
    private readonly devfs: DevicePublisher,
    private readonly host: string,
  ) {
    net.factories.push({
      matches: (name) => this.nics.has(name),
      create: (name) => {
        const nic = this.nics.get(name)!;
        nic.attachInterface(net.addInterface(name, nic));
        return nic.iface!;
      },
    });
  }

  /** The cards of this host, in the order they were installed. */
  all(): Nic[] {
    return [...this.nics.values()];
  }

  /** Install a NIC: the device node and its interface, named by the device path. */
  add(driver: string, mac: number): Nic {
    let n = 0;
    while (this.devfs.isPublished(`net/${driver}/${n}`)) n++;
    const path = `/dev/net/${driver}/${n}`;
    const nic = new Nic(this.net, this.devfs, this.host, path, driver, mac);
    this.net.env.log.write(`${driver}: ${path} published, MAC ${formatMac(mac)}`);
    nic.attachInterface(this.net.addInterface(path, nic));
    this.nics.set(path, nic);
    return nic;
  }
}
