// A recording of packet journeys, as an fd (journey_open): while it is open, every packet event of
// the world goes into its ring (obs/journey-ring.ts), bounded, the overflow counted; journey_read
// drains it; the last close ends the recording. Readable for poll while events wait.

import { B_SELECT_READ, type SelectEvent } from '../abi/select.js';
import { S_IFCHR, type Stat } from '../abi/stat.js';
import type { EventBus } from '../obs/events.js';
import { EventRing } from '../obs/journey-ring.js';
import { OpenFile, SelectPool, type SelectSync } from '../vfs/file.js';

export class JourneyFile extends OpenFile {
  readonly kind = 'chr';
  readonly ring: EventRing;
  private readonly pool = new SelectPool();
  private stop: (() => void) | null;

  constructor(
    events: EventBus,
    capacity: number,
    flags: number,
  ) {
    super(flags);
    this.ring = new EventRing(capacity);
    this.stop = events.on('packet', (e) => {
      this.ring.push(e);
      if (this.ring.length === 1) this.pool.notify(B_SELECT_READ);
    });
  }

  stat(): Stat {
    return { st_dev: 0, st_ino: 0, st_mode: S_IFCHR | 0o600, st_nlink: 1, st_uid: 0, st_gid: 0, st_rdev: 0, st_size: 0, st_mtime_ns: 0 };
  }

  select(event: SelectEvent, sync: SelectSync): void {
    this.pool.add(event, sync);
    if (event === B_SELECT_READ && this.ring.length > 0) sync.notify(event);
  }

  deselect(event: SelectEvent, sync: SelectSync): void {
    this.pool.remove(event, sync);
  }

  close(): void {
    this.stop?.();
    this.stop = null;
  }

  describe(): string {
    return 'journey';
  }
}
