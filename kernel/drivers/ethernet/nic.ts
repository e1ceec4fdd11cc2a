// A virtual Ethernet card, published as /dev/net/<driver>/<n> and named after its device path, as
// Haiku names network interfaces. It can call itself by any of Haiku's driver names (ipro1000,
// virtio, rtl8139 ...): only the name and the media line differ. Its cable plugs into a segment.

import { SysError } from '../../abi/errno.js';
import { IFF_BROADCAST, IFF_MULTICAST, IFT_ETHER } from '../../abi/if.js';
import type { Kernel } from '../../kernel.js';
import type { NetDevice, NetInterface } from '../../net/iface/interface.js';
import { alwaysReady } from '../hooks.js';

/** What a NIC's cable plugs into: a segment's port. */
export interface Wire {
  send(from: Nic, frame: Uint8Array): void;
}

const MEDIA: Record<string, string> = {
  ipro1000: '1 GBit, 1000BASE-T',
  virtio: '10 GBit, 10GBASE-T',
  rtl8139: '100 MBit, 100BASE-TX',
  rtl81xx: '1 GBit, 1000BASE-T',
};

export class Nic implements NetDevice {
  readonly link = 'ether';
  readonly ifType = IFT_ETHER;
  readonly deviceFlags = IFF_BROADCAST | IFF_MULTICAST;
  readonly defaultMtu = 1500;
  readonly minMtu = 68;
  readonly maxMtu = 9000;
  readonly media: string;
  carrier = false;
  iface: NetInterface | null = null;
  private wire: Wire | null = null;

  constructor(
    readonly kernel: Kernel,
    readonly path: string,
    readonly driver: string,
    public mac: number,
  ) {
    this.media = MEDIA[driver] ?? MEDIA['ipro1000']!;
    // The stack holds the device open; like Haiku's net_server, it lets no one else in.
    kernel.devfs.publish(path.replace(/^\/dev\//, ''), {
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

  /** Plug the cable in (or pull it out with null): the carrier follows. */
  plug(wire: Wire | null): void {
    this.wire = wire;
    this.carrier = wire !== null;
  }

  transmit(iface: NetInterface, frame: Uint8Array): void {
    if (!this.carrier || !this.wire) {
      iface.counters.txDropped++;
      return;
    }
    iface.counters.txPackets++;
    iface.counters.txBytes += frame.length;
    this.wire.send(this, frame);
  }

  detach(): void {
    this.iface = null;
  }

  /** A frame came down the cable. */
  receive(frame: Uint8Array): void {
    const iface = this.iface;
    if (!iface) return;
    if (!iface.running) {
      iface.counters.rxDropped++;
      return;
    }
    iface.counters.rxPackets++;
    iface.counters.rxBytes += frame.length;
    this.kernel.net.linkInput(iface, frame);
  }
}

const nicsOf = new WeakMap<Kernel, Map<string, Nic>>();

/** Install a NIC on a host: the device node and its interface, named by the device path. */
export function addNic(k: Kernel, driver: string, mac: number): Nic {
  let nics = nicsOf.get(k);
  if (!nics) {
    nicsOf.set(k, (nics = new Map()));
    // A deleted NIC interface comes back when named again (`ifconfig /dev/net/ipro1000/0 up`),
    // as Haiku's net_server re-adds a device it finds in /dev/net.
    const table = nics;
    k.net.factories.push({
      matches: (name) => table.has(name),
      create: (name) => {
        const nic = table.get(name)!;
        nic.iface = k.net.addInterface(name, nic);
        return nic.iface;
      },
    });
  }
  let n = 0;
  while (k.devfs.isPublished(`net/${driver}/${n}`)) n++;
  const path = `/dev/net/${driver}/${n}`;
  const nic = new Nic(k, path, driver, mac);
  nic.iface = k.net.addInterface(path, nic);
  nics.set(path, nic);
  return nic;
}
