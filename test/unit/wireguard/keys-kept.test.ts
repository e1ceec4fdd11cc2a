// keys.ts keeps the last few private keys' objects and public keys: a key used again is not decoded
// again (OpenSSL 3 takes about a millisecond a decode), and what callers get is right and their own.

import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, createPrivateKey: vi.fn(real.createPrivateKey) };
});

const { clampPrivateKey, dh, keyToBase64, publicKeyOf } = await import('../../../userland/lib/wireguard/keys.js');

/** The public key as OpenSSL computes it, decoded afresh. */
function reference(priv: Uint8Array): string {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), priv]);
  const spki = crypto.createPublicKey(crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
  return spki.subarray(12).toString('base64');
}

const key = (i: number) => clampPrivateKey(new Uint8Array(32).fill(i + 1));

describe('kept keys', () => {
  it('decode a private key once for its public key, again and again, and for a DH with it', () => {
    const decode = vi.mocked(crypto.createPrivateKey);
    const priv = key(200);
    const peer = publicKeyOf(key(201));
    decode.mockClear();
    const first = publicKeyOf(priv);
    publicKeyOf(priv);
    dh(priv, peer);
    expect(decode).toHaveBeenCalledTimes(1);
    expect(keyToBase64(first)).toBe(reference(priv));
  });

  it('hand each caller a copy, and stay right for keys past the ones kept', () => {
    const priv = key(7);
    const a = publicKeyOf(priv);
    a.fill(0);
    expect(keyToBase64(publicKeyOf(priv))).toBe(reference(priv));
    for (let i = 0; i < 40; i++) expect(keyToBase64(publicKeyOf(key(i)))).toBe(reference(key(i)));
    expect(keyToBase64(publicKeyOf(priv))).toBe(reference(priv));
  });
});
