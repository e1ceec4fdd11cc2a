// umask, as bash's builtin: show the file mode creation mask (0022, or u=rwx,g=rx,o=rx with -S, as
// a command that sets it again with -p), or set it from an octal number or symbolic clauses that
// say which permissions new files keep. The kernel holds the mask (umask(2)) and applies it to what
// open, mkdir and bind create; children inherit it.

import { writeAll } from '../../lib/io.js';
import type { Interpreter } from '../interp/interpreter.js';
import type { BuiltinEntry } from './types.js';

const USAGE = 'umask [-p] [-S] [mode]';
const SUMMARY = 'show or set the file mode creation mask';

/** bash's read_octal: octal digits only, at most 07777; null otherwise. */
function readOctal(word: string): number | null {
  if (!/^[0-7]+$/.test(word)) return null;
  let n = 0;
  for (const d of word) {
    n = n * 8 + Number(d);
    if (n > 0o7777) return null;
  }
  return n;
}

const WHO: ReadonlyMap<string, number> = new Map([
  ['u', 0o700],
  ['g', 0o070],
  ['o', 0o007],
  ['a', 0o777],
]);
const PERM: ReadonlyMap<string, number> = new Map([
  ['r', 0o444],
  ['w', 0o222],
  ['x', 0o111],
]);

/**
 * Symbolic clauses [ugoa]*[-+=][rwx]* joined by commas, applied to the permissions the mask lets
 * through (its complement), as bash's parse_symbolic_mode: the new mask, or bash's message. A
 * clause with no [ugoa] is not filtered by the mask, unlike chmod's.
 */
function symbolicMask(word: string, mask: number): number | { error: string } {
  let bits = ~mask & 0o777;
  let i = 0;
  for (;;) {
    let who = 0;
    while (WHO.has(word[i] ?? '')) who |= WHO.get(word[i++]!)!;
    // bash prints the character it found, a NUL at the end of the word included.
    const op = word[i++] ?? '\0';
    if (op !== '+' && op !== '-' && op !== '=') return { error: `\`${op}': invalid symbolic mode operator` };
    let perm = 0;
    while (PERM.has(word[i] ?? '')) perm |= PERM.get(word[i++]!)!;
    if (i < word.length && word[i] !== ',') return { error: `\`${word[i]}': invalid symbolic mode character` };
    if (who) perm &= who;
    if (op === '+') bits |= perm;
    else if (op === '-') bits &= ~perm;
    else bits = (bits & ~(who || 0o777)) | perm;
    if (i >= word.length) return ~bits & 0o777;
    i++;
  }
}

/** u=rwx,g=rx,o=rx: what each class may keep. */
function symbolic(mask: number): string {
  const cls = (shift: number) => ['r', 'w', 'x'].filter((_, b) => (mask & (0o4 >> b) << shift) === 0).join('');
  return `u=${cls(6)},g=${cls(3)},o=${cls(0)}\n`;
}

async function run(sh: Interpreter, argv: string[]): Promise<number> {
  let symbolically = false;
  let p = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a.length < 2 || a[0] !== '-') break;
    if (a === '--help') {
      await writeAll(sh.sys, 1, `umask: ${USAGE}\n    ${SUMMARY}\n`);
      return 2;
    }
    for (const f of a.slice(1)) {
      if (f === 'S') symbolically = true;
      else if (f === 'p') p = true;
      else {
        await sh.error(`umask: -${f}: invalid option`);
        await writeAll(sh.sys, 2, `umask: usage: ${USAGE}\n`);
        return 2;
      }
    }
  }
  const word = argv[i];
  if (word === undefined) {
    // umask(2) has no read-only form: set something and put the mask back, as bash does.
    const mask = await sh.sys.umask(0o022);
    await sh.sys.umask(mask);
    const text = symbolically ? symbolic(mask) : `${mask.toString(8).padStart(4, '0')}\n`;
    await writeAll(sh.sys, 1, `${p ? `umask${symbolically ? ' -S' : ''} ` : ''}${text}`);
    return 0;
  }
  // Further words are ignored, as bash ignores them.
  let mask: number;
  if (/^[0-9]/.test(word)) {
    const n = readOctal(word);
    if (n === null) {
      await sh.error(`umask: ${word}: octal number out of range`);
      return 1;
    }
    mask = n;
  } else {
    const old = await sh.sys.umask(0o022);
    await sh.sys.umask(old);
    const r = symbolicMask(word, old);
    if (typeof r !== 'number') {
      await sh.error(`umask: ${r.error}`);
      return 1;
    }
    mask = r;
  }
  await sh.sys.umask(mask);
  if (symbolically) await writeAll(sh.sys, 1, symbolic(mask & 0o777));
  return 0;
}

export const umaskBuiltin: Record<string, BuiltinEntry> = {
  umask: { summary: SUMMARY, usage: USAGE, run },
};
