// mac1, mac2 and cookies (the whitepaper's section 5.4.4 and 5.4.7; wireguard-go's device/cookie.go).
// Every handshake message carries mac1, keyed by the receiver's public key, so a responder can drop
// garbage before any Diffie-Hellman. Under load a responder also wants mac2, keyed by a cookie only
// the sender's address can have received: it answers a message without one with a cookie reply
// (the cookie sealed with XChaCha20-Poly1305 under a key from its public key, bound to the mac1 of
// the message it answers), and the initiator's next message carries it.

import { WG_COOKIE_REPLY, WG_MAC_LEN, type WireGuardRepr } from '../../../kernel/abi/wire/wireguard.js';
import { equalBytes } from '../../lib/wireguard/keys.js';
import { COOKIE_REFRESH_TIME } from './constants.js';
import { hash, LABEL_COOKIE, LABEL_MAC1, mac, xopen, xseal } from './crypto.js';


export type CookieReply = Extract<WireGuardRepr, { type: typeof WG_COOKIE_REPLY }>;

const macKey = (pub: Uint8Array) => hash(LABEL_MAC1, pub);
const cookieKey = (pub: Uint8Array) => hash(LABEL_COOKIE, pub);

/** The bytes mac1 covers (everything before it) and those mac2 covers (everything before mac2). */
const beforeMac1 = (msg: Uint8Array) => msg.subarray(0, msg.length - 2 * WG_MAC_LEN);
const beforeMac2 = (msg: Uint8Array) => msg.subarray(0, msg.length - WG_MAC_LEN);

/** The responder's side: checks macs of what arrives, makes cookies for those it turns away. */
export class CookieChecker {
  private mac1Key: Uint8Array | null = null;
  private replyKey: Uint8Array | null = null;
  private secret: Uint8Array = new Uint8Array(32);
  private secretSetNs = -Infinity;

  /** The device's public key changed (or was removed). */
  init(localPublic: Uint8Array | null): void {
    this.mac1Key = localPublic && macKey(localPublic);
    this.replyKey = localPublic && cookieKey(localPublic);
  }

  checkMac1(msg: Uint8Array): boolean {
    if (this.mac1Key === null) return false;
    return equalBytes(mac(this.mac1Key, beforeMac1(msg)), msg.subarray(msg.length - 2 * WG_MAC_LEN, msg.length - WG_MAC_LEN));
  }

  /** Whether mac2 is the one a cookie for `source` (address and port, as bytes) gives. */
  checkMac2(msg: Uint8Array, source: Uint8Array, nowNs: number): boolean {
    if (nowNs - this.secretSetNs > COOKIE_REFRESH_TIME) return false;
    const cookie = mac(this.secret, source);
    return equalBytes(mac(cookie, beforeMac2(msg)), msg.subarray(msg.length - WG_MAC_LEN));
  }

  /**
   * The cookie reply to `msg` from `source`. `fresh` gives random bytes: a new secret when the old
   * one is two minutes old, and the reply's nonce.
   */
  createReply(msg: Uint8Array, receiver: number, source: Uint8Array, nowNs: number, fresh: (n: number) => Uint8Array): CookieReply | null {
    if (this.replyKey === null) return null;
    if (nowNs - this.secretSetNs > COOKIE_REFRESH_TIME) {
      this.secret = fresh(32);
      this.secretSetNs = nowNs;
    }
    const cookie = mac(this.secret, source);
    const nonce = fresh(24);
    const mac1 = msg.subarray(msg.length - 2 * WG_MAC_LEN, msg.length - WG_MAC_LEN);
    return { type: WG_COOKIE_REPLY, receiver, nonce, encryptedCookie: xseal(this.replyKey, nonce, cookie, mac1) };
  }
}

/** The initiator's side, one per peer: puts the macs on what it sends, keeps the cookie it got. */
export class CookieGenerator {
  private mac1Key: Uint8Array = new Uint8Array(32);
  private replyKey: Uint8Array = new Uint8Array(32);
  private cookie: Uint8Array | null = null;
  private cookieSetNs = -Infinity;
  /** The mac1 of our last message: a cookie reply must be bound to it. */
  private lastMac1: Uint8Array | null = null;

  init(remotePublic: Uint8Array): void {
    this.mac1Key = macKey(remotePublic);
    this.replyKey = cookieKey(remotePublic);
    this.cookie = null;
    this.lastMac1 = null;
  }

  /** Fill in mac1, and mac2 while a cookie is fresh (zeros otherwise), of an emitted message. */
  addMacs(msg: Uint8Array, nowNs: number): void {
    const at = msg.length - 2 * WG_MAC_LEN;
    const mac1 = mac(this.mac1Key, beforeMac1(msg));
    msg.set(mac1, at);
    this.lastMac1 = mac1;
    if (this.cookie !== null && nowNs - this.cookieSetNs < COOKIE_REFRESH_TIME) msg.set(mac(this.cookie, beforeMac2(msg)), at + WG_MAC_LEN);
    else msg.fill(0, at + WG_MAC_LEN);
  }

  /** Take the cookie out of a reply to our last message; false if it is none. */
  consumeReply(reply: CookieReply, nowNs: number): boolean {
    if (this.lastMac1 === null) return false;
    const cookie = xopen(this.replyKey, reply.nonce, reply.encryptedCookie, this.lastMac1);
    if (cookie === null) return false;
    this.cookie = cookie;
    this.cookieSetNs = nowNs;
    this.lastMac1 = null;
    return true;
  }
}
