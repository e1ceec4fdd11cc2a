// WireGuard keys: Curve25519 through node:crypto's X25519, and the two spellings tools use, base64
// in configuration files and on wg's command line (wg(8): exactly 44 characters), lowercase hex in
// the UAPI text protocol (wireguard-go's ipc, which reads either case).

import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';

export const WG_KEY_LEN = 32;

// The fixed DER wrappers of a raw X25519 key (RFC 8410): PKCS#8 for a private key, SPKI for a public one.
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]);

function der(prefix: Uint8Array, key: Uint8Array): Buffer {
  const out = Buffer.alloc(prefix.length + key.length);
  out.set(prefix);
  out.set(key, prefix.length);
  return out;
}

function privateKeyObject(priv: Uint8Array): KeyObject {
  return createPrivateKey({ key: der(PKCS8_PREFIX, priv), format: 'der', type: 'pkcs8' });
}

/** The public key of a private one (X25519 clamps the private key as it uses it). */
export function publicKeyOf(priv: Uint8Array): Uint8Array {
  const spki = createPublicKey(privateKeyObject(priv)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
}

/**
 * X25519(priv, pub), or null when there is no shared secret: a public key of small order gives
 * all zeros, which WireGuard refuses (and OpenSSL refuses to derive).
 */
export function dh(priv: Uint8Array, pub: Uint8Array): Uint8Array | null {
  let out: Buffer;
  try {
    out = diffieHellman({ privateKey: privateKeyObject(priv), publicKey: createPublicKey({ key: der(SPKI_PREFIX, pub), format: 'der', type: 'spki' }) });
  } catch {
    return null;
  }
  return out.every((b) => b === 0) ? null : new Uint8Array(out);
}

/** What `wg genkey` does to 32 random bytes (curve25519_clamp_secret). */
export function clampPrivateKey(random: Uint8Array): Uint8Array {
  const k = random.slice(0, WG_KEY_LEN);
  k[0]! &= 248;
  k[31] = (k[31]! & 127) | 64;
  return k;
}

const BASE64_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** wg's key_from_base64: 44 characters that decode to exactly 32 bytes, or null. */
export function keyFromBase64(s: string): Uint8Array | null {
  if (!BASE64_KEY.test(s)) return null;
  return new Uint8Array(Buffer.from(s, 'base64'));
}

export function keyToBase64(k: Uint8Array): string {
  return Buffer.from(k).toString('base64');
}

/** 64 hex digits of either case (Go's hex.DecodeString), or null. */
export function keyFromHex(s: string): Uint8Array | null {
  if (!/^[0-9a-fA-F]{64}$/.test(s)) return null;
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export function keyToHex(k: Uint8Array): string {
  return Buffer.from(k).toString('hex');
}

export function isZeroKey(k: Uint8Array): boolean {
  return k.every((b) => b === 0);
}

/** Constant-time comparison of two keys (or MACs). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
