// The five timers of a peer and the events that arm and disarm them (the whitepaper's section 6;
// wireguard-go's device/timers.go, event for event). A timer is a deadline on the monotonic clock;
// the device sleeps in poll() until the earliest one, then asks which have expired and runs their
// handlers, so nothing here needs a thread or a callback.
//
//   retransmitHandshake  REKEY_TIMEOUT (+ jitter) after an initiation: send another, up to 18 tries
//   sendKeepalive        KEEPALIVE_TIMEOUT after receiving data without sending any: a keepalive
//   newHandshake         KEEPALIVE_TIMEOUT + REKEY_TIMEOUT after sending data without hearing back
//   zeroKeyMaterial      3 x REJECT_AFTER_TIME after the last new session: forget every key
//   persistentKeepalive  the configured interval after any authenticated packet either way

import { KEEPALIVE_TIMEOUT, REJECT_AFTER_TIME, REKEY_TIMEOUT } from './constants.js';

export type TimerName = 'retransmitHandshake' | 'sendKeepalive' | 'newHandshake' | 'zeroKeyMaterial' | 'persistentKeepalive';
export const TIMER_NAMES: readonly TimerName[] = ['retransmitHandshake', 'sendKeepalive', 'newHandshake', 'zeroKeyMaterial', 'persistentKeepalive'];

export class PeerTimers {
  private readonly deadline: Record<TimerName, number> = {
    retransmitHandshake: Infinity,
    sendKeepalive: Infinity,
    newHandshake: Infinity,
    zeroKeyMaterial: Infinity,
    persistentKeepalive: Infinity,
  };
  handshakeAttempts = 0;
  /** Data arrived while a keepalive was already due: send another after it. */
  needAnotherKeepalive = false;
  sentLastMinuteHandshake = false;
  /** Seconds; 0 is off. */
  persistentKeepaliveInterval = 0;

  constructor(
    /** Up to REKEY_TIMEOUT_JITTER_MAX of random delay, in ns. */
    private readonly jitter: () => number,
  ) {}

  mod(t: TimerName, at: number): void {
    this.deadline[t] = at;
  }
  del(t: TimerName): void {
    this.deadline[t] = Infinity;
  }
  pending(t: TimerName): boolean {
    return this.deadline[t] !== Infinity;
  }

  /** The earliest deadline, Infinity if none. */
  next(): number {
    return Math.min(...TIMER_NAMES.map((t) => this.deadline[t]));
  }

  /** The timers whose time has come, disarmed; their handlers are the caller's to run, in order. */
  expired(nowNs: number): TimerName[] {
    const out = TIMER_NAMES.filter((t) => this.deadline[t] <= nowNs);
    for (const t of out) this.deadline[t] = Infinity;
    return out;
  }

  stopAll(): void {
    for (const t of TIMER_NAMES) this.deadline[t] = Infinity;
  }

  // --- the events (timersDataSent ... in wireguard-go)

  /** A transport packet with data went out. */
  dataSent(now: number): void {
    if (!this.pending('newHandshake')) this.mod('newHandshake', now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + this.jitter());
  }

  /** A transport packet with data came in. */
  dataReceived(now: number): void {
    if (!this.pending('sendKeepalive')) this.mod('sendKeepalive', now + KEEPALIVE_TIMEOUT);
    else this.needAnotherKeepalive = true;
  }

  /** Any authenticated packet went out: no keepalive is needed for a while. */
  anyAuthenticatedPacketSent(): void {
    this.del('sendKeepalive');
  }

  /** Any authenticated packet came in: the peer is alive. */
  anyAuthenticatedPacketReceived(): void {
    this.del('newHandshake');
  }

  handshakeInitiated(now: number): void {
    this.mod('retransmitHandshake', now + REKEY_TIMEOUT + this.jitter());
  }

  handshakeComplete(): void {
    this.del('retransmitHandshake');
    this.handshakeAttempts = 0;
    this.sentLastMinuteHandshake = false;
  }

  sessionDerived(now: number): void {
    this.mod('zeroKeyMaterial', now + REJECT_AFTER_TIME * 3);
  }

  /** Any authenticated packet either way (persistent keepalive counts from there). */
  anyAuthenticatedPacketTraversal(now: number): void {
    if (this.persistentKeepaliveInterval > 0) this.mod('persistentKeepalive', now + this.persistentKeepaliveInterval * 1e9);
  }
}
