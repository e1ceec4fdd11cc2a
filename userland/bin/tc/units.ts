// iproute2's numbers with units, read and written as tc does (utils.c, tc_util.c, tc_core.c):
// times (10ms), rates (10mbit, bits unless said in bytes), sizes (32kbit, 10k = 10240 bytes),
// percentages ("1%" and "1" are both one percent) and the "%.3g"-style printing tc shows them back
// in. The kernel's psched clock ticks 64 ns: tc turns a time into ticks, and what `tc qdisc show`
// prints went through them, so 1.5ms is stored as 1.499968 ms and printed as 1.5ms again.

/** The host's /proc/net/psched: 1000/64 ticks per microsecond (a tick is 64 ns). */
const TICKS_PER_US = 1000 / 64;
const NS_PER_TICK = 64;
export const UINT32_MAX = 0xffff_ffff;

/** strtod's reading of a leading number: the value and the rest, or null when there is none. */
function leadingNumber(s: string): { value: number; rest: string } | null {
  const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(s);
  if (!m) return null;
  return { value: Number(m[0]), rest: s.slice(m[0].length) };
}

/** get_time: microseconds (s, sec, secs, ms, msec, msecs, us, usec, usecs; none: us), or null. */
export function parseTimeUs(s: string): number | null {
  const n = leadingNumber(s);
  if (!n || n.value < 0) return null;
  const unit = new Map([['s', 1e6], ['sec', 1e6], ['secs', 1e6], ['ms', 1e3], ['msec', 1e3], ['msecs', 1e3], ['us', 1], ['usec', 1], ['usecs', 1], ['', 1]]).get(n.rest);
  if (unit === undefined) return null;
  const us = Math.floor(n.value * unit);
  return us <= UINT32_MAX ? us : null;
}

/** A time as the kernel keeps it: whole psched ticks, in ns; null when the ticks overflow 32 bits. */
export function usToTickedNs(us: number): number | null {
  const ticks = Math.floor(us * TICKS_PER_US);
  return ticks > UINT32_MAX ? null : ticks * NS_PER_TICK;
}

/** tc_core_tick2time: the whole microseconds tc shows for a time the kernel keeps in ns. */
export function tickedNsToUs(ns: number): number {
  return Math.floor(Math.floor(ns / NS_PER_TICK) / TICKS_PER_US);
}

/** C's printf("%.Ng"). */
export function formatG(x: number, precision = 6): string {
  if (x === 0) return '0';
  const exp = Number(x.toExponential(precision - 1).split('e')[1]);
  if (exp < -4 || exp >= precision) {
    const [m, e] = x.toExponential(precision - 1).split('e');
    const mant = m!.includes('.') ? m!.replace(/\.?0+$/, '') : m!;
    const en = Number(e);
    return `${mant}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, precision - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** print_time: microseconds as 100ms, 1.5ms, 2s, 750us. */
export function formatTimeUs(us: number): string {
  if (us >= 1e6) return `${formatG(us / 1e6, 3)}s`;
  if (us >= 1e3) return `${formatG(us / 1e3, 3)}ms`;
  return `${us}us`;
}

const RATE_UNITS: ReadonlyMap<string, number> = new Map([
  ['bit', 1], ['kibit', 1024], ['kbit', 1000], ['mibit', 1024 ** 2], ['mbit', 1e6], ['gibit', 1024 ** 3], ['gbit', 1e9],
  ['tibit', 1024 ** 4], ['tbit', 1e12], ['bps', 8], ['kibps', 8 * 1024], ['kbps', 8000], ['mibps', 8 * 1024 ** 2], ['mbps', 8e6],
  ['gibps', 8 * 1024 ** 3], ['gbps', 8e9], ['tibps', 8 * 1024 ** 4], ['tbps', 8e12],
]);

/** get_rate64: bytes per second (a bare number is bits per second), or null. */
export function parseRate(s: string): number | null {
  const n = leadingNumber(s);
  if (!n || n.value < 0) return null;
  const unit = n.rest === '' ? 1 : RATE_UNITS.get(n.rest.toLowerCase());
  if (unit === undefined) return null;
  const bytes = Math.floor((n.value * unit) / 8);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** tc_print_rate: bytes per second as 10Mbit, 2500Kbit, 800bit. */
export function formatRate(bytesPerSec: number): string {
  const units = ['', 'K', 'M', 'G', 'T'];
  let rate = bytesPerSec * 8;
  let i = 0;
  for (; i < units.length - 1; i++) {
    if (rate < 1000) break;
    if (rate % 1000 !== 0 && rate < 1000 * 1000) break;
    rate /= 1000;
  }
  return `${Math.round(rate)}${units[i]}bit`;
}

const SIZE_UNITS: ReadonlyMap<string, number> = new Map([
  ['', 1], ['b', 1], ['k', 1024], ['kb', 1024], ['m', 1024 ** 2], ['mb', 1024 ** 2], ['g', 1024 ** 3], ['gb', 1024 ** 3],
  ['kbit', 1024 / 8], ['mbit', 1024 ** 2 / 8], ['gbit', 1024 ** 3 / 8],
]);

/** get_size: bytes (k = 1024, kbit = 128), or null. */
export function parseSize(s: string): number | null {
  const n = leadingNumber(s);
  if (!n || n.value < 0) return null;
  const unit = SIZE_UNITS.get(n.rest.toLowerCase());
  if (unit === undefined) return null;
  const bytes = Math.floor(n.value * unit);
  return bytes <= UINT32_MAX ? bytes : null;
}

/** sprint_size: 10Kb, 1Mb, 1600b. */
export function formatSize(sz: number): string {
  if (sz >= 1024 * 1024 && Math.abs(1024 * 1024 * Math.round(sz / (1024 * 1024)) - sz) < 1024) return `${formatG(Math.round(sz / (1024 * 1024)))}Mb`;
  if (sz >= 1024 && Math.abs(1024 * Math.round(sz / 1024) - sz) < 16) return `${formatG(Math.round(sz / 1024))}Kb`;
  return `${sz}b`;
}

/** parse_percent then set_percent: "1%" or "1" is 1 %, as netem's fraction of 2^32 - 1; null outside 0..100 %. */
export function parsePercent(s: string): number | null {
  const n = leadingNumber(s);
  if (!n || (n.rest !== '' && n.rest !== '%')) return null;
  const p = n.value / 100;
  if (!(p >= 0 && p <= 1)) return null;
  return Math.round(p * UINT32_MAX);
}

/** A netem probability as tc prints it: 1%, 0.1%. */
export function formatPercent(p: number): string {
  return `${formatG((100 * p) / UINT32_MAX)}%`;
}
