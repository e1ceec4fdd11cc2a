// date: print the date and time as GNU date does, always in UTC (tunlab hosts have no time
// zone): "Mon Nov 23 19:18:17 UTC 2026" by default, or +FORMAT with strftime conversions.
// -d takes @SECONDS or an ISO 8601 date; -r a file's modification time. Setting the clock is
// not possible (there is no settimeofday).

import { defineProgram } from '../../kernel/abi/program.js';
import { CLOCK_REALTIME } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { quote, usageError, warn, warnErr } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';
import { strftime } from '../lib/strftime.js';

export const DEFAULT_DATE_FORMAT = '%a %b %e %H:%M:%S %Z %Y';

/** Parse the date strings tunlab understands; null for anything else. */
export function parseDate(s: string, nowNs: number): number | null {
  const t = s.trim();
  if (t === '' || t === 'now') return nowNs;
  let m = /^@([+-]?\d{1,15})(?:\.(\d{1,9}))?$/.exec(t);
  if (m) return Number(m[1]) * 1e9 + (m[1]!.startsWith('-') ? -1 : 1) * Number((m[2] ?? '').padEnd(9, '0'));
  m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d{1,9}))?)?\s*(?:Z|UTC|\+00:?00)?$/i.exec(t);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => Number(m![i] ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  if (new Date(ms).getUTCDate() !== d) return null;
  return ms * 1e6 + Number((m[7] ?? '').padEnd(9, '0'));
}

interface Options {
  date?: string;
  reference?: string;
  utc?: boolean;
  rfcEmail?: boolean;
}

export default defineProgram({
  name: 'date',
  summary: 'print the system date and time',
  main: guarded('date', async (argv, sys) => {
    const cmd = command('date', 'display the current time (UTC) in the given FORMAT')
      .option('-d, --date <string>', 'display time described by STRING (@SECONDS or YYYY-MM-DD[ HH:MM[:SS]])')
      .option('-r, --reference <file>', 'display the last modification time of FILE')
      .option('-R, --rfc-email', 'output date and time in RFC 5322 format')
      .option('-u, --utc', 'print Coordinated Universal Time (always the case)')
      .argument('[+format]', 'strftime conversions: %a %A %b %B %c %d %D %e %F %H %I %j %k %l %m %M %n %N %p %r %R %s %S %t %T %u %V %w %x %X %y %Y %z %Z %%');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const { opts, args } = r;
    if (opts.date !== undefined && opts.reference !== undefined) return usageError(sys, cmd, 'the options to specify dates for printing are mutually exclusive');
    let fmt = opts.rfcEmail ? '%a, %d %b %Y %H:%M:%S %z' : DEFAULT_DATE_FORMAT;
    if (args[0] !== undefined) {
      if (!args[0].startsWith('+')) {
        // An operand that is not +FORMAT would set the clock; it is a date to parse first.
        await warn(sys, 'date', `invalid date ${quote(args[0])}`);
        return 1;
      }
      if (opts.rfcEmail) return usageError(sys, cmd, 'multiple output formats specified');
      fmt = args[0].slice(1);
    }
    const now = await sys.clock_gettime(CLOCK_REALTIME);
    let when = now;
    if (opts.date !== undefined) {
      const t = parseDate(opts.date, now);
      if (t === null) {
        await warn(sys, 'date', `invalid date ${quote(opts.date)}`);
        return 1;
      }
      when = t;
    } else if (opts.reference !== undefined) {
      try {
        when = (await sys.stat(opts.reference)).st_mtime_ns;
      } catch (e) {
        await warnErr(sys, 'date', opts.reference, e);
        return 1;
      }
    }
    await out(sys, `${strftime(fmt, when)}\n`);
    return 0;
  }),
});
