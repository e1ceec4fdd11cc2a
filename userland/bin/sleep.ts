// sleep: pause for NUMBER[SUFFIX]... seconds (s, m, h, d; fractions allowed; the operands add up),
// with nanosleep() on the kernel clock. A signal that interrupts it (EINTR) ends it.

import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { quote, usageError } from '../lib/errors.js';
import { guarded } from '../lib/guard.js';
import { table } from '../lib/table.js';

const UNIT = table<number>({ '': 1, s: 1, m: 60, h: 3600, d: 86400 });
/** The longest single nanosleep(): longer sleeps are done in pieces. */
const MAX_SLEEP_NS = 1e18;

/** Seconds in an interval operand, Infinity for "inf", null when invalid. */
export function parseInterval(s: string): number | null {
  const m = /^\+?((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?)([smhd]?)$/i.exec(s);
  if (!m) return null;
  const n = /^inf/i.test(m[1]!) ? Infinity : Number(m[1]);
  return Number.isNaN(n) ? null : n * UNIT[m[2]!]!;
}

export default defineProgram({
  name: 'sleep',
  summary: 'delay for a specified amount of time',
  main: guarded('sleep', async (argv, sys) => {
    const cmd = command('sleep', 'pause for NUMBER seconds; SUFFIX may be s (seconds), m (minutes), h (hours) or d (days); the operands add up')
      .argument('[number...]', 'NUMBER[SUFFIX]');
    const r = await parse(sys, cmd, argv);
    if ('status' in r) return r.status;
    if (r.args.length === 0) return usageError(sys, cmd, 'missing operand');
    let seconds = 0;
    for (const a of r.args) {
      const s = parseInterval(a);
      if (s === null) return usageError(sys, cmd, `invalid time interval ${quote(a)}`);
      seconds += s;
    }
    let left = seconds * 1e9;
    try {
      while (left > 0) {
        const step = Math.min(left, MAX_SLEEP_NS);
        await sys.nanosleep(step);
        left -= step;
      }
    } catch (e) {
      if (!isSysError(e, 'EINTR')) throw e;
    }
    return 0;
  }),
});
