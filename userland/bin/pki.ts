// pki: the lab's certificate authority, with easy-rsa 3's verbs and layout (./pki/ca.crt,
// private/NAME.key, issued/NAME.crt, reqs/, index.txt, serial, crl.pem): init-pki, build-ca,
// build-server-full, build-client-full, revoke, gen-crl, show-cert. Certificates are X.509 v3
// made with @peculiar/x509 over WebCrypto (an in-process library, as OpenSSL is for easy-rsa);
// every file goes through syscalls, and dates come from the kernel clock. Keys are EC P-256
// (easy-rsa's --use-algo=ec), never encrypted (as with nopass). Not wire-visible: the key pairs and
// signatures are OpenSSL's randomness, not the world's seeded generator.

import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { isSysError } from '../../kernel/abi/errno.js';
import { O_CREAT, O_EXCL, O_TRUNC, O_WRONLY } from '../../kernel/abi/fcntl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { CLOCK_REALTIME, type Sys } from '../../kernel/abi/syscalls.js';
import { command, intArg, parse } from '../lib/cli.js';
import { errText, usageError } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';
import { readAll, writeAll } from '../lib/io.js';

interface Options {
  pkiDir: string;
  batch?: boolean;
  reqCn?: string;
  days?: number;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
const VERBS = ['init-pki', 'build-ca', 'build-server-full', 'build-client-full', 'revoke', 'gen-crl', 'show-cert'] as const;
type Verb = (typeof VERBS)[number];
const VERB_SET: ReadonlySet<string> = new Set(VERBS);

class PkiError extends Error {}

async function writeFile(sys: Sys, path: string, text: string, mode: number, exclusive = false): Promise<void> {
  const fd = await sys.open(path, O_WRONLY | O_CREAT | (exclusive ? O_EXCL : O_TRUNC), mode);
  try {
    let bytes = new TextEncoder().encode(text);
    while (bytes.length > 0) bytes = bytes.subarray(await sys.write(fd, bytes));
  } finally {
    await sys.close(fd);
  }
}

async function readFile(sys: Sys, path: string): Promise<string | null> {
  let fd: number;
  try {
    fd = await sys.open(path, 0);
  } catch (e) {
    if (isSysError(e)) return null;
    throw e;
  }
  try {
    return new TextDecoder().decode(await readAll(sys, fd, 1 << 20));
  } finally {
    await sys.close(fd);
  }
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

function pemBody(text: string, label: string): ArrayBuffer {
  const m = new RegExp(`-----BEGIN ${label}-----([^-]*)-----END ${label}-----`).exec(text);
  if (!m) throw new PkiError(`no ${label} found`);
  const b = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
}

/** The layout of one PKI directory and what it keeps. */
class Pki {
  constructor(
    private readonly sys: Sys,
    readonly dir: string,
  ) {}

  path = (rel: string): string => `${this.dir}/${rel}`;

  async now(): Promise<Date> {
    return new Date(Math.floor((await this.sys.clock_gettime(CLOCK_REALTIME)) / 1e6));
  }

  async exists(rel: string): Promise<boolean> {
    try {
      await this.sys.stat(this.path(rel));
      return true;
    } catch (e) {
      if (isSysError(e)) return false;
      throw e;
    }
  }

  async require(rel: string, what: string): Promise<string> {
    const text = await readFile(this.sys, this.path(rel));
    if (text === null) throw new PkiError(`Missing expected ${what} file: ${this.path(rel)}`);
    return text;
  }

  /** The next serial, as easy-rsa keeps it in `serial` (hex), and the counter advanced. */
  async nextSerial(): Promise<string> {
    const text = (await this.require('serial', 'serial')).trim();
    const n = BigInt(`0x${text || '1'}`);
    await writeFile(this.sys, this.path('serial'), `${(n + 1n).toString(16).toUpperCase().padStart(2, '0')}\n`, 0o644);
    return n.toString(16).toUpperCase().padStart(2, '0');
  }

  async ca(): Promise<{ cert: x509.X509Certificate; key: CryptoKey }> {
    const cert = new x509.X509Certificate(await this.require('ca.crt', 'CA certificate'));
    const keyPem = await this.require('private/ca.key', 'CA private key');
    const key = await webcrypto.subtle.importKey('pkcs8', pemBody(keyPem, 'PRIVATE KEY'), ALG, true, ['sign']);
    return { cert, key: key as CryptoKey };
  }
}

export default defineProgram({
  name: 'pki',
  summary: "a certificate authority with easy-rsa's verbs (init-pki, build-ca, build-*-full, revoke, gen-crl)",
  main: guarded('pki', async (argv, sys) => {
    const cmd = command('pki', "manage a PKI as easy-rsa 3 does (EC P-256 keys, no passphrases)")
      .option('--pki-dir <dir>', 'the PKI directory', 'pki')
      .option('--batch', 'ask nothing (the only way tunlab runs)')
      .option('--req-cn <name>', "the CA's common name (build-ca)", 'Easy-RSA CA')
      .option('--days <n>', 'validity in days (default 3650 for the CA, 825 for certificates, 180 for the CRL)', intArg('days', 1, 36500))
      .argument('<command>', VERBS.join(', '))
      .argument('[name]', 'the entity (build-*-full, revoke, show-cert)')
      .argument('[nopass...]', "'nopass' (keys are never encrypted here)");
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const [verb, name] = r.args as [string, string | undefined];
    if (!VERB_SET.has(verb)) return usageError(sys, cmd, `Unknown command '${verb}'. Run 'pki --help' for the list.`);
    if ((verb.startsWith('build-') && verb !== 'build-ca') || verb === 'revoke' || verb === 'show-cert') {
      if (!name) return usageError(sys, cmd, `Error: didn't find a file base name as the first argument.\nRun easyrsa without commands for usage and command help.`);
      if (!/^[A-Za-z0-9_.@-]+$/.test(name) || name.startsWith('.')) return usageError(sys, cmd, `Invalid file name: '${name}'`);
    }
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    const pki = new Pki(sys, r.opts.pkiDir);
    try {
      await run(sys, pki, verb as Verb, name ?? '', r.opts);
      return 0;
    } catch (e) {
      if (e instanceof PkiError) {
        await writeAll(sys, 2, `\nEasy-RSA error:\n\n${e.message}\n\n`);
        return 1;
      }
      if (isSysError(e)) {
        await writeAll(sys, 2, `\nEasy-RSA error:\n\n${errText(e)}\n\n`);
        return 1;
      }
      throw e;
    }
  }),
});

async function run(sys: Sys, pki: Pki, verb: Verb, name: string, o: Options): Promise<void> {
  switch (verb) {
    case 'init-pki': {
      if (await pki.exists('')) throw new PkiError(`The PKI directory ${pki.dir} exists already: remove it first (rm -r ${pki.dir}).`);
      await sys.mkdir(pki.dir, 0o700);
      for (const d of ['private', 'reqs', 'issued', 'certs_by_serial', 'revoked']) await sys.mkdir(pki.path(d), 0o700);
      await writeFile(sys, pki.path('index.txt'), '', 0o644);
      await writeFile(sys, pki.path('serial'), '01\n', 0o644);
      await out(sys, `\nNotice\n------\n'init-pki' complete; you may now create a CA or requests.\n\nYour newly created PKI dir is:\n* ${pki.dir}\n\n`);
      return;
    }
    case 'build-ca': {
      if (await pki.exists('ca.crt')) throw new PkiError(`Unable to create a CA as you already seem to have one set up.\nIf you intended to start a new CA, run init-pki first.`);
      const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
      const now = await pki.now();
      const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: await pki.nextSerial(),
        name: `CN=${o.reqCn ?? 'Easy-RSA CA'}`,
        notBefore: now,
        notAfter: new Date(now.getTime() + (o.days ?? 3650) * DAY),
        signingAlgorithm: ALG,
        keys,
        extensions: [
          new x509.BasicConstraintsExtension(true, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        ],
      });
      await writeFile(sys, pki.path('private/ca.key'), pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), 0o600, true);
      await writeFile(sys, pki.path('ca.crt'), cert.toString('pem') + '\n', 0o644, true);
      await out(sys, `\nNotice\n------\nCA creation complete. Your new CA certificate is at:\n* ${pki.path('ca.crt')}\n\n`);
      return;
    }
    case 'build-server-full':
    case 'build-client-full': {
      if (await pki.exists(`issued/${name}.crt`)) throw new PkiError(`Cannot create a certificate for '${name}': ${pki.path(`issued/${name}.crt`)} exists already.`);
      const ca = await pki.ca();
      const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
      const now = await pki.now();
      const server = verb === 'build-server-full';
      const serial = await pki.nextSerial();
      const notAfter = new Date(now.getTime() + (o.days ?? 825) * DAY);
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial,
        subject: `CN=${name}`,
        issuer: ca.cert.subject,
        notBefore: now,
        notAfter,
        signingAlgorithm: ALG,
        publicKey: keys.publicKey,
        signingKey: ca.key,
        extensions: [
          new x509.BasicConstraintsExtension(false),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
          new x509.ExtendedKeyUsageExtension([server ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
          await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
          ...(server ? [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }])] : []),
        ],
      });
      await writeFile(sys, pki.path(`private/${name}.key`), pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), 0o600, true);
      await writeFile(sys, pki.path(`issued/${name}.crt`), cert.toString('pem') + '\n', 0o644, true);
      await writeFile(sys, pki.path(`certs_by_serial/${serial}.pem`), cert.toString('pem') + '\n', 0o644);
      const index = (await pki.require('index.txt', 'index')) + `V\t${asn1Time(notAfter)}\t\t${serial}\tunknown\t/CN=${name}\n`;
      await writeFile(sys, pki.path('index.txt'), index, 0o644);
      await out(sys, `\nNotice\n------\nCertificate created at:\n* ${pki.path(`issued/${name}.crt`)}\n\n`);
      return;
    }
    case 'revoke': {
      const text = await pki.require(`issued/${name}.crt`, 'certificate');
      const cert = new x509.X509Certificate(text);
      const serial = cert.serialNumber.toUpperCase();
      const now = await pki.now();
      const lines = (await pki.require('index.txt', 'index')).split('\n');
      const at = lines.findIndex((l) => l.startsWith('V\t') && l.split('\t')[3] === serial);
      if (at < 0) throw new PkiError(`Unable to revoke as no certificate was found. Certificate was expected at:\n* ${pki.path(`issued/${name}.crt`)}`);
      const f = lines[at]!.split('\t');
      lines[at] = ['R', f[1], asn1Time(now), f[3], f[4], f[5]].join('\t');
      await writeFile(sys, pki.path('index.txt'), lines.join('\n'), 0o644);
      await sys.rename(pki.path(`issued/${name}.crt`), pki.path(`revoked/${serial}.crt`));
      await out(sys, `\nNotice\n------\n* The certificate for '${name}' has been revoked (serial ${serial}).\n\nRun 'pki gen-crl' to update the CRL.\n\n`);
      return;
    }
    case 'gen-crl': {
      const ca = await pki.ca();
      const now = await pki.now();
      const revoked = (await pki.require('index.txt', 'index'))
        .split('\n')
        .filter((l) => l.startsWith('R\t'))
        .map((l) => l.split('\t'))
        .map((f) => ({ serialNumber: f[3]!, revocationDate: parseAsn1Time(f[2]!) }));
      const crl = await x509.X509CrlGenerator.create({
        issuer: ca.cert.subject,
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + (o.days ?? 180) * DAY),
        entries: revoked,
        signingAlgorithm: ALG,
        signingKey: ca.key,
        extensions: [await x509.AuthorityKeyIdentifierExtension.create(ca.cert)],
      });
      await writeFile(sys, pki.path('crl.pem'), pem('X509 CRL', crl.rawData), 0o644);
      await out(sys, `\nNotice\n------\nAn updated CRL has been created:\n* ${pki.path('crl.pem')}\n\n`);
      return;
    }
    case 'show-cert': {
      const cert = new x509.X509Certificate(await pki.require(`issued/${name}.crt`, 'certificate'));
      await out(sys, `Showing cert details for '${name}'.\n\n  Serial: ${cert.serialNumber}\n  Subject: ${cert.subject}\n  Issuer: ${cert.issuer}\n  Not Before: ${cert.notBefore.toISOString()}\n  Not After : ${cert.notAfter.toISOString()}\n`);
      return;
    }
  }
}

/** index.txt's dates: YYMMDDHHMMSSZ (UTC). */
function asn1Time(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

function parseAsn1Time(s: string): Date {
  const n = (i: number) => Number(s.slice(i, i + 2));
  return new Date(Date.UTC(2000 + n(0), n(2) - 1, n(4), n(6), n(8), n(10)));
}
