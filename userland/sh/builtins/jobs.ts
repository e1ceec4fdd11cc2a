// Job control builtins: jobs, fg, bg, wait, and kill (which also takes %N job specs).

import { isSysError } from '../../../kernel/abi/errno.js';
import { SIGNAL_NAMES, SIGTERM, signalNumber } from '../../../kernel/abi/signal.js';
import { writeAll } from '../../lib/io.js';
import type { BuiltinEntry } from './types.js';

export const jobBuiltins: Record<string, BuiltinEntry> = {
  jobs: {
    summary: 'list background jobs',
    usage: 'jobs [-l]',
    async run(sh, argv) {
      await sh.jobs.reap();
      const long = argv[1] === '-l';
      for (const j of sh.jobs.jobs) {
        const line = sh.jobs.line(j);
        await writeAll(sh.sys, 1, long ? line.replace(/^(\[\d+\][+ -])/, `$1 ${j.pids[0]}`) + '\n' : line + '\n');
        if (sh.jobs.done(j)) j.reported = true;
      }
      sh.jobs.prune();
      return 0;
    },
  },

  fg: {
    summary: 'wait for a job in the foreground',
    usage: 'fg [%job]',
    async run(sh, argv) {
      const job = sh.jobs.find(argv[1] ?? '%%');
      if (!job) {
        await sh.error(`fg: ${argv[1] ?? 'current'}: no such job`);
        return 1;
      }
      await writeAll(sh.sys, 1, job.command + '\n');
      const s = await sh.jobs.wait(job, sh.state.options.pipefail, true);
      sh.jobs.prune();
      return s;
    },
  },

  bg: {
    summary: 'resume a job in the background',
    usage: 'bg [%job]',
    async run(sh, argv) {
      const job = sh.jobs.find(argv[1] ?? '%%');
      if (!job) {
        await sh.error(`bg: ${argv[1] ?? 'current'}: no such job`);
        return 1;
      }
      if (job.stopped === null) {
        await sh.error(`bg: job ${job.id} already in background`);
        return 0;
      }
      await sh.jobs.resume(job);
      await writeAll(sh.sys, 1, `[${job.id}]+ ${job.command} &\n`);
      return 0;
    },
  },

  wait: {
    summary: 'wait for background jobs',
    usage: 'wait [%job | pid ...]',
    async run(sh, argv) {
      let status = 0;
      const specs = argv.slice(1);
      const targets = specs.length
        ? specs.map((s) => (s.startsWith('%') ? sh.jobs.find(s) : sh.jobs.jobs.find((j) => j.pids.includes(Number(s)))))
        : [...sh.jobs.jobs];
      for (let i = 0; i < targets.length; i++) {
        const job = targets[i];
        if (!job) {
          await sh.error(`wait: ${specs[i]}: no such job`);
          status = 127;
          continue;
        }
        status = await sh.jobs.wait(job, sh.state.options.pipefail, false);
      }
      sh.jobs.prune();
      return status;
    },
  },

  kill: {
    summary: 'send a signal to a process or job',
    usage: 'kill [-s sig | -sig] pid | %job ...',
    async run(sh, argv) {
      let signo = SIGTERM;
      let i = 1;
      if (argv[1] === '-l') {
        await writeAll(sh.sys, 1, Object.entries(SIGNAL_NAMES).map(([n, name]) => `${n}) ${name}`).join('\n') + '\n');
        return 0;
      }
      if (argv[1] === '-s' || argv[1] === '-n') {
        const s = signalNumber(argv[2] ?? '');
        if (s === undefined) {
          await sh.error(`kill: ${argv[2] ?? ''}: invalid signal specification`);
          return 1;
        }
        signo = s;
        i = 3;
      } else if (argv[1]?.startsWith('-') && argv[1].length > 1) {
        const s = signalNumber(argv[1].slice(1));
        if (s === undefined) {
          await sh.error(`kill: ${argv[1].slice(1)}: invalid signal specification`);
          return 1;
        }
        signo = s;
        i = 2;
      }
      if (i >= argv.length) {
        await sh.error('kill: usage: kill [-s sigspec | -sigspec] pid | %job ...');
        return 2;
      }
      let status = 0;
      for (const target of argv.slice(i)) {
        try {
          if (target.startsWith('%')) {
            const job = sh.jobs.find(target);
            if (!job) throw new Error(`${target}: no such job`);
            for (const pid of job.pids) if (!job.statuses.has(pid)) await sh.sys.kill(pid, signo).catch(() => {});
          } else {
            if (!/^-?\d+$/.test(target)) throw new Error(`${target}: arguments must be process or job IDs`);
            await sh.sys.kill(Number(target), signo);
          }
        } catch (e) {
          await sh.error(isSysError(e) ? `kill: (${target}) - ${e.message}` : `kill: ${(e as Error).message}`);
          status = 1;
        }
      }
      return status;
    },
  },
};
