import { describe, expect, it } from 'vitest';
import { AES_256_CBC, SHA256, keyInitLogLines, lookupAuth, lookupCipher } from '../../../userland/bin/openvpn/algorithms.js';

describe('--cipher and --auth names', () => {
  it('accepts CBC ciphers and SHA digests in any case and their OpenSSL aliases', () => {
    for (const name of ['AES-256-CBC', 'aes-256-cbc', 'Aes-256-Cbc', 'AES256', 'aes256']) {
      expect(lookupCipher(name)).toEqual({ ok: true, cipher: AES_256_CBC });
    }
    expect(lookupCipher('aes-128-cbc')).toMatchObject({ ok: true, cipher: { name: 'AES-128-CBC', keyLength: 16, ivLength: 16 } });
    expect(lookupCipher('AES-192-CBC')).toMatchObject({ ok: true, cipher: { keyLength: 24, blockSize: 16 } });
    for (const name of ['SHA256', 'sha256', 'SHA-256', 'sha2-256']) expect(lookupAuth(name)).toEqual({ ok: true, auth: SHA256 });
    expect(lookupAuth('sha1')).toMatchObject({ ok: true, auth: { name: 'SHA1', length: 20 } });
    expect(lookupAuth('SHA512')).toMatchObject({ ok: true, auth: { name: 'SHA512', length: 64 } });
  });

  // Messages as 2.6.14 printed them for the same arguments.
  it('refuses other names with OpenVPN’s words', () => {
    expect(lookupCipher('AES-256-GCM')).toEqual({ ok: false, reason: 'mode', message: "Cipher 'AES-256-GCM' mode not supported" });
    expect(lookupCipher('Aes-256-Gcm')).toMatchObject({ message: "Cipher 'Aes-256-Gcm' mode not supported" });
    expect(lookupCipher('aes-256-cfb')).toMatchObject({ reason: 'mode', message: "Cipher 'aes-256-cfb' mode not supported" });
    expect(lookupCipher('CHACHA20-POLY1305')).toMatchObject({ reason: 'mode', message: "Cipher 'CHACHA20-POLY1305' mode not supported" });
    expect(lookupCipher('FOO')).toEqual({ ok: false, reason: 'unknown', message: 'Cipher FOO not supported' });
    expect(lookupCipher('BF-CBC')).toEqual({ ok: false, reason: 'unimplemented', message: 'Cipher BF-CBC not supported' });
    expect(lookupCipher('CAMELLIA-256-CBC')).toMatchObject({ ok: false, reason: 'unimplemented' });
    expect(lookupCipher('none')).toMatchObject({ ok: false, reason: 'none' });
    expect(lookupAuth('FOO')).toEqual({
      ok: false,
      reason: 'unknown',
      message: "Message hash algorithm 'FOO' not found",
      opensslLine:
        'OpenSSL: error:0308010C:digital envelope routines::unsupported:Global default library context, Algorithm (FOO : 0), Properties (<null>)',
    });
    expect(lookupAuth('MD5')).toMatchObject({ ok: false, reason: 'unimplemented' });
    expect(lookupAuth('none')).toMatchObject({ ok: false, reason: 'none' });
  });

  it('prints the key-initialisation lines', () => {
    expect(keyInitLogLines(AES_256_CBC, SHA256)).toEqual([
      "Outgoing Static Key Encryption: Cipher 'AES-256-CBC' initialized with 256 bit key",
      "Outgoing Static Key Encryption: Using 256 bit message hash 'SHA256' for HMAC authentication",
      "Incoming Static Key Encryption: Cipher 'AES-256-CBC' initialized with 256 bit key",
      "Incoming Static Key Encryption: Using 256 bit message hash 'SHA256' for HMAC authentication",
    ]);
  });
});
