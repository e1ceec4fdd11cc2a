// Output as it streams from the terminal device: decoded as UTF-8 across chunk boundaries, split
// into finished lines (printed above the input line) and the unfinished last one (the prompt,
// or a progress line).

// A program may clear the screen (`clear`, \e[2J with or without \e[H, or a full reset \ec): that
// takes effect as it arrives, not when a newline comes (the screen would otherwise be cleared only
// after the next Enter, with the sequence held in the unfinished line).
const ERASE_DISPLAY = /(?:\u001b\[H)?\u001b\[[23]J(?:\u001b\[H)?(?:\u001b\[3J)?|\u001bc/g;

export class OutputBuffer {
  private readonly decoder = new TextDecoder();
  private partial = '';
  /** A clear-screen arrived since the last takeClear(): what came before it is gone. */
  private clearPending = false;

  /** Feed a chunk; returns the lines it completed (without their newlines). */
  push(data: Uint8Array): string[] {
    let text = this.partial + this.decoder.decode(data, { stream: true });
    let last = -1;
    for (const m of text.matchAll(ERASE_DISPLAY)) last = m.index + m[0].length;
    if (last >= 0) {
      text = text.slice(last);
      this.clearPending = true;
    }
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }

  /** Whether the screen is to be cleared now (once: the flag is taken). */
  takeClear(): boolean {
    const c = this.clearPending;
    this.clearPending = false;
    return c;
  }

  /** The unfinished line so far (a prompt waits here for its input). */
  get pending(): string {
    return this.partial;
  }

  /** The unfinished line is printed together with what was typed after it. */
  takePending(): string {
    const p = this.partial;
    this.partial = '';
    return p;
  }
}

/** What a terminal does with control sequences we do not render: the clear-screen is kept. */
export const CLEAR_SCREEN = '\u001b[2J\u001b[H';
