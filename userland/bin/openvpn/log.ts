// OpenVPN's log as 2.6 writes it to standard output: each line prefixed with the wall-clock time
// ("2026-01-01 00:00:10 ", UTC here, local time in OpenVPN), " us=N" added from verb 4 on, and
// nothing for "Options error" lines. Verb 5 adds one R/W/r/w character per packet without a newline.
//
// Levels used (errlevel.h, checked against 2.6.14 runs at each verb):
//   0  fatal errors and M_WARN lines          1  startup info, peer, errors (M_INFO, D_CRYPT_ERRORS)
//   2  Data Channel / Timers / Closing TUN    3  Socket Buffers, route commands (D_ROUTE)
//   4  keys, MTU parms, us= timestamps        5  RrWw characters
//   6  TUN/UDP READ/WRITE lengths             7  pings, OCC strings, key bytes
//   9  hex dumps (ENCRYPT/DECRYPT, DATA), OCC messages

import { isSysError } from '../../../kernel/abi/errno.js';
import { CLOCK_REALTIME, type Sys } from '../../../kernel/abi/syscalls.js';
import { formatTimeUtc } from './data-channel.js';

export const M_FATAL = 0;
export const M_WARN = 0;
export const M_INFO = 1;
export const D_CRYPT_ERRORS = 1;
export const D_LINK_ERRORS = 1;
export const D_HANDSHAKE = 2;
export const D_ROUTE = 3;
export const D_SHOW_PARMS = 4;
export const D_LOW = 4;
export const D_LOG_RW = 5;
export const D_LINK_RW = 6;
export const D_PING = 7;
export const D_SHOW_OCC = 7;
export const D_SHOW_KEYS = 7;
export const D_PACKET_CONTENT = 9;

/** Thrown to end the program after "Exiting due to fatal error" (exit status 1). */
export class FatalError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
  }
}

export class Logger {
  verb = 1;
  suppressTimestamps = false;
  private readonly enc = new TextEncoder();

  constructor(private readonly sys: Sys) {}

  enabled(level: number): boolean {
    return level <= this.verb;
  }

  /** msg(level, text): one line with OpenVPN's prefix, if the verbosity lets it through. */
  async msg(level: number, text: string, verb: number = this.verb): Promise<void> {
    if (level > verb) return;
    await this.out(`${await this.prefix(verb)}${text}\n`);
  }

  /** A line without prefix: "Options error: ..." and the help text. */
  async raw(text: string): Promise<void> {
    await this.out(text.endsWith('\n') ? text : `${text}\n`);
  }

  /**
   * Whether rw() prints: the per-packet paths ask first, so that at other verbs they build no line
   * and take no turn of an await.
   */
  get logsRw(): boolean {
    return this.verb === D_LOG_RW;
  }

  /** The verb 5 packet characters: R/W for the link, r/w for the tun. */
  async rw(c: 'R' | 'W' | 'r' | 'w'): Promise<void> {
    if (this.verb === D_LOG_RW) await this.out(c);
  }

  private async prefix(verb: number): Promise<string> {
    if (this.suppressTimestamps) return '';
    const ns = await this.sys.clock_gettime(CLOCK_REALTIME);
    const secs = Math.floor(ns / 1e9);
    const usec = Math.floor((ns - secs * 1e9) / 1e3);
    return verb >= 4 ? `${formatTimeUtc(secs)} us=${usec} ` : `${formatTimeUtc(secs)} `;
  }

  private async out(text: string): Promise<void> {
    let bytes = this.enc.encode(text);
    try {
      while (bytes.length > 0) bytes = bytes.subarray(await this.sys.write(1, bytes));
    } catch (e) {
      // A log nobody reads (a closed pipe) must not stop the tunnel.
      if (!isSysError(e)) throw e;
    }
  }
}

/**
 * format_hex(data, maxoutput 80): bytes in groups of four, space-separated, into an 80-byte buffer;
 * a longer dump is cut to 70 characters and ends with "[more...]".
 */
export function formatHex(data: Uint8Array, maxOutput = 80): string {
  let s = '';
  for (let i = 0; i < data.length; i++) {
    if (i > 0 && i % 4 === 0) s += ' ';
    s += (data[i] as number).toString(16).padStart(2, '0');
    if (s.length >= maxOutput) break;
  }
  if (s.length > maxOutput - 1) return `${s.slice(0, maxOutput - 10)}[more...]`;
  return s;
}

/** "[AF_INET]1.2.3.4:1194", as print_link_socket_actual() prints an address. */
export function printAddr(addr: string, port: number): string {
  return `[AF_INET]${addr}:${port}`;
}
