// Long scripts run as a shell reads them, one complete command at a time: nothing parses the whole
// text up front (a 2 MB script of a million lines once took 2.1 GB, and 18 MB aborted the V8 heap:
// the check for "one command only, exec it" parsed the whole script first).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TUNLAB_COMMAND } from '../helpers/command.js';

describe('a script of 500 000 commands', () => {
  it('runs in a 48 MB heap: only the command running is parsed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-script-'));
    try {
      const script = path.join(dir, 'long.sh');
      fs.writeFileSync(script, Array.from({ length: 500_000 }, (_, i) => `x=${i % 10}\n`).join('') + 'echo "last $x"\n');
      const r = spawnSync(process.execPath, ['--max-old-space-size=48', TUNLAB_COMMAND, script], { encoding: 'utf8', timeout: 120_000 });
      expect({ out: r.stdout, err: r.stderr.slice(0, 300), status: r.status }).toEqual({ out: 'last 9\n', err: '', status: 0 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
