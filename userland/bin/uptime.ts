// uptime: how long the host has been up, in procps' one-line form
// " 00:05:12 up 5 min, load average: 0.00, 0.00, 0.00": the wall clock (UTC), the time since boot
// from CLOCK_MONOTONIC, and load averages (tunlab keeps none: always 0.00). There is no utmp, so
// the user count procps prints is left out.

import { defineProgram } from '../../kernel/abi/program.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { guarded, out } from '../lib/guard.js';
import { strftime } from '../lib/strftime.js';

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

export function uptimeLine(nowNs: number, upNs: number): string {
  const up = Math.floor(upNs / 1e9);
  const days = Math.floor(up / 86400);
  const hours = Math.floor(up / 3600) % 24;
  const mins = Math.floor(up / 60) % 60;
  let s = ` ${strftime('%H:%M:%S', nowNs)} up `;
  if (days) s += `${plural(days, 'day')}, `;
  s += hours ? `${String(hours).padStart(2)}:${String(mins).padStart(2, '0')}, ` : `${mins} min, `;
  return `${s}load average: 0.00, 0.00, 0.00`;
}

/** procps' uptime -p: "up 1 day, 2 hours, 5 minutes". */
export function prettyUptime(upNs: number): string {
  const up = Math.floor(upNs / 1e9);
  const weeks = Math.floor(up / 604800);
  const days = Math.floor(up / 86400) % 7;
  const hours = Math.floor(up / 3600) % 24;
  const mins = Math.floor(up / 60) % 60;
  const parts: string[] = [];
  if (weeks) parts.push(plural(weeks, 'week'));
  if (days) parts.push(plural(days, 'day'));
  if (hours) parts.push(plural(hours, 'hour'));
  if (mins || parts.length === 0) parts.push(plural(mins, 'minute'));
  return `up ${parts.join(', ')}`;
}

export default defineProgram({
  name: 'uptime',
  summary: 'tell how long the system has been running',
  main: guarded('uptime', async (argv, sys) => {
    const cmd = command('uptime', 'tell how long the system has been running')
      .option('-p, --pretty', 'show uptime in pretty format')
      .option('-s, --since', 'system up since, in yyyy-mm-dd HH:MM:SS format');
    const r = await parse<{ pretty?: boolean; since?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const now = await sys.clock_gettime(CLOCK_REALTIME);
    const up = await sys.clock_gettime(CLOCK_MONOTONIC);
    if (r.opts.since) await out(sys, `${strftime('%Y-%m-%d %H:%M:%S', now - up)}\n`);
    else if (r.opts.pretty) await out(sys, `${prettyUptime(up)}\n`);
    else await out(sys, `${uptimeLine(now, up)}\n`);
    return 0;
  }),
});
