// No state outside a world: two identical worlds run side by side in one process, their run loops
// interleaved on Node's event loop, each give the transcript that one world gives alone, and the
// golden. A counter kept in a module (socket ids, pipe ids, a cache of sessions) would make the
// second world's numbers differ from the first's.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { Session } from '../../bin/session.js';
import { runTranscript, scenarioHeader } from '../../bin/transcript.js';

const DIR = path.join(PACKAGE_ROOT, 'fixtures', 'scenarios');

/** Scenarios that between them use every kind of kernel object with an id or a counter. */
const SCENARIOS = ['object-ids', 'tour', 'openvpn-tls', 'wireguard', 'journey-vpn-ping', 'story5-eight-writers', 'strace-ifconfig-up'];

async function transcriptOf(script: string): Promise<string> {
  const h = scenarioHeader(script);
  const session = await Session.create({
    clock: 'virtual',
    seed: h.seed ?? 1,
    uid: h.uid,
    host: h.host,
    worldFile: h.world ? path.join(PACKAGE_ROOT, 'fixtures', 'worlds', `${h.world}.json`) : undefined,
  });
  try {
    return (await runTranscript(session, script)).transcript;
  } finally {
    session.close();
  }
}

describe('two identical worlds in one process', () => {
  for (const name of SCENARIOS) {
    it(`${name}: interleaved, each matches the golden`, async () => {
      const script = fs.readFileSync(path.join(DIR, `${name}.sh`), 'utf8');
      const golden = fs.readFileSync(path.join(DIR, `${name}.out`), 'utf8');
      const [a, b] = await Promise.all([transcriptOf(script), transcriptOf(script)]);
      expect(a).toBe(golden);
      expect(b).toBe(golden);
      // Two whole worlds on one thread: story5 alone takes most of the default 30 s on a loaded
      // 2-core machine. The limit only catches a hang; the result does not depend on time.
    }, 180_000);
  }
});
