// Transcripts: a script typed, line by line, into an interactive shell on a terminal, in virtual
// time, with everything the terminal showed recorded: prompts, the typed lines, the output. The
// scenario tests compare these byte for byte; `tunlab --transcript FILE` prints one.
//
// Directives (README, "Scenario scripts"): a line `#@ ctrl-c 3.5` presses ^C 3.5 virtual seconds
// after the line before it was entered (`#@ ctrl-z` the same with ^Z; no number: at once), and
// `#@ ctrl-d` sends end-of-file to whoever reads next. Every other line is typed as is, comments
// included, so a transcript reads as the story it tells. Header comments (`# world: NAME`, `# host:`,
// `# seed:`, `# uid:`) choose the session and are not typed.

import type { RunOutcome } from '../kernel/sched/scheduler.js';
import type { Session } from './session.js';

type Key = 'ctrl-c' | 'ctrl-z';
type Step = { kind: 'line'; text: string } | { kind: Key; afterNs: number } | { kind: 'ctrl-d' };

/** A `#@` line that names no directive: refused, rather than typed as a comment nobody meant. */
export class DirectiveError extends Error {
  constructor(readonly line: number, text: string) {
    super(`line ${line}: ${JSON.stringify(text)} is no directive (#@ ctrl-c [SECONDS], #@ ctrl-z [SECONDS], #@ ctrl-d)`);
  }
}

const DIRECTIVE = /^#@\s*(ctrl-c|ctrl-z|ctrl-d)(?:\s+(\d+(?:\.\d+)?)s?)?\s*$/;

export function parseScript(text: string): Step[] {
  const steps: Step[] = [];
  const lines = text.replace(/\n$/, '').split('\n');
  lines.forEach((line, i) => {
    const m = DIRECTIVE.exec(line);
    if (m) {
      if (m[1] === 'ctrl-d') {
        if (m[2] !== undefined) throw new DirectiveError(i + 1, line);
        steps.push({ kind: 'ctrl-d' });
      } else steps.push({ kind: m[1] as Key, afterNs: Math.round(Number(m[2] ?? 0) * 1e9) });
    } else if (line.startsWith('#@')) throw new DirectiveError(i + 1, line);
    else if (!/^#!/.test(line) && !/^#\s*(world|host|seed|uid):/.test(line)) steps.push({ kind: 'line', text: line });
  });
  return steps;
}

/**
 * The first transcript directive of a script, if any: a script run without --transcript has no
 * terminal to press keys on, and would wait for a ^C nobody presses.
 */
export function firstDirective(text: string): { line: number; text: string } | null {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith('#@'));
  return i < 0 ? null : { line: i + 1, text: lines[i]! };
}

/** Header comments of a scenario: `# world: NAME`, `# host: NAME`, `# seed: N`, `# uid: N`. */
export function scenarioHeader(text: string): { world?: string; host?: string; seed?: number; uid?: number } {
  const h: { world?: string; host?: string; seed?: number; uid?: number } = {};
  for (const line of text.split('\n')) {
    const m = /^#\s*(world|host|seed|uid):\s*(\S+)\s*$/.exec(line);
    if (!m) continue;
    if (m[1] === 'world' || m[1] === 'host') h[m[1]] = m[2]!;
    else h[m[1] as 'seed' | 'uid'] = Number(m[2]);
  }
  return h;
}

export interface TranscriptResult {
  transcript: string;
  outcome: RunOutcome;
  status: number;
}

export async function runTranscript(session: Session, script: string, timeLimitNs = 86_400e9): Promise<TranscriptResult> {
  const steps = parseScript(script);
  const { shell, terminal } = await session.startShell(['-i'], { tty: true });
  const term = terminal!;
  const sched = session.world.sched;
  const dec = new TextDecoder();
  let out = '';
  term.onOutput = (d) => {
    out += dec.decode(d, { stream: true });
  };
  let next = 0;
  let typing = false;
  /** ^C or ^Z as the terminal front end shows and sends them. */
  const press = (key: Key) => {
    out += key === 'ctrl-c' ? '^C\n' : '^Z\n';
    if (key === 'ctrl-c') term.interrupt();
    else term.suspend();
  };
  const feed = () => {
    typing = false;
    if (term.readersWaiting === 0) return;
    for (;;) {
      const step = steps[next++];
      if (!step) {
        term.endOfFile();
        return;
      }
      if (step.kind === 'line') {
        out += step.text + '\n';
        term.type(step.text + '\n');
        // ^C and ^Z steps right after a line are timed from when it was entered.
        for (let s = steps[next]; s?.kind === 'ctrl-c' || s?.kind === 'ctrl-z'; s = steps[++next]) {
          const key = s.kind;
          sched.after(s.afterNs, () => press(key));
        }
        return;
      }
      if (step.kind === 'ctrl-d') {
        term.endOfFile();
        return;
      }
      press(step.kind);
    }
  };
  term.onReadStateChange = (waiting) => {
    // Type once the reader is settled, after whatever it printed (the prompt) has come out.
    if (waiting && !typing) {
      typing = true;
      sched.soon(feed);
    }
  };
  const outcome = await session.run(() => !shell.alive, timeLimitNs);
  if (outcome.kind !== 'done') out += session.world.describeStuck(outcome);
  return { transcript: out, outcome, status: shell.status };
}
