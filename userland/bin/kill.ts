// kill: send a signal to processes, with the syntax and messages of bash's kill (which Haiku's
// shell provides): kill [-s SIGSPEC | -n SIGNUM | -SIGSPEC] PID|JOBSPEC..., kill -l [SIGSPEC...].
// A PID of -N signals process group N. A program has no jobs, so %JOB is "no such job". Signal
// names and numbers are Haiku's (kernel/abi/signal.ts).

import { isSysError, strerror } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { SIGNAL_NAMES, SIGTERM, signalNumber } from '../../kernel/abi/signal.js';
import { command, parse } from '../lib/cli.js';
import { usageError, warn } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';

/** bash's `kill -l`: " 1) SIGHUP" entries, five to a line, tab-separated. */
export function signalTable(): string {
  let s = '';
  let column = 0;
  for (const num of Object.keys(SIGNAL_NAMES).map(Number).sort((a, b) => a - b)) {
    s += `${String(num).padStart(2)}) ${SIGNAL_NAMES[num]}`;
    if (++column < 5) s += '\t';
    else {
      s += '\n';
      column = 0;
    }
  }
  return column !== 0 ? `${s}\n` : s;
}

/** A signal spec: a name (with or without SIG, any case) or a number; 0 checks existence. */
function resolveSignal(spec: string): number | undefined {
  if (spec === '0') return 0;
  return signalNumber(spec);
}

/** bash takes -SIG anywhere before the first operand; turn it into -s so commander can parse. */
function normalise(argv: string[]): string[] {
  const outArgs = [argv[0]!];
  let i = 1;
  let signalGiven = false;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '-s' || a === '-n' || a === '--signal') {
      outArgs.push(a);
      if (i + 1 < argv.length) outArgs.push(argv[++i]!);
      signalGiven = true;
    } else if (/^-[sn]./.test(a)) {
      outArgs.push(a);
      signalGiven = true;
    } else if (a === '-l' || a === '-L' || a === '--list' || a === '--help' || a === '-h') {
      outArgs.push(a);
    } else if (/^-[A-Za-z0-9+]+$/.test(a) && !signalGiven) {
      outArgs.push('-s', a.slice(1));
      signalGiven = true;
    } else break;
  }
  return [...outArgs, '--', ...argv.slice(i)];
}

export default defineProgram({
  name: 'kill',
  summary: 'send a signal to processes',
  main: guarded('kill', async (argv, sys) => {
    const cmd = command('kill', 'send the processes named by PID (or process group -PGID) the signal SIGSPEC or SIGNUM (default SIGTERM)')
      .option('-s, --signal <sigspec>', 'the signal, by name')
      .option('-n <signum>', 'the signal, by number')
      .option('-l, --list', 'list the signal names; with arguments, translate each between number and name')
      .option('-L', 'the same as -l')
      .argument('[pid...]', 'process ids, -PGID for a process group, or %JOB')
      .usage('[-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]');
    const r = await parse<{ signal?: string; n?: string; list?: boolean; L?: boolean }>(sys, cmd, normalise(argv));
    if ('status' in r) return r.status;
    const o = r.opts;
    if (o.list || o.L) {
      if (r.args.length === 0) {
        await out(sys, signalTable());
        return 0;
      }
      let status = 0;
      for (const a of r.args) {
        let text: string | undefined;
        if (/^\d+$/.test(a)) {
          const n = Number(a) > 128 ? Number(a) - 128 : Number(a);
          text = SIGNAL_NAMES[n]?.slice(3);
        } else {
          const n = signalNumber(a);
          text = n === undefined ? undefined : String(n);
        }
        if (text === undefined) {
          await warn(sys, 'kill', `${a}: invalid signal specification`);
          status = 1;
        } else await out(sys, `${text}\n`);
      }
      return status;
    }
    const spec = o.signal ?? o.n;
    let signo = SIGTERM;
    if (spec !== undefined) {
      const n = o.n !== undefined && o.signal === undefined && !/^\d+$/.test(spec) ? undefined : resolveSignal(spec);
      if (n === undefined) {
        await warn(sys, 'kill', `${spec}: invalid signal specification`);
        return 1;
      }
      signo = n;
    }
    if (r.args.length === 0) return usageError(sys, cmd, 'missing process id');
    let status = 0;
    for (const a of r.args) {
      if (a.startsWith('%')) {
        await warn(sys, 'kill', `${a}: no such job`);
        status = 1;
        continue;
      }
      if (!/^-?\d{1,9}$/.test(a)) {
        await warn(sys, 'kill', `${a}: arguments must be process or job IDs`);
        status = 1;
        continue;
      }
      try {
        await sys.kill(Number(a), signo);
      } catch (e) {
        if (!isSysError(e)) throw e;
        await warn(sys, 'kill', `(${a}) - ${strerror(e.errno)}`);
        status = 1;
      }
    }
    return status;
  }),
});
