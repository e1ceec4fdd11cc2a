// The certificate checks of ssl_verify.c, as lines: OpenSSL (node's TLS) has verified the chain,
// its dates, its purpose and the CRL; this turns its verdict and the peer's chain into what
// OpenVPN logs for each depth ("VERIFY OK: depth=1, CN=Test OpenVPN CA"), adds --remote-cert-tls
// (key usage present, the expected extended key usage) and --verify-x509-name, and says whether
// the session may go on.

import type { X509Certificate } from 'node:crypto';

export interface VerifyOptions {
  /** --remote-cert-tls server|client: the EKU the peer's certificate must have. */
  readonly remoteCertTls: 'server' | 'client' | null;
  /** --verify-x509-name NAME [subject|name|name-prefix]. */
  readonly x509Name: { readonly name: string; readonly type: 'subject' | 'name' | 'name-prefix' } | null;
}

export interface VerifyOutcome {
  readonly ok: boolean;
  readonly lines: readonly string[];
  /** The fatal alert OpenSSL would send ("unknown CA"), when the chain itself failed. */
  readonly alert: string | null;
  /** The peer's common name (for "[server] Peer Connection Initiated", the server's client list). */
  readonly commonName: string;
}

const EKU_NAMES: ReadonlyMap<string, string> = new Map([
  ['1.3.6.1.5.5.7.3.1', 'TLS Web Server Authentication'],
  ['1.3.6.1.5.5.7.3.2', 'TLS Web Client Authentication'],
]);

const ALERTS: ReadonlyMap<string, string> = new Map([
  ['SELF_SIGNED_CERT_IN_CHAIN', 'unknown CA'],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', 'unknown CA'],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unknown CA'],
  ['UNABLE_TO_GET_ISSUER_CERT', 'unknown CA'],
  ['CERT_HAS_EXPIRED', 'certificate expired'],
  ['CERT_NOT_YET_VALID', 'bad certificate'],
  ['INVALID_PURPOSE', 'unsupported certificate'],
  ['CERT_REVOKED', 'certificate revoked'],
]);

/** x509_get_subject(): "C=US, O=Org, CN=server" (node gives one attribute per line). */
export const subjectOf = (c: X509Certificate): string => c.subject.split('\n').join(', ');

/** The serial as OpenVPN prints it: decimal. */
export const serialOf = (c: X509Certificate): string => BigInt(`0x${c.serialNumber}`).toString(10);

export function commonNameOf(c: X509Certificate): string {
  const cn = c.subject.split('\n').find((a) => a.startsWith('CN='));
  return cn ? cn.slice(3) : '';
}

/** Whether the certificate carries a keyUsage extension (OID 2.5.29.15): --remote-cert-tls requires one. */
function hasKeyUsage(c: X509Certificate): boolean {
  const der = c.raw;
  for (let i = 0; i + 5 <= der.length; i++) {
    if (der[i] === 0x06 && der[i + 1] === 0x03 && der[i + 2] === 0x55 && der[i + 3] === 0x1d && der[i + 4] === 0x0f) return true;
  }
  return false;
}

/**
 * `verifyError` is OpenSSL's verdict (node's error code and message), `chain` the peer's
 * certificates leaf first, `nowSeconds` the clock the dates were checked against.
 */
export function verifyPeer(
  chain: readonly X509Certificate[],
  verifyError: { code: string; message: string } | null,
  o: VerifyOptions,
  nowSeconds: number,
): VerifyOutcome {
  const lines: string[] = [];
  const leaf = chain[0];
  const commonName = leaf ? commonNameOf(leaf) : '';
  if (!leaf) return { ok: false, lines: ['VERIFY ERROR: depth=0, error=peer did not return a certificate'], alert: null, commonName };
  if (verifyError?.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
    // A lone leaf of an unknown issuer: OpenSSL's final verdict is 21, but the callback OpenVPN
    // logs from saw 20 at depth 0 first, and that is what a real 2.6 prints.
    verifyError = { code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', message: 'unable to get local issuer certificate' };
  }
  if (verifyError) {
    const depth = errorDepth(chain, verifyError.code, nowSeconds);
    const c = chain[depth]!;
    for (let d = chain.length - 1; d > depth; d--) lines.push(`VERIFY OK: depth=${d}, ${subjectOf(chain[d]!)}`);
    lines.push(`VERIFY ERROR: depth=${depth}, error=${verifyError.message}: ${subjectOf(c)}, serial=${serialOf(c)}`);
    return { ok: false, lines, alert: ALERTS.get(verifyError.code) ?? 'certificate unknown', commonName };
  }
  for (let d = chain.length - 1; d > 0; d--) lines.push(`VERIFY OK: depth=${d}, ${subjectOf(chain[d]!)}`);
  if (o.remoteCertTls) {
    if (!hasKeyUsage(leaf)) {
      lines.push('Certificate does not have key usage extension', 'VERIFY KU ERROR');
      return { ok: false, lines, alert: null, commonName };
    }
    lines.push('VERIFY KU OK');
    const expected = o.remoteCertTls === 'server' ? 'TLS Web Server Authentication' : 'TLS Web Client Authentication';
    const ekus = leaf.keyUsage ?? [];
    if (ekus.length === 0) {
      lines.push('Certificate does not have extended key usage extension', 'VERIFY EKU ERROR');
      return { ok: false, lines, alert: null, commonName };
    }
    lines.push('Validating certificate extended key usage');
    let found = false;
    for (const oid of ekus) {
      const name = EKU_NAMES.get(oid) ?? oid;
      lines.push(`++ Certificate has EKU (str) ${name}, expects ${expected}`);
      if (name === expected) {
        found = true;
        break;
      }
      lines.push(`++ Certificate has EKU (oid) ${oid}, expects ${expected}`);
    }
    if (!found) {
      lines.push('VERIFY EKU ERROR');
      return { ok: false, lines, alert: null, commonName };
    }
    lines.push('VERIFY EKU OK');
  }
  if (o.x509Name) {
    const subject = subjectOf(leaf);
    const { name, type } = o.x509Name;
    const match = type === 'subject' ? subject === name : type === 'name' ? commonName === name : commonName.startsWith(name);
    if (!match) {
      lines.push(`VERIFY X509NAME ERROR: ${type === 'subject' ? subject : commonName}, must be ${name}`);
      return { ok: false, lines, alert: null, commonName };
    }
    lines.push(`VERIFY X509NAME OK: ${subject}`);
  }
  lines.push(`VERIFY OK: depth=0, ${subjectOf(leaf)}`);
  return { ok: true, lines, alert: null, commonName };
}

/** Which certificate OpenSSL's verdict is about. */
function errorDepth(chain: readonly X509Certificate[], code: string, now: number): number {
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    const i = chain.findIndex((c) => Date.parse(c.validTo) / 1000 < now || Date.parse(c.validFrom) / 1000 > now);
    return i >= 0 ? i : 0;
  }
  if (code === 'CERT_REVOKED' || code === 'INVALID_PURPOSE') return 0;
  return chain.length - 1;
}
