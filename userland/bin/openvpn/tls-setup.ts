// What TLS mode loads before its first packet (init.c do_init_crypto_tls_c1): the CA, certificate,
// key, DH and CRL (files or inline blocks, read through syscalls with a bound), the tls-auth or
// tls-crypt key and its wrap, the data ciphers, and the session configuration every peer shares.
// Errors are OpenVPN's fatal lines.

import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { O_CLOEXEC, O_RDONLY } from '../../../kernel/abi/fcntl.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { lookupAead, type AeadSpec, DEFAULT_DATA_CIPHERS } from './aead.js';
import { lookupAuth } from './algorithms.js';
import { peerInfo, tlsOptionsString } from './key-method.js';
import { D_SHOW_PARMS, FatalError, type Logger } from './log.js';
import { type FileOption, INLINE } from './option-spec.js';
import type { Options } from './options.js';
import { TLS_MTU_DEFAULT } from './reliable.js';
import { parseStaticKey } from './static-key.js';
import { credentialsError } from './tls-engine.js';
import type { SessionConfig } from './tls-session.js';
import { controlChannelKeyLines } from './tls-session.js';
import { CLIENT_PEM_NAME, parseClientKey, parseServerKey, SERVER_PEM_NAME } from './tls-crypt-v2.js';
import { type CryptKeys, NoWrap, TlsAuthWrap, tlsCryptKeys, TlsCryptWrap, type TlsWrap } from './tls-wrap.js';

/** Key, certificate and CRL files are small; /dev/urandom as --key must not be read for ever. */
export const MAX_PEM_BYTES = 1 << 20;

export type ReadResult = { ok: true; bytes: Uint8Array } | { ok: false; why: string };

/** Read a file whole, at most `max` bytes: past that it is an error, not a truncation. */
export async function readBounded(sys: Sys, path: string, max: number): Promise<ReadResult> {
  let fd: number;
  try {
    fd = await sys.open(path, O_RDONLY | O_CLOEXEC);
  } catch (e) {
    if (!isSysError(e)) throw e;
    return { ok: false, why: `${strerror(e.errno)} (errno=${e.code})` };
  }
  try {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const chunk = await sys.read(fd, 65536);
      if (chunk.length === 0) break;
      total += chunk.length;
      if (total > max) return { ok: false, why: `file larger than ${max} bytes` };
      parts.push(chunk);
    }
    const out = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return { ok: true, bytes: out };
  } catch (e) {
    if (!isSysError(e)) throw e;
    return { ok: false, why: `${strerror(e.errno)} (errno=${e.code})` };
  } finally {
    await sys.close(fd);
  }
}

async function loadText(sys: Sys, f: FileOption, what: string): Promise<string> {
  if (f.inline !== null) return f.inline;
  const r = await readBounded(sys, f.file, MAX_PEM_BYTES);
  if (!r.ok) throw new FatalError([`Cannot load ${what} file ${f.file}: ${r.why}`]);
  return new TextDecoder().decode(r.bytes);
}

async function loadStaticKey(sys: Sys, f: FileOption): Promise<Uint8Array> {
  const text = await loadText(sys, f, 'key');
  const name = f.inline !== null ? INLINE : f.file;
  const key = parseStaticKey(text, name);
  if (!(key instanceof Uint8Array)) throw new FatalError([...(key.preceding ?? []), key.message]);
  return key;
}

export interface TlsSetup {
  readonly session: SessionConfig;
  readonly ciphers: readonly AeadSpec[];
  readonly wrapKey: Uint8Array | null;
  /** A --tls-crypt-v2 server: the key that unwraps each client's WKc. */
  readonly v2Server: CryptKeys | null;
}

/** The tls-crypt-v2 key --tls-crypt-v2 names (a file or an inline block), as read_pem_key_file() reads it. */
export async function loadV2KeyText(sys: Sys, f: FileOption, what: 'server' | 'client'): Promise<string> {
  if (f.inline !== null) return f.inline;
  const pemName = what === 'server' ? SERVER_PEM_NAME : CLIENT_PEM_NAME;
  const r = await readBounded(sys, f.file, V2_KEY_FILE_MAX);
  if (!r.ok) throw new FatalError([`ERROR: failed to read ${pemName} file (${f.file})`, `ERROR: invalid tls-crypt-v2 ${what} key format`]);
  return new TextDecoder().decode(r.bytes);
}

/** A tls-crypt-v2 key file is under 2 KiB; /dev/zero as one must end with an error line. */
const V2_KEY_FILE_MAX = 1 << 16;

export async function loadV2ServerKey(sys: Sys, log: Logger, f: FileOption): Promise<CryptKeys> {
  const k = parseServerKey(await loadV2KeyText(sys, f, 'server'));
  if (!k.ok) throw new FatalError(k.lines);
  await log.msg(D_SHOW_PARMS, "tls-crypt-v2 server key: Cipher 'AES-256-CTR' initialized with 256 bit key");
  await log.msg(D_SHOW_PARMS, "tls-crypt-v2 server key: Using 256 bit message hash 'SHA256' for HMAC authentication");
  return k.value;
}

export async function loadTlsSetup(sys: Sys, log: Logger, o: Options, kind: 'tun' | 'tap' | 'null'): Promise<TlsSetup> {
  const server = o.tlsServer;
  const ca = await loadText(sys, o.ca!, 'CA');
  const cert = await loadText(sys, o.cert!, 'certificate');
  const key = await loadText(sys, o.key!, 'private key');
  const dh = o.dh && o.dh.file !== 'none' ? await loadText(sys, o.dh, 'DH') : undefined;
  const crl = o.crl ? await loadText(sys, o.crl, 'CRL') : undefined;
  const bad = credentialsError({ ca, cert, key, ...(crl ? { crl } : {}), ...(dh ? { dhparam: dh } : {}) });
  if (bad !== null) throw new FatalError([`OpenSSL: ${bad}`, 'Cannot load the CA, certificate, private key or CRL (see the OpenSSL line above)']);
  const ciphers = (o.dataCiphers ?? DEFAULT_DATA_CIPHERS).split(':').map((n) => lookupAead(n)!);
  const replay = { window: o.replayWindow, seconds: o.replaySeconds, mute: o.muteReplayWarnings };
  let wrap: TlsWrap = new NoWrap();
  let wrapKey: Uint8Array | null = null;
  let v2Server: CryptKeys | null = null;
  if (o.tlsCryptV2 && !server) {
    // The client's own tls-crypt key Kc, and the WKc it hands the server.
    const k = parseClientKey(await loadV2KeyText(sys, o.tlsCryptV2, 'client'));
    if (!k.ok) throw new FatalError(k.lines);
    wrapKey = k.value.key;
    wrap = new TlsCryptWrap(tlsCryptKeys(wrapKey, false), replay, k.value.wkc);
    for (const line of controlChannelKeyLines()) await log.msg(D_SHOW_PARMS, line);
  } else if (o.tlsCrypt) {
    wrapKey = await loadStaticKey(sys, o.tlsCrypt);
    wrap = TlsCryptWrap.fromKey(wrapKey, server, replay);
    for (const line of controlChannelKeyLines()) await log.msg(D_SHOW_PARMS, line);
  } else if (o.tlsAuth) {
    const auth = lookupAuth(o.auth);
    if (!auth.ok) throw new FatalError([auth.message]);
    wrapKey = await loadStaticKey(sys, o.tlsAuth);
    wrap = TlsAuthWrap.fromKey(wrapKey, o.keyDirection, auth.auth, replay);
    for (const way of ['Outgoing', 'Incoming']) {
      await log.msg(D_SHOW_PARMS, `${way} Control Channel Authentication: Using ${auth.auth.length * 8} bit message hash '${auth.auth.name}' for HMAC authentication`);
    }
  }
  // A server may have --tls-crypt or --tls-auth for older clients beside --tls-crypt-v2.
  if (o.tlsCryptV2 && server) v2Server = await loadV2ServerKey(sys, log, o.tlsCryptV2);
  const version = (v: string | null) => (v === '1.3' ? 'TLSv1.3' : v === '1.2' ? 'TLSv1.2' : undefined);
  const minVersion = version(o.tlsVersionMin);
  const maxVersion = version(o.tlsVersionMax);
  const session: SessionConfig = {
    server,
    creds: { ca, cert, key, ...(crl ? { crl } : {}), ...(dh ? { dhparam: dh } : {}), ...(minVersion ? { minVersion } : {}), ...(maxVersion ? { maxVersion } : {}) },
    wrap,
    wrapKey,
    tlsTimeout: Math.max(1, o.tlsTimeout),
    handWindow: o.handWindow,
    renegSec: o.renegSec,
    renegBytes: o.renegBytes,
    transWindow: o.tranWindow,
    tlsMtu: TLS_MTU_DEFAULT,
    optionsString: tlsOptionsString({ devType: kind, tunMtu: o.tunMtu, ...(o.tlsAuth && o.keyDirection !== undefined ? { keyDirection: o.keyDirection } : {}), tlsAuth: o.tlsAuth !== null, server }),
    peerInfo: server ? null : peerInfo(ciphers.map((c) => c.name).join(':'), o.tunMtu),
    verify: { remoteCertTls: o.remoteCertTls, x509Name: o.verifyX509Name },
    replay,
  };
  return { session, ciphers, wrapKey, v2Server };
}
