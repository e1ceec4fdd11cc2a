// tsc compiles every module to dist/; this bundles the command into dist/bundle/ so that starting
// tunlab reads a handful of files instead of some three hundred (Node's module loader was half of
// the cold start). Each program, the shell's builtins and the interactive terminal stay chunks of
// their own, loaded when first used, as they are from dist/.
import * as fs from 'node:fs';
import * as path from 'node:path';
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

export default defineConfig({
  // The guest runtime is a second entry: a `--load` program's thread starts from it.
  input: { tunlab: 'dist/bin/tunlab.js', 'guest-runtime': 'dist/userland/lib/guest/runtime.js' },
  platform: 'node',
  // ink imports react-devtools-core only when DEV=true; it is not installed and not wanted.
  external: ['react-devtools-core'],
  output: { dir: 'dist/bundle', format: 'esm', cleanDir: true },
  plugins: [executableEntry],
});
