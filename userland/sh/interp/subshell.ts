// The subshell hand-over: a shell forks a child `sh --subshell` with a copy of its state and the
// one command to run as the child's fork image (SpawnOptions.forkImage: handed over by the kernel,
// as fork() copies memory); userland/bin/sh.ts is the other end.

import { isSysError } from '../../../kernel/abi/errno.js';
import type { SpawnOptions, Sys } from '../../../kernel/abi/syscalls.js';
import type { Command, Program } from '../index.js';
import { ShellError } from './control.js';

/** What `--subshell` finds in its fork image: the parent's state and the node to run. */
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

/** Fork `sh --subshell` with these spawn options and the payload as its image; returns its pid. */
export async function spawnSubshell(sys: Sys, payload: SubshellPayload, opts: SpawnOptions): Promise<number> {
  try {
    return await sys.spawn('/bin/sh', ['sh', '--subshell'], { ...opts, forkImage: JSON.stringify(payload) });
  } catch (e) {
    throw resourceFailure(e, 'fork');
  }
}
