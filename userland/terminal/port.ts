// What the terminal front end talks to: the session side of a terminal device, and a source of
// names for tab completion. bin/ adapts the kernel's objects to these; the front end knows nothing
// of the kernel.

export interface WinSize {
  cols: number;
  rows: number;
}

export interface TerminalPort {
  /** Hand a complete line (with its "\n") to whoever reads the terminal. */
  type(text: string): void;
  /** ^D on an empty line. */
  endOfFile(): void;
  /** ^C: SIGINT to the foreground job. */
  interrupt(): void;
  /** ^Z: SIGTSTP to the foreground job. */
  suspend(): void;
  /**
   * Lines as the shell reads them (its commands, for the history): known only when read, since a
   * line typed ahead may go to a program that starts meanwhile, and a program's input is no command.
   */
  onShellLine(listener: (line: string) => void): void;
  resize(size: WinSize): void;
  /** Output written to the terminal by programs. */
  onOutput(listener: (data: Uint8Array) => void): void;
  /** Whether some process is blocked reading a line right now. */
  onReadStateChange(listener: (waiting: boolean) => void): void;
  /**
   * Canonical mode on or off (a full-screen program turned it off with TCSETS): off, every key goes
   * to the program as typed and its output to the screen as written, control sequences included.
   */
  onModeChange(listener: (canonical: boolean) => void): void;
}

export interface CompletionSource {
  /** Names in a directory (with a trailing "/" for directories), or null if it cannot be read. */
  listDir(path: string): Promise<string[] | null>;
  /** The shell's working directory, to complete relative paths. */
  cwd(): Promise<string>;
  /** Commands: programs on $PATH and the shell's builtins. */
  commands(): Promise<string[]>;
  /** Interface names (loop, /dev/net/ipro1000/0, tun/0 ...). */
  interfaces(): Promise<string[]>;
  /** Host names of the world (for `on HOST`). */
  hosts(): Promise<string[]>;
}

export interface HistoryStore {
  load(): string[];
  append(line: string): void;
}
