// How many packets openvpn's event loop reads from a descriptor that poll() found ready.

/** The most packets read from one descriptor per wake-up. */
export const BATCH = 64;
/** Wake-ups that read one packet each after a drain found only one, before draining again. */
export const REPROBE = 8;

/**
 * How many packets to read from a ready descriptor at one wake-up. 2.6 reads one per wake-up; in a
 * burst that costs a poll and two clock reads per packet, so here a descriptor is read until it has
 * nothing more (issue 20). But finding nothing is a failed read (EAGAIN) at every wake-up, the
 * dearer choice for a flow of single packets: after a drain that found only one, the next REPROBE
 * wake-ups read one packet each, as 2.6 does. Counted in wake-ups, not time: a virtual-time run
 * stays the same run.
 */
export class Batch {
  private single = 0;

  size(): number {
    if (this.single === 0) return BATCH;
    this.single--;
    return 1;
  }

  /** `read` packets came of the `size` tried: one, then nothing, is a flow of single packets. */
  done(read: number, size: number): void {
    if (size > 1 && read <= 1) this.single = REPROBE;
  }
}
