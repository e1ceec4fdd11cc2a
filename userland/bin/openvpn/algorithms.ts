// The --cipher and --auth names that static-key mode can use.
//
// Real OpenVPN hands the name to OpenSSL, which matches names case-insensitively and knows a few
// aliases (AES256 for AES-256-CBC, SHA2-256 for SHA256). Static mode then accepts only CBC ciphers:
// init_key_type() allows AEAD, CFB and OFB only in TLS mode. The emulator implements the three AES
// CBC ciphers (all Node's crypto offers that a 2.6 peer can also use without the legacy provider)
// and the three SHA HMACs. Any other name that OpenSSL knows in a non-CBC mode is refused with
// OpenVPN's own words, so a user who types AES-256-GCM sees what a real 2.6 prints.

export interface CipherSpec {
  /** The name OpenVPN prints and puts in the OCC string (cipher_kt_name). */
  readonly name: string;
  /** The algorithm name for node:crypto. */
  readonly nodeName: 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc';
  readonly keyLength: number;
  readonly ivLength: number;
  readonly blockSize: number;
}

export interface AuthSpec {
  /** The name OpenVPN prints and puts in the OCC string (md_kt_name). */
  readonly name: string;
  /** The algorithm name for node:crypto's createHmac. */
  readonly nodeName: 'sha1' | 'sha256' | 'sha512';
  /** Digest length in bytes: the HMAC field on the wire and the HMAC key length taken from the file. */
  readonly length: number;
}

export const AES_128_CBC: CipherSpec = {
  name: 'AES-128-CBC',
  nodeName: 'aes-128-cbc',
  keyLength: 16,
  ivLength: 16,
  blockSize: 16,
};
export const AES_192_CBC: CipherSpec = {
  name: 'AES-192-CBC',
  nodeName: 'aes-192-cbc',
  keyLength: 24,
  ivLength: 16,
  blockSize: 16,
};
export const AES_256_CBC: CipherSpec = {
  name: 'AES-256-CBC',
  nodeName: 'aes-256-cbc',
  keyLength: 32,
  ivLength: 16,
  blockSize: 16,
};

export const SHA1: AuthSpec = { name: 'SHA1', nodeName: 'sha1', length: 20 };
export const SHA256: AuthSpec = { name: 'SHA256', nodeName: 'sha256', length: 32 };
export const SHA512: AuthSpec = { name: 'SHA512', nodeName: 'sha512', length: 64 };

export const CIPHERS: readonly CipherSpec[] = [AES_128_CBC, AES_192_CBC, AES_256_CBC];
export const AUTHS: readonly AuthSpec[] = [SHA1, SHA256, SHA512];

const CIPHER_BY_NAME: ReadonlyMap<string, CipherSpec> = new Map<string, CipherSpec>([
  ['aes-128-cbc', AES_128_CBC],
  ['aes128', AES_128_CBC],
  ['aes-192-cbc', AES_192_CBC],
  ['aes192', AES_192_CBC],
  ['aes-256-cbc', AES_256_CBC],
  ['aes256', AES_256_CBC],
]);

// Names OpenSSL 3 resolves to a cipher whose mode static mode refuses. Checked against 2.6.14:
// `--cipher AES-256-GCM` and `--cipher aes-256-cfb` both print "Cipher '<as typed>' mode not supported".
const NON_CBC_CIPHERS: ReadonlySet<string> = new Set(
  [
    ...['128', '192', '256'].flatMap((bits) =>
      ['gcm', 'ccm', 'ocb', 'cfb', 'cfb1', 'cfb8', 'ofb', 'ctr', 'ecb'].map((mode) => `aes-${bits}-${mode}`),
    ),
    'chacha20-poly1305',
    'chacha20',
    'id-aes128-gcm',
    'id-aes192-gcm',
    'id-aes256-gcm',
  ],
);

// Names a real 2.6 accepts in static mode (OpenSSL has them) but the emulator does not implement.
// They get their own message so nobody mistakes them for typos.
const UNIMPLEMENTED_CIPHERS: ReadonlySet<string> = new Set([
  ...['128', '192', '256'].flatMap((bits) => [`camellia-${bits}-cbc`, `aria-${bits}-cbc`]),
  'sm4-cbc',
  'des-ede3-cbc',
  'des-ede-cbc',
  'des-cbc',
  'bf-cbc',
  'cast5-cbc',
  'rc2-cbc',
  'seed-cbc',
]);
const UNIMPLEMENTED_AUTHS: ReadonlySet<string> = new Set([
  'md5',
  'sha224',
  'sha-224',
  'sha2-224',
  'sha384',
  'sha-384',
  'sha2-384',
  'sha512-224',
  'sha512-256',
  'sha3-224',
  'sha3-256',
  'sha3-384',
  'sha3-512',
  'ripemd160',
  'blake2s256',
  'blake2b512',
  'sm3',
]);

const AUTH_BY_NAME: ReadonlyMap<string, AuthSpec> = new Map<string, AuthSpec>([
  ['sha1', SHA1],
  ['sha-1', SHA1],
  ['sha256', SHA256],
  ['sha-256', SHA256],
  ['sha2-256', SHA256],
  ['sha512', SHA512],
  ['sha-512', SHA512],
  ['sha2-512', SHA512],
]);

export type CipherLookup =
  | { readonly ok: true; readonly cipher: CipherSpec }
  | {
      readonly ok: false;
      /**
       * 'mode': a real OpenSSL cipher that static mode refuses (AEAD, CFB, OFB...).
       * 'none': `--cipher none`, which OpenVPN allows with a loud warning but this emulator does not.
       * 'unimplemented': a CBC cipher OpenSSL has but the emulator does not.
       * 'unknown': a name OpenSSL 3 would not find either.
       */
      readonly reason: 'mode' | 'none' | 'unimplemented' | 'unknown';
      /** The fatal line real OpenVPN 2.6 logs, echoing the name as typed. */
      readonly message: string;
    };

export type AuthLookup =
  | { readonly ok: true; readonly auth: AuthSpec }
  | {
      readonly ok: false;
      readonly reason: 'none' | 'unimplemented' | 'unknown';
      /** The fatal line, as OpenVPN 2.6 words it where it has one. */
      readonly message: string;
      /**
       * For an unknown digest OpenVPN first logs OpenSSL's error queue, e.g.
       * `OpenSSL: error:0308010C:digital envelope routines::unsupported:Global default library context, Algorithm (FOO : 0), Properties (<null>)`.
       */
      readonly opensslLine?: string;
    };

export function lookupCipher(name: string): CipherLookup {
  const key = name.toLowerCase();
  const cipher = CIPHER_BY_NAME.get(key);
  if (cipher) return { ok: true, cipher };
  if (NON_CBC_CIPHERS.has(key)) {
    return { ok: false, reason: 'mode', message: `Cipher '${name}' mode not supported` };
  }
  if (name === 'none') {
    return {
      ok: false,
      reason: 'none',
      message: "Cipher none not supported (tunlab's openvpn always encrypts the data channel)",
    };
  }
  if (UNIMPLEMENTED_CIPHERS.has(key)) {
    // BF-CBC lands here too; a real 2.6 without the legacy provider says just this.
    const extra = key === 'bf-cbc' ? '' : ` (tunlab's openvpn implements ${CIPHERS.map((c) => c.name).join(', ')})`;
    return { ok: false, reason: 'unimplemented', message: `Cipher ${name} not supported${extra}` };
  }
  return { ok: false, reason: 'unknown', message: `Cipher ${name} not supported` };
}

export function lookupAuth(name: string): AuthLookup {
  const auth = AUTH_BY_NAME.get(name.toLowerCase());
  if (auth) return { ok: true, auth };
  if (name === 'none') {
    return {
      ok: false,
      reason: 'none',
      message: "Message hash algorithm 'none' not supported (tunlab's openvpn always authenticates)",
    };
  }
  if (UNIMPLEMENTED_AUTHS.has(name.toLowerCase())) {
    return {
      ok: false,
      reason: 'unimplemented',
      message: `Message hash algorithm '${name}' not supported (tunlab's openvpn implements ${AUTHS.map((a) => a.name).join(', ')})`,
    };
  }
  return {
    ok: false,
    reason: 'unknown',
    message: `Message hash algorithm '${name}' not found`,
    opensslLine: `OpenSSL: error:0308010C:digital envelope routines::unsupported:Global default library context, Algorithm (${name} : 0), Properties (<null>)`,
  };
}

/**
 * The four lines init_key_ctx() logs (verb 3 and up) once the key file is loaded, for example
 * `Outgoing Static Key Encryption: Cipher 'AES-256-CBC' initialized with 256 bit key`.
 */
export function keyInitLogLines(cipher: CipherSpec, auth: AuthSpec): string[] {
  return (['Outgoing', 'Incoming'] as const).flatMap((way) => [
    `${way} Static Key Encryption: Cipher '${cipher.name}' initialized with ${cipher.keyLength * 8} bit key`,
    `${way} Static Key Encryption: Using ${auth.length * 8} bit message hash '${auth.name}' for HMAC authentication`,
  ]);
}
