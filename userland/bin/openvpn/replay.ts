// OpenVPN's receive-side packet-id check (packet_id.c, 2.6), the thing `--replay-window n [t]` tunes.
//
// Every data packet carries (id, time): a per-sender counter starting at 1 and the sender's session
// start time. The receiver keeps the highest (time, id) it accepted and, for UDP, a window of the
// last n ids: each slot records when that id was accepted, or that it is still unseen, or that it
// has expired. The rules, in OpenVPN's order:
//
// * id 0 is never valid.
// * time lower than the stored time: rejected. Higher: a new session, accepted, the window restarts.
// * same time: an id above the highest is accepted; an id inside the window whose slot is still
//   unseen is accepted (re-ordering); anything else (duplicate, expired, older than the window) is
//   rejected. The time is never compared with the receiver's clock.
//
// Expiry (`t`, default 15 s) as packet_id_reap() does it, which is coarser than "an id seen more than
// t seconds ago": at most once every 5 s (SEQ_REAP_INTERVAL), when an authenticated packet reaches
// the check, the window is scanned from the newest id down. The first slot holding an id that was
// accepted more than t seconds ago (acceptedAt + t < now) marks the boundary: that slot and every
// older slot, seen or unseen, become expired, so no id at or below it can be accepted any more. The
// scan stops early at a slot that is already expired. Verified against 2.6.14: after id 10 was
// accepted, id 9 (never seen, well inside the window) was refused 17 s later.
//
// OpenVPN stores "unseen" and "expired" as the time_t values 0 and 1 and so never records an id
// accepted while its clock reads 0 or 1. The emulator's clock may well start at 0, so the states are
// kept apart from the times here; for real Unix times the two behave the same.
//
// With window 0 (`--replay-window 0`, also what TCP uses) there is no window: ids of one time must
// follow each other exactly (n, n+1, ...), and a new time must start again at id 1.
//
// `now` is the receiver's clock in seconds. Fractions are dropped, since OpenVPN's clock is a whole
// time_t, so that expiry happens on the same packets as in a real peer.
//
// check() never records anything, so a packet that passes here but fails a later test leaves the
// window as it was; commit() records it (packet_id_add). check() may still expire slots, which
// depends only on the clock, exactly as OpenVPN reaps before testing.

export const DEFAULT_REPLAY_WINDOW = 64;
export const DEFAULT_REPLAY_SECONDS = 15;
export const MIN_REPLAY_WINDOW = 0;
export const MAX_REPLAY_WINDOW = 65536;
export const MIN_REPLAY_SECONDS = 0;
export const MAX_REPLAY_SECONDS = 600;
/** Seconds between two expiry scans (SEQ_REAP_INTERVAL). */
export const REAP_INTERVAL_SECONDS = 5;

/**
 * The `Options error:` text 2.6.14 prints for an out-of-range `--replay-window n [t]`, or null.
 * (OpenVPN parses the numbers with atoi, so "abc" is 0 and passes.)
 */
export function replayWindowOptionError(window: number, seconds: number = DEFAULT_REPLAY_SECONDS): string | null {
  if (!(window >= MIN_REPLAY_WINDOW && window <= MAX_REPLAY_WINDOW)) {
    return `replay-window window size parameter (${window}) must be between ${MIN_REPLAY_WINDOW} and ${MAX_REPLAY_WINDOW}`;
  }
  if (!(seconds >= MIN_REPLAY_SECONDS && seconds <= MAX_REPLAY_SECONDS)) {
    return `replay-window time window parameter (${seconds}) must be between ${MIN_REPLAY_SECONDS} and ${MAX_REPLAY_SECONDS}`;
  }
  return null;
}

// Slot states besides "accepted at time t" (a finite number). Neither can collide with a clock value.
const UNSEEN = Number.NEGATIVE_INFINITY;
const EXPIRED = Number.NaN;

export class ReplayWindow {
  readonly window: number;
  readonly seconds: number;
  /** Highest time accepted so far (0 before the first packet, as in OpenVPN). */
  private storedTime = 0;
  /** Highest id accepted for storedTime; ids above `base` have been pushed into the window. */
  private highest = 0;
  private lastReap = Number.NEGATIVE_INFINITY;
  // A ring of `window` slots; slot(0) is `highest`, slot(i) is `highest - i`.
  private readonly slots: number[];
  private head = 0;
  private size = 0;

  constructor(window: number = DEFAULT_REPLAY_WINDOW, seconds: number = DEFAULT_REPLAY_SECONDS) {
    const error = replayWindowOptionError(window, seconds);
    if (error !== null || !Number.isInteger(window)) throw new RangeError(error ?? `replay window ${window}`);
    this.window = window;
    this.seconds = seconds;
    this.slots = new Array<number>(window).fill(UNSEEN);
  }

  /** The (time, id) of the newest packet accepted, as OpenVPN's packet_id_rec keeps them. */
  get time(): number {
    return this.storedTime;
  }
  get highestId(): number {
    return this.highest;
  }

  /** Would a packet with this id and time be accepted now? Records nothing. */
  check(id: number, time: number, now: number): boolean {
    this.reapIfDue(Math.floor(now));
    if (id === 0) return false;
    if (this.window === 0) {
      if (time === this.storedTime) return this.highest === 0 || id === this.highest + 1;
      return time > this.storedTime && id === 1;
    }
    if (time < this.storedTime) return false;
    if (time > this.storedTime) return true;
    if (id > this.highest) return true;
    const diff = this.highest - id;
    if (diff >= this.size) return false;
    return this.slot(diff) === UNSEEN;
  }

  /** Record an accepted packet; call only after check() said yes and every later test passed. */
  commit(id: number, time: number, now: number): void {
    now = Math.floor(now);
    if (this.window === 0) {
      this.storedTime = time;
      this.highest = id;
      return;
    }
    const w = this.window;
    if (this.size === 0 || time > this.storedTime || (id >= w && id - w > this.highest)) {
      // A new session, or a jump past the whole window: nothing remembered is still useful.
      this.storedTime = time;
      this.highest = id > w ? id - w : 0;
      this.head = 0;
      this.size = 0;
    }
    while (this.highest < id) {
      this.head = (this.head + 1) % w;
      this.slots[this.head] = UNSEEN;
      if (this.size < w) this.size++;
      this.highest++;
    }
    const diff = this.highest - id;
    if (diff < this.size) this.setSlot(diff, now);
  }

  /** check() then commit(): what OpenVPN's crypto_check_replay() does in one go. */
  accept(id: number, time: number, now: number): boolean {
    if (!this.check(id, time, now)) return false;
    this.commit(id, time, now);
    return true;
  }

  private slot(i: number): number {
    return this.slots[(this.head - i + this.window) % this.window] as number;
  }
  private setSlot(i: number, value: number): void {
    this.slots[(this.head - i + this.window) % this.window] = value;
  }

  private reapIfDue(now: number): void {
    if (!(this.lastReap + REAP_INTERVAL_SECONDS <= now)) return;
    if (this.seconds !== 0) {
      let expire = false;
      for (let i = 0; i < this.size; i++) {
        const t = this.slot(i);
        if (Number.isNaN(t)) break;
        if (!expire && t !== UNSEEN && t + this.seconds < now) expire = true;
        if (expire) this.setSlot(i, EXPIRED);
      }
    }
    this.lastReap = now;
  }
}
