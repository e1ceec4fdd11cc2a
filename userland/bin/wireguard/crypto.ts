// The primitives of Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as WireGuard uses them (the whitepaper's
// section 5.4): BLAKE2s-256, HMAC-BLAKE2s and the HKDF built on it, ChaCha20-Poly1305 with a
// counter nonce, from node:crypto. What Node lacks comes from @noble: keyed BLAKE2s with a 16-byte
// output (mac1, mac2, cookies) and XChaCha20-Poly1305 (the cookie reply).

import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { blake2s } from '@noble/hashes/blake2.js';

export const TAG_LEN = 16;
const EMPTY = new Uint8Array(0);

export const CONSTRUCTION = 'Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s';
export const IDENTIFIER = 'WireGuard v1 zx2c4 Jason@zx2c4.com';
export const LABEL_MAC1 = 'mac1----';
export const LABEL_COOKIE = 'cookie--';

/** HASH(a || b || ...): BLAKE2s-256. */
export function hash(...parts: Array<Uint8Array | string>): Uint8Array {
  const h = createHash('blake2s256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** HMAC-BLAKE2s (64-byte block). */
export function hmac(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('blake2s256', key);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** KDFn(C, x): T0 = HMAC(C, x), T1 = HMAC(T0, 0x1), Ti = HMAC(T0, Ti-1 || i); the first n of T1.. */
export function kdf(n: 1 | 2 | 3, key: Uint8Array, input: Uint8Array = EMPTY): Uint8Array[] {
  const t0 = hmac(key, input);
  const out: Uint8Array[] = [];
  let prev: Uint8Array = EMPTY;
  for (let i = 1; i <= n; i++) {
    prev = hmac(t0, prev, Uint8Array.of(i));
    out.push(prev);
  }
  return out;
}

/** MAC(key, data): keyed BLAKE2s with a 16-byte output. */
export function mac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return blake2s(data, { key, dkLen: 16 });
}

/** The 12-byte nonce of ChaCha20-Poly1305 in WireGuard: 4 zero bytes, then the counter (LE u64). */
function nonceOf(counter: bigint): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64LE(counter, 4);
  return n;
}

/** AEAD(key, counter, plaintext, aad): the ciphertext followed by its 16-byte tag. */
export function seal(key: Uint8Array, counter: bigint, plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
  const c = createCipheriv('chacha20-poly1305', key, nonceOf(counter), { authTagLength: TAG_LEN });
  if (aad.length) c.setAAD(aad, { plaintextLength: plaintext.length });
  const body = c.update(plaintext);
  c.final();
  const out = new Uint8Array(body.length + TAG_LEN);
  out.set(body);
  out.set(c.getAuthTag(), body.length);
  return out;
}

/** The plaintext, or null when the tag does not authenticate (or the input is shorter than one). */
export function open(key: Uint8Array, counter: bigint, sealed: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array | null {
  if (sealed.length < TAG_LEN) return null;
  const body = sealed.subarray(0, sealed.length - TAG_LEN);
  try {
    const d = createDecipheriv('chacha20-poly1305', key, nonceOf(counter), { authTagLength: TAG_LEN });
    d.setAuthTag(sealed.subarray(sealed.length - TAG_LEN));
    if (aad.length) d.setAAD(aad, { plaintextLength: body.length });
    const out = d.update(body);
    d.final();
    return new Uint8Array(out);
  } catch {
    return null;
  }
}

/** XAEAD(key, 24-byte nonce, plaintext, aad): XChaCha20-Poly1305, for the cookie reply. */
export function xseal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  return xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
}

export function xopen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  try {
    return xchacha20poly1305(key, nonce, aad).decrypt(sealed);
  } catch {
    return null;
  }
}
