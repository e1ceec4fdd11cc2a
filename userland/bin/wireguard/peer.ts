// A peer (wireguard-go's device/peer.go): its configuration (public key, preshared key, endpoint,
// persistent keepalive, allowed ips, which live in the device's table), its handshake, sessions,
// timers and counters, and the packets waiting for a session. The device's peers are a table by
// public key, each peer's indices live in the device's index table.

import { keyToBase64 } from '../../lib/wireguard/keys.js';
import { QUEUE_STAGED_SIZE } from './constants.js';
import { CookieGenerator } from './cookie.js';
import { Keypairs } from './keypair.js';
import { Handshake, type NoisePeerKeys, precomputeStaticStatic } from './noise.js';
import { PeerTimers } from './timers.js';

export interface Endpoint {
  readonly addr: string;
  readonly port: number;
}

export const endpointText = (e: Endpoint) => `${e.addr}:${e.port}`;

export class Peer implements NoisePeerKeys {
  presharedKey: Uint8Array = new Uint8Array(32);
  staticStatic: Uint8Array | null = null;
  endpoint: Endpoint | null = null;
  readonly handshake = new Handshake();
  readonly keypairs = new Keypairs();
  readonly timers: PeerTimers;
  readonly cookies = new CookieGenerator();
  /** UDP payload bytes, handshakes included (what UAPI's rx_bytes and tx_bytes say). */
  rxBytes = 0;
  txBytes = 0;
  /** Wall-clock ns of the last completed handshake; 0 before the first. */
  lastHandshakeWallNs = 0;
  /** Monotonic ns of the last initiation sent (at most one per REKEY_TIMEOUT). */
  lastSentHandshake = -Infinity;
  /** IP packets from the tun waiting for a session: bounded, the oldest dropped first. */
  readonly staged: Uint8Array[] = [];
  stagedDropped = 0;
  /** "peer(fGca…Q6zw)", as wireguard-go names a peer in its log. */
  readonly name: string;

  constructor(
    readonly publicKey: Uint8Array,
    localPrivate: Uint8Array | null,
    jitter: () => number,
  ) {
    const b64 = keyToBase64(publicKey);
    this.name = `peer(${b64.slice(0, 4)}…${b64.slice(-5, -1)})`;
    this.timers = new PeerTimers(jitter);
    this.cookies.init(publicKey);
    this.setLocalPrivate(localPrivate);
  }

  get remoteStatic(): Uint8Array {
    return this.publicKey;
  }

  /** The device's private key changed: the static-static secret with it. */
  setLocalPrivate(localPrivate: Uint8Array | null): void {
    this.staticStatic = precomputeStaticStatic(localPrivate, this.publicKey);
  }

  stage(packet: Uint8Array): void {
    if (this.staged.length >= QUEUE_STAGED_SIZE) {
      this.staged.shift();
      this.stagedDropped++;
    }
    this.staged.push(packet);
  }
}
