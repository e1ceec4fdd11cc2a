// An Ethernet bridge (bridge/N): the seed project's last "left to do". Member interfaces (a tap, a
// NIC) hand every frame they receive to the bridge instead of to the stack; the bridge learns
// which member each MAC lives behind and forwards like a switch, and frames for the bridge itself
// go up to the stack on the bridge interface, which carries the host's address on the joined LAN.
// So a tap whose far end is a VPN can extend a LAN across a tunnel.

import { SysError } from '../../abi/errno.js';
import { IFF_BROADCAST, IFF_MULTICAST, IFF_PROMISC, IFT_BRIDGE } from '../../abi/if.js';
import { BROADCAST_MAC, isMulticastMac, readMac } from '../../abi/wire/address.js';
import { devQueueXmit } from './qdisc.js';
import type { NetStack } from './stack.js';
import type { LinkKind, NetDevice, NetInterface } from './interface.js';

/** A learned MAC is forgotten after five minutes of silence, as Linux's bridge ageing_time. */
const AGEING_NS = 300e9;

export class BridgeDevice implements NetDevice {
  readonly link: LinkKind = 'ether';
  readonly ifType = IFT_BRIDGE;
  readonly deviceFlags = IFF_BROADCAST | IFF_MULTICAST;
  readonly defaultMtu = 1500;
  readonly minMtu = 68;
  readonly maxMtu = 9000;
  mac: number;
  carrier = true;
  iface!: NetInterface;
  readonly members = new Set<NetInterface>();
  private readonly fdb = new Map<number, { port: NetInterface; seen: number }>();

  constructor(
    private readonly stack: NetStack,
    mac: number,
  ) {
    this.mac = mac;
  }

  private now(): number {
    return this.stack.now();
  }

  addMember(m: NetInterface): void {
    if (m === this.iface) throw new SysError('ELOOP');
    if (m.device.link !== 'ether') throw new SysError('EINVAL');
    if (m.master) throw new SysError('EBUSY');
    m.master = this;
    // A port must see every frame, not only those for its own MAC.
    m.adminFlags |= IFF_PROMISC;
    this.members.add(m);
    m.device.configChanged?.(m);
    this.stack.env.log.write(`bridge: ${this.iface.name}: port ${m.name} added`);
  }

  removeMember(m: NetInterface): void {
    if (!this.members.delete(m)) throw new SysError('EINVAL');
    m.master = null;
    m.adminFlags &= ~IFF_PROMISC;
    m.device.configChanged?.(m);
    for (const [mac, e] of this.fdb) if (e.port === m) this.fdb.delete(mac);
    this.stack.env.log.write(`bridge: ${this.iface.name}: port ${m.name} removed`);
  }

  /** A member received a frame. */
  input(port: NetInterface, frame: Uint8Array): void {
    if (frame.length < 14) return;
    const dst = readMac(frame, 0);
    const src = readMac(frame, 6);
    if (!this.iface.up) return;
    if (!isMulticastMac(src)) this.fdb.set(src, { port, seen: this.now() });
    this.iface.counters.rxPackets++;
    this.iface.counters.rxBytes += frame.length;
    // The bridge's address and its members' own are local (Linux's fdb entries marked is_local):
    // such a frame is for this host, up the stack on the bridge's interface.
    if (dst === this.mac || this.memberMac(dst)) {
      this.trace(port, frame, `up the stack on ${this.iface.name}`);
      this.stack.linkInput(this.iface, frame);
      return;
    }
    if (dst === BROADCAST_MAC || isMulticastMac(dst)) {
      this.trace(port, frame, `flooded, and up the stack on ${this.iface.name}`);
      this.flood(port, frame);
      this.stack.linkInput(this.iface, frame);
      return;
    }
    const known = this.lookup(dst);
    if (known) {
      this.trace(port, frame, known === port ? 'stays on its port' : `to ${known.name}`);
      if (known !== port) this.out(known, frame);
    } else {
      this.trace(port, frame, 'flooded: destination not learned yet');
      this.flood(port, frame);
    }
  }

  /** The journey event of a frame a member brought in, with where the bridge sends it. */
  private trace(port: NetInterface, frame: Uint8Array, decision: string): void {
    if (this.stack.tracing) this.stack.trace('bridge', `${this.iface.name} port ${port.name}`, 'in', 'ether', frame, { event: 'bridge', decision });
  }

  /** The stack sends through the bridge interface. */
  transmit(iface: NetInterface, frame: Uint8Array): void {
    iface.counters.txPackets++;
    iface.counters.txBytes += frame.length;
    const dst = readMac(frame, 0);
    const known = dst === BROADCAST_MAC || isMulticastMac(dst) ? undefined : this.lookup(dst);
    if (known) this.out(known, frame);
    else this.flood(null, frame);
  }

  /** Frames for these reach this host (etherInput asks): the bridge's MAC and its members'. */
  acceptsMac(mac: number): boolean {
    return mac === this.mac || this.memberMac(mac);
  }

  private memberMac(mac: number): boolean {
    for (const m of this.members) if (m.device.mac === mac) return true;
    return false;
  }

  private lookup(mac: number): NetInterface | undefined {
    const e = this.fdb.get(mac);
    if (!e) return undefined;
    if (this.now() - e.seen > AGEING_NS || !this.members.has(e.port)) {
      this.fdb.delete(mac);
      return undefined;
    }
    return e.port;
  }

  private flood(except: NetInterface | null, frame: Uint8Array): void {
    for (const m of this.members) if (m !== except) this.out(m, frame);
  }

  private out(port: NetInterface, frame: Uint8Array): void {
    if (!port.running) {
      port.counters.txDropped++;
      return;
    }
    devQueueXmit(port, frame.slice(), (f) => {
      this.stack.tap(port, 'out', f);
      port.device.transmit(port, f);
    });
  }

  /** The learned table, for tests and `netstat`. */
  learned(): Array<{ mac: number; port: string }> {
    return [...this.fdb].map(([mac, e]) => ({ mac, port: e.port.name }));
  }

  detach(): void {
    for (const m of [...this.members]) this.removeMember(m);
  }
}

/** Create bridge/N interfaces on request (ifconfig bridge/0 create, SIOCBRADDBR). */
export function installBridges(stack: NetStack): void {
  const create = (name: string) => {
    if (!/^bridge\/\d+$/.test(name)) throw new SysError('EINVAL');
    if (stack.byName(name)) throw new SysError('EEXIST');
    const bytes = stack.env.random.bytes(6);
    bytes[0] = (bytes[0]! & 0xfe) | 0x02;
    const dev = new BridgeDevice(stack, bytes.reduce((n, b) => n * 256 + b, 0));
    dev.iface = stack.addInterface(name, dev);
    return dev.iface;
  };
  stack.factories.push({ matches: (n) => /^bridge\/\d+$/.test(n), create });
  stack.bridges = {
    create,
    destroy(name) {
      const i = stack.byName(name);
      if (!i || !(i.device instanceof BridgeDevice)) throw new SysError('ENXIO');
      stack.removeInterface(i);
    },
    addMember(bridge, member) {
      const b = stack.byName(bridge);
      if (!b || !(b.device instanceof BridgeDevice)) throw new SysError('EINVAL');
      b.device.addMember(member);
    },
    removeMember(bridge, member) {
      const b = stack.byName(bridge);
      if (!b || !(b.device instanceof BridgeDevice)) throw new SysError('EINVAL');
      b.device.removeMember(member);
    },
  };
}
