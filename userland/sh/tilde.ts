// Tilde prefixes of a word (`~`, `~user`), split out of its literal parts as the lexer reads it.

import type { WordPart } from './ast.js';

const TILDE_USER = /^(?:[A-Za-z0-9._-]*|\+)$/;

/**
 * Split tilde prefixes out of literal parts: `~` and `~user` at the start of a word, and in an
 * assignment value also after each unquoted `:` (`PATH=~/bin:~/sbin`). A prefix ends at `/` (or `:`
 * in an assignment); one that runs into a quoted or expanded part (`~"x"`, `~$u`) is left as text.
 */
export function applyTilde(parts: WordPart[], assignment: boolean): WordPart[] {
  let out: WordPart[] | null = null;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.kind !== 'Literal') {
      out?.push(p);
      continue;
    }
    const v = p.value;
    const base = p.span.start;
    const pieces: WordPart[] = [];
    let from = 0;
    for (let k = 0; k < v.length; k++) {
      if (v[k] !== '~') continue;
      const atStart = (k === 0 && i === 0) || (assignment && k > 0 && v[k - 1] === ':');
      if (!atStart) continue;
      let e = k + 1;
      while (e < v.length && v[e] !== '/' && !(assignment && v[e] === ':')) e++;
      const user = v.slice(k + 1, e);
      if ((e === v.length && i !== parts.length - 1) || !TILDE_USER.test(user)) continue;
      if (k > from) pieces.push({ kind: 'Literal', span: { start: base + from, end: base + k }, value: v.slice(from, k) });
      pieces.push({ kind: 'Tilde', span: { start: base + k, end: base + e }, user });
      from = e;
      k = e - 1;
    }
    if (pieces.length === 0) {
      out?.push(p);
      continue;
    }
    if (from < v.length) {
      pieces.push({ kind: 'Literal', span: { start: base + from, end: p.span.end }, value: v.slice(from) });
    }
    out ??= parts.slice(0, i);
    out.push(...pieces);
  }
  return out ?? parts;
}
