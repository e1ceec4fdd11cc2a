// What every option table shares: the error type, C's atoi(), and the shape of one option (how
// many parameters it takes and what it does to the options). Tables are Maps: option names are
// user input, and `--__proto__` or `--constructor` must be unknown options like any other.

export class OptionsError extends Error {}

/** C's atoi(): leading blanks, a sign, digits; anything else stops it (0 if nothing). */
export function atoi(s: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const n = Number(m[1]);
  return Math.max(-2147483648, Math.min(2147483647, n));
}

export interface ParseHooks {
  /** A line OpenVPN logs while parsing (the --secret deprecation), with the verbosity set so far. */
  log(line: string, verb: number): Promise<void>;
  /** Read a config file; null when it cannot be opened, 'too-big' past the bound. */
  readFile(path: string): Promise<string | null | 'too-big'>;
}

export type Where = { file: string; line: number };

/** One option over the options object `O` it fills (method syntax: a Spec of a part is one of the whole). */
export interface Spec<O> {
  min: number;
  max: number;
  apply(o: O, p: string[], at: Where, hooks: ParseHooks): void | Promise<void>;
}

export const flag = <O>(set: (o: O) => void): Spec<O> => ({ min: 0, max: 0, apply: (o) => set(o) });

/** A file option (--ca, --tls-crypt...): a path, or the text of an inline <tag> block. */
export interface FileOption {
  readonly file: string;
  readonly inline: string | null;
}

export const INLINE = '[[INLINE]]';
