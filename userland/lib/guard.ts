// The outermost error handling of every program in /bin: a syscall failure nobody handled becomes
// "prog: message" and status 1, a failed write to standard output "prog: write error: message"
// (as coreutils' close_stdout reports it), and anything else (a bug: a JavaScript exception) is
// reported as one, "prog: unexpected error: ...", with status 70 (EX_SOFTWARE), never a silent
// crash. Every built-in program's main is guarded(); test/robustness/guard.test.ts checks it.

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

/** sysexits.h: an internal software error (what tunlab itself exits with on one). */
export const EX_SOFTWARE = 70;

/** A thrown value that is no Error, in one line; one whose conversion throws is not trusted further. */
function describe(v: unknown): string {
  try {
    return String(v);
  } catch {
    return typeof v;
  }
}

type Main = (argv: string[], sys: Sys) => Promise<number | void> | number | void;

export function guarded(name: string, main: Main): (argv: string[], sys: Sys) => Promise<number> {
  return async (argv, sys) => {
    try {
      return (await main(argv, sys)) ?? 0;
    } catch (e) {
      let text: string;
      let status = 1;
      if (e instanceof WriteError) text = `write error: ${strerror(e.cause.errno)}`;
      else if (isSysError(e)) text = strerror(e.errno);
      else {
        text = `unexpected error: ${e instanceof Error ? `${e.name}: ${e.message}` : describe(e)}`;
        status = EX_SOFTWARE;
      }
      try {
        await writeAll(sys, 2, `${name}: ${text}\n`);
      } catch {
        // stderr is gone too: the status says it all
      }
      return status;
    }
  };
}
