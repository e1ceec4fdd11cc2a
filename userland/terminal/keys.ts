// Turning raw terminal input into editing keys: a pasted chunk may hold many keys, and each
// terminal spells arrows, Home/End and word moves its own way (CSI, SS3, xterm modifiers).

export type KeyName =
  | 'enter'
  | 'backspace'
  | 'delete'
  | 'left'
  | 'right'
  | 'up'
  | 'down'
  | 'home'
  | 'end'
  | 'word-left'
  | 'word-right'
  | 'tab'
  | 'interrupt' // ^C
  | 'suspend' // ^Z
  | 'eof' // ^D
  | 'clear' // ^L
  | 'kill-start' // ^U
  | 'kill-end' // ^K
  | 'delete-word' // ^W
  | 'escape';

export type Key = { kind: 'text'; text: string } | { kind: 'key'; name: KeyName };

const SEQUENCES: ReadonlyArray<readonly [string, KeyName]> = [
  ['\u001b[1;5C', 'word-right'],
  ['\u001b[1;5D', 'word-left'],
  ['\u001b[1;3C', 'word-right'],
  ['\u001b[1;3D', 'word-left'],
  ['\u001b[3~', 'delete'],
  ['\u001b[1~', 'home'],
  ['\u001b[4~', 'end'],
  ['\u001b[7~', 'home'],
  ['\u001b[8~', 'end'],
  ['\u001b[A', 'up'],
  ['\u001b[B', 'down'],
  ['\u001b[C', 'right'],
  ['\u001b[D', 'left'],
  ['\u001b[H', 'home'],
  ['\u001b[F', 'end'],
  ['\u001bOA', 'up'],
  ['\u001bOB', 'down'],
  ['\u001bOC', 'right'],
  ['\u001bOD', 'left'],
  ['\u001bOH', 'home'],
  ['\u001bOF', 'end'],
  ['\u001bb', 'word-left'],
  ['\u001bf', 'word-right'],
  ['\u001b\u007f', 'delete-word'],
];

const CONTROL: Record<string, KeyName> = {
  '\r': 'enter',
  '\n': 'enter',
  '\u007f': 'backspace',
  '\b': 'backspace',
  '\t': 'tab',
  '\u0001': 'home', // ^A
  '\u0005': 'end', // ^E
  '\u0002': 'left', // ^B
  '\u0006': 'right', // ^F
  '\u0010': 'up', // ^P
  '\u000e': 'down', // ^N
  '\u0003': 'interrupt',
  '\u001a': 'suspend',
  '\u0004': 'eof',
  '\u000c': 'clear',
  '\u0015': 'kill-start',
  '\u000b': 'kill-end',
  '\u0017': 'delete-word',
};

export function decodeKeys(chunk: string): Key[] {
  const out: Key[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < chunk.length; ) {
    const c = chunk[i]!;
    if (c === '\u001b') {
      const seq = SEQUENCES.find(([s]) => chunk.startsWith(s, i));
      flush();
      if (seq) {
        out.push({ kind: 'key', name: seq[1] });
        i += seq[0].length;
      } else {
        // An unknown escape sequence: skip it whole (CSI ... final byte) rather than type it.
        const m = /^\u001b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?/.exec(chunk.slice(i))!;
        if (m[0].length === 1) out.push({ kind: 'key', name: 'escape' });
        i += m[0].length;
      }
      continue;
    }
    // \r\n from a paste is one Enter.
    if (c === '\r' && chunk[i + 1] === '\n') {
      flush();
      out.push({ kind: 'key', name: 'enter' });
      i += 2;
      continue;
    }
    const ctl = CONTROL[c];
    if (ctl) {
      flush();
      out.push({ kind: 'key', name: ctl });
    } else if (c >= ' ' || c.charCodeAt(0) >= 0x80) {
      text += c;
    }
    i++;
  }
  flush();
  return out;
}
