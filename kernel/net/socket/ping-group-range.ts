// net.ipv4.ping_group_range: the groups whose members may open ICMP datagram sockets ("lo hi",
// inclusive). Written as Linux's ipv4_ping_group_range handler takes it (checked on 6.18): one or
// two numbers in C's bases (010 is 8, 0x5 is 5), each at most GID_T_MAX; a sign, a word or nothing
// is EINVAL; with one number the high end stays; a range with lo > hi quietly becomes "1 0",
// which no group is in. Root is no exception: the range is all ping_init_sock looks at.

import type { ErrnoName } from '../../abi/errno.js';
import type { TableEntry } from '../../vfs/tablefs.js';

/** (gid_t)~0 - 1: the largest gid a range may name ((gid_t)-1 means "no group"). */
const GID_T_MAX = 4294967294;

/**
 * tunlab's default is systemd's "0 2147483647" (what Debian boots with), so every user can ping
 * through ping sockets; the kernel's own default is "1 0", nobody.
 */
export function defaultPingGroupRange(): [number, number] {
  return [0, 2147483647];
}

/** Whether a caller with this gid and these supplementary groups may open a ping socket. */
export function inPingGroupRange(range: readonly [number, number], gid: number, groups: readonly number[] = []): boolean {
  const [lo, hi] = range;
  if (gid >= lo && gid <= hi) return true;
  return groups.some((g) => g >= lo && g <= hi);
}

/** An unsigned number as the kernel's proc_get_long reads it (base 0), or null. */
function parseUnsigned(word: string): number | null {
  if (/^0x[0-9a-f]+$/i.test(word)) return parseInt(word.slice(2), 16);
  if (/^0[0-7]*$/.test(word)) return parseInt(word, 8);
  if (/^[1-9]\d*$/.test(word)) return Number(word);
  return null;
}

/** The /proc/sys file for `range` (changed in place by a write). */
export function pingGroupRangeFile(range: [number, number]): TableEntry {
  return {
    path: 'sys/net/ipv4/ping_group_range',
    read: () => `${range[0]}\t${range[1]}`,
    write(text: string): ErrnoName | null {
      // proc_dointvec reads as many numbers as the vector has and ignores what follows them.
      const words = text
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '')
        .slice(0, 2);
      if (words.length === 0) return 'EINVAL';
      const next: [number, number] = [range[0], range[1]];
      for (let i = 0; i < words.length; i++) {
        const v = parseUnsigned(words[i]!);
        if (v === null || v > GID_T_MAX) return 'EINVAL';
        next[i] = v;
      }
      if (next[0] > next[1]) {
        range[0] = 1;
        range[1] = 0;
      } else {
        range[0] = next[0];
        range[1] = next[1];
      }
      return null;
    },
  };
}
