// Shell pattern matching (`case`, `${x#pat}`, pathname expansion): `*`, `?`, `[abc]`, `[!a-z]`,
// `[[:digit:]]`, and `\x` for a literal x.
//
// Patterns are compiled to a token list and matched with the two-pointer wildcard algorithm (back up
// to the last `*` on a mismatch), which is O(pattern × text). A translation to RegExp would be
// shorter but backtracks exponentially on patterns like `*a*a*a*a*b`, and patterns come from users.

import { table } from '../lib/table.js';

type Token =
  | { t: 'star' }
  | { t: 'any' }
  | { t: 'char'; c: string }
  | { t: 'set'; negate: boolean; items: SetItem[] };

type SetItem = { lo: string; hi: string } | { cls: string };

const CLASSES = table<(c: string) => boolean>({
  alpha: (c) => /^\p{L}$/u.test(c),
  digit: (c) => c >= '0' && c <= '9',
  alnum: (c) => /^[\p{L}\p{Nd}]$/u.test(c),
  upper: (c) => /^\p{Lu}$/u.test(c),
  lower: (c) => /^\p{Ll}$/u.test(c),
  space: (c) => /^[ \t\n\r\v\f]$/.test(c),
  blank: (c) => c === ' ' || c === '\t',
  punct: (c) => /^[!-/:-@[-`{-~]$/.test(c),
  print: (c) => c >= ' ' && c !== '\x7f',
  graph: (c) => c > ' ' && c !== '\x7f',
  cntrl: (c) => c < ' ' || c === '\x7f',
  xdigit: (c) => /^[0-9A-Fa-f]$/.test(c),
  word: (c) => /^[\p{L}\p{Nd}_]$/u.test(c),
});

export interface CompiledPattern {
  readonly tokens: readonly Token[];
}

export function compilePattern(pattern: string): CompiledPattern {
  const p = Array.from(pattern);
  const tokens: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.t !== 'star') tokens.push({ t: 'star' });
    } else if (c === '?') {
      tokens.push({ t: 'any' });
    } else if (c === '\\' && i + 1 < p.length) {
      tokens.push({ t: 'char', c: p[++i]! });
    } else if (c === '[') {
      const set = readSet(p, i);
      if (set) {
        tokens.push(set.token);
        i = set.end;
      } else {
        tokens.push({ t: 'char', c });
      }
    } else {
      tokens.push({ t: 'char', c });
    }
  }
  return { tokens };
}

/** A bracket expression starting at `p[i] === '['`, or null when it never closes (then `[` is literal). */
function readSet(p: string[], i: number): { token: Token; end: number } | null {
  let j = i + 1;
  let negate = false;
  if (p[j] === '!' || p[j] === '^') {
    negate = true;
    j++;
  }
  const items: SetItem[] = [];
  let first = true;
  while (j < p.length) {
    let c = p[j]!;
    if (c === ']' && !first) return { token: { t: 'set', negate, items }, end: j };
    first = false;
    if (c === '[' && p[j + 1] === ':') {
      const close = findClassEnd(p, j + 2);
      if (close !== -1) {
        // an unknown class is kept: like bash, it matches no character at all
        items.push({ cls: p.slice(j + 2, close).join('') });
        j = close + 2;
        continue;
      }
    }
    if (c === '\\' && j + 1 < p.length) c = p[++j]!;
    j++;
    if (p[j] === '-' && j + 1 < p.length && p[j + 1] !== ']') {
      let hi = p[j + 1]!;
      j += 2;
      if (hi === '\\' && j < p.length) hi = p[j++]!;
      items.push({ lo: c, hi });
    } else {
      items.push({ lo: c, hi: c });
    }
  }
  return null;
}

function findClassEnd(p: string[], from: number): number {
  for (let k = from; k + 1 < p.length; k++) {
    if (p[k] === ':' && p[k + 1] === ']') return k;
    if (p[k] === ']') return -1;
  }
  return -1;
}

function matchOne(tok: Token, c: string): boolean {
  switch (tok.t) {
    case 'any':
      return true;
    case 'char':
      return tok.c === c;
    case 'set': {
      let hit = false;
      for (const item of tok.items) {
        if ('cls' in item ? (CLASSES[item.cls]?.(c) ?? false) : c >= item.lo && c <= item.hi) {
          hit = true;
          break;
        }
      }
      return hit !== tok.negate;
    }
    case 'star':
      return false;
  }
}

export function matchCompiled(pattern: CompiledPattern, text: string): boolean {
  return matchChars(pattern.tokens, Array.from(text));
}

function matchChars(p: readonly Token[], t: readonly string[]): boolean {
  let pi = 0;
  let ti = 0;
  let starP = -1;
  let starT = 0;
  while (ti < t.length) {
    const tok = p[pi];
    if (tok?.t === 'star') {
      starP = pi++;
      starT = ti;
    } else if (tok && matchOne(tok, t[ti]!)) {
      pi++;
      ti++;
    } else if (starP >= 0) {
      pi = starP + 1;
      ti = ++starT;
    } else {
      return false;
    }
  }
  while (p[pi]?.t === 'star') pi++;
  return pi === p.length;
}

/** Whether `text` as a whole matches the shell pattern. */
export function matchPattern(pattern: string, text: string): boolean {
  return matchCompiled(compilePattern(pattern), text);
}

/** Whether the pattern has an unescaped `*`, `?` or `[`: only then does pathname expansion apply. */
export function hasGlobChars(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

/** Backslash-quote the characters that are special in a pattern, so the text matches only itself. */
export function escapePattern(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Remove the backslashes that quote characters in a pattern. */
export function unescapePattern(pattern: string): string {
  return pattern.replace(/\\(.)/gsu, '$1');
}

/**
 * The offsets `e` at which `p` matches `t[start..e)`, ascending: an NFA simulation over the token
 * positions, O(pattern) per character, that stops as soon as no position is alive.
 */
function matchEnds(p: readonly Token[], t: readonly string[], start: number): number[] {
  const m = p.length;
  let live = new Uint8Array(m + 1);
  const close = (set: Uint8Array): void => {
    for (let k = 0; k < m; k++) if (set[k] && p[k]!.t === 'star') set[k + 1] = 1;
  };
  live[0] = 1;
  close(live);
  const ends: number[] = [];
  for (let i = start; ; i++) {
    if (live[m]) ends.push(i);
    if (i >= t.length) break;
    const next = new Uint8Array(m + 1);
    let any = false;
    for (let k = 0; k < m; k++) {
      if (!live[k]) continue;
      const tok = p[k]!;
      if (tok.t === 'star') next[k] = 1;
      else if (matchOne(tok, t[i]!)) next[k + 1] = 1;
      else continue;
      any = true;
    }
    if (!any) break;
    close(next);
    live = next;
  }
  return ends;
}

/**
 * `${x#p}` `${x##p}` `${x%p}` `${x%%p}`: remove the shortest or longest prefix (suffix) the pattern
 * matches. A suffix match is a prefix match of the reversed pattern on the reversed text, which holds
 * because every token matches a single character or a run of them.
 */
export function removeAffix(text: string, pattern: string, op: '#' | '##' | '%' | '%%'): string {
  const p = compilePattern(pattern).tokens;
  const t = Array.from(text);
  if (op === '#' || op === '##') {
    const ends = matchEnds(p, t, 0);
    if (ends.length === 0) return text;
    return t.slice(op === '#' ? ends[0] : ends[ends.length - 1]).join('');
  }
  const ends = matchEnds([...p].reverse(), [...t].reverse(), 0);
  if (ends.length === 0) return text;
  const cut = op === '%' ? ends[0]! : ends[ends.length - 1]!;
  return t.slice(0, t.length - cut).join('');
}

/**
 * bash's `${x/p/r}` (first match), `${x//p/r}` (every match), `${x/#p/r}` (match at the start),
 * `${x/%p/r}` (match at the end). Each match is the longest at its position, as in bash.
 */
export function replacePattern(
  text: string,
  pattern: string,
  replacement: string,
  op: '/' | '//' | '/#' | '/%',
): string {
  const p = compilePattern(pattern).tokens;
  const t = Array.from(text);
  if (op === '/#') {
    const ends = matchEnds(p, t, 0);
    return ends.length === 0 ? text : replacement + t.slice(ends[ends.length - 1]).join('');
  }
  if (op === '/%') {
    const ends = matchEnds([...p].reverse(), [...t].reverse(), 0);
    return ends.length === 0 ? text : t.slice(0, t.length - ends[ends.length - 1]!).join('') + replacement;
  }
  if (pattern === '') return text;
  let out = '';
  let i = 0;
  while (i < t.length) {
    const ends = matchEnds(p, t, i);
    const end = ends[ends.length - 1];
    // an empty match replaces nothing: bash moves on rather than inserting at every position
    if (end === undefined || end === i) {
      out += t[i];
      i++;
      continue;
    }
    out += replacement;
    i = end;
    if (op === '/') return out + t.slice(i).join('');
  }
  return out;
}
