// ps: the process ("team") table, as Haiku's ps (src/bin/ps.c) prints it:
//   Team (args, %-50s) Id (%5) #Threads (%8) Gid (%4) Uid (%4)
// -a adds each team's threads ("Thread Id State Prio UTime KTime"; tunlab processes have one
// thread each, named after the command, priority 10, no CPU times kept), -s the wait channel of
// waiting threads, and a TEAM operand shows only teams whose command name contains it, with their
// threads. States are Haiku's: run, zzz (nanosleep) and wait (blocked in a syscall); a zombie is
// "zombie". -l is tunlab's own: the POSIX-style columns getprocs() offers (pid, ppid, pgid, uid,
// gid, state, wait channel, command line), which Haiku's ps has no way to show.
//
// Where Haiku's own table would break, tunlab keeps it readable as procps does: a zombie (a child
// its parent has not reaped, which Haiku's team list never shows) is "[NAME] <defunct>" with state
// Z, control characters in a command line (a multi-line `sh -c`) are shown as '?', and the Team and
// Thread columns widen to the longest entry instead of pushing the numbers out of line.

import { defineProgram } from '../../kernel/abi/program.js';
import type { ProcessInfo } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { guarded, out } from '../lib/guard.js';

/** team_info.args is a char[64]: the command line, cut to 63 bytes. */
const ARGS_MAX = 63;
/** The rule Haiku's ps draws under each team's threads, as wide as their table (75 at Haiku's widths). */
const separator = (w: Widths) => `${'-'.repeat(w.thread + 38)}\n`;

/** Haiku's column widths, the least each column gets. */
const TEAM_WIDTH = 50;
const THREAD_WIDTH = 37;
const WCHAN_WIDTH = 10;

/** The command line as ps may print it: control characters as '?' (procps' escape), a zombie's as procps shows it. */
function commandLine(p: ProcessInfo): string {
  // eslint-disable-next-line no-control-regex
  return p.state === 'zombie' ? `[${p.command}] <defunct>` : p.args.join(' ').replace(/[\x00-\x1f\x7f]/g, '?');
}

function teamArgs(p: ProcessInfo): string {
  return commandLine(p).slice(0, ARGS_MAX);
}

interface Widths {
  team: number;
  thread: number;
}

function widths(procs: ProcessInfo[]): Widths {
  return {
    team: Math.max(TEAM_WIDTH, ...procs.map((p) => teamArgs(p).length)),
    thread: Math.max(THREAD_WIDTH, ...procs.map((p) => p.command.length)),
  };
}

function teamHeader(w: Widths): string {
  return `${'Team'.padEnd(w.team)} ${'Id'.padStart(5)} ${'#Threads'.padStart(8)} ${'Gid'.padStart(4)} ${'Uid'.padStart(4)}\n`;
}

function teamRow(p: ProcessInfo, w: Widths): string {
  return `${teamArgs(p).padEnd(w.team)} ${String(p.pid).padStart(5)} ${'1'.padStart(8)} ${String(p.gid).padStart(4)} ${String(p.uid).padStart(4)}\n`;
}

function threadState(p: ProcessInfo): string {
  if (p.state === 'zombie') return 'zombie';
  if (p.state === 'running') return 'run';
  // Haiku's name for a suspended thread (B_THREAD_SUSPENDED).
  if (p.state === 'stopped') return 'sus';
  return p.wchan === 'nanosleep' ? 'zzz' : 'wait';
}

function threadTable(p: ProcessInfo, semaphores: boolean, w: Widths): string {
  let s = `\n${'Thread'.padEnd(w.thread)} ${'Id'.padStart(5)} ${'State'.padStart(8)} ${'Prio'.padStart(4)} ${'UTime'.padStart(8)} ${'KTime'.padStart(8)}\n`;
  const state = threadState(p);
  // Haiku prints a space after KTime, then the semaphore with -s, then the newline.
  s += `${p.command.padEnd(w.thread)} ${String(p.pid).padStart(5)} ${state.padStart(8)} ${'10'.padStart(4)} ${'0'.padStart(8)} ${'0'.padStart(8)} `;
  if (semaphores && state === 'wait' && p.wchan) s += p.wchan;
  return `${s}\n`;
}

function longTable(procs: ProcessInfo[]): string {
  const stat = (p: ProcessInfo) => ({ running: 'R', sleeping: 'S', stopped: 'T', zombie: 'Z' })[p.state];
  const wchan = Math.max(WCHAN_WIDTH, ...procs.map((p) => p.wchan.length));
  let s = `${'PID'.padStart(5)} ${'PPID'.padStart(5)} ${'PGID'.padStart(5)} ${'UID'.padStart(5)} ${'GID'.padStart(5)} STAT ${'WCHAN'.padEnd(wchan)} COMMAND\n`;
  for (const p of procs) {
    s += `${String(p.pid).padStart(5)} ${String(p.ppid).padStart(5)} ${String(p.pgid).padStart(5)} ${String(p.uid).padStart(5)} ${String(p.gid).padStart(5)} ${stat(p).padEnd(4)} ${(p.wchan || '-').padEnd(wchan)} ${commandLine(p)}\n`;
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
    const shown = match === undefined ? procs : procs.filter((p) => (p.args[0] ?? p.command).split('/').pop()!.includes(match));
    const w = widths(shown);
    if (match === undefined) {
      let header = true;
      for (const p of shown) {
        if (header) s += teamHeader(w);
        s += teamRow(p, w);
        header = false;
        if (o.a) {
          s += threadTable(p, !!o.s, w) + separator(w);
          header = true;
        }
      }
    } else {
      // Haiku matches the program name: argv[0] without its directory.
      for (const p of shown) s += teamHeader(w) + teamRow(p, w) + threadTable(p, !!o.s, w);
    }
    await out(sys, s);
    return 0;
  }),
});
