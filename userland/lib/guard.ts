// The outermost error handling of a utility: a syscall failure nobody handled becomes
// "prog: message" and status 1, a failed write to standard output "prog: write error: message"
// (as coreutils' close_stdout reports it), never a crash.

import { isSysError, strerror, type SysError } from '../../kernel/abi/errno.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { writeAll } from './io.js';

export class WriteError {
  constructor(readonly cause: SysError) {}
}

/** Write to standard output; a failure is a WriteError for guarded() to report. */
export async function out(sys: Sys, data: Uint8Array | string): Promise<void> {
  try {
    await writeAll(sys, 1, data);
  } catch (e) {
    if (isSysError(e)) throw new WriteError(e);
    throw e;
  }
}

type Main = (argv: string[], sys: Sys) => Promise<number | void> | number | void;

export function guarded(name: string, main: Main): (argv: string[], sys: Sys) => Promise<number> {
  return async (argv, sys) => {
    try {
      return (await main(argv, sys)) ?? 0;
    } catch (e) {
      let text: string;
      if (e instanceof WriteError) text = `write error: ${strerror(e.cause.errno)}`;
      else if (isSysError(e)) text = strerror(e.errno);
      else throw e;
      try {
        await writeAll(sys, 2, `${name}: ${text}\n`);
      } catch {
        // stderr is gone too: the status says it all
      }
      return 1;
    }
  };
}
