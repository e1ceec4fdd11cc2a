// A segment: an Ethernet switch that learns which port each MAC lives behind, floods what it does
// not know, and delivers every frame after the link's delay, with its seeded loss, duplication and
// jitter (jitter may reorder frames, as a real path does).

import type { Nic, Wire } from '../drivers/ethernet/nic.js';
import type { EventBus } from '../obs/events.js';
import type { Random } from '../sched/random.js';
import type { Scheduler } from '../sched/scheduler.js';
import { BROADCAST_MAC, isMulticastMac, readMac } from '../abi/wire/address.js';
import { ArpPacket, ArpRepr } from '../abi/wire/arp.js';
import { ETHERTYPE_ARP, EthernetFrame } from '../abi/wire/ethernet.js';
import { gsoSegment } from '../net/iface/offload/gso.js';
import { LazyBroadcast, NicPort, type Port } from './lazy-broadcast.js';

export interface LinkProperties {
  /** One-way delay, in ns. */
  delayNs: number;
  /** Uniform extra delay in [0, jitterNs). */
  jitterNs: number;
  /** Probability that a frame is lost. */
  loss: number;
  /** Probability that a frame arrives twice. */
  duplicate: number;
}

export const DEFAULT_LINK: LinkProperties = { delayNs: 100_000, jitterNs: 0, loss: 0, duplicate: 0 };

/** A MAC learned by the switch is forgotten after five minutes of silence. */
const MAC_AGING_NS = 300e9;

export type { Port } from './lazy-broadcast.js';

export class Segment {
  readonly ports = new Set<Port>();
  private readonly macTable = new Map<number, { port: Port; seen: number }>();
  framesLost = 0;
  framesDelivered = 0;
  framesDuplicated = 0;
  /** Broadcast ARP handed only to the NICs it concerns (lazy-broadcast.ts); false: to every port. */
  lazyArp = true;
  private readonly lazy: LazyBroadcast;

  constructor(
    readonly name: string,
    public link: LinkProperties,
    private readonly sched: Scheduler,
    private readonly random: Random,
    private readonly events: EventBus,
  ) {
    this.lazy = new LazyBroadcast(this.ports, () => sched.softDrains, (fn) => sched.soon(fn));
  }

  /** Plug a NIC in; returns its port. */
  attach(nic: Nic): Port {
    const port = new NicPort(nic);
    const lazy = this.lazy;
    const wire: Wire = {
      name: this.name,
      send: (_from, frame, gsoSize) => this.forward(port, frame, gsoSize),
      changed: () => lazy.changed(port),
      neighbourAdded: (ip) => lazy.neighbourAdded(port, ip),
      settle: () => lazy.settle(port),
      backlogActive: (drain) => lazy.backlogActive(port, drain),
      backlogIdle: () => lazy.backlogIdle(port),
    };
    this.ports.add(port);
    lazy.portAdded();
    nic.plug(wire);
    return port;
  }

  addPort(port: Port): Port {
    this.ports.add(port);
    this.lazy.portAdded();
    return port;
  }

  /**
   * A frame entered the switch on `ingress`. A super-frame (`gsoSize`, from a card with TSO) goes
   * whole to a port that takes it over a link that treats frames alike; anywhere else it goes as
   * the segments the sending card would have put on the wire.
   */
  forward(ingress: Port, frame: Uint8Array, gsoSize = 0): void {
    if (frame.length < 14) return;
    if (gsoSize) {
      const dst = readMac(frame, 0);
      const known = isMulticastMac(dst) ? undefined : this.macTable.get(dst);
      if (!(known && known.port !== ingress && known.port.takesGso && this.plain() && this.sched.now() - known.seen < MAC_AGING_NS)) {
        const pieces = gsoSegment(frame, 14, gsoSize);
        if (this.events.journeys.active) for (const p of pieces) this.events.journeys.carry(frame, p);
        for (const p of pieces) this.forward(ingress, p);
        return;
      }
    }
    const now = this.sched.now();
    const dst = readMac(frame, 0);
    const src = readMac(frame, 6);
    if (!isMulticastMac(src)) this.macTable.set(src, { port: ingress, seen: now });
    // One private copy leaves the sender; receivers only read it (every layer that keeps or
    // changes bytes takes its own copy), so a broadcast to a thousand ports costs one buffer. A
    // super-frame's buffer was made for it alone (TCP's output, GRO, a router's forwarding copy)
    // and nothing writes it again: it travels as it is.
    const copy = gsoSize ? frame : frame.slice();
    const tracing = this.events.journeys.active;
    if (tracing && copy !== frame) this.events.journeys.carry(frame, copy);
    const known = dst === BROADCAST_MAC || isMulticastMac(dst) ? undefined : this.macTable.get(dst);
    if (known && now - known.seen < MAC_AGING_NS) {
      if (tracing) this.trace(ingress, copy, known.port === ingress ? 'stays on its port' : `to ${known.port.label}`);
      if (known.port !== ingress) this.send([known.port], copy, this.link.delayNs, gsoSize);
      return;
    }
    const arp = this.lazyArp && dst === BROADCAST_MAC && !tracing && this.plain() ? quietArp(copy) : null;
    if (arp) {
      this.sched.after(this.link.delayNs, () => {
        // A capture or recording that began while the frame was on the wire sees it everywhere.
        if (this.events.journeys.active) this.send(this.flood(ingress), copy, 0);
        else this.framesDelivered += this.lazy.deliver(ingress, copy, arp.senderIp, arp.targetIp);
      });
      return;
    }
    const out = this.flood(ingress);
    if (tracing) this.trace(ingress, copy, `flooded to ${out.map((p) => p.label).join(', ') || 'no port'}`);
    this.send(out, copy);
  }

  private flood(ingress: Port): Port[] {
    const out: Port[] = [];
    for (const p of this.ports) if (p !== ingress) out.push(p);
    return out;
  }

  private plain(): boolean {
    const l = this.link;
    return l.loss === 0 && l.duplicate === 0 && l.jitterNs === 0;
  }

  private trace(ingress: Port, frame: Uint8Array, decision: string): void {
    this.events.packet(this.name, 'segment', ingress.label, 'in', 'ether', frame, this.sched.now(), { event: 'switch', decision });
  }

  /**
   * Deliver to each port after the link's delay, applying its loss, duplication and jitter per
   * receiver. Receivers due at the same moment share one timer: a broadcast is one event, not one
   * per port.
   */
  private send(ports: readonly Port[], frame: Uint8Array, delayNs = this.link.delayNs, gsoSize = 0): void {
    const l = this.link;
    if (this.plain()) {
      if (ports.length === 0) return;
      const deliver = () => {
        for (const p of ports) {
          this.framesDelivered++;
          if (gsoSize) p.deliver(frame, gsoSize);
          else p.deliver(frame);
        }
      };
      if (delayNs === 0) deliver();
      else this.sched.after(delayNs, deliver);
      return;
    }
    for (const port of ports) {
      if (l.loss > 0 && this.random.next() < l.loss) {
        this.framesLost++;
        if (this.events.journeys.active) this.events.packet(this.name, 'segment', port.label, 'drop', 'ether', frame, this.sched.now(), { reason: 'link-loss', counter: `${this.name} lost` });
        continue;
      }
      const copies = l.duplicate > 0 && this.random.next() < l.duplicate ? 2 : 1;
      if (copies === 2) this.framesDuplicated++;
      for (let i = 0; i < copies; i++) {
        const delay = l.delayNs + (l.jitterNs > 0 ? this.random.next() * l.jitterNs : 0);
        this.sched.after(Math.round(delay), () => {
          this.framesDelivered++;
          port.deliver(frame);
        });
      }
    }
  }
}

/** A well-formed broadcast ARP frame's addresses; null for anything else (it goes to every port). */
function quietArp(frame: Uint8Array): { senderIp: number; targetIp: number } | null {
  const f = EthernetFrame.checked(frame);
  if (!(f instanceof EthernetFrame) || f.ethertype !== ETHERTYPE_ARP) return null;
  const pkt = ArpPacket.checked(f.payload);
  if (!(pkt instanceof ArpPacket)) return null;
  const repr = ArpRepr.parse(pkt);
  return 'operation' in repr ? { senderIp: repr.senderIp, targetIp: repr.targetIp } : null;
}
