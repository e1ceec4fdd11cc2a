// Pathname expansion over a directory-listing callback, so the interpreter can supply one built on
// its own syscalls (open + getdents, or whatever the kernel offers) and expansion stays testable
// with a plain object.
//
// Rules kept from sh: the pattern is matched one path component at a time and `/` is only ever
// matched literally; a leading `.` must be matched by a literal `.`; `.` and `..` are never produced
// by a wildcard (bash's globskipdots); results are sorted; no match gives [] (the caller keeps the
// word as written).

import { compilePattern, hasGlobChars, matchCompiled, unescapePattern } from './pattern.js';

export interface GlobFs {
  /**
   * The names in a directory (without `.` and `..`), or null when `path` is not a readable directory.
   * `path` is `.` for the current directory, else a path built from the pattern (`/`, `/etc`, `src`).
   */
  readdir(path: string): Promise<readonly string[] | null>;
}

/** The paths matching `pattern`, sorted; relative patterns give relative paths. */
export async function expandPathname(pattern: string, fs: GlobFs): Promise<string[]> {
  if (!hasGlobChars(pattern)) return [];
  const absolute = pattern.startsWith('/');
  const components = pattern.split('/').filter((c, i) => !(absolute && i === 0));
  // a trailing slash (`*/`) keeps only directories
  const wantDir = components.length > 0 && components[components.length - 1] === '';
  const parts = components.filter((c) => c !== '');
  let paths: string[] = [absolute ? '/' : ''];
  let globbed = false;
  for (const part of parts) {
    const next: string[] = [];
    if (!hasGlobChars(part)) {
      const name = unescapePattern(part);
      for (const dir of paths) {
        // before any wildcard, literal components need not be checked: a missing one makes the
        // next readdir fail, and a pattern with no later wildcard was never globbed
        if (!globbed || (await exists(fs, dir, name))) next.push(join(dir, name));
      }
    } else {
      globbed = true;
      const compiled = compilePattern(part);
      const dotOk = part.startsWith('.') || part.startsWith('\\.');
      for (const dir of paths) {
        const names = await fs.readdir(dir === '' ? '.' : dir);
        if (!names) continue;
        for (const name of [...names].sort(compare)) {
          if (name === '.' || name === '..') continue;
          if (name.startsWith('.') && !dotOk) continue;
          if (matchCompiled(compiled, name)) next.push(join(dir, name));
        }
      }
    }
    paths = next;
    if (paths.length === 0) return [];
  }
  if (wantDir) {
    const dirs: string[] = [];
    for (const p of paths) if ((await fs.readdir(p === '' ? '.' : p)) !== null) dirs.push(p + '/');
    paths = dirs;
  }
  return paths.sort(compare);
}

async function exists(fs: GlobFs, dir: string, name: string): Promise<boolean> {
  const parent = dir === '' ? '.' : dir;
  if (name === '.' || name === '..') return (await fs.readdir(parent)) !== null;
  const names = await fs.readdir(parent);
  return names !== null && names.includes(name);
}

function join(dir: string, name: string): string {
  if (dir === '') return name;
  return dir.endsWith('/') ? dir + name : dir + '/' + name;
}

/** Code-point order: the C locale's, and the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
