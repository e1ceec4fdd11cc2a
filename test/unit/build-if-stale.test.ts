// `npm start` rebuilds only when a source changed (scripts/build-if-stale.mjs): a missing or
// non-executable bundle, or any file or directory of the sources newer than it, means a build.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLE, staleness } from '../../scripts/build-if-stale.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A tree with one source and a bundle, the bundle `ahead` ms newer than the source. */
function tree(ahead: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-stale-'));
  dirs.push(root);
  fs.mkdirSync(path.join(root, 'kernel', 'abi'), { recursive: true });
  fs.writeFileSync(path.join(root, 'kernel', 'abi', 'x.ts'), '');
  fs.mkdirSync(path.join(root, path.dirname(BUNDLE)), { recursive: true });
  fs.writeFileSync(path.join(root, BUNDLE), '', { mode: 0o755 });
  const t = Date.now() / 1000 - 100;
  for (const p of ['kernel/abi/x.ts', 'kernel/abi', 'kernel']) fs.utimesSync(path.join(root, p), t, t);
  fs.utimesSync(path.join(root, BUNDLE), t + ahead / 1000, t + ahead / 1000);
  return root;
}

describe('npm start builds only what changed', () => {
  it('a bundle newer than every source is used as it is', () => {
    expect(staleness(tree(1000))).toBeNull();
  });

  it('a changed, added or deleted source, a missing bundle or one without its exec bit: a build', () => {
    expect(staleness(tree(-1000))).toBe('kernel changed');
    const added = tree(1000);
    fs.writeFileSync(path.join(added, 'kernel', 'abi', 'y.ts'), '');
    expect(staleness(added)).toBe('kernel changed');
    const deleted = tree(1000);
    fs.rmSync(path.join(deleted, 'kernel', 'abi', 'x.ts'));
    expect(staleness(deleted)).toBe('kernel changed');
    const missing = tree(1000);
    fs.rmSync(path.join(missing, BUNDLE));
    expect(staleness(missing)).toBe(`${BUNDLE} does not exist`);
    const plain = tree(1000);
    fs.chmodSync(path.join(plain, BUNDLE), 0o644);
    expect(staleness(plain)).toBe(`${BUNDLE} is not executable`);
  });
});
