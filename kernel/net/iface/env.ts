// What the network stack needs from the kernel it lives in, and nothing more: a clock with
// timers and soft interrupts, the host's seeded random source, its log and the event bus. A test
// gives it a hand-driven clock and calls the stack directly (test/helpers/stack.ts): no world, no
// processes, no files.

import type { EventBus } from '../../obs/events.js';
import type { Random } from '../../sched/random.js';
import type { Timer } from '../../sched/timers.js';

export interface StackTimers {
  /** Monotonic ns since boot. */
  now(): number;
  /** Run `fire` when the clock reaches `when`. */
  at(when: number, fire: () => void): Timer;
  cancel(t: Timer | null | undefined): void;
  /** Run `fn` at the current time, after whatever runs now (a soft interrupt). */
  soon(fn: () => void): void;
}

export interface StackEnv {
  /** The host's name, for events and log lines. */
  readonly host: string;
  readonly timers: StackTimers;
  readonly random: Random;
  readonly log: { write(line: string): void };
  readonly events: EventBus;
}
