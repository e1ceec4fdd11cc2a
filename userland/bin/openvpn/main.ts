// openvpn: OpenVPN 2.6's static-key point-to-point mode, wire-compatible with a real 2.6 peer.
//
// The order of work is OpenVPN's: options (errors as "Options error: ...", exit 1), the
// deprecation notes, the version banner, the crypto (fatal errors as "... / Exiting due to fatal
// error"), then instances of the tunnel (tunnel.ts) until a signal or --ping-exit ends it, with a
// one-second pause between restarts. Everything is logged to standard output as 2.6 does.

import { isSysError } from '../../../kernel/abi/errno.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { SIGHUP, SIGINT, SIGNAL_NAMES, SIGTERM, SIGUSR1, SIGUSR2 } from '../../../kernel/abi/signal.js';
import { CLOCK_MONOTONIC, type Sys } from '../../../kernel/abi/syscalls.js';
import { guarded } from '../../lib/guard.js';
import { lookupAuth, lookupCipher } from './algorithms.js';
import { type Codec, CleartextCodec, StaticCodec } from './codec.js';
import { PACKET_ID_LONG_SIZE } from './data-channel.js';
import { mssFixValue } from './mssfix.js';
import { RandomPool } from '../../lib/random.js';
import { closeDevice, type Device, type Ending, errnoText } from './device.js';
import { genkey } from './genkey.js';
import { BANNER, HELP_TEXT, LIBRARY_VERSIONS, VERSION_TEXT } from './help.js';
import { D_LOW, D_SHOW_PARMS, FatalError, Logger, M_FATAL, M_INFO, M_WARN } from './log.js';
import { occOptionsString } from './messages.js';
import { checkOptions, deviceKind, MAX_CONFIG_BYTES, type Options, OptionsError, parseArgv } from './options.js';
import { parameterSettings } from './show-options.js';
import { checkStaticKey, INLINE_FILE_TAG, parseStaticKey } from './static-key.js';
import { TlsClient } from './tls-client.js';
import { TlsServer } from './tls-server.js';
import { loadTlsSetup, readBounded } from './tls-setup.js';

/** A static key file is some 700 bytes; /dev/urandom as --secret is read this far, then refused. */
const STATIC_KEY_FILE_MAX = 1 << 16;
import { type Context, Instance } from './tunnel.js';

export default defineProgram({
  name: 'openvpn',
  summary: 'secure IP tunnel daemon (TLS and static key, wire-compatible with OpenVPN 2.6)',
  main: guarded('openvpn', openvpn),
});

/** A config or key file, read with a bound (a config of /dev/zero must end with an error line). */
async function readFileText(sys: Sys, path: string, max = MAX_CONFIG_BYTES): Promise<string | null | 'too-big'> {
  const r = await readBounded(sys, path, max);
  if (r.ok) return new TextDecoder().decode(r.bytes);
  return r.why.startsWith('file larger') ? 'too-big' : null;
}

async function optionsError(log: Logger, ...messages: string[]): Promise<number> {
  for (const m of messages) await log.raw(`Options error: ${m}`);
  await log.raw('Use --help for more information.');
  return 1;
}

/** What lives across SIGHUP reloads: the signal handlers, installed once, and their queue. */
interface Life {
  signals: number[] | null;
  /** A reload: the restart pause comes before the new instance. */
  reloading: boolean;
}

/** run()'s answer when SIGHUP asks for the command line and config file to be read again. */
const RELOAD = 'reload';

export async function openvpn(argv: string[], sys: Sys): Promise<number> {
  const log = new Logger(sys);
  const life: Life = { signals: null, reloading: false };
  for (;;) {
    const r = await parseAndRun(argv, sys, log, life);
    if (r !== RELOAD) return r;
    life.reloading = true;
  }
}

async function parseAndRun(argv: string[], sys: Sys, log: Logger, life: Life): Promise<number | typeof RELOAD> {
  let o: Options;
  try {
    o = await parseArgv(argv, { log: (line, verb) => log.msg(M_WARN, line, verb), readFile: (p) => readFileText(sys, p) });
    // No arguments at all: 2.6 prints its usage, as for --help.
    if (o.help || argv.length === 1) {
      await log.raw(HELP_TEXT);
      return 1;
    }
    if (o.version) {
      await log.raw(VERSION_TEXT);
      return 0;
    }
    if (o.genkey) {
      log.verb = o.verb;
      return await genkey(sys, log, o.genkey, o.tlsCryptV2);
    }
    checkOptions(o);
  } catch (e) {
    if (e instanceof OptionsError) return optionsError(log, e.message);
    throw e;
  }
  log.verb = o.verb;
  log.suppressTimestamps = o.suppressTimestamps;
  try {
    return await run(sys, log, o, life);
  } catch (e) {
    if (!(e instanceof FatalError)) throw e;
    for (const line of e.lines) await log.msg(M_FATAL, line);
    await log.msg(M_FATAL, 'Exiting due to fatal error');
    return 1;
  }
}

async function run(sys: Sys, log: Logger, o: Options, life: Life): Promise<number | typeof RELOAD> {
  if (o.tlsClient || o.tlsServer) return runTls(sys, log, o, life);
  await log.msg(
    M_INFO,
    'DEPRECATION: No tls-client or tls-server option in configuration detected. OpenVPN 2.7 will remove the functionality to run a VPN without TLS. See the examples section in the manual page for examples of a similar quick setup with peer-fingerprint.',
  );
  // options_postprocess_verify_ce(): the control-channel keys are TLS mode's (MUST_BE_UNDEF).
  for (const [set, field] of [[o.tlsAuth, 'tls_auth_file'], [o.tlsCrypt, 'tls_crypt_file'], [o.tlsCryptV2, 'tls_crypt_v2_file']] as const) {
    if (set) return optionsError(log, `Parameter ${field} can only be specified in TLS-mode, i.e. where --tls-server or --tls-client is also specified.`);
  }
  let keyText: string | null = null;
  if (o.secret) {
    keyText = o.secret.inline;
    if (keyText === null) {
      let mode: number;
      try {
        mode = (await sys.stat(o.secret.file)).st_mode;
      } catch (e) {
        const why = errnoText(e);
        await log.msg(M_WARN, `WARNING: cannot stat file '${o.secret.file}': ${why}`);
        return optionsError(log, `--secret fails with '${o.secret.file}': ${why}`, 'Please correct these errors.');
      }
      if (mode & 0o077) await log.msg(M_WARN, `WARNING: file '${o.secret.file}' is group or others accessible`);
    }
  }
  if (log.enabled(D_SHOW_PARMS)) for (const line of parameterSettings(o)) await log.msg(D_SHOW_PARMS, line);
  await log.msg(M_INFO, BANNER);
  await log.msg(M_INFO, LIBRARY_VERSIONS);
  if (o.ping > 0 && o.pingRec <= 0) await log.msg(M_WARN, 'WARNING: --ping should normally be used with --ping-restart or --ping-exit');

  const rng = new RandomPool(sys);
  const kind = deviceKind(o);
  let codec: Codec;
  let occLocal: string;
  let occRemote: string;
  let mssFix: number;
  if (o.secret) {
    const cipher = lookupCipher(o.cipher ?? 'BF-CBC');
    if (!cipher.ok) throw new FatalError([cipher.message]);
    const auth = lookupAuth(o.auth);
    if (!auth.ok) throw new FatalError([...(auth.opensslLine ? [auth.opensslLine] : []), auth.message]);
    const file = o.secret.inline !== null ? INLINE_FILE_TAG : o.secret.file;
    if (keyText === null) {
      const read = await readFileText(sys, o.secret.file, STATIC_KEY_FILE_MAX);
      keyText = typeof read === 'string' ? read : '';
    }
    const key = parseStaticKey(keyText, file);
    if (!(key instanceof Uint8Array)) throw new FatalError([...(key.preceding ?? []), key.message]);
    const bad = checkStaticKey(key, cipher.cipher, file);
    if (bad) throw new FatalError([...(bad.preceding ?? []), bad.message]);
    const staticCodec = new StaticCodec({
      log,
      rng,
      key,
      direction: o.keyDirection,
      cipher: cipher.cipher,
      auth: auth.auth,
      replayWindow: o.replayWindow,
      replaySeconds: o.replaySeconds,
      muteReplayWarnings: o.muteReplayWarnings,
    });
    await staticCodec.logKeyInit();
    codec = staticCodec;
    // Static mode: HMAC, IV and the long packet id in front; CBC, the id inside the plaintext.
    mssFix = mssFixValue(o, { header: auth.auth.length + cipher.cipher.ivLength + PACKET_ID_LONG_SIZE, cbcBlock: cipher.cipher.blockSize, packetId: PACKET_ID_LONG_SIZE });
    if (kind === null) throw new FatalError([`I don't recognize device ${o.dev} as a tun or tap device`]);
    const proto = o.proto === 'tcp' ? 'udp' : o.proto;
    const occ = { devType: kind, cipher: cipher.cipher, auth: auth.auth, keyDirection: o.keyDirection, tunMtu: o.tunMtu, ifconfig: o.ifconfig ?? undefined, proto };
    occLocal = occOptionsString(occ);
    occRemote = occOptionsString({ ...occ, remote: true });
  } else {
    await log.msg(
      M_WARN,
      "******* WARNING *******: '--cipher none' was specified. This means NO encryption will be performed and tunnelled data WILL be transmitted in clear text over the network! PLEASE DO RECONSIDER THIS SETTING!",
    );
    await log.msg(
      M_WARN,
      "******* WARNING *******: '--auth none' was specified. This means no authentication will be performed on received packets, meaning you CANNOT trust that the data received by the remote side have NOT been manipulated. PLEASE DO RECONSIDER THIS SETTING!",
    );
    await log.msg(
      M_WARN,
      '******* WARNING *******: All encryption and authentication features disabled -- All data will be tunnelled as clear text and will not be protected against man-in-the-middle changes. PLEASE DO RECONSIDER THIS CONFIGURATION!',
    );
    codec = new CleartextCodec(log, o.auth);
    mssFix = mssFixValue(o, null);
    if (kind === null) throw new FatalError([`I don't recognize device ${o.dev} as a tun or tap device`]);
    [occLocal, occRemote] = cleartextOcc(o, kind);
  }

  const signals = (life.signals ??= await catchSignals(sys));
  const ctx: Context = { sys, log, opts: o, kind, codec, occLocal, occRemote, mssFix, signals };
  let persisted: Device | null = null;
  const retry = { failures: 0 };
  try {
    if (life.reloading && (await restartPause(sys, log, o, retry, false, signals, null))) return 0;
    for (;;) {
      const end = await new Instance(ctx, persisted).run();
      if (end.action === 'exit') return end.status;
      if (end.action === 'reload') return RELOAD;
      persisted = end.device;
      if (await restartPause(sys, log, o, retry, end.connectFailed === true, signals, persisted)) return 0;
      codec.newSession();
      if (codec instanceof StaticCodec) {
        if (o.persistKey) await log.msg(M_INFO, 'Re-using pre-shared static key');
        else await codec.logKeyInit();
      }
    }
  } finally {
    await rng.close();
  }
}

/**
 * 2.6's restart pause between instances; a SIGINT or SIGTERM during it ends the program (true),
 * closing a device kept by --persist-tun.
 */
async function catchSignals(sys: Sys): Promise<number[]> {
  const signals: number[] = [];
  for (const signo of [SIGINT, SIGTERM, SIGUSR1, SIGHUP, SIGUSR2]) await sys.sigaction(signo, (s) => void signals.push(s));
  return signals;
}

/** TLS mode: a client (or, with --mode server, a server) instance after instance, until an exit. */
async function runTls(sys: Sys, log: Logger, o: Options, life: Life): Promise<number | typeof RELOAD> {
  if (o.dataCiphers === null && o.cipher === null && o.tlsClient) {
    await log.msg(
      M_INFO,
      "Note: --cipher is not set. OpenVPN versions before 2.5 defaulted to BF-CBC as fallback when cipher negotiation failed in this case. If you need this fallback please add '--data-ciphers-fallback BF-CBC' to your configuration and/or add BF-CBC to --data-ciphers.",
    );
  }
  for (const name of new Set(o.ipv6Ignored)) await log.msg(M_WARN, `WARNING: --${name} ignored: tunlab's network stack has no IPv6 yet`);
  if (log.enabled(D_SHOW_PARMS)) for (const line of parameterSettings(o)) await log.msg(D_SHOW_PARMS, line);
  await log.msg(M_INFO, BANNER);
  await log.msg(M_INFO, LIBRARY_VERSIONS);
  const kind = deviceKind(o);
  if (kind === null) throw new FatalError([`I don't recognize device ${o.dev} as a tun or tap device`]);
  const setup = await loadTlsSetup(sys, log, o, kind);
  const rng = new RandomPool(sys);
  const signals = (life.signals ??= await catchSignals(sys));
  let persisted: Device | null = null;
  const retry = { failures: 0 };
  try {
    if (life.reloading && (await restartPause(sys, log, o, retry, false, signals, null))) return 0;
    for (;;) {
      const end: Ending = o.modeServer
        ? await new TlsServer({ sys, log, opts: o, kind, setup, rng, signals }).run()
        : await new TlsClient({ sys, log, opts: o, kind, setup, rng, signals }, persisted).run();
      if (end.action === 'exit') return end.status;
      if (end.action === 'reload') return RELOAD;
      persisted = end.device;
      if (await restartPause(sys, log, o, retry, end.connectFailed === true, signals, persisted)) return 0;
    }
  } finally {
    await rng.close();
  }
}

/**
 * socket_restart_pause(): 1 second over UDP (logged) and for a TCP server; a TCP client waits
 * --connect-retry seconds, doubled for each failure after the fifth up to its max, and gives up
 * after --connect-retry-max failures. A SIGINT or SIGTERM during the pause ends the program
 * (true, after closing a persisted tun).
 */
async function restartPause(sys: Sys, log: Logger, o: Options, retry: { failures: number }, connectFailed: boolean, signals: number[], persisted: Device | null): Promise<boolean> {
  let sec = 1;
  if (o.proto === 'udp') await log.msg(M_INFO, 'Restart pause, 1 second(s)');
  else {
    retry.failures = connectFailed ? retry.failures + 1 : 0;
    if (o.connectRetryAttempts > 0 && retry.failures >= o.connectRetryAttempts) {
      throw new FatalError([`All connections have been connect-retry-max (${o.connectRetryAttempts}) times unsuccessful, exiting`]);
    }
    sec = o.proto === 'tcp-server' ? 1 : o.connectRetry;
    const backoff = retry.failures - 4;
    if (o.proto === 'tcp-client' && backoff > 0) sec = Math.min(Math.max(sec, 1) * 2 ** Math.min(backoff, 15), o.connectRetryMax);
    if (sec === 0) return false;
    await log.msg(D_LOW, `Restart pause, ${sec} second(s)`);
  }
  const stop = await pause(sys, sec * 1e9, signals);
  if (stop === null) return false;
  if (persisted) await closeDevice(sys, log, persisted);
  await log.msg(M_INFO, `${SIGNAL_NAMES[stop]}[hard,init_instance] received, process exiting`);
  return true;
}

/** The restart pause; a SIGINT or SIGTERM during it ends the program (returned). */
async function pause(sys: Sys, ns: number, signals: number[]): Promise<number | null> {
  const deadline = (await sys.clock_gettime(CLOCK_MONOTONIC)) + ns;
  for (;;) {
    const stop = signals.find((s) => s === SIGINT || s === SIGTERM);
    if (stop !== undefined) {
      signals.splice(signals.indexOf(stop), 1);
      return stop;
    }
    const left = deadline - (await sys.clock_gettime(CLOCK_MONOTONIC));
    if (left <= 0) return null;
    try {
      await sys.nanosleep(left);
    } catch (e) {
      if (!isSysError(e, 'EINTR')) throw e;
    }
  }
}

/** options_string() without crypto: "V4,dev-type null,link-mtu 1500,tun-mtu 1500,proto UDPv4". */
function cleartextOcc(o: Options, kind: 'tun' | 'tap' | 'null'): [string, string] {
  const head = `V4,dev-type ${kind},link-mtu ${o.tunMtu + (kind === 'tap' ? 32 : 0)},tun-mtu ${o.tunMtu},proto UDPv4`;
  const ifc = o.ifconfig;
  if (!ifc || kind === 'null') return [head, head];
  if (kind === 'tap') {
    const net = (a: string, m: string) => a.split('.').map((x, i) => Number(x) & Number(m.split('.')[i])).join('.');
    const s = `${head},ifconfig ${net(ifc.local, ifc.remote)} ${ifc.remote}`;
    return [s, s];
  }
  return [`${head},ifconfig ${ifc.remote} ${ifc.local}`, `${head},ifconfig ${ifc.local} ${ifc.remote}`];
}

