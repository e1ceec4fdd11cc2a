// tunlab's own packetdrill scripts (test/packetdrill/*.pkt), one per TCP behaviour, each run by
// the packetdrill program in a fresh world as a user would: `cd DIR && packetdrill FILE` with the
// directory shared into the host. In virtual time their timings are exact.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPacketdrill } from './pd-run.js';

const DIR = path.join(import.meta.dirname, '..', '..', 'packetdrill');
const SCRIPTS = fs.readdirSync(DIR).filter((f) => f.endsWith('.pkt')).sort();

describe('tunlab packetdrill scripts', () => {
  it.each(SCRIPTS)('%s', async (script) => {
    // PACKETDRILL_VERBOSE=1 shows each packet and call of a failing script (packetdrill -v).
    const verbose = process.env.PACKETDRILL_VERBOSE === '1';
    const r = await runPacketdrill(DIR, script, verbose ? ['-v'] : []);
    if (verbose) {
      if (r.status !== 0) console.log(r.out);
    } else expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });
});
