// The handshake: Noise_IKpsk2 as WireGuard's whitepaper (section 5.4.2-5.4.4) and wireguard-go's
// device/noise-protocol.go write it. One state per peer; the ephemeral key, the index and the
// timestamp are inputs, so the device draws them from /dev/urandom and the clock while a test can
// give the published ephemeral of the reference's capture and recompute every value.

import {
  WG_HANDSHAKE_INITIATION,
  WG_HANDSHAKE_RESPONSE,
  type WireGuardRepr,
} from '../../../kernel/abi/wire/wireguard.js';
import { dh, publicKeyOf } from '../../lib/wireguard/keys.js';
import { CONSTRUCTION, hash, IDENTIFIER, kdf, open, seal } from './crypto.js';

export const INITIAL_CHAIN_KEY = hash(CONSTRUCTION);
export const INITIAL_HASH = hash(INITIAL_CHAIN_KEY, IDENTIFIER);
const ZERO_KEY = new Uint8Array(32);
const EMPTY = new Uint8Array(0);

export type HandshakeStage = 'zeroed' | 'initiation-created' | 'initiation-consumed' | 'response-created' | 'response-consumed';

export type Initiation = Extract<WireGuardRepr, { type: typeof WG_HANDSHAKE_INITIATION }>;
export type Response = Extract<WireGuardRepr, { type: typeof WG_HANDSHAKE_RESPONSE }>;

export class Handshake {
  stage: HandshakeStage = 'zeroed';
  hash: Uint8Array = ZERO_KEY;
  chainKey: Uint8Array = ZERO_KEY;
  localEphemeral: Uint8Array = ZERO_KEY;
  remoteEphemeral: Uint8Array = ZERO_KEY;
  localIndex = 0;
  remoteIndex = 0;
  /** The newest TAI64N seen from this peer: an initiation must carry a later one (replay). */
  lastTimestamp: Uint8Array = new Uint8Array(12);
  /** Monotonic ns of the last initiation accepted (at most one per 20 ms: flood). */
  lastInitiationConsumption = -Infinity;

  /** After the keys are derived, nothing of the handshake may stay behind. */
  clear(): void {
    this.stage = 'zeroed';
    this.hash = this.chainKey = this.localEphemeral = this.remoteEphemeral = ZERO_KEY;
    this.localIndex = 0;
  }
}

/** What the handshake needs of the device and of one peer. */
export interface LocalIdentity {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}
export interface NoisePeerKeys {
  readonly remoteStatic: Uint8Array;
  readonly presharedKey: Uint8Array;
  /** DH(local static, remote static), computed when either key is set; null if it has none. */
  readonly staticStatic: Uint8Array | null;
}

const mixHash = (h: Uint8Array, data: Uint8Array) => hash(h, data);
const mixKey = (c: Uint8Array, data: Uint8Array) => kdf(1, c, data)[0]!;

/** TAI64N: 2^62 + 10 + seconds, big-endian, then the nanoseconds with their low 24 bits zeroed, as
 * wireguard-go whitens them (about 16.7 ms of resolution, so the time leaks less). */
export function tai64n(wallNs: number): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  const sec = Math.floor(wallNs / 1e9);
  v.setBigUint64(0, 0x4000_0000_0000_000an + BigInt(sec));
  v.setUint32(8, (wallNs - sec * 1e9) & ~0xff_ffff);
  return out;
}

/** Whether TAI64N `a` is later than `b` (both big-endian: byte order is time order). */
export function timestampAfter(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 12; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
}

/** The initiator's first message, without its macs; the handshake moves to initiation-created. */
export function createInitiation(
  local: LocalIdentity,
  peer: NoisePeerKeys,
  hs: Handshake,
  ephemeralPrivate: Uint8Array,
  timestamp: Uint8Array,
  senderIndex: number,
): Initiation | null {
  if (peer.staticStatic === null) return null;
  let h = mixHash(INITIAL_HASH, peer.remoteStatic);
  let c = INITIAL_CHAIN_KEY;
  const ephemeral = publicKeyOf(ephemeralPrivate);
  c = mixKey(c, ephemeral);
  h = mixHash(h, ephemeral);
  const es = dh(ephemeralPrivate, peer.remoteStatic);
  if (es === null) return null;
  let [c2, key] = kdf(2, c, es) as [Uint8Array, Uint8Array];
  const encryptedStatic = seal(key, 0n, local.publicKey, h);
  h = mixHash(h, encryptedStatic);
  [c2, key] = kdf(2, c2, peer.staticStatic) as [Uint8Array, Uint8Array];
  const encryptedTimestamp = seal(key, 0n, timestamp, h);
  h = mixHash(h, encryptedTimestamp);
  hs.stage = 'initiation-created';
  hs.hash = h;
  hs.chainKey = c2;
  hs.localEphemeral = ephemeralPrivate;
  hs.localIndex = senderIndex;
  return {
    type: WG_HANDSHAKE_INITIATION,
    sender: senderIndex,
    ephemeral,
    encryptedStatic,
    encryptedTimestamp,
    mac1: new Uint8Array(16),
    mac2: new Uint8Array(16),
  };
}

/** An initiation opened by the responder: who sent it and the state to keep if it is accepted. */
export interface ConsumedInitiation<P> {
  peer: P;
  hash: Uint8Array;
  chainKey: Uint8Array;
  timestamp: Uint8Array;
}

/**
 * Open an initiation: its static key must decrypt and name a known peer (`lookup`), its timestamp
 * must decrypt under that peer's keys. Null for anything else. The replay and flood checks and
 * the commit are the caller's (acceptInitiation), which knows the time.
 */
export function consumeInitiation<P extends NoisePeerKeys>(
  local: LocalIdentity,
  msg: Initiation,
  lookup: (remoteStatic: Uint8Array) => P | undefined,
): ConsumedInitiation<P> | null {
  let h = mixHash(INITIAL_HASH, local.publicKey);
  h = mixHash(h, msg.ephemeral);
  let c = mixKey(INITIAL_CHAIN_KEY, msg.ephemeral);
  const es = dh(local.privateKey, msg.ephemeral);
  if (es === null) return null;
  let key: Uint8Array;
  [c, key] = kdf(2, c, es) as [Uint8Array, Uint8Array];
  const remoteStatic = open(key, 0n, msg.encryptedStatic, h);
  if (remoteStatic === null) return null;
  h = mixHash(h, msg.encryptedStatic);
  const peer = lookup(remoteStatic);
  if (peer === undefined || peer.staticStatic === null) return null;
  [c, key] = kdf(2, c, peer.staticStatic) as [Uint8Array, Uint8Array];
  const timestamp = open(key, 0n, msg.encryptedTimestamp, h);
  if (timestamp === null) return null;
  h = mixHash(h, msg.encryptedTimestamp);
  return { peer, hash: h, chainKey: c, timestamp };
}

/** Commit an opened initiation to the peer's handshake: the state a response is built on. */
export function acceptInitiation(hs: Handshake, msg: Initiation, opened: ConsumedInitiation<unknown>, nowNs: number): void {
  hs.stage = 'initiation-consumed';
  hs.hash = opened.hash;
  hs.chainKey = opened.chainKey;
  hs.remoteIndex = msg.sender;
  hs.remoteEphemeral = msg.ephemeral.slice();
  if (timestampAfter(opened.timestamp, hs.lastTimestamp)) hs.lastTimestamp = opened.timestamp;
  hs.lastInitiationConsumption = nowNs;
}

/** The responder's message, without macs; the handshake moves to response-created. */
export function createResponse(peer: NoisePeerKeys, hs: Handshake, ephemeralPrivate: Uint8Array, senderIndex: number): Response | null {
  if (hs.stage !== 'initiation-consumed') return null;
  const ephemeral = publicKeyOf(ephemeralPrivate);
  let h = mixHash(hs.hash, ephemeral);
  let c = mixKey(hs.chainKey, ephemeral);
  const ee = dh(ephemeralPrivate, hs.remoteEphemeral);
  const se = dh(ephemeralPrivate, peer.remoteStatic);
  if (ee === null || se === null) return null;
  c = mixKey(c, ee);
  c = mixKey(c, se);
  const [c3, tau, key] = kdf(3, c, peer.presharedKey) as [Uint8Array, Uint8Array, Uint8Array];
  h = mixHash(h, tau);
  const encryptedNothing = seal(key, 0n, EMPTY, h);
  h = mixHash(h, encryptedNothing);
  hs.stage = 'response-created';
  hs.hash = h;
  hs.chainKey = c3;
  hs.localEphemeral = ephemeralPrivate;
  hs.localIndex = senderIndex;
  return {
    type: WG_HANDSHAKE_RESPONSE,
    sender: senderIndex,
    receiver: hs.remoteIndex,
    ephemeral,
    encryptedNothing,
    mac1: new Uint8Array(16),
    mac2: new Uint8Array(16),
  };
}

/** Open a response to our initiation; true (and the handshake at response-consumed) if it is one. */
export function consumeResponse(local: LocalIdentity, peer: NoisePeerKeys, hs: Handshake, msg: Response): boolean {
  if (hs.stage !== 'initiation-created' || msg.receiver !== hs.localIndex) return false;
  let h = mixHash(hs.hash, msg.ephemeral);
  let c = mixKey(hs.chainKey, msg.ephemeral);
  const ee = dh(hs.localEphemeral, msg.ephemeral);
  const se = dh(local.privateKey, msg.ephemeral);
  if (ee === null || se === null) return false;
  c = mixKey(c, ee);
  c = mixKey(c, se);
  const [c3, tau, key] = kdf(3, c, peer.presharedKey) as [Uint8Array, Uint8Array, Uint8Array];
  h = mixHash(h, tau);
  if (open(key, 0n, msg.encryptedNothing, h) === null) return false;
  h = mixHash(h, msg.encryptedNothing);
  hs.stage = 'response-consumed';
  hs.hash = h;
  hs.chainKey = c3;
  hs.remoteIndex = msg.sender;
  return true;
}

/** The transport keys of a finished handshake, and which side we were; the handshake is cleared. */
export function deriveTransportKeys(hs: Handshake): { send: Uint8Array; receive: Uint8Array; initiator: boolean } | null {
  let initiator: boolean;
  if (hs.stage === 'response-consumed') initiator = true;
  else if (hs.stage === 'response-created') initiator = false;
  else return null;
  const [first, second] = kdf(2, hs.chainKey) as [Uint8Array, Uint8Array];
  hs.clear();
  return initiator ? { send: first, receive: second, initiator } : { send: second, receive: first, initiator };
}

/** DH(local static, remote static), which every handshake with that peer uses; null if none. */
export function precomputeStaticStatic(localPrivate: Uint8Array | null, remoteStatic: Uint8Array): Uint8Array | null {
  if (localPrivate === null) return null;
  return dh(localPrivate, remoteStatic);
}
