import { createCipheriv, createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CbcDecryptor, CbcEncryptor, paddedLength } from '../../../userland/bin/openvpn/cbc-chain.js';

// A fixed pseudo-random byte source: the test is the same every run.
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const fresh = (key: Uint8Array, iv: Uint8Array, plain: Uint8Array) => {
  const c = createCipheriv('aes-256-cbc', key, iv);
  return new Uint8Array(Buffer.concat([c.update(plain), c.final()]));
};

describe('CBC on one long-lived cipher per direction', () => {
  const key = bytes(32, 7);
  const lengths = [0, 1, 15, 16, 17, 31, 32, 84, 1308, 1500];

  it('gives, datagram after datagram, exactly the bytes of a fresh cipher per datagram', () => {
    const enc = new CbcEncryptor('aes-256-cbc', key);
    const dec = new CbcDecryptor('aes-256-cbc', key);
    lengths.forEach((n, i) => {
      const plain = bytes(n, 100 + i);
      const iv = bytes(16, 200 + i);
      const padded = new Uint8Array(paddedLength(n));
      padded.set(plain);
      const ct = enc.encrypt(iv, padded, n);
      expect(Buffer.from(ct).toString('hex')).toBe(Buffer.from(fresh(key, iv, plain)).toString('hex'));
      expect(Buffer.from(dec.decrypt(iv, ct)!).toString('hex')).toBe(Buffer.from(plain).toString('hex'));
    });
  });

  it('refuses what OpenSSL final refuses, and the next datagram still decrypts', () => {
    const dec = new CbcDecryptor('aes-256-cbc', key);
    const iv = bytes(16, 1);
    const good = fresh(key, iv, bytes(40, 2));
    expect(dec.decrypt(iv, good.subarray(0, 40))).toBeNull(); // not whole blocks
    expect(dec.decrypt(iv, new Uint8Array(0))).toBeNull();
    // A block whose padding decrypts wrong: what createDecipheriv's final() throws on.
    const bad = bytes(32, 3);
    let opensslRefuses = false;
    try {
      const d = createDecipheriv('aes-256-cbc', key, iv);
      Buffer.concat([d.update(bad), d.final()]);
    } catch {
      opensslRefuses = true;
    }
    expect(dec.decrypt(iv, bad) === null).toBe(opensslRefuses);
    expect(Buffer.from(dec.decrypt(iv, good)!).toString('hex')).toBe(Buffer.from(bytes(40, 2)).toString('hex'));
  });

  it('checks every padding byte, as EVP_DecryptFinal_ex does', () => {
    const iv = bytes(16, 9);
    for (let pad = 0; pad <= 17; pad++) {
      // A plaintext block ending in a chosen padding, encrypted raw (no padding added).
      const block = bytes(16, 50 + pad);
      if (pad > 0 && pad <= 16) block.fill(pad, 16 - pad);
      else block[15] = pad & 0xff;
      if (pad === 4) block[13] = 9; // one wrong byte inside an otherwise right padding
      const c = createCipheriv('aes-256-cbc', key, iv);
      c.setAutoPadding(false);
      const ct = new Uint8Array(c.update(block));
      let expected: string | null;
      try {
        const d = createDecipheriv('aes-256-cbc', key, iv);
        expected = Buffer.concat([d.update(ct), d.final()]).toString('hex');
      } catch {
        expected = null;
      }
      const got = new CbcDecryptor('aes-256-cbc', key).decrypt(iv, ct);
      expect(got === null ? null : Buffer.from(got).toString('hex'), `padding ${pad}`).toBe(expected);
    }
  });
});
