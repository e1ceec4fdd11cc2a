// `npm start`'s build step: rebuild only when a source changed since the bundle was written, so a
// start after a start takes a fraction of a second instead of a full tsc and bundle. A source is any
// file or directory (a deletion changes its directory) under the compiled trees, or a build input.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const TREES = ['bin', 'kernel', 'userland', 'test/bench'];
const FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'rolldown.config.mjs'];
export const BUNDLE = 'dist/bundle/tunlab.js';

/** The newest modification time (ms) of a file, or of a directory and everything in it. */
function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  let t = st.mtimeMs;
  if (st.isDirectory()) for (const e of fs.readdirSync(p)) t = Math.max(t, newest(path.join(p, e)));
  return t;
}

/** Why the bundle under `root` must be rebuilt, or null when it is newer than every source. */
export function staleness(root) {
  let bundle;
  try {
    bundle = fs.statSync(path.join(root, BUNDLE));
  } catch {
    return `${BUNDLE} does not exist`;
  }
  if ((bundle.mode & 0o111) === 0) return `${BUNDLE} is not executable`;
  for (const p of [...TREES, ...FILES]) if (newest(path.join(root, p)) > bundle.mtimeMs) return `${p} changed`;
  return null;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const why = staleness(root);
  if (why !== null) {
    const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
}
