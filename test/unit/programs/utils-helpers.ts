// Shared setup for the utility tests: a world with every utility, files put in place from the
// outside, and a small "pipeline" program that connects commands with pipes (sys.pipe/spawn).

import type { Program } from '../../../kernel/abi/program.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import type { World } from '../../../kernel/world/world.js';
import awk from '../../../userland/bin/awk/main.js';
import basename from '../../../userland/bin/basename.js';
import cat from '../../../userland/bin/cat.js';
import chmod from '../../../userland/bin/chmod.js';
import clear from '../../../userland/bin/clear.js';
import cp from '../../../userland/bin/cp.js';
import cut from '../../../userland/bin/cut.js';
import date from '../../../userland/bin/date.js';
import diff from '../../../userland/bin/diff.js';
import dirname from '../../../userland/bin/dirname.js';
import dmesg from '../../../userland/bin/dmesg.js';
import echo from '../../../userland/bin/echo.js';
import env from '../../../userland/bin/env.js';
import falseProgram from '../../../userland/bin/false.js';
import find from '../../../userland/bin/find.js';
import grep from '../../../userland/bin/grep.js';
import head from '../../../userland/bin/head.js';
import hexdump from '../../../userland/bin/hexdump.js';
import hostname from '../../../userland/bin/hostname.js';
import id from '../../../userland/bin/id.js';
import kill from '../../../userland/bin/kill.js';
import ln from '../../../userland/bin/ln.js';
import ls from '../../../userland/bin/ls.js';
import mkdir from '../../../userland/bin/mkdir.js';
import mv from '../../../userland/bin/mv.js';
import printf from '../../../userland/bin/printf.js';
import ps from '../../../userland/bin/ps.js';
import rm from '../../../userland/bin/rm.js';
import rmdir from '../../../userland/bin/rmdir.js';
import seq from '../../../userland/bin/seq.js';
import shell from '../../../userland/bin/sh.js';
import sleep from '../../../userland/bin/sleep.js';
import sed from '../../../userland/bin/sed/main.js';
import sort from '../../../userland/bin/sort.js';
import tail from '../../../userland/bin/tail.js';
import tee from '../../../userland/bin/tee.js';
import touch from '../../../userland/bin/touch.js';
import trueProgram from '../../../userland/bin/true.js';
import tr from '../../../userland/bin/tr.js';
import tty from '../../../userland/bin/tty.js';
import uname from '../../../userland/bin/uname.js';
import uniq from '../../../userland/bin/uniq.js';
import uptime from '../../../userland/bin/uptime.js';
import wc from '../../../userland/bin/wc.js';
import which from '../../../userland/bin/which.js';
import xargs from '../../../userland/bin/xargs.js';
import yes from '../../../userland/bin/yes.js';
import { WEXITSTATUS, WIFSIGNALED, WTERMSIG } from '../../../kernel/abi/wait.js';
import { eprint } from '../../../userland/lib/io.js';
import { run, testWorld } from '../../helpers/world.js';

export const UTILITIES: readonly Program[] = [
  awk, basename, cat, chmod, clear, cp, cut, date, diff, dirname, dmesg, echo, env, falseProgram, find, grep, head, hexdump, hostname, id, kill, ln, ls,
  mkdir, mv, printf, ps, rm, rmdir, sed, seq, sleep, sort, tail, tee, touch, tr, trueProgram, tty, uname, uniq, uptime, wc, which, xargs, yes,
];

/**
 * pipeline A ARGS | B ARGS [| C ...]: runs the commands connected by pipes and prints the status
 * of each that did not exit 0 ("[name: status N]" or "[name: signal N]"). With a first argument
 * "-i" it ignores SIGPIPE in the commands it starts (as a shell started with SIGPIPE ignored).
 */
export const pipeline = defineProgram({
  name: 'pipeline',
  summary: 'run commands connected by pipes (tests only)',
  async main(argv, sys) {
    let args = argv.slice(1);
    const ignorePipe = args[0] === '-i';
    if (ignorePipe) {
      args = args.slice(1);
      await sys.sigaction(7, 'SIG_IGN');
    }
    const stages: string[][] = [[]];
    for (const a of args) {
      if (a === '|') stages.push([]);
      else stages[stages.length - 1]!.push(a);
    }
    const pids: Array<[string, number]> = [];
    let input = 0;
    for (let i = 0; i < stages.length; i++) {
      const last = i === stages.length - 1;
      const [r, w] = last ? [-1, 1] : await sys.pipe();
      const cmd = stages[i]!;
      pids.push([cmd[0]!, await sys.spawn(`/bin/${cmd[0]}`, cmd, { fds: [input, w, 2] })]);
      if (input !== 0) await sys.close(input);
      if (!last) await sys.close(w);
      input = r;
    }
    for (const [name, pid] of pids) {
      const { status } = await sys.waitpid(pid);
      if (WIFSIGNALED(status)) await eprint(sys, `[${name}: signal ${WTERMSIG(status)}]\n`);
      else if (WEXITSTATUS(status) !== 0) await eprint(sys, `[${name}: status ${WEXITSTATUS(status)}]\n`);
    }
  },
});

export function world(extra: readonly Program[] = []): World {
  return testWorld([...UTILITIES, pipeline, ...extra]);
}

/** Put a file on the host, as the machine's owner would before the test. */
export function install(w: World, path: string, content: string | Uint8Array, mode = 0o644): void {
  w.mustHost('haiku').root.install(path.replace(/^\//, ''), content, mode);
}

export interface Ran {
  out: string;
  status: number;
}

/** Run a command line (argv) on host "haiku"; its whole terminal output and exit status. */
export async function sh(w: World, argv: string[], opts: { input?: string; tty?: boolean; uid?: number } = {}): Promise<Ran> {
  const r = await run(w, 'haiku', argv, opts);
  const status = WIFSIGNALED(r.status) ? 128 + WTERMSIG(r.status) : WEXITSTATUS(r.status);
  return { out: r.out, status };
}

/** Run in a fresh world with the given files. */
export async function run1(argv: string[], opts: { input?: string; tty?: boolean; files?: Record<string, string> } = {}): Promise<Ran> {
  const w = world();
  for (const [p, c] of Object.entries(opts.files ?? {})) install(w, p, c);
  return sh(w, argv, opts);
}

/**
 * A shell line run by sh -c in a fresh world, in an empty working directory /tmp/w: for the cases
 * checked against the GNU tools by running the same line in bash (the expected texts are theirs).
 */
export async function shLine(line: string, opts: { input?: string } = {}): Promise<Ran> {
  return sh(world([shell]), ['sh', '-c', `mkdir -p /tmp/w; cd /tmp/w; ${line}`], opts);
}
