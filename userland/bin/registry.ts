// Every built-in program, by the name it has in /bin. Programs load on first use, so a one-line
// `tunlab -c` does not pay for the ones it never runs.

import type { Program } from '../../kernel/abi/program.js';

type Loader = () => Promise<{ default: Program }>;

const LOADERS: Record<string, Loader> = {
  ping: () => import('./ping.js'),
};

const cache = new Map<string, Program>();

/** The programs a world installs in /bin (a ProgramSource, in kernel/world terms). */
export const userlandPrograms = {
  names(): string[] {
    return Object.keys(LOADERS).sort();
  },
  async load(name: string): Promise<Program | undefined> {
    const hit = cache.get(name);
    if (hit) return hit;
    const loader = LOADERS[name];
    if (!loader) return undefined;
    const p = (await loader()).default;
    cache.set(name, p);
    return p;
  },
};
