// One TLS session of the control channel: node:tls over a Duplex that the reliability layer feeds,
// as OpenVPN drives OpenSSL through memory BIOs (ssl_openssl.c). TLS ciphertext goes in with
// feed(), comes out with takeCiphertext(); the key-method and control messages go through
// write() and takePlaintext(). The engine is an in-process library, as OpenSSL is in the real
// program: no sockets, no clock; its randomness (the ClientHello random, key shares, signatures)
// is OpenSSL's own, which is why two runs never show the same TLS bytes.
//
// node:tls works through the Duplex synchronously as far as the bytes go, but hands some events on
// with process.nextTick; settle() lets those run before the caller blocks in a syscall, so that
// nothing the engine produces waits for the next wake-up (and virtual time stays deterministic).

import { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';

export interface TlsCredentials {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly crl?: string;
  readonly minVersion?: tls.SecureVersion;
  readonly maxVersion?: tls.SecureVersion;
  readonly dhparam?: string;
}

export type EngineState = 'handshaking' | 'established' | 'failed';

export interface PeerSummary {
  /** "TLSv1.3, cipher TLSv1.3 TLS_AES_256_GCM_SHA384, peer certificate: ...", the part after "Control Channel: ". */
  readonly channel: string;
  /** The peer's chain, leaf first, as node parsed it. */
  readonly chain: readonly X509Certificate[];
  /** The verification result OpenSSL recorded (null: verified): node's code and OpenSSL's text. */
  readonly verifyError: { code: string; message: string } | null;
}

/** settle(): let node:tls finish what it queued with process.nextTick before the caller sleeps. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What OpenSSL says of the credentials (a bad key, a CRL it cannot parse), or null if it takes them. */
export function credentialsError(creds: TlsCredentials): string | null {
  try {
    tls.createSecureContext({ ca: creds.ca, cert: creds.cert, key: creds.key, ...(creds.crl ? { crl: creds.crl } : {}), ...(creds.dhparam ? { dhparam: creds.dhparam } : {}) });
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export class TlsEngine {
  state: EngineState = 'handshaking';
  /** Why the handshake failed, as OpenSSL words it (node's error message). */
  failure: string | null = null;
  private readonly out: Buffer[] = [];
  private readonly plain: Buffer[] = [];
  private readonly duplex: Duplex;
  private readonly socket: tls.TLSSocket;
  /** Fed or written since the last settled(); a new client has its ClientHello on the way. */
  private touched = true;

  constructor(server: boolean, creds: TlsCredentials) {
    const out = this.out;
    this.duplex = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        out.push(Buffer.from(chunk));
        cb();
      },
    });
    const context = tls.createSecureContext({
      ca: creds.ca,
      cert: creds.cert,
      key: creds.key,
      ...(creds.crl ? { crl: creds.crl } : {}),
      ...(creds.dhparam ? { dhparam: creds.dhparam } : {}),
      minVersion: creds.minVersion ?? 'TLSv1.2',
      // OpenSSL 3.0's default groups, as OpenVPN 2.6 on Debian 12 offers them. Newer OpenSSLs (Node 24
      // bundles 3.5) would otherwise agree on X25519MLKEM768 between two tunlab peers, and the logs
      // would depend on the Node version.
      ecdhCurve: 'X25519:P-256:X448:P-521:P-384',
      ...(creds.maxVersion ? { maxVersion: creds.maxVersion } : {}),
    });
    // Verification results are read after the handshake (OpenSSL records them; node's callback
    // accepts everything and lets its caller decide), so both ends log as OpenVPN does before they
    // give up. A server asks for the client's certificate and needs one.
    if (server) {
      this.socket = new tls.TLSSocket(this.duplex, { isServer: true, secureContext: context, requestCert: true, rejectUnauthorized: false });
      this.socket.on('secure', () => this.secured());
    } else {
      this.socket = tls.connect({ socket: this.duplex, secureContext: context, rejectUnauthorized: false, checkServerIdentity: () => undefined });
      this.socket.on('secureConnect', () => this.secured());
    }
    this.socket.on('data', (d: Buffer) => this.plain.push(d));
    this.socket.on('error', (e: Error) => {
      this.state = 'failed';
      this.failure ??= e.message;
    });
  }

  private secured(): void {
    if (this.state === 'handshaking') this.state = 'established';
  }

  /** Ciphertext taken but not sent (the send window was full): it goes out first next time. */
  unread(bytes: Uint8Array): void {
    this.out.unshift(Buffer.from(bytes));
  }

  feed(ciphertext: Uint8Array): void {
    this.touched = true;
    if (this.state !== 'failed') this.duplex.push(Buffer.from(ciphertext));
  }

  write(plaintext: Uint8Array): void {
    this.touched = true;
    if (this.state !== 'failed') this.socket.write(Buffer.from(plaintext));
  }

  /** settle(), when something went in since the last time: data packets cost no event-loop turn. */
  async settled(): Promise<void> {
    if (!this.touched) return;
    this.touched = false;
    await settle();
  }

  takeCiphertext(): Uint8Array {
    return take(this.out);
  }

  takePlaintext(): Uint8Array {
    return take(this.plain);
  }

  get pendingCiphertext(): number {
    return this.out.reduce((n, b) => n + b.length, 0);
  }

  /** SSL_export_keying_material() with no context, as OpenVPN calls it; null if it cannot. */
  exportKeyingMaterial(label: string, length: number): Uint8Array | null {
    try {
      // No context at all (not an empty one): OpenVPN passes use_context = 0, which TLS 1.2 tells apart.
      const exportKm = this.socket.exportKeyingMaterial.bind(this.socket) as (length: number, label: string) => Buffer;
      return new Uint8Array(exportKm(length, label));
    } catch {
      return null;
    }
  }

  summary(): PeerSummary {
    const handle = (this.socket as unknown as { _handle?: { verifyError(): Error | null } })._handle;
    const verify = handle?.verifyError?.() ?? null;
    const chain: X509Certificate[] = [];
    let c = this.socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | null;
    const seen = new Set<string>();
    while (c && c.raw && !seen.has(c.fingerprint256)) {
      seen.add(c.fingerprint256);
      chain.push(new X509Certificate(c.raw));
      c = c.issuerCertificate;
    }
    return { channel: channelLine(this.socket, chain[0] ?? null), chain, verifyError: verify ? { code: (verify as { code?: string }).code ?? '', message: verify.message } : null };
  }

  destroy(): void {
    this.state = 'failed';
    this.socket.destroy();
  }
}

function take(list: Buffer[]): Uint8Array {
  if (list.length === 0) return new Uint8Array(0);
  const all = Buffer.concat(list);
  list.length = 0;
  return new Uint8Array(all.buffer, all.byteOffset, all.length);
}

/** print_details(): protocol, cipher, the peer's key and its signature, the ephemeral key. */
function channelLine(socket: tls.TLSSocket, leaf: X509Certificate | null): string {
  const proto = socket.getProtocol() ?? 'unknown';
  const cipher = socket.getCipher();
  let s = `${proto}, cipher ${cipher.version} ${cipher.standardName ?? cipher.name}`;
  if (leaf) {
    const k = leaf.publicKey;
    const d = k.asymmetricKeyDetails ?? {};
    if (k.asymmetricKeyType === 'ec') {
      const curve = d.namedCurve === 'prime256v1' ? 'ECprime256v1' : `EC${d.namedCurve}`;
      const bits = d.namedCurve === 'secp384r1' ? 384 : d.namedCurve === 'secp521r1' ? 521 : 256;
      const hash = bits === 384 ? 'SHA384' : bits === 521 ? 'SHA512' : 'SHA256';
      s += `, peer certificate: ${bits} bits ${curve}, signature: ecdsa-with-${hash}`;
    } else if (k.asymmetricKeyType === 'rsa') {
      s += `, peer certificate: ${d.modulusLength} bits RSA, signature: ${proto === 'TLSv1.3' ? 'RSASSA-PSS' : 'RSA-SHA256'}`;
    } else if (k.asymmetricKeyType === 'ed25519') {
      s += ', peer certificate: 253 bits ED25519, signature: ED25519';
    }
  }
  const eph = socket.getEphemeralKeyInfo();
  if (eph && typeof eph === 'object' && 'name' in eph && eph.name) s += `, peer temporary key: ${eph.size ? `${eph.size} bits ` : ''}${eph.name}`;
  // node tells only a client; a TLS 1.3 server here always ends up on X25519, both ends' first choice.
  else if (proto === 'TLSv1.3') s += ', peer temporary key: 253 bits X25519';
  return s;
}
