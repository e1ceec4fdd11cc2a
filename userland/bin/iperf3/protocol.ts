// iperf3's control protocol (iperf_api.c, 3.x): a 37-byte cookie opens the control connection and
// each data stream, the server drives the test with one signed state byte at a time, and the two
// ends swap their parameters and results as JSON behind a 4-byte big-endian length. Speaking it
// exactly is what lets tunlab's iperf3 meet a real iperf3 across a tunnel.

import { isSysError } from '../../../kernel/abi/errno.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { sendAll } from '../../lib/inet.js';
import { RandomPool } from '../../lib/random.js';

export const TEST_START = 1;
export const TEST_RUNNING = 2;
export const TEST_END = 4;
export const PARAM_EXCHANGE = 9;
export const CREATE_STREAMS = 10;
export const SERVER_TERMINATE = 11;
export const CLIENT_TERMINATE = 12;
export const EXCHANGE_RESULTS = 13;
export const DISPLAY_RESULTS = 14;
export const IPERF_DONE = 16;
export const ACCESS_DENIED = -1;
export const SERVER_ERROR = -2;

export const COOKIE_SIZE = 37;
/** What a UDP stream's first datagram says, and what the server answers ("6789", "9876"). */
export const UDP_CONNECT_MSG = 0x36373839;
export const UDP_CONNECT_REPLY = 0x39383736;
/** Older servers answer 987654321; a client accepts both. */
export const LEGACY_UDP_CONNECT_REPLY = 987654321;

export const DEFAULT_PORT = 5201;
export const DEFAULT_TCP_BLKSIZE = 128 * 1024;
export const DEFAULT_UDP_RATE = 1024 * 1024;
export const MAX_JSON = 1 << 20;

/** A peer that broke the protocol or went away: iperf3's "error - ..." text. */
export class IperfError {
  constructor(readonly message: string) {}
}

export async function makeCookie(sys: Sys): Promise<Uint8Array> {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const pool = new RandomPool(sys);
  const r = await pool.bytes(COOKIE_SIZE - 1);
  await pool.close();
  const c = new Uint8Array(COOKIE_SIZE);
  for (let i = 0; i < COOKIE_SIZE - 1; i++) c[i] = alphabet.charCodeAt(r[i]! & 31);
  return c;
}

/** Read exactly n bytes, or fail as iperf3's Nread does when the peer closes. */
export async function readExact(sys: Sys, fd: number, n: number, what = 'control socket has closed unexpectedly'): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    let d: Uint8Array;
    try {
      d = await sys.read(fd, n - got);
    } catch (e) {
      if (isSysError(e)) throw new IperfError(what);
      throw e;
    }
    if (d.length === 0) throw new IperfError(what);
    out.set(d, got);
    got += d.length;
  }
  return out;
}

export async function sendState(sys: Sys, fd: number, state: number): Promise<void> {
  await sendAll(sys, fd, Uint8Array.of(state & 0xff));
}

export async function readState(sys: Sys, fd: number): Promise<number> {
  const b = (await readExact(sys, fd, 1))[0]!;
  return b > 127 ? b - 256 : b;
}

export async function sendJson(sys: Sys, fd: number, value: unknown): Promise<void> {
  const body = new TextEncoder().encode(JSON.stringify(value));
  const msg = new Uint8Array(4 + body.length);
  new DataView(msg.buffer).setUint32(0, body.length);
  msg.set(body, 4);
  await sendAll(sys, fd, msg);
}

export async function readJson(sys: Sys, fd: number): Promise<Record<string, unknown>> {
  const len = new DataView((await readExact(sys, fd, 4)).buffer).getUint32(0);
  if (len > MAX_JSON) throw new IperfError('unable to receive parameters from client');
  const text = new TextDecoder().decode(await readExact(sys, fd, len));
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // falls through to the error below
  }
  throw new IperfError('unable to parse JSON from peer');
}
