// The differential TUN suite's fixtures against this machine's own kernel: a handful of sequences
// are recorded afresh on the real /dev/net/tun (test/difftun/record.py, each in a network
// namespace it makes and deletes) and must still answer as the committed fixtures say. A kernel
// that changed its answers shows here, step by step, before the replay suite trusts the fixtures.
// It needs root, network namespaces, python3 and net-tools' ifconfig; it is skipped, saying why,
// only when one is missing (and fails instead under TUNLAB_REQUIRE_INTEROP=1).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { compare, type Fixture } from '../difftun/replay.js';
import { makeNetns, missingTools, runTool, skipUnlessAble } from './helpers.js';

/** One of each kind: names and flags, unattached errnos, MTU limits, MAC families, PI framing, DF by size, owners, SIOCSIFFLAGS. */
const SEQUENCES = [
  'getiff-flags',
  'unattached-calls',
  'mtu-tun-limits',
  'hwaddr-tap-family-none',
  'read-short-pi-strip',
  'udp-no-df-fragmented',
  'write-down-eio',
  'owner-eperm-before-ebusy',
  'flags-tun-up-down',
  'tap-arp-reply',
];

function whyNot(): string | null {
  const tools = missingTools({ command: 'python3', pkg: 'python3' }, { command: 'ip', pkg: 'iproute2' }, { command: 'ifconfig', pkg: 'net-tools' });
  if (tools) return tools;
  if (!fs.existsSync('/dev/net/tun')) return 'this kernel has no /dev/net/tun';
  const probe = `tunlab-diff-probe-${process.pid}`;
  const ns = makeNetns(probe);
  if (ns) return ns;
  runTool(['ip', 'netns', 'del', probe]);
  return null;
}

describe('the differential TUN fixtures on this machine\'s kernel', () => {
  it(`re-recorded, ${SEQUENCES.length} sequences answer as fixtures/difftun says`, (ctx) => {
    skipUnlessAble(ctx, whyNot(), 'the live differential TUN recording');
    const r = spawnSync('timeout', ['-k', '5', '120', 'python3', path.join(PACKAGE_ROOT, 'test', 'difftun', 'record.py'), '--json', ...SEQUENCES], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const fresh = JSON.parse(r.stdout) as Fixture[];
    const report: string[] = [];
    for (const now of fresh) {
      const committed = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'fixtures', 'difftun', `${now.name}.json`), 'utf8')) as Fixture;
      expect(now.steps.length).toBe(committed.steps.length);
      committed.steps.forEach((step, i) => {
        const who: [string, string] = [`fixture (${committed.kernel})`, `kernel ${now.kernel}`];
        for (const d of compare(step, step.result, now.steps[i]!.result, who)) report.push(`${now.name} step ${i} (${step.op}): ${d}`);
      });
    }
    expect(report, report.join('\n')).toEqual([]);
  });
});
