// Sessions (wireguard-go's device/keypair.go and the rotation in noise-protocol.go): each handshake
// gives a keypair with its two indices, a send counter and a replay window. A peer holds up to
// three: the previous one (its packets still in flight are accepted), the current one, and the
// next one, which a responder keeps until the initiator's first transport message confirms it.

import { REJECT_AFTER_MESSAGES, REJECT_AFTER_TIME } from './constants.js';
import { ReplayFilter } from './replay.js';

export class Keypair {
  /** The next counter to send with. */
  sendNonce = 0n;
  readonly replay = new ReplayFilter();

  constructor(
    readonly send: Uint8Array,
    readonly receive: Uint8Array,
    readonly initiator: boolean,
    /** Monotonic ns of the handshake that made it. */
    readonly created: number,
    readonly localIndex: number,
    readonly remoteIndex: number,
  ) {}

  /** Past REJECT_AFTER_TIME: nothing more is accepted with it. */
  tooOld(nowNs: number): boolean {
    return nowNs - this.created >= REJECT_AFTER_TIME;
  }

  /** Too old, or out of counters: nothing more is sent with it. */
  spent(nowNs: number): boolean {
    return this.tooOld(nowNs) || this.sendNonce >= REJECT_AFTER_MESSAGES;
  }
}

export class Keypairs {
  previous: Keypair | null = null;
  current: Keypair | null = null;
  next: Keypair | null = null;

  /**
   * A new session. The initiator uses it at once; the responder keeps it as `next` until the
   * initiator speaks with it. What falls out is returned, so its index can be released.
   */
  install(k: Keypair): Keypair[] {
    const dropped: Keypair[] = [];
    const keep = (x: Keypair | null) => x !== null && dropped.push(x);
    if (k.initiator) {
      if (this.next !== null) {
        keep(this.previous);
        keep(this.current);
        this.previous = this.next;
        this.next = null;
      } else {
        keep(this.previous);
        this.previous = this.current;
      }
      this.current = k;
    } else {
      keep(this.next);
      keep(this.previous);
      this.next = k;
      this.previous = null;
    }
    return dropped;
  }

  /** A packet arrived under `k`: if it was the next session, it is now current. What falls out. */
  receivedWith(k: Keypair): { confirmed: boolean; dropped: Keypair[] } {
    if (this.next !== k) return { confirmed: false, dropped: [] };
    const dropped = this.previous ? [this.previous] : [];
    this.previous = this.current;
    this.current = k;
    this.next = null;
    return { confirmed: true, dropped };
  }

  /** Every keypair, for zeroing them all (ZeroKeyMaterial, or the peer going away). */
  clear(): Keypair[] {
    const all = [this.previous, this.current, this.next].filter((k): k is Keypair => k !== null);
    this.previous = this.current = this.next = null;
    return all;
  }
}
