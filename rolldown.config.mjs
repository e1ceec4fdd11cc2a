// tsc compiles every module to dist/; this bundles the command into dist/bundle/ so that starting
// tunlab reads a handful of files instead of some three hundred (Node's module loader was half of
// the cold start). Each program, the shell's builtins and the interactive terminal stay chunks of
// their own, loaded when first used, as they are from dist/.
import { defineConfig } from 'rolldown';

export default defineConfig({
  // The guest runtime is a second entry: a `--load` program's thread starts from it.
  input: { tunlab: 'dist/bin/tunlab.js', 'guest-runtime': 'dist/userland/lib/guest/runtime.js' },
  platform: 'node',
  // ink imports react-devtools-core only when DEV=true; it is not installed and not wanted.
  external: ['react-devtools-core'],
  output: { dir: 'dist/bundle', format: 'esm', cleanDir: true },
});
