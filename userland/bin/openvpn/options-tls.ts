// The options of TLS mode, client and server (options.c add_option, helper.c for --server,
// --client and --keepalive), spelt and checked as 2.6.14 does.

import { parseIpv4 } from '../../../kernel/abi/wire/index.js';
import { lookupAead } from './aead.js';
import { atoi, type FileOption, flag as flagOf, INLINE, OptionsError, type Spec as SpecOf } from './option-spec.js';

export interface TlsOptions {
  tlsClient: boolean;
  tlsServer: boolean;
  pull: boolean;
  client: boolean;
  ca: FileOption | null;
  cert: FileOption | null;
  key: FileOption | null;
  dh: FileOption | null;
  crl: FileOption | null;
  tlsCrypt: FileOption | null;
  tlsAuth: FileOption | null;
  /** --tls-crypt-v2: the server key on a server, the client key on a client (and for --genkey). */
  tlsCryptV2: FileOption | null;
  /** force-cookie: a server ignores V3 resets without early negotiation (2.6's default: allow them). */
  tlsCryptV2ForceCookie: boolean;
  remoteCertTls: 'server' | 'client' | null;
  verifyX509Name: { name: string; type: 'subject' | 'name' | 'name-prefix' } | null;
  dataCiphers: string | null;
  dataCiphersFallback: string | null;
  renegSec: number;
  renegBytes: number;
  handWindow: number;
  tlsTimeout: number;
  tranWindow: number;
  explicitExitNotify: number;
  tlsVersionMin: string | null;
  tlsVersionMax: string | null;
  server: { network: string; netmask: string } | null;
  modeServer: boolean;
  topology: 'net30' | 'p2p' | 'subnet';
  push: string[];
  ifconfigPool: { start: string; end: string; netmask: string | null } | null;
  clientToClient: boolean;
  clientConfigDir: string | null;
  duplicateCn: boolean;
  maxClients: number;
  status: { file: string; interval: number } | null;
  routeNopull: boolean;
  redirectGateway: string[] | null;
  dhcpOptions: [string, string][];
  iroutes: { network: string; netmask: string }[];
  allowStaticCrypto: boolean;
  /** IPv6 options accepted (one warning each) until the stack has IPv6. */
  ipv6Ignored: string[];
}

/** The options of the whole program these tables also read and set. */
export interface TlsOptionHost extends TlsOptions {
  keyDirection: 0 | 1 | undefined;
  secret: object | null;
}

type Options = TlsOptionHost;
type Spec = SpecOf<Options>;
const flag = (set: (o: Options) => void): Spec => flagOf<Options>(set);

export function defaultTlsOptions(): TlsOptions {
  return {
    tlsClient: false,
    tlsServer: false,
    pull: false,
    client: false,
    ca: null,
    cert: null,
    key: null,
    dh: null,
    crl: null,
    tlsCrypt: null,
    tlsAuth: null,
    tlsCryptV2: null,
    tlsCryptV2ForceCookie: false,
    remoteCertTls: null,
    verifyX509Name: null,
    dataCiphers: null,
    dataCiphersFallback: null,
    renegSec: 3600,
    renegBytes: -1,
    handWindow: 60,
    tlsTimeout: 2,
    tranWindow: 3600,
    explicitExitNotify: 0,
    tlsVersionMin: null,
    tlsVersionMax: null,
    server: null,
    modeServer: false,
    topology: 'net30',
    push: [],
    ifconfigPool: null,
    clientToClient: false,
    clientConfigDir: null,
    duplicateCn: false,
    maxClients: 1024,
    status: null,
    routeNopull: false,
    redirectGateway: null,
    dhcpOptions: [],
    iroutes: [],
    allowStaticCrypto: false,
    ipv6Ignored: [],
  };
}

const file = (set: (o: Options, f: FileOption) => void): Spec => ({ min: 1, max: 1, apply: (o, p) => set(o, { file: p[0]!, inline: null }) });

function seconds(name: string, set: (o: Options, n: number) => void): Spec {
  return { min: 1, max: name === 'reneg-sec' ? 2 : 1, apply: (o, p) => set(o, atoi(p[0]!)) };
}

function ipv4(word: string, what: string): string {
  if (parseIpv4(word) === null) throw new OptionsError(`${what} '${word}' is not a valid IPv4 address`);
  return word;
}

const ipv6 = (name: string): Spec => ({ min: 0, max: 3, apply: (o) => void o.ipv6Ignored.push(name) });

export const TLS_SPECS: ReadonlyMap<string, Spec> = new Map<string, Spec>([
  ['tls-client', flag((o) => (o.tlsClient = true))],
  ['tls-server', flag((o) => (o.tlsServer = true))],
  ['pull', flag((o) => (o.pull = true))],
  ['client', flag((o) => ((o.client = true), (o.pull = true), (o.tlsClient = true)))],
  ['ca', file((o, f) => (o.ca = f))],
  ['cert', file((o, f) => (o.cert = f))],
  ['key', file((o, f) => (o.key = f))],
  ['dh', file((o, f) => (o.dh = f))],
  ['crl-verify', { min: 1, max: 2, apply: (o, p) => void (o.crl = { file: p[0]!, inline: null }) }],
  ['tls-crypt', file((o, f) => (o.tlsCrypt = f))],
  [
    'tls-crypt-v2',
    {
      min: 1,
      max: 2,
      apply(o, p) {
        o.tlsCryptV2 = { file: p[0]!, inline: null };
        if (p[1] === 'force-cookie') o.tlsCryptV2ForceCookie = true;
        else if (p[1] === 'allow-noncookie') o.tlsCryptV2ForceCookie = false;
        else if (p[1] !== undefined) throw new OptionsError(`Unsupported tls-crypt-v2 argument: ${p[1]}`);
      },
    },
  ],
  [
    'tls-auth',
    {
      min: 1,
      max: 2,
      apply(o, p) {
        o.tlsAuth = { file: p[0]!, inline: null };
        if (p[1] !== undefined) {
          if (p[1] !== '0' && p[1] !== '1') throw new OptionsError(`Unknown key direction '${p[1]}' -- must be '0' or '1'`);
          o.keyDirection = p[1] === '0' ? 0 : 1;
        }
      },
    },
  ],
  [
    'remote-cert-tls',
    {
      min: 1,
      max: 1,
      apply(o, p) {
        if (p[0] !== 'server' && p[0] !== 'client') throw new OptionsError('--remote-cert-tls must be \'client\' or \'server\'');
        o.remoteCertTls = p[0];
      },
    },
  ],
  [
    'verify-x509-name',
    {
      min: 1,
      max: 2,
      apply(o, p) {
        const type = p[1] ?? 'subject';
        if (type !== 'subject' && type !== 'name' && type !== 'name-prefix') throw new OptionsError(`unknown X.509 name type: ${type}`);
        o.verifyX509Name = { name: p[0]!, type };
      },
    },
  ],
  ['data-ciphers', { min: 1, max: 1, apply: (o, p) => void (o.dataCiphers = checkCiphers(p[0]!)) }],
  ['ncp-ciphers', { min: 1, max: 1, apply: (o, p) => void (o.dataCiphers = checkCiphers(p[0]!)) }],
  ['data-ciphers-fallback', { min: 1, max: 1, apply: (o, p) => void (o.dataCiphersFallback = p[0]!) }],
  ['reneg-sec', seconds('reneg-sec', (o, n) => (o.renegSec = n))],
  ['reneg-bytes', seconds('reneg-bytes', (o, n) => (o.renegBytes = n))],
  ['hand-window', seconds('hand-window', (o, n) => (o.handWindow = n))],
  ['tls-timeout', seconds('tls-timeout', (o, n) => (o.tlsTimeout = n))],
  ['tran-window', seconds('tran-window', (o, n) => (o.tranWindow = n))],
  ['explicit-exit-notify', { min: 0, max: 1, apply: (o, p) => void (o.explicitExitNotify = p[0] === undefined ? 1 : atoi(p[0])) }],
  ['tls-version-min', { min: 1, max: 2, apply: (o, p) => void (o.tlsVersionMin = tlsVersion(p[0]!)) }],
  ['tls-version-max', { min: 1, max: 1, apply: (o, p) => void (o.tlsVersionMax = tlsVersion(p[0]!)) }],
  [
    'server',
    {
      min: 2,
      max: 3,
      apply(o, p) {
        if (p[2] !== undefined && p[2] !== 'nopool') throw new OptionsError(`--server: unknown flag: ${p[2]}`);
        o.server = { network: ipv4(p[0]!, '--server'), netmask: ipv4(p[1]!, '--server netmask') };
      },
    },
  ],
  [
    'mode',
    {
      min: 1,
      max: 1,
      apply(o, p) {
        if (p[0] === 'server') o.modeServer = true;
        else if (p[0] !== 'p2p') throw new OptionsError(`Bad --mode parameter: ${p[0]}`);
      },
    },
  ],
  [
    'topology',
    {
      min: 1,
      max: 1,
      apply(o, p) {
        if (p[0] !== 'net30' && p[0] !== 'p2p' && p[0] !== 'subnet') throw new OptionsError(`Bad --topology parameter: ${p[0]}`);
        o.topology = p[0];
      },
    },
  ],
  ['push', { min: 1, max: 1, apply: (o, p) => void o.push.push(p[0]!) }],
  [
    'ifconfig-pool',
    {
      min: 2,
      max: 3,
      apply: (o, p) =>
        void (o.ifconfigPool = { start: ipv4(p[0]!, '--ifconfig-pool start'), end: ipv4(p[1]!, '--ifconfig-pool end'), netmask: p[2] ? ipv4(p[2], '--ifconfig-pool netmask') : null }),
    },
  ],
  ['client-to-client', flag((o) => (o.clientToClient = true))],
  ['client-config-dir', { min: 1, max: 1, apply: (o, p) => void (o.clientConfigDir = p[0]!) }],
  ['duplicate-cn', flag((o) => (o.duplicateCn = true))],
  ['max-clients', { min: 1, max: 1, apply: (o, p) => void (o.maxClients = atoi(p[0]!)) }],
  ['status', { min: 1, max: 2, apply: (o, p) => void (o.status = { file: p[0]!, interval: p[1] === undefined ? 60 : atoi(p[1]) }) }],
  ['route-nopull', flag((o) => (o.routeNopull = true))],
  ['redirect-gateway', { min: 0, max: 6, apply: (o, p) => void (o.redirectGateway = p) }],
  ['dhcp-option', { min: 1, max: 2, apply: (o, p) => void o.dhcpOptions.push([p[0]!, p[1] ?? '']) }],
  ['iroute', { min: 1, max: 2, apply: (o, p) => void o.iroutes.push({ network: ipv4(p[0]!, '--iroute'), netmask: ipv4(p[1] ?? '255.255.255.255', '--iroute netmask') }) }],
  ['allow-deprecated-insecure-static-crypto', flag((o) => (o.allowStaticCrypto = true))],
  ['auth-nocache', flag(() => {})],
  ['remote-cert-ku', { min: 0, max: 16, apply: () => {} }],
  ['ifconfig-ipv6', ipv6('ifconfig-ipv6')],
  ['route-ipv6', ipv6('route-ipv6')],
  ['server-ipv6', ipv6('server-ipv6')],
  ['ifconfig-ipv6-pool', ipv6('ifconfig-ipv6-pool')],
  ['tun-ipv6', ipv6('tun-ipv6')],
]);

/** The inline blocks a config file may hold, and the option each one fills. */
export const INLINE_TAGS: ReadonlyMap<string, (o: Options, text: string) => void> = new Map([
  ['ca', (o: Options, t: string) => void (o.ca = { file: INLINE, inline: t })],
  ['cert', (o: Options, t: string) => void (o.cert = { file: INLINE, inline: t })],
  ['key', (o: Options, t: string) => void (o.key = { file: INLINE, inline: t })],
  ['dh', (o: Options, t: string) => void (o.dh = { file: INLINE, inline: t })],
  ['crl-verify', (o: Options, t: string) => void (o.crl = { file: INLINE, inline: t })],
  ['tls-crypt', (o: Options, t: string) => void (o.tlsCrypt = { file: INLINE, inline: t })],
  ['tls-auth', (o: Options, t: string) => void (o.tlsAuth = { file: INLINE, inline: t })],
  ['tls-crypt-v2', (o: Options, t: string) => void (o.tlsCryptV2 = { file: INLINE, inline: t })],
]);

function tlsVersion(v: string): string {
  if (v !== '1.2' && v !== '1.3' && v !== 'or-highest') throw new OptionsError(`unknown tls-version-min parameter: ${v}`);
  return v;
}

/** --data-ciphers: every name must be one tunlab implements (2.6 drops unknown ones with a warning). */
function checkCiphers(list: string): string {
  const names = list.split(':').filter((n) => n !== '');
  const bad = names.filter((n) => lookupAead(n) === null);
  if (names.length === 0 || bad.length > 0) {
    throw new OptionsError(
      `--data-ciphers: ${bad.length ? `cipher ${bad[0]} is not supported` : 'the list is empty'} (tunlab's openvpn implements AES-128-GCM, AES-192-GCM, AES-256-GCM and CHACHA20-POLY1305 in TLS mode)`,
    );
  }
  return names.map((n) => lookupAead(n)!.name).join(':');
}

/** helper_client_server() and the TLS checks of options_postprocess, in 2.6's words. */
export function checkTlsOptions(o: Options): void {
  if (o.server) {
    if (o.client) throw new OptionsError('--server and --client cannot be used together');
    if (o.secret) throw new OptionsError('--server and --secret cannot be used together (you must use SSL/TLS keys)');
    o.modeServer = true;
    o.tlsServer = true;
  }
  if (o.tlsClient && o.tlsServer) throw new OptionsError('specify only one of --tls-server, --tls-client, or --secret');
  if ((o.tlsClient || o.tlsServer) && o.secret) throw new OptionsError('specify only one of --tls-server, --tls-client, or --secret');
  if (o.modeServer && !o.tlsServer) throw new OptionsError('--mode server only works with --tls-server');
  if (!(o.tlsClient || o.tlsServer)) return;
  if (!o.ca) throw new OptionsError('You must define CA file (--ca) or CA path (--capath) and/or peer fingerprint verification (--peer-fingerprint)');
  if (!o.cert) throw new OptionsError('You must define certificate file (--cert) or PKCS#12 file (--pkcs12)');
  if (!o.key) throw new OptionsError('You must define private key file (--key) or PKCS#12 file (--pkcs12)');
  if (o.tlsServer && !o.dh) throw new OptionsError('You must define DH file (--dh)');
  if (o.tlsCrypt && o.tlsAuth) throw new OptionsError('--tls-auth and --tls-crypt are mutually exclusive');
  if (o.tlsServer && !o.modeServer && o.tlsCryptV2) {
    throw new OptionsError("--tls-crypt-v2 on a point-to-point --tls-server is not supported by tunlab's openvpn (only with --server or --mode server)");
  }
  if (o.tlsClient && o.tlsCryptV2 && (o.tlsAuth || o.tlsCrypt)) {
    throw new OptionsError('--tls-crypt-v2, --tls-auth and --tls-crypt are mutually exclusive in client mode');
  }
}
