// What ifconfig, route, arp and netstat share: the socket their ioctls go through, C-style number
// parsing, Haiku's error texts, free-form command lines, and the routing table layout.

import { type ErrnoName, isSysError, strerror } from '../../kernel/abi/errno.js';
import { IF_NAMESIZE, type Ifconf, type Ifreq } from '../../kernel/abi/if.js';
import { SIOCGIFCONF } from '../../kernel/abi/ioctl.js';
import { parseIpv4 } from '../../kernel/abi/wire/index.js';
import {
  RTF_DEFAULT,
  RTF_DYNAMIC,
  RTF_GATEWAY,
  RTF_HOST,
  RTF_LOCAL,
  RTF_MODIFIED,
  RTF_REJECT,
  type Rtentry,
} from '../../kernel/abi/route.js';
import { AF_INET, SOCK_DGRAM } from '../../kernel/abi/socket.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { type Command, command, EXIT_USAGE } from './cli.js';
import { eprint } from './io.js';

/** Exit status when the system refuses (EPERM, ENODEV ...), as Haiku's tools exit(1). */
export const EXIT_FAILURE = 1;
export { EXIT_USAGE };

/**
 * A command whose grammar is free-form words (Haiku's ifconfig, route, arp): commander handles
 * --help/-h and prints `usage` for it; every other word, dashed or not, comes back in args for the
 * program to parse itself.
 */
export function wordCommand(name: string, summary: string, usage: string): Command {
  return command(name, summary)
    .allowUnknownOption()
    .argument('[args...]')
    .configureHelp({ formatHelp: () => usage });
}

/** A usage error: the message (if any), then the usage text, on stderr; status 2. */
export async function usageError(sys: Sys, name: string, message: string | null, usage: string): Promise<number> {
  await eprint(sys, `${message !== null ? `${name}: ${message}\n` : ''}${usage}`);
  return EXIT_USAGE;
}

/** An error from a system call, as Haiku's strerror() words it. */
export function errText(e: unknown): string {
  if (isSysError(e)) return strerror(e.errno);
  throw e;
}

/** The socket every network ioctl goes through (Haiku's tools open one the same way). */
export async function netSocket(sys: Sys): Promise<number | null> {
  try {
    return await sys.socket(AF_INET, SOCK_DGRAM, 0);
  } catch (e) {
    if (isSysError(e)) return null;
    throw e;
  }
}

/** Run an ioctl; a SysError comes back as its errno name instead of being thrown. */
export async function tryIoctl(sys: Sys, fd: number, op: number, arg: unknown): Promise<ErrnoName | null> {
  try {
    await sys.ioctl(fd, op, arg);
    return null;
  } catch (e) {
    if (isSysError(e)) return e.errno;
    throw e;
  }
}

/** The names of every interface, in the kernel's order. */
export async function interfaceNames(sys: Sys, fd: number): Promise<string[]> {
  const conf: Ifconf = { ifc_req: [] };
  await sys.ioctl(fd, SIOCGIFCONF, conf);
  return conf.ifc_req.map((r: Ifreq) => r.ifr_name);
}

/** Interface names are at most IF_NAMESIZE-1 characters (Haiku's route: prepare_request). */
export function nameTooLong(name: string): boolean {
  return name.length >= IF_NAMESIZE;
}

/** Address family words, as Haiku's tools accept them. */
export function familyOf(word: string | undefined): 'inet' | 'inet6' | null {
  if (word === 'AF_INET' || word === 'inet' || word === 'ipv4') return 'inet';
  if (word === 'AF_INET6' || word === 'inet6' || word === 'ipv6') return 'inet6';
  return null;
}

/** A dotted-quad IPv4 address, or null. */
export function inetAddress(word: string | undefined): string | null {
  if (word === undefined) return null;
  const a = parseIpv4(word);
  return a === null ? null : word;
}

/**
 * C's strtol(s, NULL, 0): leading blanks, a sign, then 0x hex, 0 octal or decimal digits, stopping
 * at the first character that does not fit. No digits at all gives 0. Values clamp at the long range.
 */
export function strtol(s: string | undefined): number {
  if (s === undefined) return 0;
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return 0;
  const digits = m[2]!;
  let n: number;
  if (/^0[xX]/.test(digits)) n = parseInt(digits.slice(2), 16);
  else if (digits.startsWith('0')) n = digits.length > 1 ? parseInt(digits.slice(1), 8) : 0;
  else n = Number(digits);
  if (m[1] === '-') n = -n;
  const LONG_MAX = 2 ** 63 - 1;
  return Math.max(-LONG_MAX - 1, Math.min(LONG_MAX, n));
}

/** C's strtoul(s, &end, 10) for a prefix length: the number, or null when no digit was read. */
export function prefixLength(s: string | undefined): number | null {
  if (s === undefined) return null;
  const m = /^\s*([+-]?)(\d+)/.exec(s);
  if (!m) return null;
  // A negative value wraps around to a huge unsigned one: never a valid prefix.
  return m[1] === '-' && Number(m[2]) !== 0 ? Number.MAX_SAFE_INTEGER : Number(m[2]);
}

// ------------------------------------------------------------------ the routing table

const RT_FLAG_LETTERS: ReadonlyArray<readonly [number, string]> = [
  [RTF_DEFAULT, 'D'],
  [RTF_REJECT, 'R'],
  [RTF_HOST, 'H'],
  [RTF_LOCAL, 'L'],
  [RTF_DYNAMIC, 'D'],
  [RTF_MODIFIED, 'M'],
];

/** Haiku route's flag column: one letter per flag, '-' where unset (DEFAULT REJECT HOST LOCAL DYNAMIC MODIFIED). */
export function routeFlagLetters(flags: number): string {
  return RT_FLAG_LETTERS.map(([bit, letter]) => (flags & bit ? letter : '-')).join('');
}

/** The netmask column: host routes carry no mask in Haiku, shown as "-". */
export function routeMask(r: Rtentry): string {
  return r.rt_flags & RTF_HOST ? '-' : r.rt_genmask.sin_addr;
}

export function routeGateway(r: Rtentry): string {
  return r.rt_flags & RTF_GATEWAY && r.rt_gateway ? r.rt_gateway.sin_addr : '-';
}

/**
 * ipv4_first_mask_bit(): the lowest bit set in a mask (0 for a host route, 32 for none), by which
 * Haiku's routing table keeps its routes, the most specific first.
 */
function firstMaskBit(r: Rtentry): number {
  if (r.rt_flags & RTF_HOST) return 0;
  const m = r.rt_genmask.sin_addr.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  for (let bit = 0; bit < 32; bit++) if (Math.floor(m / 2 ** bit) % 2 === 1) return bit;
  return 32;
}

/**
 * Haiku's `route list` (route.cpp list_routes): a heading, 15-wide columns, optionally only one
 * interface's routes, in the order of Haiku's table (add_route inserts a route before the first
 * less specific one: host routes, then longer prefixes, the default last; equal ones in the order
 * added). An empty table prints nothing at all.
 */
export function formatRouteTable(routes: readonly Rtentry[], iface?: string): string {
  if (routes.length === 0) return '';
  const w = (s: string) => s.padStart(15);
  let out = 'IPv4 routing table:\n';
  out += `${w('Destination')} ${w('Netmask')} ${w('Gateway')} ${'Flags'.padEnd(6)} Interface\n`;
  const ordered = routes.map((r, i) => ({ r, i, bit: firstMaskBit(r) })).sort((a, b) => a.bit - b.bit || a.i - b.i);
  for (const { r } of ordered) {
    if (iface !== undefined && r.rt_dev !== iface) continue;
    out += `${w(r.rt_dst.sin_addr)} ${w(routeMask(r))} ${w(routeGateway(r))} ${routeFlagLetters(r.rt_flags)} ${r.rt_dev ?? '-'}\n`;
  }
  return out;
}
