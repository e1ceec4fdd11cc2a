// CBC for the static-key data channel on one long-lived node:crypto cipher per direction.
//
// Why: a Cipheriv made per datagram costs more than the encryption itself (on the bench machine
// createCipheriv + final ≈ 5 µs, the update of a 1300-byte payload ≈ 3 µs), and the tunnel makes
// two per datagram. CBC chains each block through the previous ciphertext block, so one cipher
// object with a fixed IV can take datagram after datagram: to start a datagram under its own IV,
// fold (IV xor the stream's last ciphertext block) into the first block (before encrypting, or after
// decrypting). The bytes are exactly those of a fresh cipher per datagram; the tests compare them.
// PKCS#7 padding is done here (auto padding off), with OpenSSL's checks on the way in.

import { type Cipher, createCipheriv, createDecipheriv, type Decipher } from 'node:crypto';

/** The one block size of the ciphers OpenVPN's static mode uses here (AES). */
export const CBC_BLOCK = 16;

/** Bytes of `plainLength` once padded: PKCS#7 always adds 1..16 bytes. */
export function paddedLength(plainLength: number): number {
  return (Math.floor(plainLength / CBC_BLOCK) + 1) * CBC_BLOCK;
}

/** XOR the first block of `block` with a and b. */
function fold(block: Uint8Array, a: Uint8Array, b: Uint8Array): void {
  for (let i = 0; i < CBC_BLOCK; i++) block[i]! ^= a[i]! ^ b[i]!;
}

export class CbcEncryptor {
  private readonly cipher: Cipher;
  /** The stream's last ciphertext block (its IV at first: zeros). */
  private last = new Uint8Array(CBC_BLOCK);

  constructor(nodeName: string, key: Uint8Array) {
    this.cipher = createCipheriv(nodeName, key, new Uint8Array(CBC_BLOCK));
    this.cipher.setAutoPadding(false);
  }

  /**
   * Encrypt `padded[0, length)` under `iv`: `padded` is paddedLength(length) bytes, the caller's to
   * give up (its first block and its padding are written here). Returns the ciphertext.
   */
  encrypt(iv: Uint8Array, padded: Uint8Array, length: number): Uint8Array {
    const pad = padded.length - length;
    padded.fill(pad, length);
    fold(padded, iv, this.last);
    const out = this.cipher.update(padded);
    this.last = out.subarray(out.length - CBC_BLOCK);
    return out;
  }
}

export class CbcDecryptor {
  private readonly decipher: Decipher;
  private last = new Uint8Array(CBC_BLOCK);

  constructor(nodeName: string, key: Uint8Array) {
    this.decipher = createDecipheriv(nodeName, key, new Uint8Array(CBC_BLOCK));
    this.decipher.setAutoPadding(false);
  }

  /**
   * The plaintext of `ciphertext` under `iv`, padding removed; null where OpenSSL's final would
   * fail (not whole blocks, bad padding). The stream follows whatever it was fed, so a refused
   * datagram does not spoil the next.
   */
  decrypt(iv: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    const n = ciphertext.length;
    if (n === 0 || n % CBC_BLOCK !== 0) return null;
    const out = this.decipher.update(ciphertext);
    fold(out, iv, this.last);
    this.last = ciphertext.slice(n - CBC_BLOCK);
    // EVP_DecryptFinal_ex: the last byte says how many bytes of padding, each of them that value.
    const pad = out[n - 1]!;
    if (pad === 0 || pad > CBC_BLOCK) return null;
    for (let i = n - pad; i < n; i++) if (out[i] !== pad) return null;
    return out.subarray(0, n - pad);
  }
}
