// A builtin runs inside the shell's own process, with the shell's fds (redirected for it) and its
// state; it returns its exit status.

import type { Builtin } from '../interp/interpreter.js';

export type { Builtin };

export interface BuiltinEntry {
  run: Builtin;
  /** One line for `help`. */
  summary: string;
  usage: string;
}
