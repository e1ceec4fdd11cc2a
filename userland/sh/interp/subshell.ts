// The subshell hand-over: a shell starts a child `sh --subshell FD` (its fork) and writes it a
// copy of its state and the one command to run through a pipe; userland/bin/sh.ts is the other end.

import { isSysError } from '../../../kernel/abi/errno.js';
import { F_SETFD, FD_CLOEXEC } from '../../../kernel/abi/fcntl.js';
import type { SpawnOptions, Sys } from '../../../kernel/abi/syscalls.js';
import { writeAll } from '../../lib/io.js';
import type { Command, Program } from '../index.js';
import { ShellError } from './control.js';

/** What `--subshell FD` reads from its pipe: the parent's state and the node to run. */
export interface SubshellPayload {
  state: string;
  source: string;
  node: Command | Program;
  /** The pgid the job runs in (interactive shells put jobs in their own groups). */
  jobPgid?: number;
  /** Written to the subshell's stderr before it runs (a stand-in's "command not found"). */
  message?: string;
  /** The script the text comes from, so the subshell's error lines say "NAME: line N:". */
  scriptName?: string | null;
}

/**
 * A process or an fd the shell could not get where it forks or makes a pipe (EAGAIN past the
 * process limit, EMFILE past the fd limit): reported as bash reports it ("sh: fork: ..."), the
 * command fails with 126, and the shell goes on. Other errors are returned unchanged.
 */
export function resourceFailure(e: unknown, what: string): unknown {
  if (isSysError(e, 'EAGAIN') || isSysError(e, 'ENOMEM') || isSysError(e, 'EMFILE') || isSysError(e, 'ENFILE')) return new ShellError(`${what}: ${e.message}`, 126);
  return e;
}

/** Start `sh --subshell` with these spawn options and hand it the payload; returns its pid. */
export async function spawnSubshell(sys: Sys, payload: SubshellPayload, opts: SpawnOptions): Promise<number> {
  const [r, w] = await sys.pipe().catch((e: unknown) => Promise.reject(resourceFailure(e, 'fork')));
  await sys.fcntl(w, F_SETFD, FD_CLOEXEC);
  let pid: number;
  try {
    // The state fd is whatever number the pipe got; the child is told which.
    pid = await sys.spawn('/bin/sh', ['sh', '--subshell', String(r)], opts);
  } catch (e) {
    await sys.close(w);
    throw resourceFailure(e, 'fork');
  } finally {
    await sys.close(r);
  }
  try {
    await writeAll(sys, w, JSON.stringify(payload));
  } finally {
    await sys.close(w);
  }
  return pid;
}
