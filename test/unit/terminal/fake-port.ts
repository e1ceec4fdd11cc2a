// A terminal port with nobody behind it: it records what the screen sends (lines, ^C, ^Z, ^D) and
// lets a test print output and say whether a process waits for a line.

import type { TerminalPort } from '../../../userland/terminal/port.js';

export function fakePort() {
  const typed: string[] = [];
  let shellLine: (l: string) => void = () => {};
  let output: (d: Uint8Array) => void = () => {};
  let reading: (w: boolean) => void = () => {};
  let mode: (canonical: boolean) => void = () => {};
  const events: string[] = [];
  const port: TerminalPort = {
    // As though the shell read every line at once.
    type: (t) => {
      typed.push(t);
      shellLine(t.replace(/\n$/, ''));
    },
    endOfFile: () => void events.push('eof'),
    interrupt: () => void events.push('interrupt'),
    suspend: () => void events.push('suspend'),
    onShellLine: (l) => {
      shellLine = l;
    },
    resize: () => {},
    onOutput: (l) => {
      output = l;
    },
    onReadStateChange: (l) => {
      reading = l;
    },
    onModeChange: (l) => {
      mode = l;
    },
  };
  return {
    port,
    typed,
    events,
    print: (s: string) => output(new TextEncoder().encode(s)),
    waiting: (w: boolean) => reading(w),
    /** A program turned canonical mode off (a full-screen program) or back on. */
    canonical: (c: boolean) => mode(c),
  };
}
