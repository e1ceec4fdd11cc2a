// `wg show` and `wg showconf`, laid out as wireguard-tools 1.0.20210914's show.c and showconf.c
// print them: the pretty form (peers by latest handshake, newest first; "(hidden)" keys; "N B
// received"; "1 minute, 5 seconds ago"), one field per line for scripts, the tab-separated dump,
// and the configuration file form. Colours as wg's terminal.c gives them: on a terminal unless
// WG_COLOR_MODE=never (or NO_COLOR, TERM=dumb), always with WG_COLOR_MODE=always.

import { CLOCK_REALTIME, type Sys } from '../../../kernel/abi/syscalls.js';
import { isatty } from '../../lib/fileio.js';
import { keyToBase64 } from '../../lib/wireguard/keys.js';
import { formatPrefix } from '../../lib/wireguard/prefix.js';
import type { WgDevice, WgPeer } from '../../lib/wireguard/uapi-client.js';

const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';
const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';
const CYAN = '\x1b[36m';
const RED = '\x1b[31m';

export const SHOW_FIELDS =
  'public-key | private-key | listen-port | fwmark | peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | transfer | persistent-keepalive | dump';

/** Whether to colour: terminal.c's WG_COLOR_MODE, and the house's NO_COLOR and TERM=dumb. */
export async function useColor(sys: Sys): Promise<boolean> {
  const mode = sys.getenv('WG_COLOR_MODE');
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  if (sys.getenv('NO_COLOR') !== undefined || sys.getenv('TERM') === 'dumb') return false;
  return isatty(sys, 1);
}

type Paint = (codes: string, text: string) => string;
const painter = (color: boolean): Paint => (color ? (codes, text) => `${codes}${text}${RESET}` : (_c, text) => text);

/** pretty_time: "1 year, 2 days, 3 hours, 4 minutes, 5 seconds", units in cyan. */
export function prettyTime(left: number, paint: Paint = painter(false)): string {
  const parts: string[] = [];
  const units: Array<[number, string]> = [
    [365 * 24 * 3600, 'year'],
    [24 * 3600, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(left / size);
    left %= size;
    if (n) parts.push(`${n} ${paint(CYAN, `${name}${n === 1 ? '' : 's'}`)}`);
  }
  return parts.join(', ');
}

/** bytes(): B, then KiB, MiB, GiB, TiB with two decimals. */
export function prettyBytes(b: number, paint: Paint = painter(false)): string {
  const units = ['KiB', 'MiB', 'GiB'];
  if (b < 1024) return `${b} ${paint(CYAN, 'B')}`;
  for (let i = 0; i < units.length; i++) if (b < 1024 ** (i + 2)) return `${(b / 1024 ** (i + 1)).toFixed(2)} ${paint(CYAN, units[i]!)}`;
  return `${(b / 1024 ** 4).toFixed(2)} ${paint(CYAN, 'TiB')}`;
}

function ago(sec: number, now: number, paint: Paint): string {
  if (now === sec) return 'Now';
  if (now < sec) return `(${paint(RED, 'System clock wound backward; connection problems may ensue.')})`;
  return `${prettyTime(now - sec, paint)} ago`;
}

/** sort_peers: the newest handshake first, never-handshaken last; ties keep their order. */
function sortedPeers(peers: WgPeer[]): WgPeer[] {
  const never = (p: WgPeer) => p.lastHandshakeSec === 0 && p.lastHandshakeNsec === 0;
  return [...peers].sort((a, b) => {
    if (never(a) && !never(b)) return 1;
    if (never(b) && !never(a)) return -1;
    return b.lastHandshakeSec - a.lastHandshakeSec || b.lastHandshakeNsec - a.lastHandshakeNsec;
  });
}

const b64 = keyToBase64;

export async function prettyPrint(sys: Sys, dev: WgDevice, color: boolean): Promise<string> {
  const paint = painter(color);
  const now = Math.floor((await sys.clock_gettime(CLOCK_REALTIME)) / 1e9);
  let s = color ? RESET : '';
  const field = (label: string, value: string) => `  ${paint(BOLD, label)}: ${value}\n`;
  s += `${paint(GREEN + BOLD, 'interface')}: ${paint(GREEN, dev.name)}\n`;
  if (dev.publicKey) s += field('public key', b64(dev.publicKey));
  if (dev.privateKey) s += field('private key', '(hidden)');
  if (dev.listenPort) s += field('listening port', String(dev.listenPort));
  if (dev.fwmark) s += field('fwmark', `0x${dev.fwmark.toString(16)}`);
  const peers = sortedPeers(dev.peers);
  if (peers.length) s += '\n';
  peers.forEach((p, i) => {
    s += `${paint(YELLOW + BOLD, 'peer')}: ${paint(YELLOW, b64(p.publicKey))}\n`;
    if (p.presharedKey) s += field('preshared key', '(hidden)');
    if (p.endpoint) s += field('endpoint', p.endpoint);
    const ips = p.allowedIps.map((ip) => formatPrefix(ip).replace('/', paint(CYAN, '/')));
    s += field('allowed ips', ips.length ? ips.join(', ') : '(none)');
    if (p.lastHandshakeSec) s += field('latest handshake', ago(p.lastHandshakeSec, now, paint));
    if (p.rxBytes || p.txBytes) s += field('transfer', `${prettyBytes(p.rxBytes, paint)} received, ${prettyBytes(p.txBytes, paint)} sent`);
    if (p.persistentKeepalive) s += field('persistent keepalive', `every ${prettyTime(p.persistentKeepalive, paint)}`);
    if (i < peers.length - 1) s += '\n';
  });
  return s;
}

const maybeKey = (k: Uint8Array | null) => (k ? b64(k) : '(none)');

/** ugly_print: one field, a line per peer (with the interface first for `all`); null if unknown. */
export function uglyPrint(dev: WgDevice, param: string, withInterface: boolean): string | null {
  const pre = withInterface ? `${dev.name}\t` : '';
  const perPeer = (f: (p: WgPeer) => string) => dev.peers.map((p) => `${pre}${b64(p.publicKey)}\t${f(p)}\n`).join('');
  const ips = (p: WgPeer, sep: string) => (p.allowedIps.length ? p.allowedIps.map(formatPrefix).join(sep) : '(none)');
  switch (param) {
    case 'public-key':
      return `${pre}${maybeKey(dev.publicKey)}\n`;
    case 'private-key':
      return `${pre}${maybeKey(dev.privateKey)}\n`;
    case 'listen-port':
      return `${pre}${dev.listenPort}\n`;
    case 'fwmark':
      return `${pre}${dev.fwmark ? `0x${dev.fwmark.toString(16)}` : 'off'}\n`;
    case 'endpoints':
      return perPeer((p) => p.endpoint ?? '(none)');
    case 'allowed-ips':
      return perPeer((p) => ips(p, ' '));
    case 'latest-handshakes':
      return perPeer((p) => String(p.lastHandshakeSec));
    case 'transfer':
      return perPeer((p) => `${p.rxBytes}\t${p.txBytes}`);
    case 'persistent-keepalive':
      return perPeer((p) => (p.persistentKeepalive ? String(p.persistentKeepalive) : 'off'));
    case 'preshared-keys':
      return perPeer((p) => maybeKey(p.presharedKey));
    case 'peers':
      return dev.peers.map((p) => `${pre}${b64(p.publicKey)}\n`).join('');
    case 'dump': {
      let s = `${pre}${maybeKey(dev.privateKey)}\t${maybeKey(dev.publicKey)}\t${dev.listenPort}\t${dev.fwmark ? `0x${dev.fwmark.toString(16)}` : 'off'}\n`;
      for (const p of dev.peers) {
        s += `${pre}${b64(p.publicKey)}\t${maybeKey(p.presharedKey)}\t${p.endpoint ?? '(none)'}\t${ips(p, ',')}\t${p.lastHandshakeSec}\t${p.rxBytes}\t${p.txBytes}\t${p.persistentKeepalive || 'off'}\n`;
      }
      return s;
    }
    default:
      return null;
  }
}
