// OpenVPN's options, spelt and checked as 2.6.14 does (options.c add_option / options_postprocess).
//
// On the command line an option is `--name` followed by every word up to the next one starting
// with "--"; in a config file it is one line, the leading "--" optional, `#` or `;` starting a
// comment where a word could start, quotes grouping words, and `<secret>` ... `</secret>` giving a
// key inline. A wrong number of parameters and an unknown name both get OpenVPN's one message,
// "Unrecognized option or missing or extra parameter(s) in [CMD-LINE]:1: NAME (2.6.14)".
// Options real OpenVPN has and tunlab does not (TLS, scripts, compression...) are refused by name.

import { parseIpv4 } from '../../../kernel/abi/wire/index.js';
import { splitConfigLine } from './config-line.js';
import { atoi, flag as flagOf, OptionsError, type ParseHooks, type Spec as SpecOf, type Where } from './option-spec.js';
import { checkTlsOptions, defaultTlsOptions, INLINE_TAGS, TLS_SPECS, type TlsOptions } from './options-tls.js';
import { REFUSED } from './refused.js';
import { replayWindowOptionError } from './replay.js';
import { INLINE_FILE_TAG, type KeyDirection, parseKeyDirection } from './static-key.js';

export const VERSION = '2.6.14';

export { atoi, OptionsError, type ParseHooks } from './option-spec.js';

export interface RouteOption {
  readonly network: string;
  readonly netmask: string | null;
  readonly gateway: string | null;
}

/** --genkey TYPE [FILE] [METADATA] (genkey.ts does it). */
export interface GenkeyRequest {
  readonly type: string;
  readonly file: string | null;
  /** tls-crypt-v2-client: the base64 metadata. */
  readonly metadata: string | null;
}

export interface Options extends TlsOptions {
  dev: string | null;
  devType: string | null;
  remote: { host: string; port: string | null } | null;
  local: string | null;
  lport: string;
  rport: string;
  /** --lport or --port given: bind even with --remote (2.6 binds by default anyway). */
  nobind: boolean;
  /** The link: UDP, or TCP with its 2-byte packet lengths ('tcp' is resolved by checkOptions). */
  proto: 'udp' | 'tcp' | 'tcp-client' | 'tcp-server';
  /** --connect-retry n [max]: seconds between a TCP client's attempts, doubled after five failures up to max. */
  connectRetry: number;
  connectRetryMax: number;
  /** --connect-retry-max n: attempts before giving up (0: forever). */
  connectRetryAttempts: number;
  float: boolean;
  ifconfig: { local: string; remote: string } | null;
  ifconfigNoexec: boolean;
  routes: RouteOption[];
  routeGateway: string | null;
  routeNoexec: boolean;
  /** --secret: a file name, or the inline text of a <secret> block (file then [[INLINE]]). */
  secret: { file: string; inline: string | null } | null;
  keyDirection: KeyDirection;
  cipher: string | null;
  auth: string;
  ping: number;
  pingRec: number;
  pingRecAction: 'restart' | 'exit';
  keepalive: { ping: number; restart: number } | null;
  replayWindow: number;
  replaySeconds: number;
  verb: number;
  suppressTimestamps: boolean;
  muteReplayWarnings: boolean;
  persistTun: boolean;
  persistKey: boolean;
  tunMtu: number;
  /**
   * --mssfix as given (null: not, or bare): `max` (0: off); `encap` ("mtu"): `max` is the outer IP
   * packet, its IP and UDP (or TCP) headers included; `fixed`: `max` is the tunnelled IP packet, the
   * MSS `max` less 40, no overhead worked out.
   */
  mssfix: { max: number; encap: boolean; fixed: boolean } | null;
  /** The first --config file, for --verb 4's settings. */
  configFile: string | null;
  /** How deep in nested --config files the parse is now (each process parses its own). */
  configDepth: number;
  genkey: GenkeyRequest | null;
  help: boolean;
  version: boolean;
}

export function defaultOptions(): Options {
  return {
    ...defaultTlsOptions(),
    dev: null,
    devType: null,
    remote: null,
    local: null,
    lport: '1194',
    rport: '1194',
    nobind: false,
    proto: 'udp',
    connectRetry: 1,
    connectRetryMax: 300,
    connectRetryAttempts: 0,
    float: false,
    ifconfig: null,
    ifconfigNoexec: false,
    routes: [],
    routeGateway: null,
    routeNoexec: false,
    secret: null,
    keyDirection: undefined,
    cipher: null,
    auth: 'SHA1',
    ping: 0,
    pingRec: 0,
    pingRecAction: 'restart',
    keepalive: null,
    replayWindow: 64,
    replaySeconds: 15,
    verb: 1,
    suppressTimestamps: false,
    muteReplayWarnings: false,
    persistTun: false,
    persistKey: false,
    tunMtu: 1500,
    mssfix: null,
    configFile: null,
    configDepth: 0,
    genkey: null,
    help: false,
    version: false,
  };
}

const PROTOCOLS =
  '[proto-uninitialized] [udp] [tcp-server] [tcp-client] [tcp] [udp4] [tcp4-server] [tcp4-client] [tcp4] [udp6] [tcp6-server] [tcp6-client] [tcp6]';

type Spec = SpecOf<Options>;
const flag = (set: (o: Options) => void): Spec => flagOf<Options>(set);

const SPECS: ReadonlyMap<string, Spec> = new Map<string, Spec>([
  ...TLS_SPECS,
  ...Object.entries({
  help: flag((o) => (o.help = true)),
  version: flag((o) => (o.version = true)),
  config: {
    min: 1,
    max: 1,
    async apply(o, p, at, hooks) {
      const text = await hooks.readFile(p[0]!);
      if (text === null) throw new OptionsError(`In ${whereName(at)}: Error opening configuration file: ${p[0]}`);
      if (text === 'too-big') throw new OptionsError(`In ${whereName(at)}: Error reading configuration file: ${p[0]} (larger than ${MAX_CONFIG_BYTES} bytes)`);
      o.configFile ??= p[0]!;
      await parseConfig(o, text, p[0]!, hooks);
    },
  },
  dev: { min: 1, max: 1, apply: (o, p) => void (o.dev = p[0]!) },
  'dev-type': { min: 1, max: 1, apply: (o, p) => void (o.devType = p[0]!) },
  remote: {
    min: 1,
    max: 3,
    apply(o, p) {
      if (p[2] !== undefined) checkProto(p[2]);
      if (o.remote !== null) throw new OptionsError("--remote given more than once: tunlab's openvpn talks to one peer (no connection list)");
      o.remote = { host: p[0]!, port: p[1] === undefined ? null : port('remote', p[1]) };
    },
  },
  local: { min: 1, max: 1, apply: (o, p) => void (o.local = p[0]!) },
  port: { min: 1, max: 1, apply: (o, p) => void ((o.lport = port('port', p[0]!)), (o.rport = o.lport)) },
  lport: { min: 1, max: 1, apply: (o, p) => void (o.lport = port('lport', p[0]!)) },
  rport: { min: 1, max: 1, apply: (o, p) => void (o.rport = port('rport', p[0]!)) },
  nobind: flag((o) => (o.nobind = true)),
  proto: { min: 1, max: 1, apply: (o, p) => void (o.proto = checkProto(p[0]!)) },
  'connect-retry': {
    min: 1,
    max: 2,
    apply: (o, p) => {
      o.connectRetry = Math.max(0, atoi(p[0]!));
      if (p[1] !== undefined) o.connectRetryMax = Math.max(0, atoi(p[1]));
    },
  },
  'connect-retry-max': { min: 1, max: 1, apply: (o, p) => void (o.connectRetryAttempts = Math.max(0, atoi(p[0]!))) },
  float: flag((o) => (o.float = true)),
  ifconfig: {
    min: 2,
    max: 2,
    apply(o, p) {
      if (parseIpv4(p[0]!) === null || parseIpv4(p[1]!) === null) {
        throw new OptionsError(`ifconfig parms '${p[0]}' and '${p[1]}' must be valid addresses`);
      }
      if (parseIpv4(p[0]!) === parseIpv4(p[1]!)) throw new OptionsError('local and remote/netmask --ifconfig addresses must be different');
      o.ifconfig = { local: p[0]!, remote: p[1]! };
    },
  },
  'ifconfig-noexec': flag((o) => (o.ifconfigNoexec = true)),
  'ifconfig-nowarn': flag(() => {}),
  route: {
    min: 1,
    max: 4,
    apply(o, p) {
      const word = (s: string | undefined) => (s === undefined || s === 'default' ? null : s);
      o.routes.push({ network: p[0]!, netmask: word(p[1]), gateway: word(p[2]) });
    },
  },
  'route-gateway': { min: 1, max: 1, apply: (o, p) => void (o.routeGateway = p[0]!) },
  'route-noexec': flag((o) => (o.routeNoexec = true)),
  secret: {
    min: 1,
    max: 2,
    async apply(o, p, _at, hooks) {
      await hooks.log('DEPRECATED OPTION: The option --secret is deprecated.', o.verb);
      o.secret = { file: p[0]!, inline: null };
      if (p[1] !== undefined) o.keyDirection = direction(p[1]);
    },
  },
  'key-direction': { min: 1, max: 1, apply: (o, p) => void (o.keyDirection = direction(p[0]!)) },
  cipher: { min: 1, max: 1, apply: (o, p) => void (o.cipher = p[0]!) },
  auth: { min: 1, max: 1, apply: (o, p) => void (o.auth = p[0]!) },
  ping: { min: 1, max: 1, apply: (o, p) => void (o.ping = atoi(p[0]!)) },
  'ping-restart': { min: 1, max: 1, apply: (o, p) => void ((o.pingRec = atoi(p[0]!)), (o.pingRecAction = 'restart')) },
  'ping-exit': { min: 1, max: 1, apply: (o, p) => void ((o.pingRec = atoi(p[0]!)), (o.pingRecAction = 'exit')) },
  keepalive: { min: 2, max: 2, apply: (o, p) => void (o.keepalive = { ping: atoi(p[0]!), restart: atoi(p[1]!) }) },
  'replay-window': {
    min: 1,
    max: 2,
    apply(o, p) {
      const window = atoi(p[0]!);
      const seconds = p[1] === undefined ? o.replaySeconds : atoi(p[1]);
      const error = replayWindowOptionError(window, seconds);
      if (error !== null) throw new OptionsError(error);
      o.replayWindow = window;
      o.replaySeconds = seconds;
    },
  },
  'mute-replay-warnings': flag((o) => (o.muteReplayWarnings = true)),
  verb: { min: 1, max: 1, apply: (o, p) => void (o.verb = Math.max(0, atoi(p[0]!))) },
  'suppress-timestamps': flag((o) => (o.suppressTimestamps = true)),
  'persist-tun': flag((o) => (o.persistTun = true)),
  'persist-key': flag((o) => (o.persistKey = true)),
  'tun-mtu': {
    min: 1,
    max: 2,
    apply(o, p) {
      const mtu = atoi(p[0]!);
      if (mtu < 576 || mtu > 65535) throw new OptionsError(`--tun-mtu ${p[0]}: tunlab's ifconfig needs an MTU from 576 to 65535`);
      o.tunMtu = mtu;
    },
  },
  mssfix: {
    min: 0,
    max: 2,
    apply(o, p) {
      // 2.6: a value alone leaves the encapsulation out; no value is the default, "1492 mtu".
      const m = p[0] === undefined ? null : { max: Math.max(0, atoi(p[0])), encap: false, fixed: false };
      if (m && p[1] === 'mtu') m.encap = true;
      else if (m && p[1] === 'fixed') m.fixed = true;
      else if (p[1] !== undefined) throw new OptionsError(`Unknown parameter to --mssfix: ${p[1]}`);
      o.mssfix = m;
    },
  },
  'resolv-retry': {
    min: 1,
    max: 1,
    apply(_o, p) {
      // tunlab resolves from /etc/hosts and, as 2.6 by default, keeps retrying.
      if (p[0] !== 'infinite') throw new OptionsError("--resolv-retry: tunlab's openvpn only retries forever (resolv-retry infinite)");
    },
  },
  genkey: {
    min: 0,
    max: 3,
    apply(o, p) {
      const type = p[0] ?? 'secret';
      if (type === 'auth-token') throw new OptionsError(`--genkey ${type} is not supported by tunlab's openvpn (no auth-token)`);
      if (!GENKEY_TYPES.has(type)) throw new OptionsError(`unknown --genkey type: ${type}`);
      o.genkey = { type, file: p[1] ?? o.genkey?.file ?? null, metadata: type === 'tls-crypt-v2-client' ? (p[2] ?? null) : null };
    },
  },
} satisfies Record<string, Spec>),
]);

const GENKEY_TYPES: ReadonlySet<string> = new Set(['secret', 'tls-auth', 'tls-crypt', 'tls-crypt-v2-server', 'tls-crypt-v2-client']);

/**
 * A port word, checked before anything is opened. 2.6 hands it to getaddrinfo(), which takes
 * 99999 as 34463 and fails on -1 only once the tun is open; tunlab refuses both up front.
 */
function port(option: string, word: string): string {
  if (!/^\d+$/.test(word) || Number(word) > 65535) throw new OptionsError(`--${option}: '${word}' is not a port number (0 to 65535)`);
  return String(Number(word));
}

function direction(arg: string): KeyDirection {
  const d = parseKeyDirection(arg);
  if (typeof d === 'object') throw new OptionsError(d.message);
  return d;
}

function checkProto(p: string): Options['proto'] {
  if (p === 'udp' || p === 'udp4') return 'udp';
  const tcp = /^tcp4?(-server|-client)?$/.exec(p);
  if (tcp) return tcp[1] === '-server' ? 'tcp-server' : tcp[1] === '-client' ? 'tcp-client' : 'tcp';
  if (p === 'udp6' || /^tcp6/.test(p)) throw new OptionsError(`--proto ${p} is not supported by tunlab's openvpn (IPv4 only)`);
  throw new OptionsError(`Bad protocol: '${p}'. Allowed protocols with --proto option: ${PROTOCOLS}`);
}

function whereName(at: Where): string {
  return `${at.file}:${at.line}`;
}

const MAX_CONFIG_DEPTH = 10;
/** Where reading a config file stops (OpenVPN has no bound; /dev/zero would never end). */
export const MAX_CONFIG_BYTES = 1 << 20;

async function addOption(o: Options, words: string[], at: Where, hooks: ParseHooks): Promise<void> {
  const name = words[0]!;
  const params = words.slice(1);
  const spec = SPECS.get(name);
  const refused = REFUSED.get(name);
  if (spec === undefined && refused !== undefined) throw new OptionsError(`--${name} is not supported by tunlab's openvpn (${refused})`);
  if (spec === undefined || params.length < spec.min || params.length > spec.max) {
    throw new OptionsError(`Unrecognized option or missing or extra parameter(s) in ${whereName(at)}: ${name} (${VERSION})`);
  }
  await spec.apply(o, params, at, hooks);
}

/** parse_argv(): `openvpn FILE` alone is `--config FILE`; otherwise options and their words. */
export async function parseArgv(argv: readonly string[], hooks: ParseHooks, o: Options = defaultOptions()): Promise<Options> {
  const args = argv.slice(1);
  if (args.length === 1 && !args[0]!.startsWith('--')) {
    await addOption(o, ['config', args[0]!], { file: '[CMD-LINE]', line: 1 }, hooks);
    return o;
  }
  for (let i = 0; i < args.length; ) {
    const word = args[i]!;
    if (!word.startsWith('--')) {
      throw new OptionsError(`I'm trying to parse "${word}" as an --option parameter but I don't see a leading '--'`);
    }
    const words = [word.slice(2)];
    i++;
    while (i < args.length && !args[i]!.startsWith('--')) words.push(args[i++]!);
    const at = { file: '[CMD-LINE]', line: 1 };
    // `--genkey --secret FILE` (2.4's spelling): --secret names the file to write.
    if (words[0] === 'secret' && o.genkey !== null && o.genkey.file === null && words.length === 2) {
      await hooks.log('DEPRECATED OPTION: The option --secret is deprecated.', o.verb);
      await hooks.log('WARNING: Using --genkey --secret filename is DEPRECATED.  Use --genkey secret filename instead.', o.verb);
      o.genkey = { ...o.genkey, file: words[1]! };
      continue;
    }
    await addOption(o, words, at, hooks);
  }
  return o;
}

/** read_config_file(): one option a line, optional "--", inline <secret> blocks. */
export async function parseConfig(o: Options, text: string, file: string, hooks: ParseHooks): Promise<void> {
  if (++o.configDepth > MAX_CONFIG_DEPTH) {
    o.configDepth = 0;
    throw new OptionsError(`In ${file}: Maximum recursive include levels exceeded in include attempt of file ${file} -- probably you have a configuration file that tries to include itself.`);
  }
  try {
    const lines = text.split(/\r?\n/);
    for (let n = 0; n < lines.length; n++) {
      const words = splitConfigLine(lines[n]!);
      if (words.length === 0) continue;
      const at = { file, line: n + 1 };
      const inline = /^<([a-z0-9-]+)>$/.exec(words[0]!);
      if (inline) {
        const tag = inline[1]!;
        const body: string[] = [];
        let end = n + 1;
        while (end < lines.length && lines[end]!.trim() !== `</${tag}>`) body.push(lines[end++]!);
        if (end >= lines.length) throw new OptionsError(`Closing tag </${tag}> not found`);
        n = end;
        const fill = INLINE_TAGS.get(tag);
        if (fill) {
          fill(o, body.join('\n') + '\n');
          continue;
        }
        if (tag !== 'secret') {
          const refused = REFUSED.get(tag);
          if (refused !== undefined) throw new OptionsError(`<${tag}> is not supported by tunlab's openvpn (${refused})`);
          throw new OptionsError(`Unrecognized option or missing or extra parameter(s) in ${whereName(at)}: ${tag} (${VERSION})`);
        }
        await hooks.log('DEPRECATED OPTION: The option --secret is deprecated.', o.verb);
        o.secret = { file: INLINE_FILE_TAG, inline: body.join('\n') + '\n' };
        continue;
      }
      if (words[0]!.length >= 3 && words[0]!.startsWith('--')) words[0] = words[0]!.slice(2);
      await addOption(o, words, at, hooks);
    }
  } finally {
    o.configDepth--;
  }
}

/** Cross-option checks (options_postprocess), in 2.6's words. */
export function checkOptions(o: Options): void {
  checkTlsOptions(o);
  if (o.keepalive !== null) {
    if (o.ping !== 0 || o.pingRec !== 0) {
      throw new OptionsError(
        "--keepalive conflicts with --ping, --ping-exit, or --ping-restart.  If you use --keepalive, you don't need any of the other --ping directives.",
      );
    }
    const { ping, restart } = o.keepalive;
    if (ping <= 0 || restart <= 0) throw new OptionsError('--keepalive parameters must be > 0');
    if (ping * 2 > restart) {
      throw new OptionsError(
        `the second parameter to --keepalive (restart timeout=${restart}) must be at least twice the value of the first parameter (ping interval=${ping}).  A ratio of 1:5 or 1:6 would be even better.  Recommended setting is --keepalive 10 60.`,
      );
    }
    // Point-to-point: ping every n seconds, restart after m without hearing from the peer.
    o.ping = ping;
    // A server restarts a client after twice the timeout it pushes (helper_keepalive).
    o.pingRec = o.modeServer ? restart * 2 : restart;
    o.pingRecAction = 'restart';
  }
  if (o.dev === null) throw new OptionsError('You must define TUN/TAP device (--dev)');
  // A plain "tcp" takes its side from the mode: a server listens, a (TLS) client connects.
  if (o.proto === 'tcp') {
    if (o.modeServer) o.proto = 'tcp-server';
    else if (o.tlsClient || o.pull) o.proto = 'tcp-client';
    else throw new OptionsError('--proto tcp is ambiguous in this context. Please specify --proto tcp-server or --proto tcp-client');
  }
  if (o.proto === 'tcp-client' && o.remote === null) throw new OptionsError('--remote MUST be used in TCP Client mode');
  if (o.proto === 'tcp-server' && o.remote !== null && !o.modeServer) {
    // 2.6 takes a --remote in TCP server mode only as the address it accepts.
    throw new OptionsError("--remote with --proto tcp-server is not supported by tunlab's openvpn (it accepts any client)");
  }
}

/** dev_type_enum(): what --dev (or --dev-type) names. */
export function deviceKind(o: Options): 'tun' | 'tap' | 'null' | null {
  const t = o.devType ?? o.dev ?? '';
  if (t.startsWith('tun')) return 'tun';
  if (t.startsWith('tap')) return 'tap';
  if (t === 'null') return 'null';
  return null;
}
