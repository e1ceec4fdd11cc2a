// Golden transcripts: every fixtures/scenarios/NAME.sh is typed into an interactive shell in
// virtual time and the whole terminal is compared with NAME.out, byte for byte.
// UPDATE_SCENARIOS=1 npm test records them afresh (review the diff before committing).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { Session } from '../../bin/session.js';
import { runTranscript, scenarioHeader } from '../../bin/transcript.js';

const DIR = path.join(PACKAGE_ROOT, 'fixtures', 'scenarios');
const scenarios = fs.readdirSync(DIR).filter((f) => f.endsWith('.sh')).sort();

describe('scenarios', () => {
  it('has scenarios', () => expect(scenarios.length).toBeGreaterThan(0));
  for (const file of scenarios) {
    it(file.replace(/\.sh$/, ''), async () => {
      const script = fs.readFileSync(path.join(DIR, file), 'utf8');
      const h = scenarioHeader(script);
      const session = await Session.create({
        clock: 'virtual',
        seed: h.seed ?? 1,
        uid: h.uid,
        host: h.host,
        worldFile: h.world ? path.join(PACKAGE_ROOT, 'fixtures', 'worlds', `${h.world}.json`) : undefined,
      });
      const { transcript } = await runTranscript(session, script);
      const golden = path.join(DIR, file.replace(/\.sh$/, '.out'));
      if (process.env['UPDATE_SCENARIOS'] || !fs.existsSync(golden)) {
        fs.writeFileSync(golden, transcript);
        if (!process.env['UPDATE_SCENARIOS']) throw new Error(`${golden} did not exist: recorded it, review and commit it`);
      }
      expect(transcript).toBe(fs.readFileSync(golden, 'utf8'));
    });
  }
});
