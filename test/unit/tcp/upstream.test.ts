// The upstream packetdrill TCP scripts that pass on Linux 6.18, run on tunlab as a user would:
// `cd DIR && packetdrill FILE` in the upstream tree mounted with --share. Each script gets a fresh
// world. Set PACKETDRILL_TREE to the directory holding gtests/ (a checkout of google/packetdrill);
// without it the test is skipped, since the tree is not part of this repository.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import { World } from '../../../kernel/world/world.js';
import { userlandPrograms } from '../../../userland/bin/registry.js';
import { run } from '../../helpers/world.js';

const TREE = process.env.PACKETDRILL_TREE;
const LIST = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'packetdrill-linux-pass.txt'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
const ONLY = process.env.PACKETDRILL_ONLY;

export async function runUpstream(tree: string, script: string): Promise<{ status: number; out: string }> {
  const world = new World({ programs: userlandPrograms, share: tree, checkErrno: true });
  world.addHost('haiku');
  const dir = path.posix.dirname(script);
  const r = await run(world, 'haiku', ['sh', '-c', `cd /host/gtests/${dir} && packetdrill ${path.posix.basename(script)}`]);
  return { status: r.proc.alive ? -1 : WEXITSTATUS(r.status), out: r.out };
}

describe.skipIf(!TREE)('upstream packetdrill scripts', () => {
  it('pass on tunlab at least as often as 80 % of the ones passing on Linux', { timeout: 3_600_000 }, async () => {
    const results: Array<{ script: string; ok: boolean; out: string }> = [];
    for (const script of LIST.filter((s) => !ONLY || s.includes(ONLY))) {
      const r = await runUpstream(TREE!, script);
      results.push({ script, ok: r.status === 0, out: r.out });
    }
    const passed = results.filter((r) => r.ok).length;
    const report = results.map((r) => `${r.ok ? 'PASS' : 'FAIL'} ${r.script}${r.ok ? '' : `\n${r.out.replace(/^/gm, '    ')}`}`).join('\n');
    fs.writeFileSync(process.env.PACKETDRILL_REPORT ?? '/tmp/packetdrill-upstream.txt', `${passed}/${results.length}\n${report}\n`);
    expect(passed / results.length).toBeGreaterThanOrEqual(0.8);
  });
});
