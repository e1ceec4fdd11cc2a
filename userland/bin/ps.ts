// ps: the process ("team") table, as Haiku's ps (src/bin/ps.c) prints it:
//   Team (args, %-50s) Id (%5) #Threads (%8) Gid (%4) Uid (%4)
// -a adds each team's threads ("Thread Id State Prio UTime KTime"; tunlab processes have one
// thread each, named after the command, priority 10, no CPU times kept), -s the wait channel of
// waiting threads, and a TEAM operand shows only teams whose command name contains it, with their
// threads. States are Haiku's: run, zzz (nanosleep) and wait (blocked in a syscall); a zombie is
// "zombie". -l is tunlab's own: the POSIX-style columns getprocs() offers (pid, ppid, pgid, uid,
// gid, state, wait channel, command line), which Haiku's ps has no way to show.

import { defineProgram } from '../../kernel/abi/program.js';
import type { ProcessInfo } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { guarded, out } from '../lib/guard.js';

/** team_info.args is a char[64]: the command line, cut to 63 bytes. */
const ARGS_MAX = 63;
/** The rule Haiku's ps draws under each team's threads. */
const SEPARATOR = `${'-'.repeat(75)}\n`;

function teamArgs(p: ProcessInfo): string {
  return p.args.join(' ').slice(0, ARGS_MAX);
}

function teamHeader(): string {
  return `${'Team'.padEnd(50)} ${'Id'.padStart(5)} ${'#Threads'.padStart(8)} ${'Gid'.padStart(4)} ${'Uid'.padStart(4)}\n`;
}

function teamRow(p: ProcessInfo): string {
  return `${teamArgs(p).padEnd(50)} ${String(p.pid).padStart(5)} ${'1'.padStart(8)} ${String(p.gid).padStart(4)} ${String(p.uid).padStart(4)}\n`;
}

function threadState(p: ProcessInfo): string {
  if (p.state === 'zombie') return 'zombie';
  if (p.state === 'running') return 'run';
  // Haiku's name for a suspended thread (B_THREAD_SUSPENDED).
  if (p.state === 'stopped') return 'sus';
  return p.wchan === 'nanosleep' ? 'zzz' : 'wait';
}

function threadTable(p: ProcessInfo, semaphores: boolean): string {
  let s = `\n${'Thread'.padEnd(37)} ${'Id'.padStart(5)} ${'State'.padStart(8)} ${'Prio'.padStart(4)} ${'UTime'.padStart(8)} ${'KTime'.padStart(8)}\n`;
  const state = threadState(p);
  // Haiku prints a space after KTime, then the semaphore with -s, then the newline.
  s += `${p.command.padEnd(37)} ${String(p.pid).padStart(5)} ${state.padStart(8)} ${'10'.padStart(4)} ${'0'.padStart(8)} ${'0'.padStart(8)} `;
  if (semaphores && state === 'wait' && p.wchan) s += p.wchan;
  return `${s}\n`;
}

function longTable(procs: ProcessInfo[]): string {
  const stat = (p: ProcessInfo) => ({ running: 'R', sleeping: 'S', stopped: 'T', zombie: 'Z' })[p.state];
  let s = `${'PID'.padStart(5)} ${'PPID'.padStart(5)} ${'PGID'.padStart(5)} ${'UID'.padStart(5)} ${'GID'.padStart(5)} STAT ${'WCHAN'.padEnd(10)} COMMAND\n`;
  for (const p of procs) {
    s += `${String(p.pid).padStart(5)} ${String(p.ppid).padStart(5)} ${String(p.pgid).padStart(5)} ${String(p.uid).padStart(5)} ${String(p.gid).padStart(5)} ${stat(p).padEnd(4)} ${(p.wchan || '-').padEnd(10)} ${p.args.join(' ')}\n`;
  }
  return s;
}

export default defineProgram({
  name: 'ps',
  summary: 'list the teams (processes) of this host',
  main: guarded('ps', async (argv, sys) => {
    const cmd = command('ps', "list the teams of this host, Haiku's way")
      .option('-a', 'show threads too (by default only teams are displayed)')
      .option('-s', 'show the wait channel (semaphore) of waiting threads')
      .option('-l', 'long format: pid, ppid, pgid, uid, gid, state, wait channel, command line')
      .argument('[team]', 'show only teams whose name contains this');
    const r = await parse<{ a?: boolean; s?: boolean; l?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const procs = await sys.getprocs();
    const match = r.args[0];
    if (o.l) {
      await out(sys, longTable(match === undefined ? procs : procs.filter((p) => p.command.includes(match))));
      return 0;
    }
    let s = '';
    if (match === undefined) {
      let header = true;
      for (const p of procs) {
        if (header) s += teamHeader();
        s += teamRow(p);
        header = false;
        if (o.a) {
          s += threadTable(p, !!o.s) + SEPARATOR;
          header = true;
        }
      }
    } else {
      for (const p of procs) {
        // Haiku matches the program name: argv[0] without its directory.
        const name = (p.args[0] ?? p.command).split('/').pop()!;
        if (!name.includes(match)) continue;
        s += teamHeader() + teamRow(p) + threadTable(p, !!o.s);
      }
    }
    await out(sys, s);
    return 0;
  }),
});
