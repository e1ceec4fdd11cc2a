// tsc compiles every module to dist/; this bundles the command into dist/bundle/ so that starting
// tunlab reads a handful of files instead of some three hundred (Node's module loader was half of
// the cold start). Each program, the shell's builtins and the interactive terminal stay chunks of
// their own, loaded when first used, as they are from dist/.
//
// The command is CommonJS chunks in dist/bundle/core/, which bin/launch.ts (dist/bundle/tunlab.js)
// loads through V8's code cache (bin/chunk-loader.ts): compiling was a third of the cold start, and
// only scripts, not ES modules, take a code cache on Node 20. ink and react stay an ES module bundle
// (ui.mjs): ink and yoga use top-level await, which CommonJS cannot require.
//
// The chunks are ASCII, comments left out: the launcher then reads them as latin1, a copy of the
// bytes, where decoding a file with one non-ASCII character as UTF-8 took 7.5 ms for the entry chunk
// alone (a two-byte string of 2.4 MB), and 14% less source is read.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { defineConfig } from 'rolldown';

/**
 * The bundle is package.json's "bin": `npx tunlab` and `./dist/bundle/tunlab.js` exec it directly,
 * through its `#!/usr/bin/env node` line. Every rebuild writes it afresh (cleanDir), mode 0644, so
 * the exec bit is set again each time it is written.
 */
const executableEntry = {
  name: 'executable-entry',
  writeBundle(options, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type === 'chunk' && chunk.isEntry) fs.chmodSync(path.join(options.dir, chunk.fileName), 0o755);
    }
  },
};

/** What chunks require from ui.mjs (bin/ui-modules.ts's UI_MODULES). */
const UI_IDS = ['ink', 'react', 'react/jsx-runtime'];

/** rolldown's CommonJS form of a dynamic import of a chunk, which bin/chunk-loader.ts makes lazy and asynchronous. */
const CJS_DYNAMIC_IMPORT = /Promise\.resolve\(\)\.then\(\(\) => require\(("\.\/[^"]+\.cjs")\)\)/g;

/**
 * The launcher's contract with the chunks: each dynamic import goes through __tunlabImportChunk
 * (so the ui bundle can be loaded first, asynchronously), and manifest.json names the entry chunk,
 * the build (a hash of every chunk) and the chunks that need the ui bundle.
 */
const chunkManifest = {
  name: 'chunk-manifest',
  renderChunk(code) {
    return code.replace(CJS_DYNAMIC_IMPORT, '__tunlabImportChunk($1)');
  },
  generateBundle(_options, bundle) {
    const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
    const byName = new Map(chunks.map((c) => [c.fileName, c]));
    const memo = new Map();
    const needsUi = (name) => {
      if (memo.has(name)) return memo.get(name);
      memo.set(name, false);
      const c = byName.get(name);
      const r = c.imports.some((i) => UI_IDS.includes(i) || (byName.has(i) && needsUi(i)));
      memo.set(name, r);
      return r;
    };
    for (const c of chunks) {
      if (/[^\x00-\x7f]/.test(c.code)) throw new Error(`${c.fileName}: a character that is not ASCII, which the launcher's latin1 read would garble`);
      if (new RegExp(CJS_DYNAMIC_IMPORT.source).test(c.code)) throw new Error(`${c.fileName}: a dynamic import the launcher would not see`);
      if (/\brequire\("\.\.?\//.test(c.code.replace(/require\("\.\/[^"]+\.cjs"\)/g, ''))) throw new Error(`${c.fileName}: requires something that is not a chunk`);
    }
    const hash = createHash('sha256');
    for (const c of [...chunks].sort((a, b) => (a.fileName < b.fileName ? -1 : 1))) hash.update(c.fileName).update('\0').update(c.code);
    const manifest = {
      entry: chunks.find((c) => c.isEntry).fileName,
      build: hash.digest('hex').slice(0, 16),
      ui: chunks.filter((c) => needsUi(c.fileName)).map((c) => c.fileName).sort(),
    };
    this.emitFile({ type: 'asset', fileName: 'manifest.json', source: JSON.stringify(manifest, null, 1) + '\n' });
  },
};

/**
 * memfs's index makes a default volume and binds a node-fs-like object to it as it loads (1-3 ms
 * of every start); the kernel takes only its Volume class (kernel/vfs/memfs-root.ts), which is
 * @jsonjoy.com/fs-node's, re-exported: the bundle takes it from there (memfs is pinned to an exact
 * version; test/unit/kernel/memfs-root.test.ts checks that the two are one class).
 */
const FS_NODE = createRequire(createRequire(import.meta.url).resolve('memfs')).resolve('@jsonjoy.com/fs-node');

// ink imports react-devtools-core only when DEV=true; it is not installed and not wanted.
const DEVTOOLS = 'react-devtools-core';

/**
 * dist/bundle/package.json makes tunlab.js a CommonJS script (Node's CommonJS loader starts it
 * without setting up the ES module loader); the ES modules beside it are .mjs.
 */
const commonjsDir = {
  name: 'commonjs-dir',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'package.json', source: '{ "type": "commonjs" }\n' });
  },
};

export default defineConfig([
  {
    // The guest runtime, where a `--load` program's thread starts; the ui modules.
    input: { 'guest-runtime': 'dist/userland/lib/guest/runtime.js', ui: 'dist/bin/ui-modules.js' },
    platform: 'node',
    external: [DEVTOOLS],
    output: { dir: 'dist/bundle', format: 'esm', cleanDir: true, entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
  },
  {
    // The launcher, package.json's "bin".
    input: { tunlab: 'dist/bin/launch.js' },
    platform: 'node',
    output: { dir: 'dist/bundle', format: 'cjs' },
    plugins: [executableEntry, commonjsDir],
  },
  {
    input: { tunlab: 'dist/bin/tunlab.js' },
    platform: 'node',
    resolve: { alias: { memfs: FS_NODE } },
    external: [DEVTOOLS, ...UI_IDS],
    output: { dir: 'dist/bundle/core', format: 'cjs', cleanDir: true, charset: 'ascii', comments: false, entryFileNames: '[name]-[hash].cjs', chunkFileNames: '[name]-[hash].cjs' },
    plugins: [chunkManifest],
  },
]);
