// A broadcast ARP request on a segment of n hosts does something on at most a few of them: the
// owner of the target address answers, and a host that already has an entry for the sender
// refreshes it (RFC 826). Everywhere else it only counts: rx_packets and rx_bytes go up (rx_dropped
// when the interface is down), and it takes a place in the host's backlog until the next soft
// drain. Handing it to every NIC made n hosts each resolving the router cost n² frames. Here such a
// frame is handed only to the NICs it can change, and counted for the others in one tally that each
// NIC's counters catch up with when read or when the NIC's state changes.
//
// Exactness is the contract: every NIC ends with the counters, neighbour entries, replies and
// backlog drops that handing it the frame would have given it (test/unit/world/lazy-broadcast
// compares the two on random segments). So the frame is handed over for real whenever anything
// else could observe it: packets being recorded or captured (any capture asks the journeys for
// identities, so journeys.active covers tcpdump and --pcap), a NIC in a bridge, a NIC whose host
// has other cards on a segment (their backlog is shared), a port that is not a NIC (the uplink),
// a NIC whose backlog is filling in this instant, and a link with loss, duplication or jitter
// (those draw random numbers per receiver).

import type { Nic } from '../drivers/ethernet/nic.js';
import type { NetInterface } from '../net/iface/interface.js';
import { BACKLOG_LEN } from '../net/iface/stack.js';

/** A switch port of a segment (segment.ts): a NIC's, or the uplink gateway's. */
export interface Port {
  /** Deliver a frame out of this port; `gsoSize` for a super-frame (only where takesGso says so). */
  deliver(frame: Uint8Array, gsoSize?: number): void;
  /** Whether it takes TCP super-frames whole (a NIC with GRO on); others get their segments. */
  readonly takesGso?: boolean;
  readonly label: string;
}

/** What the NIC did with a frame, as of the last settlement. */
type NicState = 'none' | 'down' | 'up';

export class NicPort implements Port {
  readonly label: string;
  /** Tallies of the segment as of the last settlement, and frames since handed over for real. */
  markPackets = 0;
  markBytes = 0;
  exclPackets = 0;
  exclBytes = 0;
  /** The same within the current drain (see LazyBroadcast.epoch), and frames owed to the backlog. */
  epoch = -1;
  markSkips = 0;
  exclSkips = 0;
  owed = 0;
  /** Counted frames of this drain, from its first, that did not reach this NIC's backlog. */
  unreached = 0;
  state: NicState = 'none';
  /** The interface whose counters the tally goes to (the NIC's, as of the last settlement). */
  iface: NetInterface | null = null;
  /** The host's backlog is filling in this instant: frames go to it for real. */
  busy = false;

  constructor(readonly nic: Nic) {
    this.label = `${nic.host} ${nic.path}`;
  }

  deliver(frame: Uint8Array, gsoSize = 0): void {
    this.nic.receive(frame, gsoSize);
  }

  get takesGso(): boolean {
    return this.nic.features.gro;
  }

  currentState(): NicState {
    const i = this.nic.iface;
    return i === null ? 'none' : i.running ? 'up' : 'down';
  }
}

export class LazyBroadcast {
  /** Frames counted rather than handed over, and their bytes, since the segment began. */
  private skipPackets = 0;
  private skipBytes = 0;
  /** The soft drain the segment's current instant belongs to, and the frames counted in it. */
  private epoch = -1;
  private epochSkips = 0;
  private dirty = true;
  private owners = new Map<number, NicPort[]>();
  /** Ports that always get the frame: not NICs, bridged, or sharing a backlog. */
  private always: Port[] = [];
  private readonly holders = new Map<number, Set<NicPort>>();
  private readonly busy = new Set<NicPort>();
  private upCount = 0;
  private ordinals = new Map<Port, number>();
  /**
   * Per counted frame of this drain: where, among the soft events, each host it reached would have
   * queued its backlog's drain (see Gap); null when it reached no backlog.
   */
  private gaps: Array<Gap[] | null> = [];

  constructor(
    /** The segment's ports, in the order full delivery hands a frame to them. */
    private readonly ports: ReadonlySet<Port>,
    private readonly drains: () => number,
    private readonly soon: (fn: () => void) => void,
  ) {}

  /** Something about a NIC changed: settle what it was owed under its old state, index again. */
  changed(p: NicPort): void {
    this.settle(p);
    this.dirty = true;
  }

  neighbourAdded(p: NicPort, ip: number): void {
    let set = this.holders.get(ip);
    if (!set) this.holders.set(ip, (set = new Set()));
    set.add(p);
  }

  /**
   * The NIC's host starts filling its backlog: the frames counted for it in this instant occupy it,
   * and its drain goes where the first of them would have queued it.
   */
  backlogActive(p: NicPort, drain: () => void): { owed: number; placed: boolean } {
    this.settle(p);
    const owed = p.owed;
    p.owed = 0;
    p.busy = true;
    this.busy.add(p);
    let placed = false;
    const gaps = p.unreached < this.epochSkips ? this.gaps[p.unreached] : null;
    if (gaps) {
      const at = this.ordinal(p);
      let g = gaps[0]!;
      for (const x of gaps) if (x.from <= at) g = x;
      g.drains.push({ at, drain });
      placed = true;
    }
    return { owed, placed };
  }

  backlogIdle(p: NicPort): void {
    p.busy = false;
    this.busy.delete(p);
  }

  /**
   * Deliver an ARP frame (already checked well-formed, broadcast) that entered on `ingress`: for
   * real to the ports it can change, counted for the rest. Returns how many ports it reached.
   */
  deliver(ingress: Port, frame: Uint8Array, senderIp: number, targetIp: number): number {
    this.index();
    this.syncEpoch();
    const direct: Port[] = [...this.always];
    for (const p of this.owners.get(targetIp) ?? []) direct.push(p);
    const holders = senderIp !== 0 ? this.holders.get(senderIp) : undefined;
    if (holders) {
      for (const p of holders) {
        // An entry that went away no longer needs the sender's frames.
        if (p.nic.hasNeighbour(senderIp)) direct.push(p);
        else holders.delete(p);
      }
    }
    for (const p of this.busy) direct.push(p);
    const seen = new Set<Port>([ingress]);
    const out: Port[] = [];
    for (const p of direct.sort((a, b) => this.ordinal(a) - this.ordinal(b))) {
      if (seen.has(p)) continue;
      seen.add(p);
      out.push(p);
    }
    let upTouched = 0;
    const k = this.epochSkips;
    for (const p of seen) {
      if (!(p instanceof NicPort)) continue;
      this.syncPort(p);
      p.exclPackets++;
      p.exclBytes += frame.length;
      p.exclSkips++;
      if (p.unreached === k) p.unreached = k + 1;
      if (p.state === 'up') upTouched++;
    }
    this.skipPackets++;
    this.skipBytes += frame.length;
    this.epochSkips++;
    if (this.upCount === upTouched) {
      this.gaps.push(null);
      for (const p of out) p.deliver(frame);
    } else {
      // Full delivery would queue each reached host's drain in port order. A gap stands for the
      // counted hosts between two hosts handed the frame: the drain of one that fills its backlog
      // later in this instant runs there (backlogActive), before the next host's own.
      const gaps: Gap[] = [];
      this.gaps.push(gaps);
      const gap = (from: number) => {
        const g = new Gap(from);
        gaps.push(g);
        this.soon(g.run);
      };
      gap(0);
      for (const p of out) {
        p.deliver(frame);
        gap(this.ordinal(p) + 1);
      }
    }
    return this.ports.size - (this.ports.has(ingress) ? 1 : 0);
  }

  /** Bring a NIC's counters up to date: what it was owed under the state it had. */
  settle(p: NicPort): void {
    this.syncEpoch();
    this.settleInEpoch(p);
  }

  private settleInEpoch(p: NicPort): void {
    this.syncPort(p);
    const packets = this.skipPackets - p.markPackets - p.exclPackets;
    const bytes = this.skipBytes - p.markBytes - p.exclBytes;
    const now = this.epochSkips - p.markSkips - p.exclSkips;
    const c = p.iface?.counters;
    if (c && p.state === 'up') {
      c.rxPackets += packets;
      c.rxBytes += bytes;
      // Each frame took a place in an empty backlog (a busy one gets its frames for real).
      const kept = Math.min(now, Math.max(0, BACKLOG_LEN - p.owed));
      p.owed += kept;
      c.rxDropped += now - kept;
      if (now > kept) p.nic.backlogDropped(now - kept);
    } else if (c && p.state === 'down') {
      c.rxDropped += packets;
    }
    p.markPackets = this.skipPackets;
    p.markBytes = this.skipBytes;
    p.exclPackets = 0;
    p.exclBytes = 0;
    p.markSkips = this.epochSkips;
    p.exclSkips = 0;
    const next = p.currentState();
    if (p.state === 'up') this.upCount--;
    if (next === 'up') this.upCount++;
    // Frames counted while it was not up reached no backlog.
    if (next === 'up' && p.state !== 'up') p.unreached = this.epochSkips;
    p.state = next;
    p.iface = p.nic.iface;
  }

  private syncPort(p: NicPort): void {
    if (p.epoch === this.epoch) return;
    p.epoch = this.epoch;
    p.markSkips = 0;
    p.exclSkips = 0;
    p.owed = 0;
    p.unreached = 0;
  }

  /**
   * A new drain began since the last frame: what was owed to backlogs is gone. Frames counted in
   * the instant that ended could have overflowed a backlog only if there were more than it holds;
   * then every NIC settles now, while the count of that instant is still known.
   */
  private syncEpoch(): void {
    const d = this.drains();
    if (d === this.epoch) return;
    if (this.epochSkips > BACKLOG_LEN) for (const p of this.ports) if (p instanceof NicPort) this.settleInEpoch(p);
    this.epoch = d;
    this.epochSkips = 0;
    this.gaps = [];
  }

  private ordinal(p: Port): number {
    return this.ordinals.get(p) ?? -1;
  }

  /** A port was added: index again before the next frame. */
  portAdded(): void {
    this.dirty = true;
  }

  /** Rebuild the address index after a change (rare: configuration, not traffic). */
  private index(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.owners = new Map();
    this.always = [];
    this.ordinals = new Map();
    for (const p of this.ports) {
      this.ordinals.set(p, this.ordinals.size);
      if (!(p instanceof NicPort)) {
        this.always.push(p);
        continue;
      }
      const iface = p.nic.iface;
      if (!iface) continue;
      if (iface.master || p.nic.sharesBacklog) {
        this.always.push(p);
        continue;
      }
      for (const a of iface.addresses) {
        let list = this.owners.get(a.addr);
        if (!list) this.owners.set(a.addr, (list = []));
        list.push(p);
      }
    }
  }
}

/** A place among the soft events for the drains of hosts from port `from` on (see deliver). */
class Gap {
  readonly drains: Array<{ at: number; drain: () => void }> = [];
  constructor(readonly from: number) {}
  readonly run = (): void => {
    this.drains.sort((a, b) => a.at - b.at);
    for (const d of this.drains) d.drain();
  };
}
