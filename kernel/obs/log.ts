// The kernel log: a ring buffer of the last lines (what `dmesg` prints), handed to a sink (the
// kernel mirrors it to /var/log/syslog in Haiku's "KERN:" format) and emitted as events for
// observers. It knows nothing of files: whoever composes the kernel says where lines go.

import type { EventBus } from './events.js';

export interface LogClock {
  /** Monotonic ns since boot, for the event's time. */
  now(): number;
}

export class KernelLog {
  private readonly lines: string[] = [];
  /** Where each line goes besides the ring (the syslog file); set by the kernel's composition. */
  sink: ((line: string) => void) | null = null;

  constructor(
    private readonly host: string,
    private readonly clock: LogClock,
    private readonly events: EventBus,
    private readonly capacity = 1000,
  ) {}

  write(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
    this.sink?.(line);
    if (this.events.listening('log')) this.events.emit('log', { host: this.host, line, timeNs: this.clock.now() });
  }

  snapshot(): string[] {
    return [...this.lines];
  }
}
