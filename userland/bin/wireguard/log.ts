// wireguard-go's log (device/logger.go): LOG_LEVEL=silent, error (the default) or verbose/debug, every
// line on standard output as Go's log package prints it: "DEBUG: (wg0) 2026/01/01 00:00:10 Device
// started", the date and time local (UTC here).

import { isSysError } from '../../../kernel/abi/errno.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';

export const LOG_SILENT = 0;
export const LOG_ERROR = 1;
export const LOG_VERBOSE = 2;

/** LOG_LEVEL's value as wireguard-go's main.go reads it: anything unknown is "error". */
export function logLevelOf(env: string | undefined): number {
  switch (env) {
    case 'verbose':
    case 'debug':
      return LOG_VERBOSE;
    case 'silent':
      return LOG_SILENT;
    default:
      return LOG_ERROR;
  }
}

/** Go's log.Ldate|log.Ltime: "2006/01/02 15:04:05". */
export function goLogTime(wallNs: number): string {
  const d = new Date(Math.floor(wallNs / 1e6));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export class WgLog {
  private readonly enc = new TextEncoder();

  constructor(
    private readonly sys: Sys | null,
    readonly level: number,
    private readonly ifname: string,
    /** The wall clock, as the device last read it. */
    private readonly wallNs: () => number,
    /** Where lines go when there is no Sys (tests keep them). */
    readonly lines: string[] = [],
  ) {}

  get verboseEnabled(): boolean {
    return this.level >= LOG_VERBOSE;
  }

  verbose(msg: string): Promise<void> {
    return this.level >= LOG_VERBOSE ? this.line('DEBUG', msg) : Promise.resolve();
  }

  error(msg: string): Promise<void> {
    return this.level >= LOG_ERROR ? this.line('ERROR', msg) : Promise.resolve();
  }

  private async line(prefix: string, msg: string): Promise<void> {
    const text = `${prefix}: (${this.ifname}) ${goLogTime(this.wallNs())} ${msg}\n`;
    if (this.sys === null) {
      this.lines.push(text);
      return;
    }
    let bytes = this.enc.encode(text);
    try {
      while (bytes.length > 0) bytes = bytes.subarray(await this.sys.write(1, bytes));
    } catch (e) {
      // A log nobody reads (a closed pipe, a closed stdout) must not stop the tunnel.
      if (!isSysError(e)) throw e;
    }
  }
}
