// The differential TUN suite: every sequence recorded on a real Linux TUN (fixtures/difftun, by
// test/difftun/record.py) is replayed in tunlab through `syscall`, `su` and `ifconfig` in virtual
// time, and each step must answer as Linux did. What tunlab translates by design is in mapping.ts.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { describe as report, type Fixture, replay } from './replay.js';

const DIR = path.join(PACKAGE_ROOT, 'fixtures', 'difftun');
const fixtures: Fixture[] = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as Fixture);

/**
 * Sequences that still differ only because work on another branch has not reached main yet, with
 * the reason. `it.fails` keeps them honest: once main has that work, they pass, the test fails, and
 * the entry must go.
 */
const AWAITING = new Map<string, string>();

describe('differential TUN suite (Linux fixtures replayed in tunlab)', () => {
  it('has the sequences the acceptance asks for', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(72);
    expect(new Set(fixtures.map((f) => f.name)).size).toBe(fixtures.length);
  });

  for (const f of fixtures) {
    const awaiting = AWAITING.get(f.name);
    (awaiting ? it.fails : it)(awaiting ? `${f.name} (expected to fail: ${awaiting})` : f.name, async () => {
      const outcomes = await replay(f);
      const differ = outcomes.filter((o) => o.differences.length > 0);
      if (differ.length) expect.fail(`tunlab differs from Linux ${f.kernel}:\n${report(f, outcomes)}`);
    });
  }
});

it('every expected failure names a sequence that exists', () => {
  for (const name of AWAITING.keys()) expect(fixtures.map((f) => f.name)).toContain(name);
});
