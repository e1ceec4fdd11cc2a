// Errors of the shell front end. Both are ordinary values for the interpreter to report: the parser
// returns a ShellSyntaxError inside its result (it never throws), and expansion rejects with an
// ExpansionError, which is the only error expand.ts produces on its own.

export type SyntaxErrorCode =
  /** A token where the grammar does not allow it. */
  | 'unexpected-token'
  /** The input ended inside a command (`if true; then`, `a |`). */
  | 'unexpected-eof'
  /** An open quote, `$(`, `${`, `$((` or backquote. */
  | 'unterminated'
  /** A here-document whose delimiter line never came. */
  | 'heredoc-eof'
  | 'invalid-name'
  /** Nesting deeper than the parser accepts (it refuses rather than overflow the stack). */
  | 'too-deep'
  /** A bug in the parser, reported rather than thrown. */
  | 'internal';

export interface ShellSyntaxErrorInit {
  code: SyntaxErrorCode;
  /** Offset in the parsed source where the problem was noticed. */
  offset: number;
  /** 1-based line of `offset`. */
  line: number;
  /** More input could complete the text: an interactive shell should read another line. */
  incomplete: boolean;
}

export class ShellSyntaxError extends Error {
  override readonly name = 'ShellSyntaxError';
  readonly code: SyntaxErrorCode;
  readonly offset: number;
  readonly line: number;
  readonly incomplete: boolean;

  /** `message` is worded as bash words it, without the "sh: line N: " prefix. */
  constructor(message: string, init: ShellSyntaxErrorInit) {
    super(message);
    this.code = init.code;
    this.offset = init.offset;
    this.line = init.line;
    this.incomplete = init.incomplete;
  }
}

export type ExpansionErrorCode =
  /** `${x?}` / `${x:?}` on an unset (or empty) parameter. */
  | 'parameter-unset'
  /** A reference to an unset parameter under `set -u`. */
  | 'unbound'
  /** `${1:=x}` and `${@:=x}`: only variables can be assigned. */
  | 'bad-assignment'
  /** A `${...}` form this shell does not know, or `${!x}` naming no valid parameter. */
  | 'bad-substitution'
  /** Arithmetic: syntax error, division by zero, bad number, recursion too deep. */
  | 'arithmetic';

export class ExpansionError extends Error {
  override readonly name = 'ExpansionError';
  readonly code: ExpansionErrorCode;

  /** `message` is worded as bash words it, e.g. "x: parameter null or not set". */
  constructor(message: string, code: ExpansionErrorCode) {
    super(message);
    this.code = code;
  }
}
