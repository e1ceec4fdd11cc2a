// Shell patterns (case, ${x#pat}) and pathname expansion over a fake directory tree.

import { describe, expect, it } from 'vitest';
import { expandPathname, type GlobFs } from '../../../userland/sh/glob.js';
import {
  escapePattern,
  hasGlobChars,
  matchPattern,
  removeAffix,
  replacePattern,
  unescapePattern,
} from '../../../userland/sh/pattern.js';

describe('matchPattern', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything/at all', true],
    ['?', 'a', true],
    ['?', '', false],
    ['?', '\u{1F600}', true],
    ['a*b', 'ab', true],
    ['a*b', 'axxb', true],
    ['a*b', 'axxbc', false],
    ['*.txt', 'notes.txt', true],
    ['*.txt', 'notes.txt.bak', false],
    ['[abc]', 'b', true],
    ['[abc]', 'd', false],
    ['[!abc]', 'd', true],
    ['[^abc]', 'a', false],
    ['[a-z]*', 'hello', true],
    ['[a-z]*', 'Hello', false],
    ['[]x]', ']', true],
    ['[!]]', ']', false],
    ['[a-]', '-', true],
    ['[[:digit:]][[:alpha:]]', '1x', true],
    ['[[:upper:][:space:]]', ' ', true],
    ['[[:bogus:]]', 'b', false],
    ['[[:bogus:]b]', 'b', true],
    ['[abc', '[abc', true],
    ['[abc', 'a', false],
    ['\\*', '*', true],
    ['\\*', 'x', false],
    ['a\\', 'a\\', true],
    ['[\\]]', ']', true],
    ['tun/[0-9]', 'tun/7', true],
    ['start|stop', 'start', false],
    ['*a*a*a*a*a*a*a*a*b', 'a'.repeat(200), false],
  ])('%j matches %j: %s', (pattern, text, expected) => {
    expect(matchPattern(pattern, text)).toBe(expected);
  });

  it('escapePattern makes any text match only itself', () => {
    for (const t of ['*', 'a?b', '[x]', 'back\\slash', 'plain']) {
      expect(matchPattern(escapePattern(t), t)).toBe(true);
      expect(unescapePattern(escapePattern(t))).toBe(t);
    }
    expect(matchPattern(escapePattern('a*'), 'abc')).toBe(false);
  });

  it('hasGlobChars ignores escaped characters', () => {
    expect(hasGlobChars('a*')).toBe(true);
    expect(hasGlobChars('a\\*')).toBe(false);
    expect(hasGlobChars('x[1]')).toBe(true);
    expect(hasGlobChars('plain')).toBe(false);
  });
});

describe('removeAffix and replacePattern', () => {
  it.each([
    ['/usr/local/bin', '*/', '#', 'usr/local/bin'],
    ['/usr/local/bin', '*/', '##', 'bin'],
    ['archive.tar.gz', '.*', '%', 'archive.tar'],
    ['archive.tar.gz', '.*', '%%', 'archive'],
    ['abc', 'x', '#', 'abc'],
    ['abc', '', '%%', 'abc'],
    ['abc', '*', '#', 'abc'],
    ['abc', '*', '##', ''],
  ] as const)('%s with %s %s → %s', (text, pattern, op, expected) => {
    expect(removeAffix(text, pattern, op)).toBe(expected);
  });

  it.each([
    ['a.b.c', '.', '_', '/', 'a_b.c'],
    ['a.b.c', '.', '_', '//', 'a_b_c'],
    ['aaa', 'a*', 'X', '//', 'X'],
    ['hello', 'l', '', '//', 'heo'],
    ['hello', 'he', 'HE', '/#', 'HEllo'],
    ['hello', 'lo', 'LO', '/%', 'helLO'],
    ['hello', 'x', 'y', '/#', 'hello'],
    ['10.0.0.1', '[0-9]', '#', '//', '##.#.#.#'],
  ] as const)('%s /%s/%s/ (%s) → %s', (text, pattern, replacement, op, expected) => {
    expect(replacePattern(text, pattern, replacement, op)).toBe(expected);
  });

  it('stays fast on long text', () => {
    const long = 'ab'.repeat(5_000);
    expect(replacePattern(long, 'b', '', '//')).toBe('a'.repeat(5_000));
    expect(removeAffix(long, '*b', '%%')).toBe('');
    expect(removeAffix(long, '*b', '%')).toBe(long.slice(0, -1));
    expect(removeAffix(long, 'a*', '#')).toBe(long.slice(1));
  });
});

describe('expandPathname', () => {
  const tree: Record<string, string[]> = {
    '.': ['b.txt', 'a.txt', '.hidden', 'src', 'notes'],
    src: ['main.ts', 'util.ts', 'README', 'lib'],
    'src/lib': ['x.ts'],
    '/': ['etc', 'dev'],
    '/dev': ['tun', 'null', 'zero'],
    '/dev/tun': ['0', '1'],
  };
  const fs: GlobFs = { readdir: async (p) => tree[p] ?? null };

  it.each([
    ['*.txt', ['a.txt', 'b.txt']],
    ['*', ['a.txt', 'b.txt', 'notes', 'src']],
    ['.*', ['.hidden']],
    ['src/*.ts', ['src/main.ts', 'src/util.ts']],
    ['*/lib/*.ts', ['src/lib/x.ts']],
    ['*/README', ['src/README']],
    ['*/MISSING', []],
    ['/dev/[nz]*', ['/dev/null', '/dev/zero']],
    ['/dev/tun/?', ['/dev/tun/0', '/dev/tun/1']],
    ['/*/tun', ['/dev/tun']],
    ['*/', ['src/']],
    ['nothing*', []],
    ['plain', []],
    ['sr\\c/*.ts', ['src/main.ts', 'src/util.ts']],
  ])('%s → %j', async (pattern, expected) => {
    expect(await expandPathname(pattern, fs)).toEqual(expected);
  });
});
