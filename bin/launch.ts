#!/usr/bin/env node
// What `tunlab` runs first (dist/bundle/tunlab.js): the command's CommonJS chunks, through V8's code
// cache (bin/chunk-loader.ts says why and how).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDirFor, ChunkLoader, type Manifest, type UiModules } from './chunk-loader.js';

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = join(here, 'core');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const loader = new ChunkLoader(dir, manifest, cacheDirFor(manifest.build, process.env), async () => {
    const ui = (await import(new URL('./ui.mjs', import.meta.url).href)) as { UI_MODULES: UiModules };
    return ui.UI_MODULES;
  });
  // tunlab ends with process.exit: 'exit' is the one moment every chunk that ran has been compiled.
  process.on('exit', () => loader.saveCache());
  await loader.start();
}

main().catch((e: unknown) => {
  // A bundle missing a part (a build interrupted): say so, as tunlab's own internal errors do.
  process.stderr.write(`tunlab: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(70);
});
