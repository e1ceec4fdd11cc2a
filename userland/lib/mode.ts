// File mode changes as chmod(1) writes them: octal (755, 4755) or symbolic clauses
// [ugoa]*([-+=]([rwxXst]*|[ugo]))+ joined by commas. A clause with no [ugoa] is filtered by the
// umask, as GNU chmod does; X adds execute only to directories and to files already executable.

/** The new mode of a file from its old one; isDir for X. */
export type ModeChange = (old: number, isDir: boolean) => number;

const WHO: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007, a: 0o7777 };

/** A parsed mode operand, or null when it is not one; `umask` filters the clauses without [ugoa]. */
export function parseMode(spec: string, umask = 0): ModeChange | null {
  if (/^[0-7]+$/.test(spec)) {
    if (spec.length > 4 && !/^0+[0-7]{1,4}$/.test(spec)) return null;
    const m = parseInt(spec, 8);
    // As GNU chmod: a directory keeps its set-id bits unless five or more digits (00755) say otherwise.
    return (old, isDir) => (isDir && spec.length < 5 ? m | (old & 0o6000) : m);
  }
  const clauses: Array<(old: number, isDir: boolean) => number> = [];
  for (const clause of spec.split(',')) {
    const m = /^([ugoa]*)((?:[-+=](?:[ugo]|[rwxXst]*))+)$/.exec(clause);
    if (!m) return null;
    const whoGiven = m[1] !== '';
    const who = whoGiven ? [...m[1]!].reduce((w, c) => w | WHO[c]!, 0) : 0o7777;
    const ops = [...m[2]!.matchAll(/([-+=])([ugo]|[rwxXst]*)/g)];
    clauses.push((old, isDir) => {
      let mode = old;
      for (const [, op, perms] of ops) {
        let bits = 0;
        if (perms && /^[ugo]$/.test(perms)) {
          // Copy the bits of one class to the others (u=g and the like).
          const src = perms === 'u' ? (mode >> 6) & 7 : perms === 'g' ? (mode >> 3) & 7 : mode & 7;
          bits = src * 0o111;
        } else {
          for (const p of perms ?? '') {
            if (p === 'r') bits |= 0o444;
            else if (p === 'w') bits |= 0o222;
            else if (p === 'x') bits |= 0o111;
            else if (p === 'X' && (isDir || (old & 0o111) !== 0)) bits |= 0o111;
            else if (p === 's') bits |= 0o6000;
            else if (p === 't') bits |= 0o1000;
          }
        }
        let mask = who & bits;
        if (!whoGiven) mask &= ~umask;
        if (op === '+') mode |= mask;
        else if (op === '-') mode &= ~mask;
        else {
          // = clears the class's bits first (not the set-id bits of a directory, as GNU).
          const clear = whoGiven ? who : 0o7777;
          mode = (mode & ~(clear & (isDir ? 0o1777 : 0o7777))) | mask;
        }
      }
      return mode;
    });
  }
  return (old, isDir) => clauses.reduce((m, c) => c(m, isDir), old) & 0o7777;
}
