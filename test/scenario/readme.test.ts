// The README's tour, run as a scenario so that it cannot drift (issue 11.2): every line typed at a
// `haiku:~> ` prompt in its "A short tour" section is typed into an interactive shell of the default
// world, in virtual time; the output the README shows under a command must be what that command
// prints, and the whole terminal is compared with fixtures/scenarios/readme-tour.out
// (UPDATE_SCENARIOS=1 records it afresh, as for the other scenarios).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { Session } from '../../bin/session.js';
import { runTranscript } from '../../bin/transcript.js';

const PROMPT = 'haiku:~> ';

interface Step {
  command: string;
  /** The lines the README shows after the command, without their trailing "# comment". */
  shown: string[];
}

/**
 * The tour's typed commands and shown outputs, from the ```sh blocks of its section (to the next
 * heading) but the one that starts with `npx tunlab --forward` (real time, a real OpenVPN).
 */
export function tourSteps(readme: string): Step[] {
  const start = readme.indexOf('## A short tour');
  const end = readme.slice(start + 1).search(/\n#{2,3} /) + start + 1;
  const section = readme.slice(start, end);
  const steps: Step[] = [];
  for (const block of section.split(/^```sh\n/m).slice(1)) {
    if (block.startsWith('npx ')) continue;
    for (const line of block.slice(0, block.indexOf('```')).split('\n')) {
      if (line.startsWith(PROMPT)) steps.push({ command: line.slice(PROMPT.length).trimEnd(), shown: [] });
      else if (line.trim() && steps.length > 0 && !line.startsWith('#')) steps[steps.length - 1]!.shown.push(line.replace(/\s+#.*$/, ''));
    }
  }
  return steps;
}

/** Each command the terminal shows, in order, with the lines after its prompt line to the next prompt. */
function outputs(transcript: string): Array<{ command: string; lines: string[] }> {
  const shown: Array<{ command: string; lines: string[] }> = [];
  for (const line of transcript.split('\n')) {
    if (line.startsWith(PROMPT)) shown.push({ command: line.slice(PROMPT.length).trimEnd(), lines: [] });
    else shown.at(-1)?.lines.push(line);
  }
  return shown;
}

describe("the README's tour", () => {
  it('runs as the README says, its shown outputs included', async () => {
    const readme = fs.readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
    const steps = tourSteps(readme);
    // The tour section has its two blocks of commands: the driver, then the VPN.
    expect(steps.length).toBeGreaterThan(15);
    const script = steps.map((s) => s.command).join('\n') + '\n';
    const session = await Session.create({ clock: 'virtual', seed: 1 });
    const { transcript } = await runTranscript(session, script);
    const shown = outputs(transcript);
    steps.forEach((step, i) => {
      expect(shown[i]?.command).toBe(step.command);
      // The README shows the first lines of what the command prints.
      expect(shown[i]!.lines.slice(0, step.shown.length), step.command).toEqual(step.shown);
    });
    // The tunnel's own tcpdump sees the ping inside the tunnel: openvpn got tun/0, the tour's fd let go of it.
    expect(transcript).toMatch(/IP 10\.8\.0\.2 > 10\.10\.0\.10: ICMP echo request.*\n(.*\n)*2 packets captured\n/);
    const golden = path.join(PACKAGE_ROOT, 'fixtures', 'scenarios', 'readme-tour.out');
    if (process.env['UPDATE_SCENARIOS'] || !fs.existsSync(golden)) {
      fs.writeFileSync(golden, transcript);
      if (!process.env['UPDATE_SCENARIOS']) throw new Error(`${golden} did not exist: recorded it, review and commit it`);
    }
    expect(transcript).toBe(fs.readFileSync(golden, 'utf8'));
  });
});

describe("the README's journey excerpt", () => {
  it('is the scenario golden, line for line, its gaps marked with ...', () => {
    const readme = fs.readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf("## A packet's journey");
    const block = readme.slice(readme.indexOf('```\n', start) + 4);
    const shown = block.slice(0, block.indexOf('```')).trimEnd().split('\n');
    const golden = fs.readFileSync(path.join(PACKAGE_ROOT, 'fixtures/scenarios/journey-vpn-ping.out'), 'utf8').split('\n');
    // Each run of lines between gaps is found whole in the golden, after the run before it.
    let at = 0;
    const runs: string[][] = [[]];
    for (const line of shown) {
      if (line.trim() === '...') runs.push([]);
      else runs.at(-1)!.push(line);
    }
    for (const run of runs.filter((r) => r.length > 0)) {
      let found = -1;
      for (let i = at; i + run.length <= golden.length && found < 0; i++) if (run.every((l, k) => golden[i + k] === l)) found = i;
      expect(found, `not in fixtures/scenarios/journey-vpn-ping.out after line ${at + 1}:\n${run.join('\n')}`).toBeGreaterThanOrEqual(0);
      at = found + run.length;
    }
  });
});
