// The protocol's constants, as wireguard-go's device/constants.go has them (the whitepaper's
// section 6.1 gives the timers). Times in nanoseconds, as the kernel clock counts.

const S = 1e9;
const MS = 1e6;

export const REKEY_AFTER_MESSAGES = 1n << 60n;
export const REJECT_AFTER_MESSAGES = 0xffff_ffff_ffff_ffffn - (1n << 13n);
export const REKEY_AFTER_TIME = 120 * S;
export const REKEY_ATTEMPT_TIME = 90 * S;
export const REKEY_TIMEOUT = 5 * S;
/** At most this many initiations per handshake attempt (REKEY_ATTEMPT_TIME / REKEY_TIMEOUT). */
export const MAX_TIMER_HANDSHAKES = 18;
/** Each retransmission waits REKEY_TIMEOUT plus up to this much more, so peers do not stay in step. */
export const REKEY_TIMEOUT_JITTER_MAX = 334 * MS;
export const REJECT_AFTER_TIME = 180 * S;
export const KEEPALIVE_TIMEOUT = 10 * S;
export const COOKIE_REFRESH_TIME = 120 * S;
/** At most one initiation from a peer is consumed per 20 ms (50 a second): the flood check. */
export const HANDSHAKE_INITIATION_RATE = S / 50;
export const PADDING_MULTIPLE = 16;
/** A transport message's header and tag: what rx_bytes and tx_bytes add to each packet. */
export const MIN_MESSAGE_SIZE = 32;

/** The tun's MTU when the daemon creates it (wireguard-go's DefaultMTU). */
export const DEFAULT_MTU = 1420;

/** Handshake messages waiting to be processed; from an eighth of it on the device is under load. */
export const QUEUE_HANDSHAKE_SIZE = 1024;
export const UNDER_LOAD_AFTER_TIME = 1 * S;
/** Packets waiting for a session, per peer (the oldest is dropped to make room). */
export const QUEUE_STAGED_SIZE = 128;

/** The handshake rate limiter under load, per source address (ratelimiter.go). */
export const RATE_PACKETS_PER_SECOND = 20;
export const RATE_PACKETS_BURSTABLE = 5;
