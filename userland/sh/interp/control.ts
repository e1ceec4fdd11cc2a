// Non-local exits of the shell language, carried as exceptions through the interpreter: loops
// catch break and continue, function calls catch return, the top level catches exit.

export class BreakSignal {
  constructor(public levels: number) {}
}

export class ContinueSignal {
  constructor(public levels: number) {}
}

export class ReturnSignal {
  constructor(readonly status: number) {}
}

export class ExitSignal {
  constructor(readonly status: number) {}
}

/** ^C at an interactive shell running the line itself (a loop of builtins): back to the prompt, $? 130. */
export class InterruptSignal {}

/** set -e tripped: the shell exits with the failing command's status. */
export class ErrexitSignal {
  constructor(readonly status: number) {}
}

/** A shell error that ends the current command with a message (bad substitution, bad redirect). */
export class ShellError {
  constructor(
    readonly message: string,
    readonly status = 1,
    /** Errors a POSIX shell treats as fatal in a non-interactive shell (special builtins, expansion). */
    readonly fatal = false,
  ) {}
}
