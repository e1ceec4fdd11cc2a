// How `tunlab` loads itself (bin/launch.ts is the bundle's entry, dist/bundle/tunlab.js). The command is bundled as CommonJS chunks
// in dist/bundle/core/ (rolldown.config.mjs), and this loads them through V8's code cache: compiling
// the bundle was a third of a cold start, and Node 20 has no compile cache of its own for modules
// (module.enableCompileCache came in 22.1). Each chunk is compiled with Script; when it had no
// cache, or V8 refused the one it had (another Node, other V8 flags), the code compiled by the end
// of the run is written to the cache as the process exits, so the next start skips the compiling.
//
// The cache is a cache: a directory that cannot be made or written, a file that cannot be read, or
// one V8 rejects only costs the compiling. Writes go to a temporary name and are renamed into place,
// so concurrent first runs each write a whole file and the last one wins. Its directory is
// $TUNLAB_CACHE_DIR, else $XDG_CACHE_HOME/tunlab or ~/.cache/tunlab; one subdirectory per build
// and Node version, those unused for a week removed when a new one is made.
//
// ink and react (and yoga's WebAssembly) are ES modules with top-level await, which CommonJS cannot
// require: they are a separate ES module bundle (ui.mjs), imported before any chunk that needs
// them (the manifest lists those), and handed to those chunks' require.

import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { constants as vmConstants, Script } from 'node:vm';

/** What the CommonJS build writes beside its chunks (rolldown.config.mjs). */
export interface Manifest {
  /** The chunk to run. */
  entry: string;
  /** A hash of every chunk: which build this is. */
  build: string;
  /** The chunks that need the ui bundle loaded first (they or a chunk they require use ink or react). */
  ui: string[];
}

/** The ids that chunks require from the ui bundle (its export UI_MODULES). */
export type UiModules = Record<string, unknown>;

/** How chunks load each other lazily: rolldown.config.mjs rewrites their dynamic imports to this. */
export const CHUNK_IMPORT = '__tunlabImportChunk';

const WEEK_MS = 7 * 24 * 3600 * 1000;

interface Loaded {
  module: { exports: unknown };
  script: Script;
  /** Whether the cache must be written at exit (there was none, or V8 rejected it). */
  stale: boolean;
}

export class ChunkLoader {
  private readonly loaded = new Map<string, Loaded>();
  private readonly ui: Set<string>;
  private uiModules: UiModules | null = null;
  private readonly nodeRequire: NodeJS.Require;

  constructor(
    private readonly dir: string,
    private readonly manifest: Manifest,
    /** Where this build's cache files go; null: no cache. */
    private readonly cacheDir: string | null,
    private readonly loadUi: () => Promise<UiModules>,
  ) {
    this.ui = new Set(manifest.ui);
    this.nodeRequire = createRequire(join(dir, manifest.entry));
  }

  /** Run the entry chunk; a chunk that needs the ui bundle gets it first. */
  async start(): Promise<void> {
    await this.importChunk(`./${this.manifest.entry}`);
  }

  private async importChunk(id: string): Promise<unknown> {
    if (this.ui.has(id.slice(2)) && !this.uiModules) this.uiModules = await this.loadUi();
    return this.require(id);
  }

  private require(id: string): unknown {
    if (id.startsWith('./')) return this.load(id.slice(2));
    if (this.uiModules && Object.hasOwn(this.uiModules, id)) return this.uiModules[id];
    return this.nodeRequire(id);
  }

  private load(name: string): unknown {
    const had = this.loaded.get(name);
    if (had) return had.module.exports;
    const file = join(this.dir, name);
    // The build makes every chunk ASCII (rolldown.config.mjs): latin1 is then the same text, without
    // a UTF-8 decoder's work. The shebang line, if any, becomes a comment: line numbers stay the file's.
    const source = readFileSync(file, 'latin1').replace(/^#!/, '//');
    const cached = this.readCache(name);
    const script = new Script(`(function (exports, require, module, __filename, __dirname, ${CHUNK_IMPORT}) {${source}\n})`, {
      filename: file,
      cachedData: cached ?? undefined,
      importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const entry: Loaded = { module: { exports: {} }, script, stale: cached === null || script.cachedDataRejected === true };
    // In the map before it runs: chunks require each other in cycles, as CommonJS allows.
    this.loaded.set(name, entry);
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper(entry.module.exports, (id: string) => this.require(id), entry.module, file, this.dir, (id: string) => this.importChunk(id));
    return entry.module.exports;
  }

  private readCache(name: string): Buffer | null {
    if (this.cacheDir === null) return null;
    try {
      return readFileSync(join(this.cacheDir, `${name}.v8`));
    } catch {
      return null;
    }
  }

  /** Write the code compiled so far of each chunk that had no usable cache. Never throws. */
  saveCache(): void {
    const stale = [...this.loaded].filter(([, l]) => l.stale);
    if (this.cacheDir === null || stale.length === 0) return;
    try {
      if (!existsSync(this.cacheDir)) {
        mkdirSync(this.cacheDir, { recursive: true });
        pruneUnused(dirname(this.cacheDir), this.cacheDir);
      }
      for (const [name, l] of stale) {
        const target = join(this.cacheDir, `${name}.v8`);
        const tmp = `${target}.${process.pid}.tmp`;
        writeFileSync(tmp, l.script.createCachedData());
        renameSync(tmp, target);
      }
    } catch {
      // Read-only or full: the next start compiles again, as this one did.
    }
  }
}

/** Remove the cache directories of other builds and Node versions that no start has used for a week. */
function pruneUnused(root: string, keep: string): void {
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (dir === keep || !name.startsWith('code-')) continue;
    try {
      if (Date.now() - statSync(dir).mtimeMs > WEEK_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another process pruned it first.
    }
  }
}

/** The cache directory for this build under this Node, or null when the environment gives no place for one. */
export function cacheDirFor(build: string, env: NodeJS.ProcessEnv): string | null {
  let root = env['TUNLAB_CACHE_DIR'];
  if (root === undefined) {
    const base = env['XDG_CACHE_HOME'] || (homedir() ? join(homedir(), '.cache') : '');
    if (!base) return null;
    root = join(base, 'tunlab');
  }
  if (root === '') return null;
  return join(root, `code-${build}-${process.version}-${process.arch}`);
}
