// tls-crypt-v2 keys (tls_crypt.c, 2.6.14): a server key, and per client a tls-crypt key Kc that
// travels wrapped by the server key (WKc) at the end of the client's first packets, so that a
// stateless server can learn it.
//
//   server key  PEM "OpenVPN tls-crypt-v2 server key": one struct key, 128 bytes; Ke = bytes 0..31
//               (AES-256-CTR), Ka = bytes 64..95 (HMAC-SHA256)
//   client key  PEM "OpenVPN tls-crypt-v2 client key": Kc (256 bytes, a tls-crypt key) || WKc
//   WKc         T || AES-256-CTR(Ke, IV = T[0..16), Kc || metadata) || len u16 BE
//               T = HMAC-SHA256(Ka, len || Kc || metadata), len = the whole WKc's length
//   metadata    a type byte, then: 0x00 user data (base64 on the command line), or 0x01 a 64-bit
//               BE Unix time (the default: when the key was made)
//
// Errors are 2.6's lines: the PEM ones from read_pem_key_file()/crypto_pem_decode(), the unwrap
// ones from CRYPT_ERROR in tls_crypt_v2_unwrap_client_key().

import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { STATIC_KEY_LENGTH } from './static-key.js';
import type { CryptKeys } from './tls-wrap.js';

export const SERVER_PEM_NAME = 'OpenVPN tls-crypt-v2 server key';
export const CLIENT_PEM_NAME = 'OpenVPN tls-crypt-v2 client key';
export const SERVER_KEY_LENGTH = 128;
const TAG = 32;
/** TLS_CRYPT_V2_MAX_WKC_LEN, and the metadata that leaves room for. */
export const MAX_WKC_LENGTH = 1024;
export const MAX_METADATA_LENGTH = MAX_WKC_LENGTH - (STATIC_KEY_LENGTH + TAG + 2);
export const METADATA_TYPE_USER = 0x00;
export const METADATA_TYPE_TIMESTAMP = 0x01;

/** `lines`: what 2.6 logs, the last being the fatal one. */
export type KeyResult<T> = { ok: true; value: T } | { ok: false; lines: string[] };

const B64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * PEM_read_bio() for one block: text before the BEGIN line is skipped, the body is base64 lines.
 * Returns null when there is no well-formed block (the caller words the error).
 */
export function pemDecode(text: string): { name: string; body: Uint8Array } | null {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^-----BEGIN .+-----$/.test(l));
  if (start < 0) return null;
  const name = lines[start]!.slice(11, -5);
  const end = lines.indexOf(`-----END ${name}-----`, start + 1);
  if (end < 0) return null;
  const body = lines.slice(start + 1, end).map((l) => l.trim());
  if (!body.every((l) => B64_LINE.test(l))) return null;
  const joined = body.join('');
  if (joined.length % 4 !== 0) return null;
  return { name, body: new Uint8Array(Buffer.from(joined, 'base64')) };
}

/** crypto_pem_encode(): 64 base64 characters a line. */
export function pemEncode(name: string, body: Uint8Array): string {
  const b64 = Buffer.from(body).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${name}-----\n${lines.join('\n')}\n-----END ${name}-----\n`;
}

/** read_pem_key_file() on text already read: the named block, or 2.6's two lines. */
function readPem(text: string, name: string, what: 'server' | 'client'): KeyResult<Uint8Array> {
  const fail = (first: string): KeyResult<Uint8Array> => ({
    ok: false,
    lines: [first, `ERROR: ${name} pem decode failed`, `ERROR: invalid tls-crypt-v2 ${what} key format`],
  });
  const pem = pemDecode(text);
  if (!pem) return fail('crypto_pem_decode: PEM decode failed');
  if (pem.name !== name) return fail(`crypto_pem_decode: unexpected PEM name (got '${pem.name}', expected '${name}')`);
  return { ok: true, value: pem.body };
}

/** tls_crypt_v2_init_server_key(): Ke and Ka of the server key. */
export function parseServerKey(text: string): KeyResult<CryptKeys> {
  const r = readPem(text, SERVER_PEM_NAME, 'server');
  if (!r.ok) return r;
  // 2.6 reads into a 128-byte struct key: more does not fit; less would leave it part garbage.
  if (r.value.length !== SERVER_KEY_LENGTH) {
    return {
      ok: false,
      lines: [
        `crypto_pem_decode: dst too small (${SERVER_KEY_LENGTH}, needs ${r.value.length})`,
        `ERROR: ${SERVER_PEM_NAME} pem decode failed`,
        'ERROR: invalid tls-crypt-v2 server key format',
      ],
    };
  }
  return { ok: true, value: { cipher: r.value.slice(0, 32), hmac: r.value.slice(64, 96) } };
}

export interface ClientKey {
  /** Kc, a 256-byte tls-crypt key. */
  readonly key: Uint8Array;
  readonly wkc: Uint8Array;
}

/** tls_crypt_v2_init_client_key(). */
export function parseClientKey(text: string): KeyResult<ClientKey> {
  const r = readPem(text, CLIENT_PEM_NAME, 'client');
  if (!r.ok) return r;
  if (r.value.length > STATIC_KEY_LENGTH + MAX_WKC_LENGTH) {
    return {
      ok: false,
      lines: [
        `crypto_pem_decode: dst too small (${STATIC_KEY_LENGTH + MAX_WKC_LENGTH}, needs ${r.value.length})`,
        `ERROR: ${CLIENT_PEM_NAME} pem decode failed`,
        'ERROR: invalid tls-crypt-v2 client key format',
      ],
    };
  }
  if (r.value.length < STATIC_KEY_LENGTH) return { ok: false, lines: ['ERROR: not enough data in tls-crypt-v2 client key'] };
  return { ok: true, value: { key: r.value.slice(0, STATIC_KEY_LENGTH), wkc: r.value.slice(STATIC_KEY_LENGTH) } };
}

/** tls_crypt_v2_wrap_client_key(). */
export function wrapClientKey(server: CryptKeys, kc: Uint8Array, metadata: Uint8Array): Uint8Array {
  const len = TAG + kc.length + metadata.length + 2;
  if (len > MAX_WKC_LENGTH) throw new RangeError(`a wrapped client key is at most ${MAX_WKC_LENGTH} bytes`);
  const netLen = Uint8Array.of(len >> 8, len & 0xff);
  const tag = createHmac('sha256', server.hmac).update(netLen).update(kc).update(metadata).digest();
  const enc = createCipheriv('aes-256-ctr', server.cipher, tag.subarray(0, 16));
  const out = new Uint8Array(len);
  out.set(tag, 0);
  out.set(enc.update(kc), TAG);
  out.set(enc.update(metadata), TAG + kc.length);
  enc.final();
  out.set(netLen, len - 2);
  return out;
}

const UNWRAP = 'tls_crypt_v2_unwrap_client_key';

/** tls_crypt_v2_unwrap_client_key(): Kc and the metadata, or the CRYPT_ERROR line. */
export function unwrapClientKey(server: CryptKeys, wkc: Uint8Array): KeyResult<{ key: Uint8Array; metadata: Uint8Array }> {
  const fail = (why: string) => ({ ok: false as const, lines: [`${UNWRAP}: ${why}`] });
  if (wkc.length > MAX_WKC_LENGTH) return fail('wrapped client key too big');
  if (wkc.length < 2) return fail('failed to read length');
  const netLen = wkc.subarray(wkc.length - 2);
  if (((netLen[0]! << 8) | netLen[1]!) !== wkc.length) return fail('invalid length');
  if (wkc.length < TAG + 2) return fail('failed to read tag');
  const tag = wkc.subarray(0, TAG);
  const dec = createCipheriv('aes-256-ctr', server.cipher, tag.subarray(0, 16));
  const plain = new Uint8Array(dec.update(wkc.subarray(TAG, wkc.length - 2)));
  dec.final();
  const check = createHmac('sha256', server.hmac).update(netLen).update(plain).digest();
  if (!timingSafeEqual(check, tag)) return fail('client key authentication error');
  if (plain.length < STATIC_KEY_LENGTH) return fail('failed to read client key');
  return { ok: true, value: { key: plain.slice(0, STATIC_KEY_LENGTH), metadata: plain.slice(STATIC_KEY_LENGTH) } };
}

/** The metadata `--genkey tls-crypt-v2-client FILE [METADATA]` wraps: user data or the time. */
export function clientMetadata(b64: string | null, nowSeconds: number): KeyResult<Uint8Array> {
  if (b64 === null) {
    const out = new Uint8Array(9);
    out[0] = METADATA_TYPE_TIMESTAMP;
    new DataView(out.buffer).setBigUint64(1, BigInt(Math.max(0, Math.floor(nowSeconds))));
    return { ok: true, value: out };
  }
  // openvpn_base64_decode() stops at the first character that is not base64 (so '!!!' is empty).
  const valid = /^[A-Za-z0-9+/=]*/.exec(b64)![0];
  const data = new Uint8Array(Buffer.from(valid, 'base64'));
  if (data.length > MAX_METADATA_LENGTH - 1) {
    return { ok: false, lines: [`ERROR: metadata too long (${data.length} bytes, max ${MAX_METADATA_LENGTH - 1} bytes)`] };
  }
  const out = new Uint8Array(1 + data.length);
  out[0] = METADATA_TYPE_USER;
  out.set(data, 1);
  return { ok: true, value: out };
}
