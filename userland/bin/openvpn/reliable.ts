// The control channel's reliability layer (reliable.c): message ids per direction, a send window of
// 6 packets retransmitted with exponential backoff until acknowledged, a receive window of 12 that
// hands payloads up strictly in id order, and the acknowledgements to send, which 2.6 repeats from
// a most-recently-used list so that a lost ACK costs no retransmission.
//
// Time is OpenVPN's `now`: whole seconds. Nothing here does I/O.

import { ackSize, CONTROL_SEND_ACK_MAX, RELIABLE_ACK_SIZE } from './control-packet.js';

export const TLS_RELIABLE_N_SEND_BUFFERS = 6;
export const TLS_RELIABLE_N_REC_BUFFERS = 12;
/** A packet whose later neighbours got this many ACKs is sent again at once (N_ACK_RETRANSMIT). */
export const N_ACK_RETRANSMIT = 3;

/** a < b in the 32-bit circular id space (reliable_pid_min is its negation). */
const before = (a: number, b: number): boolean => ((b - a) >>> 0) < 0x80000000 && a !== b;
const distance = (test: number, base: number): number => (test - base) >>> 0;
/** reliable_pid_in_range2(): ids below base + extent pass (old ones too: they are replays). */
function belowWindowEnd(test: number, base: number, extent: number): boolean {
  if (base + extent <= 0xffffffff) return test < base + extent;
  return ((test + 0x80000000) >>> 0) < ((base + 0x80000000) >>> 0) + extent;
}

interface SendEntry {
  readonly id: number;
  readonly opcode: number;
  readonly payload: Uint8Array;
  nextTry: number;
  timeout: number;
  nAcks: number;
}

export class ReliableSend {
  /** The id the next queued packet gets. */
  nextId = 0;
  private readonly entries: SendEntry[] = [];

  constructor(
    private readonly initialTimeout: number,
    private readonly size = TLS_RELIABLE_N_SEND_BUFFERS,
  ) {}

  get active(): number {
    return this.entries.length;
  }

  empty(): boolean {
    return this.entries.length === 0;
  }

  /** reliable_get_num_output_sequenced_available(): ids that may be queued without passing the window. */
  available(): number {
    if (this.entries.length === 0) return this.size;
    let min = this.entries[0]!.id;
    for (const e of this.entries) if (before(e.id, min)) min = e.id;
    return this.size - distance(this.nextId, min);
  }

  /** reliable_mark_active_outgoing(): queue a payload; it goes out at the next send(). Returns its id. */
  push(opcode: number, payload: Uint8Array): number {
    if (this.available() <= 0) throw new RangeError('reliable send window full');
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0;
    this.entries.push({ id, opcode, payload, nextTry: 0, timeout: this.initialTimeout, nAcks: 0 });
    return id;
  }

  /** reliable_send_purge(): drop what the peer acknowledged, count ACKs of later ids. */
  purge(acks: readonly number[]): void {
    for (const id of acks) {
      for (let i = 0; i < this.entries.length; i++) {
        const e = this.entries[i]!;
        if (e.id === id) {
          this.entries.splice(i--, 1);
        } else if (before(e.id, id)) {
          e.nAcks++;
        }
      }
    }
  }

  /** reliable_send(): the oldest packet due (or fast-retransmitted), its backoff doubled. */
  send(now: number): { id: number; opcode: number; payload: Uint8Array } | null {
    let best: SendEntry | null = null;
    for (const e of this.entries) {
      if (e.nAcks >= N_ACK_RETRANSMIT || now >= e.nextTry) {
        if (!best || before(e.id, best.id)) best = e;
      }
    }
    if (!best) return null;
    best.nextTry = now + best.timeout;
    best.timeout *= 2;
    best.nAcks = 0;
    return { id: best.id, opcode: best.opcode, payload: best.payload };
  }

  /** reliable_schedule_now(): everything due again with the first timeout (a peer just came up). */
  scheduleNow(now: number): void {
    for (const e of this.entries) {
      e.nextTry = now;
      e.timeout = this.initialTimeout;
    }
  }

  /** Seconds until the next send is due (0: now), or Infinity with nothing queued. */
  timeout(now: number): number {
    let t = Infinity;
    for (const e of this.entries) {
      if (e.nAcks >= N_ACK_RETRANSMIT || e.nextTry <= now) return 0;
      t = Math.min(t, e.nextTry - now);
    }
    return t;
  }
}

export type Offer = 'stored' | 'replay' | 'out-of-window' | 'full';

export class ReliableRecv {
  /** The id the next in-order payload must have (rel->packet_id). */
  nextId = 0;
  private readonly entries = new Map<number, { opcode: number; payload: Uint8Array }>();

  constructor(private readonly size = TLS_RELIABLE_N_REC_BUFFERS) {}

  /**
   * An incoming message. 'out-of-window' (it would break sequentiality) is dropped unacknowledged;
   * 'replay' (seen already) and 'stored' are acknowledged, as tls_pre_decrypt() does.
   */
  offer(id: number, opcode: number, payload: Uint8Array): Offer {
    if (this.entries.size >= this.size) return 'full';
    if (!belowWindowEnd(id, this.nextId, this.size)) return 'out-of-window';
    if (before(id, this.nextId) || this.entries.has(id)) return 'replay';
    this.entries.set(id, { opcode, payload });
    return 'stored';
  }

  /** Whether the next payload in id order has arrived. */
  peek(): boolean {
    return this.entries.has(this.nextId);
  }

  /** The next payload in id order, if it has arrived (reliable_get_entry_sequenced + mark_deleted). */
  take(): { id: number; opcode: number; payload: Uint8Array } | null {
    const e = this.entries.get(this.nextId);
    if (!e) return null;
    const id = this.nextId;
    this.entries.delete(id);
    this.nextId = (id + 1) >>> 0;
    return { id, ...e };
  }
}

/** The acknowledgements owed to the peer (rec_ack) and the recently sent ones (lru_acks). */
export class AckList {
  private pending: number[] = [];
  private mru: number[] = [];

  /** reliable_ack_acknowledge_packet_id(): at most 8 outstanding, no duplicates. */
  acknowledge(id: number): void {
    if (!this.pending.includes(id) && this.pending.length < RELIABLE_ACK_SIZE) this.pending.push(id);
  }

  /** Acks not yet sent once. */
  get outstanding(): number {
    return this.pending.length;
  }

  /** Acks the next packet would carry at most (for the frame overhead). */
  get toSend(): number {
    return this.pending.length + this.mru.length;
  }

  /**
   * reliable_ack_write(): up to `max` owed acks move to the front of the MRU list, and the packet
   * carries the first min(max, MRU size) ids of that list.
   */
  take(max: number): number[] {
    const n = Math.min(this.pending.length, max);
    for (let i = n - 1; i >= 0; i--) {
      const id = this.pending[i]!;
      const at = this.mru.indexOf(id);
      if (at >= 0) this.mru.splice(at, 1);
      this.mru.unshift(id);
      if (this.mru.length > RELIABLE_ACK_SIZE) this.mru.length = RELIABLE_ACK_SIZE;
    }
    this.pending = this.pending.slice(n);
    return this.mru.slice(0, Math.min(max, this.mru.length));
  }

  clear(): void {
    this.pending = [];
    this.mru = [];
  }
}

/** IPv4 + UDP header, which the tls-mtu budget counts (datagram_overhead). */
export const UDP4_OVERHEAD = 28;
/** --tls-mtu's default: the largest control packet, headers included. */
export const TLS_MTU_DEFAULT = 1250;

/** calc_control_channel_frame_overhead(): what a control packet costs besides its TLS bytes. */
export function controlFrameOverhead(acksToSend: number, wrapOverhead: number): number {
  return 1 + 8 + ackSize(Math.min(acksToSend, CONTROL_SEND_ACK_MAX)) + 4 + wrapOverhead + UDP4_OVERHEAD;
}
