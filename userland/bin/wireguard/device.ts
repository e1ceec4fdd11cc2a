// The device (wireguard-go's device/device.go): the static identity, the peers by public key, the
// allowed-ips table, the index table that finds a handshake or a session from the index a message
// names, the cookie checker, and the bounded queue of handshake messages. It does no I/O of its
// own: what it sends, writes to the tun, logs and draws at random goes through DeviceIo, so the
// program's loop (loop.ts) puts it on syscalls and a test can put two devices face to face.

import type { ProgramDropReason } from '../../../kernel/abi/journey.js';
import { equalBytes, isZeroKey, keyToHex, publicKeyOf } from '../../lib/wireguard/keys.js';
import { AllowedIps } from './allowed-ips.js';
import { DEFAULT_MTU, QUEUE_HANDSHAKE_SIZE, RATE_PACKETS_BURSTABLE, RATE_PACKETS_PER_SECOND, REKEY_TIMEOUT_JITTER_MAX, UNDER_LOAD_AFTER_TIME } from './constants.js';
import { CookieChecker } from './cookie.js';
import type { Keypair } from './keypair.js';
import type { WgLog } from './log.js';
import { type Endpoint, Peer } from './peer.js';

export interface DeviceIo {
  /** One datagram to `to` from the device's socket; the errno's name when it could not be sent. */
  send(data: Uint8Array, to: Endpoint): Promise<string | null>;
  /** One IP packet into the tun. */
  writeTun(packet: Uint8Array): Promise<void>;
  /** Fresh random bytes (the loop reads /dev/urandom). */
  random(n: number): Promise<Uint8Array>;
  /** Bind the UDP socket to `port` (0: any); the port it got, or the errno's name. */
  bind(port: number): Promise<number | string>;
  /** The datagram received last is thrown away, and why: the kernel ends its journey there (journey_drop). */
  dropped(reason: ProgramDropReason): Promise<void>;
}

/** Why packets were dropped, counted (wireguard-go drops them silently or with a debug line). */
export interface DropCounters {
  /** Not a WireGuard message at all (unknown type, wrong length). */
  malformed: number;
  /** A handshake message whose mac1 is not ours. */
  badMac1: number;
  /** A handshake message that did not open (unknown peer, wrong keys, replayed timestamp, flood). */
  badHandshake: number;
  /** A cookie reply that did not open. */
  badCookie: number;
  /** Turned away under load: without mac2 (a cookie reply was sent instead) or rate limited. */
  underLoad: number;
  /** A transport message for no session we have, or one too old. */
  unknownSession: number;
  /** A transport message that did not authenticate. */
  badTransport: number;
  /** A counter seen before or too far behind (replay). */
  replayed: number;
  /** Decrypted, but not IPv4 with a source this peer may use. */
  disallowedSource: number;
  /** From the tun, for no peer's allowed ips. */
  noPeer: number;
  /** The handshake queue was full. */
  handshakeQueueFull: number;
}

export interface QueuedHandshake {
  data: Uint8Array;
  from: Endpoint;
}

/** An index names either a handshake in progress or a session. */
export interface IndexEntry {
  peer: Peer;
  keypair: Keypair | null;
}

export class Device {
  privateKey: Uint8Array | null = null;
  publicKey: Uint8Array | null = null;
  /** The configured port (0: any); `boundPort` is the one the socket has. */
  listenPort = 0;
  boundPort = 0;
  fwmark = 0;
  mtu = DEFAULT_MTU;
  readonly peers = new Map<string, Peer>();
  readonly allowed = new AllowedIps<Peer>();
  readonly index = new Map<number, IndexEntry>();
  readonly checker = new CookieChecker();
  readonly handshakes: QueuedHandshake[] = [];
  underLoadUntil = -Infinity;
  private readonly rate = new Map<string, { tokens: number; at: number }>();
  readonly drops: DropCounters = {
    malformed: 0,
    badMac1: 0,
    badHandshake: 0,
    badCookie: 0,
    underLoad: 0,
    unknownSession: 0,
    badTransport: 0,
    replayed: 0,
    disallowedSource: 0,
    noPeer: 0,
    handshakeQueueFull: 0,
  };
  /** The clocks as the loop last read them: monotonic for timers, wall for timestamps. */
  now = 0;
  wallNow = 0;
  private pool = new Uint8Array(0);

  constructor(
    readonly io: DeviceIo,
    readonly log: WgLog,
  ) {}

  // --- randomness: drawn synchronously from a pool the loop tops up before each turn

  async refillRandom(): Promise<void> {
    if (this.pool.length >= 2048) return;
    const more = await this.io.random(4096);
    const next = new Uint8Array(this.pool.length + more.length);
    next.set(this.pool);
    next.set(more, this.pool.length);
    this.pool = next;
  }

  rand(n: number): Uint8Array {
    if (this.pool.length < n) throw new Error('wireguard: the random pool ran dry');
    const out = this.pool.slice(0, n);
    this.pool = this.pool.subarray(n);
    return out;
  }

  jitter(): number {
    const b = this.rand(4);
    return (((b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0) % REKEY_TIMEOUT_JITTER_MAX) | 0;
  }

  /** A fresh index no handshake or session of this device uses. */
  newIndex(entry: IndexEntry): number {
    for (;;) {
      const b = this.rand(4);
      const i = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
      if (!this.index.has(i)) {
        this.index.set(i, entry);
        return i;
      }
    }
  }

  dropIndex(i: number): void {
    this.index.delete(i);
  }

  // --- configuration (what UAPI's set does)

  setPrivateKey(key: Uint8Array): void {
    const priv = isZeroKey(key) ? null : key;
    if (priv !== null && this.privateKey !== null && equalBytes(priv, this.privateKey)) return;
    this.privateKey = priv;
    this.publicKey = priv && publicKeyOf(priv);
    // A peer with our own public key would be ourselves: wireguard-go removes it.
    if (this.publicKey) this.removePeer(keyToHex(this.publicKey));
    for (const p of this.peers.values()) {
      p.setLocalPrivate(priv);
      this.expireSessions(p);
    }
    this.checker.init(this.publicKey);
  }

  peer(publicKey: Uint8Array): Peer | undefined {
    return this.peers.get(keyToHex(publicKey));
  }

  addPeer(publicKey: Uint8Array): Peer {
    const p = new Peer(publicKey, this.privateKey, () => this.jitter());
    this.peers.set(keyToHex(publicKey), p);
    return p;
  }

  removePeer(hexKey: string): boolean {
    const p = this.peers.get(hexKey);
    if (!p) return false;
    this.expireSessions(p);
    p.timers.stopAll();
    p.staged.length = 0;
    this.allowed.removeByPeer(p);
    this.peers.delete(hexKey);
    return true;
  }

  /** Forget a peer's handshake and sessions (its indices with them). */
  expireSessions(p: Peer): void {
    if (p.handshake.localIndex) this.dropIndex(p.handshake.localIndex);
    p.handshake.clear();
    for (const k of p.keypairs.clear()) this.dropIndex(k.localIndex);
  }

  // --- load

  /** An eighth of the handshake queue waiting, or that recently: mac2 is wanted (IsUnderLoad). */
  underLoad(): boolean {
    if (this.handshakes.length >= QUEUE_HANDSHAKE_SIZE / 8) {
      this.underLoadUntil = this.now + UNDER_LOAD_AFTER_TIME;
      return true;
    }
    return this.underLoadUntil > this.now;
  }

  /** A token bucket per source address: 20 handshakes a second, bursts of 5 (ratelimiter.go). */
  allowHandshakeFrom(addr: string): boolean {
    const cost = 1e9 / RATE_PACKETS_PER_SECOND;
    const max = cost * RATE_PACKETS_BURSTABLE;
    const b = this.rate.get(addr) ?? { tokens: max, at: this.now };
    b.tokens = Math.min(max, b.tokens + (this.now - b.at));
    b.at = this.now;
    this.rate.set(addr, b);
    if (this.rate.size > 4096) this.forgetIdleRates();
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    return true;
  }

  private forgetIdleRates(): void {
    for (const [k, v] of this.rate) if (this.now - v.at > 1e9) this.rate.delete(k);
  }

  /** The earliest timer of any peer (Infinity if none). */
  nextDeadline(): number {
    let t = Infinity;
    for (const p of this.peers.values()) t = Math.min(t, p.timers.next());
    if (this.handshakes.length > 0) t = Math.min(t, this.now);
    return t;
  }
}
