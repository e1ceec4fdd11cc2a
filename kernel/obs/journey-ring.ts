// The bounded memory of one recording: a ring of packet events. When it is full the oldest event
// is overwritten and counted as lost, as a tracing ring in overwrite mode does, so a recording left
// running keeps the most recent events and says how many it could not keep.

import type { JourneyBatch, JourneyEvent } from '../abi/journey.js';
import type { PacketEvent } from './events.js';

export class EventRing {
  private readonly slots: Array<JourneyEvent | undefined>;
  private head = 0;
  private count = 0;
  private seq = 0;
  /** Events overwritten before anyone read them. */
  lost = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<JourneyEvent | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(e: PacketEvent): void {
    const tail = (this.head + this.count) % this.capacity;
    this.slots[tail] = { seq: ++this.seq, ...e };
    if (this.count < this.capacity) this.count++;
    else {
      this.head = (this.head + 1) % this.capacity;
      this.lost++;
    }
  }

  /** Take up to `max` events, oldest first. */
  drain(max: number): JourneyBatch {
    const n = Math.min(max, this.count);
    const events: JourneyEvent[] = [];
    for (let i = 0; i < n; i++) {
      events.push(this.slots[this.head]!);
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.count -= n;
    return { events, lost: this.lost };
  }
}
