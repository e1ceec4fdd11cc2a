// What a start loads: Node's modules that only some worlds use (kernel/port/node.ts loads them when
// first used) stay unloaded by a script that does not need them, through the built command.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { ensureBuilt, TUNLAB_COMMAND } from '../helpers/command.js';

let tmp = '';
let preload = '';

beforeAll(() => {
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-cold-start-'));
  preload = path.join(tmp, 'report.cjs');
  // Node's own record of the built-in modules it loaded, written at exit to stderr's last line.
  fs.writeFileSync(
    preload,
    "process.on('exit', () => process.stderr.write('\\nloaded: ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(' ') + '\\n'));\n",
  );
}, 200_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function loaded(args: string[]): string[] {
  const r = spawnSync(process.execPath, ['-r', preload, TUNLAB_COMMAND, ...args], { encoding: 'utf8', timeout: 20_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr.trim().split('\n').at(-1)!.replace(/^loaded: /, '').split(' ');
}

describe('a start', () => {
  it('loads no worker threads unless a program is --load-ed', () => {
    const mods = loaded(['-c', 'true']);
    expect(mods).toContain('fs');
    expect(mods).not.toContain('worker_threads');
  });

  it('loads no crypto in a world whose boot starts no VPN', () => {
    const mods = loaded(['-w', path.join(PACKAGE_ROOT, 'fixtures', 'worlds', 'lossy-wan.json'), '-c', 'true']);
    expect(mods).not.toContain('crypto');
    expect(mods).not.toContain('worker_threads');
  });
});
