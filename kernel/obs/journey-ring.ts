// The bounded memory of one recording: a ring of packet events. When it is full the oldest event
// is overwritten and counted as lost, as a tracing ring in overwrite mode does, so a recording left
// running keeps the most recent events and says how many it could not keep. Full means either
// `capacity` events or JOURNEY_RING_BYTES of packet bytes held (each event holds its own copy),
// so a large -b with large packets stays bounded in memory too.

import { JOURNEY_RING_BYTES, type JourneyBatch, type JourneyEvent } from '../abi/journey.js';
import type { PacketEvent } from './events.js';

export class EventRing {
  private readonly slots: Array<JourneyEvent | undefined>;
  private head = 0;
  private count = 0;
  private seq = 0;
  /** The packet bytes the held events carry. */
  private bytes = 0;
  /** Events overwritten before anyone read them. */
  lost = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes: number = JOURNEY_RING_BYTES,
  ) {
    this.slots = new Array<JourneyEvent | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(e: PacketEvent): void {
    while (this.count > 0 && (this.count === this.capacity || this.bytes + e.bytes.length > this.maxBytes)) {
      this.bytes -= this.slots[this.head]!.bytes.length;
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      this.lost++;
    }
    const tail = (this.head + this.count) % this.capacity;
    this.slots[tail] = { seq: ++this.seq, ...e };
    this.count++;
    this.bytes += e.bytes.length;
  }

  /** Take up to `max` events, oldest first. */
  drain(max: number): JourneyBatch {
    const n = Math.min(max, this.count);
    const events: JourneyEvent[] = [];
    for (let i = 0; i < n; i++) {
      const e = this.slots[this.head]!;
      events.push(e);
      this.bytes -= e.bytes.length;
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.count -= n;
    return { events, lost: this.lost };
  }
}
