// Counts on the command line as head, tail and friends take them: "10", "-10", "+10", with the
// multiplier suffixes of coreutils (b 512, K/k 1024, M, G; KB/MB/GB in powers of 1000), and the
// obsolete "head -5" / "tail +5" forms rewritten into options before parsing.

import { strerror } from '../../kernel/abi/errno.js';
import { quote } from './errors.js';
import { table } from './table.js';

const MULT = table<number>({
  '': 1,
  b: 512,
  K: 1024,
  k: 1024,
  KiB: 1024,
  M: 1024 ** 2,
  MiB: 1024 ** 2,
  G: 1024 ** 3,
  GiB: 1024 ** 3,
  kB: 1000,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
});

export interface Count {
  n: number;
  /** Written with a leading sign: "-N" (all but the last N) or "+N" (from the Nth on). */
  sign: '' | '-' | '+';
}

/** A count, or the coreutils message for a bad one ("invalid number of lines: 'x'"). */
export function parseCount(s: string, what: string): Count | string {
  const m = /^\s*([+-]?)(\d+)([A-Za-z]*)$/.exec(s);
  const mult = m ? MULT[m[3]!] : undefined;
  if (!m || mult === undefined) return `invalid number of ${what}: ${quote(s)}`;
  const n = Number(m[2]) * mult;
  if (!Number.isSafeInteger(n)) return `invalid number of ${what}: ${quote(s)}: ${strerror('ERANGE')}`;
  return { n, sign: m[1] as Count['sign'] };
}

/** Rewrite an obsolete leading "-5" (or, for tail, "+5") into "-n 5" / "-n +5". */
export function rewriteObsoleteCount(argv: string[], allowPlus: boolean): string[] {
  const first = argv[1];
  if (first === undefined) return argv;
  const m = /^([-+])(\d+)([lcbkm]?)$/.exec(first);
  if (!m || (m[1] === '+' && !allowPlus)) return argv;
  const opt = m[3] === 'c' || m[3] === 'b' || m[3] === 'k' || m[3] === 'm' ? '-c' : '-n';
  const unit = m[3] === 'b' ? 'b' : m[3] === 'k' ? 'K' : m[3] === 'm' ? 'M' : '';
  return [argv[0]!, opt, `${m[1] === '+' ? '+' : ''}${m[2]}${unit}`, ...argv.slice(2)];
}
