// A WireGuard configuration as wg(8) holds it (wireguard-tools' containers.h: a device with flags
// saying which fields are set, its peers, theirs), read from `wg set`'s words or from a
// configuration file (config.c: comments and every space dropped, keys case-insensitive), and
// written as the UAPI set text wireguard-tools' ipc-uapi.h sends. Each refusal prints wg's own
// message, word for word, to the `warn` it is given.

import { formatIpv4 } from '../../../kernel/abi/wire/address.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { resolveHost } from '../resolve.js';
import { keyFromBase64, keyToHex } from './keys.js';
import { formatPrefix, masked, parseIpv4Bytes, parseIpv6, type Prefix } from './prefix.js';

export interface WgPeerConfig {
  publicKey: Uint8Array;
  remove?: boolean;
  presharedKey?: Uint8Array;
  endpoint?: { addr: string; port: number };
  persistentKeepalive?: number;
  /** Set: the peer's allowed ips are replaced by `allowedIps`. */
  replaceAllowedIps?: boolean;
  allowedIps: Prefix[];
}

export interface WgDeviceConfig {
  privateKey?: Uint8Array;
  listenPort?: number;
  fwmark?: number;
  replacePeers?: boolean;
  peers: WgPeerConfig[];
}

export type Warn = (line: string) => Promise<void>;
/** Reads a file as fopen would (its error text is "fopen: ..."), or null with the error printed. */
export type ReadFile = (path: string) => Promise<string | null>;

/** getaddrinfo(NULL, value)'s port: decimal, kept to 16 bits as htons keeps it. */
export async function parsePort(value: string, warn: Warn): Promise<number | null> {
  if (!/^[0-9]+$/.test(value)) {
    await warn(`Servname not supported for ai_socktype: \`${value}'`);
    return null;
  }
  return servicePort(value);
}

const ULONG_MAX = 0xffff_ffff_ffff_ffffn;

/**
 * A numeric service as glibc's getaddrinfo reads it: strtoul (past ULONG_MAX, ULONG_MAX), then
 * htons keeps the low 16 bits, with no range check: "1.2.3.4:99999" is port 34463.
 */
function servicePort(digits: string): number {
  const n = BigInt(digits);
  return Number((n > ULONG_MAX ? ULONG_MAX : n) % 65536n);
}

export async function parseFwmark(value: string, warn: Warn): Promise<number | null> {
  if (value.toLowerCase() === 'off') return 0;
  const hex = value.length > 2 && value.startsWith('0x');
  const ok = hex ? /^0x[0-9a-fA-F]+$/.test(value) : /^[0-9]+$/.test(value);
  const n = ok ? Number.parseInt(hex ? value.slice(2) : value, hex ? 16 : 10) : NaN;
  if (!ok || n > 0xffff_ffff) {
    await warn(`Fwmark is neither 0/off nor 0-0xffffffff: \`${value}'`);
    return null;
  }
  return n;
}

export async function parseKeepalive(value: string, warn: Warn): Promise<number | null> {
  if (value.toLowerCase() === 'off') return 0;
  if (!/^[0-9]+$/.test(value) || Number(value) > 65535) {
    await warn(`Persistent keepalive interval is neither 0/off nor 1-65535: \`${value}'`);
    return null;
  }
  return Number(value);
}

export async function parseKey(value: string, warn: Warn): Promise<Uint8Array | null> {
  const k = keyFromBase64(value);
  if (!k) await warn(`Key is not the correct length or format: \`${value}'`);
  return k;
}

/** parse_keyfile: 44 characters of base64 and nothing but spaces after; an empty file is zeros. */
export async function parseKeyFile(path: string, readFile: ReadFile, warn: Warn): Promise<Uint8Array | null> {
  const text = await readFile(path);
  if (text === null) return null;
  if (text.length === 0) return new Uint8Array(32);
  if (text.length < 44) {
    await warn('Invalid length key in key file');
    return null;
  }
  const rest = text.slice(44);
  const bad = /[^ \t\n\v\f\r]/.exec(rest);
  if (bad) {
    await warn(`Found trailing character in key file: \`${bad[0]}'`);
    return null;
  }
  return parseKey(text.slice(0, 44), warn);
}

/** parse_endpoint: "host:port" or "[v6]:port", the host through the resolver (no DNS: /etc/hosts). */
export async function parseEndpoint(sys: Sys, value: string, warn: Warn): Promise<{ addr: string; port: number } | null> {
  if (value === '') {
    await warn('Unable to parse empty endpoint');
    return null;
  }
  let host: string;
  let port: string;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) {
      await warn(`Unable to find matching brace of endpoint: \`${value}'`);
      return null;
    }
    host = value.slice(1, end);
    if (value[end + 1] !== ':' || value.length === end + 2) {
      await warn(`Unable to find port of endpoint: \`${value}'`);
      return null;
    }
    port = value.slice(end + 2);
  } else {
    const colon = value.lastIndexOf(':');
    if (colon < 0 || colon === value.length - 1) {
      await warn(`Unable to find port of endpoint: \`${value}'`);
      return null;
    }
    host = value.slice(0, colon);
    port = value.slice(colon + 1);
  }
  if (!/^[0-9]+$/.test(port)) {
    await warn(`Servname not supported for ai_socktype: \`${value}'`);
    return null;
  }
  if (host.includes(':')) {
    // An IPv6 endpoint: tunlab's stack has no IPv6, so there is no such address family here.
    await warn(`Address family for hostname not supported: \`${value}'`);
    return null;
  }
  const a = await resolveHost(sys, host);
  if (a === null) {
    await warn(`Name or service not known: \`${value}'`);
    return null;
  }
  return { addr: formatIpv4(a), port: servicePort(port) };
}

/** parse_allowedips: "ip[/cidr]" separated by commas (spaces already gone), each masked. */
export async function parseAllowedIps(value: string, warn: Warn): Promise<Prefix[] | null> {
  const out: Prefix[] = [];
  if (value === '') return out;
  for (const entry of value.split(',')) {
    const slash = entry.indexOf('/');
    const ipText = slash < 0 ? entry : entry.slice(0, slash);
    const addr = ipText.includes(':') ? parseIpv6(ipText) : parseIpv4Bytes(ipText);
    if (addr === null) {
      await warn(`Unable to parse IP address: \`${ipText}'`);
      return null;
    }
    const max = addr.length * 8;
    let bits = max;
    if (slash >= 0) {
      const m = entry.slice(slash + 1);
      if (!/^[0-9]+$/.test(m) || Number(m) > max) {
        await warn(`AllowedIP is not in the correct format: \`${entry}'`);
        return null;
      }
      bits = Number(m);
    }
    const prefix = { addr: masked(addr, bits), bits };
    if (prefix.addr.some((b, i) => b !== addr[i])) await warn(`Warning: AllowedIP has nonzero host part: ${formatPrefix({ addr, bits })}`);
    out.push(prefix);
  }
  return out;
}

/** config_read_cmd: `wg set`'s words after the interface. */
export async function parseSetWords(sys: Sys, words: string[], readFile: ReadFile, warn: Warn): Promise<WgDeviceConfig | null> {
  const dev: WgDeviceConfig = { peers: [] };
  let peer: WgPeerConfig | null = null;
  for (let i = 0; i < words.length; ) {
    const w = words[i]!;
    const v = words[i + 1];
    const has = v !== undefined;
    if (w === 'listen-port' && has && !peer) {
      const p = await parsePort(v, warn);
      if (p === null) return null;
      dev.listenPort = p;
    } else if (w === 'fwmark' && has && !peer) {
      const m = await parseFwmark(v, warn);
      if (m === null) return null;
      dev.fwmark = m;
    } else if (w === 'private-key' && has && !peer) {
      const k = await parseKeyFile(v, readFile, warn);
      if (k === null) return null;
      dev.privateKey = k;
    } else if (w === 'peer' && has) {
      const k = await parseKey(v, warn);
      if (k === null) return null;
      peer = { publicKey: k, allowedIps: [] };
      dev.peers.push(peer);
    } else if (w === 'remove' && peer) {
      peer.remove = true;
      i += 1;
      continue;
    } else if (w === 'endpoint' && has && peer) {
      const e = await parseEndpoint(sys, v, warn);
      if (e === null) return null;
      peer.endpoint = e;
    } else if (w === 'allowed-ips' && has && peer) {
      const ips = await parseAllowedIps(v.replace(/[ \t\n\v\f\r]/g, ''), warn);
      if (ips === null) return null;
      peer.replaceAllowedIps = true;
      peer.allowedIps.push(...ips);
    } else if (w === 'persistent-keepalive' && has && peer) {
      const s = await parseKeepalive(v, warn);
      if (s === null) return null;
      peer.persistentKeepalive = s;
    } else if (w === 'preshared-key' && has && peer) {
      const k = await parseKeyFile(v, readFile, warn);
      if (k === null) return null;
      peer.presharedKey = k;
    } else {
      await warn(`Invalid argument: ${w}`);
      return null;
    }
    i += 2;
  }
  return dev;
}

/**
 * A configuration file (config_read_line/finish). `append` is addconf: no replace_peers, and only
 * what the file sets; otherwise private key, port and fwmark are all sent, zero when absent.
 */
export async function parseConfigFile(sys: Sys, text: string, append: boolean, warn: Warn): Promise<WgDeviceConfig | null> {
  const dev: WgDeviceConfig = { peers: [] };
  if (!append) Object.assign(dev, { replacePeers: true, privateKey: new Uint8Array(32), listenPort: 0, fwmark: 0 });
  let section: 'none' | 'interface' | 'peer' = 'none';
  let peer: WgPeerConfig | null = null;
  const peerKeys = new Set<WgPeerConfig>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').replace(/[ \t\n\v\f\r]/g, '');
    if (line === '') continue;
    if (line.startsWith('[')) {
      const name = line.toLowerCase();
      if (name === '[interface]') {
        section = 'interface';
        continue;
      }
      if (name === '[peer]') {
        section = 'peer';
        peer = { publicKey: new Uint8Array(32), allowedIps: [] };
        dev.peers.push(peer);
        continue;
      }
    }
    const eq = line.indexOf('=');
    const key = eq < 0 ? '' : line.slice(0, eq).toLowerCase();
    const value = eq < 0 ? '' : line.slice(eq + 1);
    let ok: boolean;
    if (section === 'interface' && key === 'listenport') ok = (dev.listenPort = (await parsePort(value, warn)) ?? -1) >= 0;
    else if (section === 'interface' && key === 'fwmark') ok = (dev.fwmark = (await parseFwmark(value, warn)) ?? -1) >= 0;
    else if (section === 'interface' && key === 'privatekey') {
      const k = await parseKey(value, warn);
      ok = k !== null;
      if (k) dev.privateKey = k;
    } else if (section === 'peer' && peer && key === 'endpoint') {
      const e = await parseEndpoint(sys, value, warn);
      ok = e !== null;
      if (e) peer.endpoint = e;
    } else if (section === 'peer' && peer && key === 'publickey') {
      const k = await parseKey(value, warn);
      ok = k !== null;
      if (k) {
        peer.publicKey = k;
        peerKeys.add(peer);
      }
    } else if (section === 'peer' && peer && key === 'allowedips') {
      const ips = await parseAllowedIps(value, warn);
      ok = ips !== null;
      if (ips) {
        peer.replaceAllowedIps = true;
        peer.allowedIps.push(...ips);
      }
    } else if (section === 'peer' && peer && key === 'persistentkeepalive') ok = (peer.persistentKeepalive = (await parseKeepalive(value, warn)) ?? -1) >= 0;
    else if (section === 'peer' && peer && key === 'presharedkey') {
      const k = await parseKey(value, warn);
      ok = k !== null;
      if (k) peer.presharedKey = k;
    } else {
      await warn(`Line unrecognized: \`${line}'`);
      ok = false;
    }
    if (!ok) {
      await warn('Configuration parsing error');
      return null;
    }
  }
  if (dev.peers.some((p) => !peerKeys.has(p))) {
    await warn('A peer is missing a public key');
    await warn('Invalid configuration');
    return null;
  }
  return dev;
}

/** userspace_set_device: the set=1 text for `dev`, ending with the empty line. */
export function setText(dev: WgDeviceConfig): string {
  const lines = ['set=1'];
  if (dev.privateKey) lines.push(`private_key=${keyToHex(dev.privateKey)}`);
  if (dev.listenPort !== undefined) lines.push(`listen_port=${dev.listenPort}`);
  if (dev.fwmark !== undefined) lines.push(`fwmark=${dev.fwmark}`);
  if (dev.replacePeers) lines.push('replace_peers=true');
  for (const p of dev.peers) {
    lines.push(`public_key=${keyToHex(p.publicKey)}`);
    if (p.remove) {
      lines.push('remove=true');
      continue;
    }
    if (p.presharedKey) lines.push(`preshared_key=${keyToHex(p.presharedKey)}`);
    if (p.endpoint) lines.push(`endpoint=${p.endpoint.addr}:${p.endpoint.port}`);
    if (p.persistentKeepalive !== undefined) lines.push(`persistent_keepalive_interval=${p.persistentKeepalive}`);
    if (p.replaceAllowedIps) lines.push('replace_allowed_ips=true');
    for (const ip of p.allowedIps) lines.push(`allowed_ip=${formatPrefix(ip)}`);
  }
  return `${lines.join('\n')}\n\n`;
}
