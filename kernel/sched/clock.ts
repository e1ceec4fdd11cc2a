// The two clocks of DESIGN.md. Everything in the kernel and in userland asks the scheduler for the
// time, which asks one of these; nothing else reads the host machine's clock.

export const NS_PER_MS = 1_000_000;
export const NS_PER_SEC = 1_000_000_000;

export interface Clock {
  readonly kind: 'virtual' | 'real';
  /** Monotonic nanoseconds since the world booted. */
  now(): number;
  /** Nanoseconds since the Unix epoch (CLOCK_REALTIME). */
  wallNs(): number;
  /**
   * The same, exact: past 2^53 (any date after 1970 + 104 days) a number keeps only multiples of
   * 256 ns, so a capture's timestamps are summed here from the integer parts, in BigInt.
   */
  wallNsExact(): bigint;
}

/**
 * Discrete-event time: it stands still while anything can run and jumps to the next timer when
 * everything is blocked, so a thousand one-second pings take no real time at all.
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual';
  private t = 0;
  /** @param epochNs the wall-clock time at boot; fixed, so every run prints the same dates. */
  constructor(private readonly epochNs: number) {}
  now(): number {
    return this.t;
  }
  wallNs(): number {
    return this.epochNs + this.t;
  }
  wallNsExact(): bigint {
    return BigInt(this.epochNs) + BigInt(this.t);
  }
  advanceTo(t: number): void {
    if (t > this.t) this.t = t;
  }
}

/** What a real clock reads: the machine's monotonic and wall clocks (the host port's). */
export interface RealTimeSource {
  monotonicNs(): bigint;
  epochNs(): number;
}

export class RealClock implements Clock {
  readonly kind = 'real';
  private readonly start: bigint;
  private readonly epochNs: number;
  constructor(private readonly source: RealTimeSource) {
    this.start = source.monotonicNs();
    this.epochNs = source.epochNs();
  }
  now(): number {
    return Number(this.source.monotonicNs() - this.start);
  }
  wallNs(): number {
    return this.epochNs + this.now();
  }
  wallNsExact(): bigint {
    return BigInt(this.epochNs) + (this.source.monotonicNs() - this.start);
  }
}

/** 2026-01-01T00:00:00Z: the default boot time of a virtual-clock world. */
export const DEFAULT_VIRTUAL_EPOCH_NS = Date.UTC(2026, 0, 1) * NS_PER_MS;
