// Where tunlab's own files are, whether it runs from the sources (tests) or from dist/ (the bin).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'fixtures'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('tunlab: cannot find the package root (no package.json beside fixtures/)');
    dir = up;
  }
}

export const PACKAGE_ROOT = findRoot();
export const DEFAULT_WORLD = path.join(PACKAGE_ROOT, 'fixtures', 'worlds', 'default.json');
/** What runs around a `--load` program in its own thread (built by npm run build). */
export const GUEST_RUNTIME = path.join(PACKAGE_ROOT, 'dist', 'bundle', 'guest-runtime.mjs');

export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
