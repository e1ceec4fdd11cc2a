// wg(8), after wireguard-tools 1.0.20210914: show, showconf, set, setconf, addconf, syncconf,
// genkey, genpsk, pubkey, with its words, messages and statuses (1 for every failure, usage
// included, as wg.c returns). It reaches a daemon only through the UAPI socket, as wg does with
// wireguard-go; its subcommands are read word by word as wg reads them, not by an option parser.

import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { guarded } from '../../lib/guard.js';
import { S_ISREG } from '../../../kernel/abi/stat.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { eprint, print, readAll, readFileText } from '../../lib/io.js';
import { RandomPool } from '../../lib/random.js';
import { parseConfigFile, parseSetWords, setText, type WgDeviceConfig } from '../../lib/wireguard/config.js';
import { clampPrivateKey, keyFromBase64, keyToBase64, keyToHex, publicKeyOf } from '../../lib/wireguard/keys.js';
import { getDevice, IpcFailure, listInterfaces, setDevice } from '../../lib/wireguard/uapi-client.js';
import { showconf } from '../../lib/wireguard/showconf.js';
import { prettyPrint, SHOW_FIELDS, uglyPrint, useColor } from './show.js';

export default defineProgram({
  name: 'wg',
  summary: 'set and retrieve configuration of WireGuard interfaces',
  main: guarded('wg', (argv, sys) => wg(argv, sys)),
});

const SUBCOMMANDS: ReadonlyArray<readonly [string, string]> = [
  ['show', 'Shows the current configuration and device information'],
  ['showconf', "Shows the current configuration of a given WireGuard interface, for use with `setconf'"],
  ['set', 'Change the current configuration, add peers, remove peers, or change peers'],
  ['setconf', 'Applies a configuration file to a WireGuard interface'],
  ['addconf', 'Appends a configuration file to a WireGuard interface'],
  ['syncconf', 'Synchronizes a configuration file to a WireGuard interface'],
  ['genkey', 'Generates a new private key and writes it to stdout'],
  ['genpsk', 'Generates a new preshared key and writes it to stdout'],
  ['pubkey', 'Reads a private key from stdin and writes a public key to stdout'],
];

const USAGE = `Usage: wg <cmd> [<args>]\n\nAvailable subcommands:\n${SUBCOMMANDS.map(([n, d]) => `  ${n}: ${d}\n`).join('')}You may pass \`--help' to any of these subcommands to view usage.\n`;
const SET_USAGE =
  'Usage: wg set <interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] [peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] [persistent-keepalive <interval seconds>] [allowed-ips <ip1>/<cidr1>[,<ip2>/<cidr2>]...] ]...\n';

async function wg(argv: string[], sys: Sys): Promise<number> {
  const args = argv.slice(1);
  const cmd = args[0];
  if (cmd === undefined) return show(sys, ['show']);
  if (args.length === 1 && (cmd === '-h' || cmd === '--help' || cmd === 'help')) {
    await print(sys, USAGE);
    return 0;
  }
  switch (cmd) {
    case 'show':
      return show(sys, args);
    case 'showconf':
      return showconfMain(sys, args);
    case 'set':
      return set(sys, args);
    case 'setconf':
    case 'addconf':
    case 'syncconf':
      return conf(sys, args);
    case 'genkey':
    case 'genpsk':
      return genkey(sys, args);
    case 'pubkey':
      return pubkey(sys, args);
    default:
      await eprint(sys, `Invalid subcommand: \`${cmd}'\n${USAGE}`);
      return 1;
  }
}

/** fopen + fread of a whole file; null with "fopen: <why>" printed when it cannot be opened. */
async function readFile(sys: Sys, path: string): Promise<string | null> {
  try {
    return await readFileText(sys, path);
  } catch (e) {
    if (!isSysError(e)) throw e;
    await eprint(sys, `fopen: ${strerror(e.errno)}\n`);
    return null;
  }
}

const warner = (sys: Sys) => (line: string) => eprint(sys, `${line}\n`);

async function show(sys: Sys, args: string[]): Promise<number> {
  const usage = async () => {
    await eprint(sys, `Usage: wg ${args[0]} { <interface> | all | interfaces } [${SHOW_FIELDS}]\n`);
    return 1;
  };
  if (args.length > 3) return usage();
  const color = await useColor(sys);
  const target = args[1];
  const field = args[2];
  if (target === undefined || target === 'all') {
    let status = 0;
    const names = await listInterfaces(sys);
    if (names.length) status = 1;
    let out = '';
    for (let i = 0; i < names.length; i++) {
      const dev = await getDevice(sys, names[i]!);
      if (dev instanceof IpcFailure) {
        await eprint(sys, `Unable to access interface ${names[i]}: ${dev.message}\n`);
        continue;
      }
      if (field !== undefined) {
        const text = uglyPrint(dev, field, true);
        if (text === null) {
          await print(sys, out);
          await eprint(sys, `Invalid parameter: \`${field}'\n`);
          return usage();
        }
        out += text;
      } else out += (await prettyPrint(sys, dev, color)) + (i < names.length - 1 ? '\n' : '');
      status = 0;
    }
    await print(sys, out);
    return status;
  }
  if (target === 'interfaces') {
    if (args.length > 2) return usage();
    const names = await listInterfaces(sys);
    if (names.length) await print(sys, `${names.join(' ')}\n`);
    return 0;
  }
  if (args.length === 2 && (target === '-h' || target === '--help' || target === 'help')) {
    await usage();
    return 0;
  }
  const dev = await getDevice(sys, target);
  if (dev instanceof IpcFailure) {
    await eprint(sys, `Unable to access interface: ${dev.message}\n`);
    return 1;
  }
  if (field === undefined) {
    await print(sys, await prettyPrint(sys, dev, color));
    return 0;
  }
  const text = uglyPrint(dev, field, false);
  if (text === null) {
    await eprint(sys, `Invalid parameter: \`${field}'\n`);
    return usage();
  }
  await print(sys, text);
  return 0;
}

async function showconfMain(sys: Sys, args: string[]): Promise<number> {
  if (args.length !== 2) {
    await eprint(sys, 'Usage: wg showconf <interface>\n');
    return 1;
  }
  const dev = await getDevice(sys, args[1]!);
  if (dev instanceof IpcFailure) {
    await eprint(sys, `Unable to access interface: ${dev.message}\n`);
    return 1;
  }
  await print(sys, showconf(dev));
  return 0;
}

async function apply(sys: Sys, ifname: string, dev: WgDeviceConfig): Promise<number> {
  const err = await setDevice(sys, ifname, setText(dev));
  if (err) {
    await eprint(sys, `Unable to modify interface: ${err.message}\n`);
    return 1;
  }
  return 0;
}

async function set(sys: Sys, args: string[]): Promise<number> {
  if (args.length < 3) {
    await eprint(sys, SET_USAGE);
    return 1;
  }
  const dev = await parseSetWords(sys, args.slice(2), (p) => readFile(sys, p), warner(sys));
  if (dev === null) return 1;
  return apply(sys, args[1]!.slice(0, 15), dev);
}

/** setconf and addconf apply a file; syncconf also removes the peers the file does not name. */
async function conf(sys: Sys, args: string[]): Promise<number> {
  const verb = args[0]!;
  if (args.length !== 3) {
    await eprint(sys, `Usage: wg ${verb} <interface> <configuration filename>\n`);
    return 1;
  }
  const ifname = args[1]!;
  const text = await readFile(sys, args[2]!);
  if (text === null) return 1;
  const dev = await parseConfigFile(sys, text, verb === 'addconf', warner(sys));
  if (dev === null) return 1;
  if (verb === 'syncconf') {
    const now = await getDevice(sys, ifname);
    if (now instanceof IpcFailure) {
      await eprint(sys, `Unable to access interface: ${now.message}\n`);
      return 1;
    }
    dev.replacePeers = false;
    const keep = new Set(dev.peers.map((p) => keyToHex(p.publicKey)));
    const gone = now.peers.filter((p) => !keep.has(keyToHex(p.publicKey))).map((p) => ({ publicKey: p.publicKey, remove: true, allowedIps: [] }));
    dev.peers.unshift(...gone);
  }
  return apply(sys, ifname, dev);
}

/** genkey and genpsk: 32 bytes from the kernel's generator (a private key clamped), in base64. */
async function genkey(sys: Sys, args: string[]): Promise<number> {
  if (args.length !== 1) {
    await eprint(sys, `Usage: wg ${args[0]}\n`);
    return 1;
  }
  try {
    const st = await sys.fstat(1);
    if (S_ISREG(st.st_mode) && st.st_mode & 0o007) await eprint(sys, 'Warning: writing to world accessible file.\nConsider setting the umask to 077 and trying again.\n');
  } catch (e) {
    if (!isSysError(e)) throw e;
  }
  const rng = new RandomPool(sys);
  try {
    const random = await rng.bytes(32);
    await print(sys, `${keyToBase64(args[0] === 'genkey' ? clampPrivateKey(random) : random)}\n`);
  } finally {
    await rng.close();
  }
  return 0;
}

/** pubkey: a private key on stdin (and nothing after it but spaces), its public key out. */
async function pubkey(sys: Sys, args: string[]): Promise<number> {
  if (args.length !== 1) {
    await eprint(sys, 'Usage: wg pubkey\n');
    return 1;
  }
  const text = new TextDecoder().decode(await readAll(sys, 0, 1 << 16));
  if (text.length < 44) {
    await eprint(sys, 'wg: Key is not the correct length or format\n');
    return 1;
  }
  if (/[^\0 \t\n\v\f\r]/.test(text.slice(44))) {
    await eprint(sys, 'wg: Trailing characters found after key\n');
    return 1;
  }
  const k = keyFromBase64(text.slice(0, 44));
  if (!k) {
    await eprint(sys, 'wg: Key is not the correct length or format\n');
    return 1;
  }
  await print(sys, `${keyToBase64(publicKeyOf(k))}\n`);
  return 0;
}
