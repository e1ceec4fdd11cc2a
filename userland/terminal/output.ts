// Output as it streams from the terminal device: decoded as UTF-8 across chunk boundaries, split
// into finished lines (printed above the input line) and the unfinished last one (the prompt,
// or a progress line).

export class OutputBuffer {
  private readonly decoder = new TextDecoder();
  private partial = '';

  /** Feed a chunk; returns the lines it completed (without their newlines). */
  push(data: Uint8Array): string[] {
    const text = this.partial + this.decoder.decode(data, { stream: true });
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
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
