// A builtin runs inside the shell's own process, with the shell's fds (redirected for it) and its
// state; it returns its exit status.

import type { Builtin } from '../interp/interpreter.js';

export type { Builtin };

export interface BuiltinEntry {
  run: Builtin;
  /** One line for `help`. */
  summary: string;
  usage: string;
  /**
   * A stand-in for the program of the same name, for speed in scripts; with job control the
   * program runs instead, as a job that ^Z can stop (bash has no sleep builtin at all).
   */
  programWithJobControl?: boolean;
}
