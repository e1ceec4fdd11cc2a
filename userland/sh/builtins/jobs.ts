// Job control builtins: jobs, fg, bg, wait, and kill (which also takes %N job specs).

import { isSysError } from '../../../kernel/abi/errno.js';
import { SIGNAL_NAMES, SIGTERM, signalNumber } from '../../../kernel/abi/signal.js';
import { shellStatus } from '../../../kernel/abi/wait.js';
import { writeAll } from '../../lib/io.js';
import type { BuiltinEntry } from './types.js';

/** A signal by name or number; 0 is no signal at all, only the check that one could be sent. */
const signalOf = (word: string): number | undefined => (word === '0' ? 0 : signalNumber(word));

export const jobBuiltins: Record<string, BuiltinEntry> = {
  jobs: {
    summary: 'list background jobs',
    usage: 'jobs [-lnprs] [jobspec ...]',
    async run(sh, argv) {
      // bash's options: -l with pids, -p pids only, -n only what changed since last told,
      // -r running jobs only, -s stopped jobs only.
      const flags = new Set<string>();
      let i = 1;
      for (; i < argv.length && /^-./.test(argv[i]!) && argv[i] !== '--'; i++) {
        for (const f of argv[i]!.slice(1)) {
          if (!'lnprs'.includes(f)) {
            await sh.error(`jobs: -${f}: invalid option`);
            await writeAll(sh.sys, 2, 'jobs: usage: jobs [-lnprs] [jobspec ...] or jobs -x command [args]\n');
            return 2;
          }
          flags.add(f);
        }
      }
      if (argv[i] === '--') i++;
      await sh.jobs.reap();
      let status = 0;
      let listed = sh.jobs.jobs;
      if (i < argv.length) {
        listed = [];
        for (const spec of argv.slice(i)) {
          const job = sh.jobs.find(spec);
          if (job) listed.push(job);
          else {
            await sh.error(`jobs: ${spec}: no such job`);
            status = 1;
          }
        }
      }
      for (const j of listed) {
        if (flags.has('r') && (j.stopped !== null || sh.jobs.done(j))) continue;
        if (flags.has('s') && j.stopped === null) continue;
        if (flags.has('n') && !(sh.jobs.done(j) ? !j.reported : j.stopped !== null && !j.stopReported)) continue;
        const line = sh.jobs.line(j);
        const text = flags.has('p') ? `${j.pgid || j.pids[0]}` : flags.has('l') ? line.replace(/^(\[\d+\][+ -])/, `$1 ${j.pids[0]}`) : line;
        await writeAll(sh.sys, 1, text + '\n');
        if (sh.jobs.done(j)) j.reported = true;
        if (j.stopped !== null) j.stopReported = true;
      }
      sh.jobs.jobsShown();
      sh.jobs.prune();
      return status;
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
      const specs = argv.slice(1);
      if (specs.length === 0) {
        // bash: wait for every job; the status is 0 whatever theirs were. A stopped job would
        // never end: it is only mentioned.
        for (const job of [...sh.jobs.jobs]) {
          if (job.stopped !== null) await sh.error(`wait: warning: job ${job.id}[${job.pids[job.pids.length - 1]}] stopped`);
          else await sh.jobs.wait(job, sh.state.options.pipefail, false);
        }
        sh.jobs.prune();
        return 0;
      }
      let status = 0;
      for (const spec of specs) {
        if (spec.startsWith('%')) {
          const job = sh.jobs.find(spec);
          if (job) status = await sh.jobs.wait(job, sh.state.options.pipefail, false);
          else {
            await sh.error(`wait: ${spec}: no such job`);
            status = 127;
          }
          continue;
        }
        if (!/^\d+$/.test(spec)) {
          await sh.error(`wait: \`${spec}': not a pid or valid job spec`);
          status = 2;
          continue;
        }
        const pid = Number(spec);
        const job = sh.jobs.jobs.find((j) => j.pids.includes(pid));
        const reaped = sh.jobs.reapedStatus(pid);
        if (job) status = await sh.jobs.wait(job, sh.state.options.pipefail, false);
        else if (reaped !== undefined) status = shellStatus(reaped);
        else {
          await sh.error(`wait: pid ${pid} is not a child of this shell`);
          status = 127;
        }
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
        const s = signalOf(argv[2] ?? '');
        if (s === undefined) {
          await sh.error(`kill: ${argv[2] ?? ''}: invalid signal specification`);
          return 1;
        }
        signo = s;
        i = 3;
      } else if (argv[1]?.startsWith('-') && argv[1].length > 1) {
        const s = signalOf(argv[1].slice(1));
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
            // As bash: with job control the job is its process group, all of it (what its
            // processes started too); without, the job's own processes, one by one.
            if (sh.jobControl && job.pgid) await sh.sys.kill(-job.pgid, signo);
            else for (const pid of job.pids) if (!job.statuses.has(pid)) await sh.sys.kill(pid, signo).catch(() => {});
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
