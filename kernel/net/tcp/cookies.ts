// SYN cookies (as Linux's syncookies.c encodes them): when the SYN queue is full, or always with
// tcp_syncookies=2, the SYN-ACK's ISN carries the state and nothing is kept. The ISN is a keyed
// hash of the 4-tuple and the peer's ISN, a minute counter in the top 8 bits and an index into
// a table of four MSS values in the low bits; a cookie is good for two minutes. With timestamps,
// the TSval's low 6 bits carry the window scale (0xf for none), SACK-permitted and ECN.

import type { SequenceKeys } from './isn.js';

const COOKIEBITS = 24;
const COOKIEMASK = (1 << COOKIEBITS) - 1;
const MAX_SYNCOOKIE_AGE = 2;
/** The MSS values a cookie can say (msstab). */
export const COOKIE_MSS = [536, 1300, 1440, 1460] as const;
const TSBITS = 6;
const TS_OPT_WSCALE_MASK = 0xf;
const TS_OPT_SACK = 0x10;
const TS_OPT_ECN = 0x20;

export interface CookieTuple {
  saddr: number;
  daddr: number;
  sport: number;
  dport: number;
}

/** tcp_cookie_time: minutes of the monotonic clock. */
function cookieTime(nowNs: number): number {
  return Math.floor(nowNs / 60e9) >>> 0;
}

/** The largest table MSS not above the peer's; its index is what the cookie keeps. */
export function cookieMssIndex(mss: number): number {
  for (let i = COOKIE_MSS.length - 1; i > 0; i--) if (mss >= COOKIE_MSS[i]!) return i;
  return 0;
}

export function cookieIsn(keys: SequenceKeys, t: CookieTuple, peerIsn: number, mssIndex: number, nowNs: number): number {
  const count = cookieTime(nowNs);
  const base = keys.cookieHash(t.saddr, t.daddr, t.sport, t.dport, 0, 0);
  const h = keys.cookieHash(t.saddr, t.daddr, t.sport, t.dport, count, 1);
  return (base + peerIsn + count * 2 ** COOKIEBITS + ((h + mssIndex) & COOKIEMASK)) >>> 0;
}

/** The MSS index a cookie carries, or -1 when it is not ours or too old. */
export function cookieCheck(keys: SequenceKeys, t: CookieTuple, peerIsn: number, cookie: number, nowNs: number): number {
  const count = cookieTime(nowNs);
  const base = keys.cookieHash(t.saddr, t.daddr, t.sport, t.dport, 0, 0);
  const c = (cookie - base - peerIsn) >>> 0;
  const diff = (count - (c >>> COOKIEBITS)) & (0xffffffff >>> COOKIEBITS);
  if (diff >= MAX_SYNCOOKIE_AGE) return -1;
  const h = keys.cookieHash(t.saddr, t.daddr, t.sport, t.dport, (count - diff) >>> 0, 1);
  const mssIndex = ((c - h) >>> 0) & COOKIEMASK;
  return mssIndex < COOKIE_MSS.length ? mssIndex : -1;
}

/** cookie_init_timestamp: a TSval no later than now whose low bits say the options. */
export function cookieTimestamp(tsNowMs: number, wscale: number | null, sack: boolean, ecn: boolean): number {
  let options = wscale === null ? TS_OPT_WSCALE_MASK : wscale;
  if (sack) options |= TS_OPT_SACK;
  if (ecn) options |= TS_OPT_ECN;
  let ts = ((tsNowMs >>> TSBITS) << TSBITS) >>> 0;
  ts = (ts | options) >>> 0;
  if (ts > tsNowMs >>> 0) ts = (ts - (1 << TSBITS)) >>> 0;
  return ts;
}

/** What the echoed TSval of a cookie's ACK says (cookie_timestamp_decode). */
export function cookieOptions(tsecr: number): { wscale: number | null; sack: boolean; ecn: boolean } | null {
  const options = tsecr & ((1 << TSBITS) - 1);
  const ws = options & TS_OPT_WSCALE_MASK;
  if (ws !== TS_OPT_WSCALE_MASK && ws > 14) return null;
  return { wscale: ws === TS_OPT_WSCALE_MASK ? null : ws, sack: (options & TS_OPT_SACK) !== 0, ecn: (options & TS_OPT_ECN) !== 0 };
}
