// Transcripts: a script typed, line by line, into an interactive shell on a terminal, in virtual
// time, with everything the terminal showed recorded: prompts, the typed lines, the output. The
// scenario tests compare these byte for byte; `tunlab --transcript FILE` prints one.
//
// A script line `#@ ctrl-c 3.5` presses ^C 3.5 virtual seconds after the line before it was
// entered; `#@ ctrl-d` sends end-of-file to whoever reads next. Every other line is typed as is,
// comments included, so a transcript reads as the story it tells.

import type { RunOutcome } from '../kernel/sched/scheduler.js';
import type { Session } from './session.js';

type Step = { kind: 'line'; text: string } | { kind: 'ctrl-c'; afterNs: number } | { kind: 'ctrl-d' };

export function parseScript(text: string): Step[] {
  const steps: Step[] = [];
  const lines = text.replace(/\n$/, '').split('\n');
  for (const line of lines) {
    const m = /^#@\s*(ctrl-c|ctrl-d)(?:\s+(\d+(?:\.\d+)?)s?)?\s*$/.exec(line);
    if (m) steps.push(m[1] === 'ctrl-c' ? { kind: 'ctrl-c', afterNs: Math.round(Number(m[2] ?? 0) * 1e9) } : { kind: 'ctrl-d' });
    else if (!/^#!/.test(line) && !/^#\s*(world|host|seed|uid):/.test(line)) steps.push({ kind: 'line', text: line });
  }
  return steps;
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
        // ^C steps right after a line are timed from when it was entered.
        while (steps[next]?.kind === 'ctrl-c') {
          const s = steps[next++] as { kind: 'ctrl-c'; afterNs: number };
          sched.after(s.afterNs, () => {
            out += '^C\n';
            term.interrupt();
          });
        }
        return;
      }
      if (step.kind === 'ctrl-d') {
        term.endOfFile();
        return;
      }
      out += '^C\n';
      term.interrupt();
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
