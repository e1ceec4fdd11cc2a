// The command a user runs: the bundle `npm run build` writes (package.json's "bin"), which
// `npm test` and `npm run bench` build first.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../bin/paths.js';

export const TUNLAB_COMMAND = path.join(PACKAGE_ROOT, 'dist', 'bundle', 'tunlab.js');

/** `npm test` builds first (pretest); a lone `vitest run` of a file that runs the command builds if it must. */
export function ensureBuilt(): void {
  if (fs.existsSync(TUNLAB_COMMAND)) return;
  const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 180_000 });
  if (b.status !== 0) throw new Error(`npm run build failed:\n${b.stdout}${b.stderr}`);
}
