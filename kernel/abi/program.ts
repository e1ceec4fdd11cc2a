// A program: what userland gives the kernel to run. `main` gets its arguments and a Sys bound to
// its own process; what it returns is its exit status (0 when it returns nothing).

import type { Sys } from './syscalls.js';

export interface Program {
  readonly name: string;
  /** One line for `help` and `--help`. */
  readonly summary: string;
  main(argv: string[], sys: Sys): Promise<number | void> | number | void;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

export function defineProgram(p: Program): Program {
  if (!NAME.test(p.name)) throw new TypeError(`invalid program name: ${JSON.stringify(p.name)}`);
  return Object.freeze({ ...p });
}

/** The first line of an executable file in /bin that names a built-in program. */
export const PROGRAM_MAGIC = '#!tunlab-program ';
