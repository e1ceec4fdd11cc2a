// The launcher's code cache (bin/chunk-loader.ts), through the built command: the first start
// writes a cache file for each chunk it ran, later starts use them, and a cache that is garbage, a
// directory that cannot be made, or none at all changes nothing a user sees.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDirFor } from '../../bin/chunk-loader.js';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { ensureBuilt, TUNLAB_COMMAND } from '../helpers/command.js';

const RUN_MS = 20_000;
const SCRIPT = 'echo hello; ping -c 1 -q 192.168.1.1 | grep transmitted';
const EXPECTED = 'hello\n1 packets transmitted, 1 packets received, 0.0% packet loss\n';

let tmp = '';

beforeAll(() => {
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-code-cache-'));
}, 200_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function run(env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [TUNLAB_COMMAND, '-c', SCRIPT], { encoding: 'utf8', timeout: RUN_MS, env: { ...process.env, ...env } });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const ok = { stdout: EXPECTED, stderr: '', status: 0 };

/** This build's cache directory under `root`, as the launcher names it. */
function buildDir(root: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'dist', 'bundle', 'core', 'manifest.json'), 'utf8')) as { build: string };
  return cacheDirFor(manifest.build, { TUNLAB_CACHE_DIR: root })!;
}

describe('the code cache', () => {
  it('is written by the first start, one file per chunk that ran, and used by the next', () => {
    const root = path.join(tmp, 'fresh');
    expect(run({ TUNLAB_CACHE_DIR: root })).toEqual(ok);
    const dir = buildDir(root);
    const files = fs.readdirSync(dir).sort();
    // The entry chunk, the shell and ping at least; nothing half-written left behind.
    expect(files.some((f) => f.startsWith('tunlab-'))).toBe(true);
    expect(files.some((f) => f.startsWith('sh-'))).toBe(true);
    expect(files.some((f) => f.startsWith('ping-'))).toBe(true);
    expect(files.every((f) => f.endsWith('.cjs.v8'))).toBe(true);
    const written = new Map(files.map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]));
    // A cache V8 accepts is not written again.
    expect(run({ TUNLAB_CACHE_DIR: root })).toEqual(ok);
    for (const [f, t] of written) expect(fs.statSync(path.join(dir, f)).mtimeMs).toBe(t);
  });

  it('a cache file V8 rejects costs only the compiling, and is written anew', () => {
    const root = path.join(tmp, 'garbage');
    expect(run({ TUNLAB_CACHE_DIR: root })).toEqual(ok);
    const dir = buildDir(root);
    const entry = fs.readdirSync(dir).find((f) => f.startsWith('tunlab-'))!;
    for (const f of fs.readdirSync(dir)) fs.writeFileSync(path.join(dir, f), Buffer.from('not a V8 code cache'));
    expect(run({ TUNLAB_CACHE_DIR: root })).toEqual(ok);
    // Written again: the code compiled by the run (its size varies a little with what V8 compiled lazily).
    expect(fs.readFileSync(path.join(dir, entry)).length).toBeGreaterThan(100_000);
  });

  it('a cache directory that cannot be made, or none (TUNLAB_CACHE_DIR empty), is no error', () => {
    const blocker = path.join(tmp, 'a-file');
    fs.writeFileSync(blocker, '');
    expect(run({ TUNLAB_CACHE_DIR: path.join(blocker, 'cache') })).toEqual(ok);
    expect(run({ TUNLAB_CACHE_DIR: '' })).toEqual(ok);
  });

  it('loads chunks that are ASCII only (read as latin1), with text that is not ASCII intact', () => {
    const core = path.join(PACKAGE_ROOT, 'dist', 'bundle', 'core');
    for (const f of fs.readdirSync(core).filter((f) => f.endsWith('.cjs'))) {
      expect(fs.readFileSync(path.join(core, f)).every((b) => b < 0x80), f).toBe(true);
    }
    // µs is an escape in the chunks, in a regular expression and in a message: both must still be µs.
    const r = spawnSync(process.execPath, [TUNLAB_COMMAND, '--max-time', '500\u00b5s', '-c', 'sleep 1'], {
      encoding: 'utf8',
      timeout: RUN_MS,
      env: { ...process.env, TUNLAB_CACHE_DIR: path.join(tmp, 'ascii') },
    });
    expect(r.stderr).toContain('time limit reached (--max-time 500\u00b5s)');
    expect(r.status).toBe(3);
  });

  it('is kept per build and per Node version, under XDG_CACHE_HOME or ~/.cache', () => {
    expect(cacheDirFor('b1', { TUNLAB_CACHE_DIR: '/c' })).toBe(`/c/code-b1-${process.version}-${process.arch}`);
    expect(cacheDirFor('b1', { XDG_CACHE_HOME: '/x' })).toBe(`/x/tunlab/code-b1-${process.version}-${process.arch}`);
    expect(cacheDirFor('b1', {})).toBe(path.join(os.homedir(), '.cache', 'tunlab', `code-b1-${process.version}-${process.arch}`));
    expect(cacheDirFor('b1', { TUNLAB_CACHE_DIR: '' })).toBeNull();
  });
});
