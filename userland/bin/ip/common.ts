// What every `ip` object shares: the global options, iproute2's prefix matching of keywords, its
// error lines ("RTNETLINK answers: ..." and the "Error: ..." of the kernel's extended acks), and
// prefixes written A/N.

import { type ErrnoName, strerror } from '../../../kernel/abi/errno.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { parseIpv4 } from '../../../kernel/abi/wire/index.js';
import { writeAll } from '../../lib/io.js';

export interface IpOptions {
  family4: boolean;
  oneline: boolean;
  brief: boolean;
  stats: boolean;
}

/** iproute2's matches(): the word is a prefix of one of the keywords. */
export function matches(word: string, ...keywords: string[]): boolean {
  return word.length > 0 && keywords.some((k) => k.startsWith(word));
}

/** A message on stderr and the status iproute2 exits with for it. */
export async function fail(sys: Sys, message: string, status: number): Promise<number> {
  await writeAll(sys, 2, `${message}\n`);
  return status;
}

/** A refusal of the kernel, as iproute2 reports an rtnetlink error: status 2. */
export function rtnl(sys: Sys, errno: string, _what: string): Promise<number> {
  return fail(sys, `RTNETLINK answers: ${strerror(errno as ErrnoName)}`, 2);
}

const maskOf = (n: number) => (n === 0 ? 0 : (0xffff_ffff << (32 - n)) >>> 0);
const dotted = (m: number) => [24, 16, 8, 0].map((s) => (m >>> s) & 0xff).join('.');

/** "10.1.0.5/24" (or a bare address, /32) as address and dotted mask; null when not a prefix. */
export function parsePrefix(text: string): { addr: string; mask: string; len: number } | null {
  const m = /^([0-9.]+)(?:\/(\d{1,2}))?$/.exec(text);
  if (!m || parseIpv4(m[1]!) === null || !/^\d+\.\d+\.\d+\.\d+$/.test(m[1]!)) return null;
  const len = m[2] === undefined ? 32 : Number(m[2]);
  if (len > 32) return null;
  return { addr: m[1]!, mask: dotted(maskOf(len)), len };
}
