// Tab completion: commands in command position, interface names where a network command wants
// one, host names after `on`, paths everywhere else.

import type { CompletionSource } from './port.js';

export interface Completion {
  /** The span of the line the word being completed occupies. */
  start: number;
  end: number;
  candidates: string[];
  /** Whether a unique candidate ends the word (a space follows) or not (a directory). */
  complete: boolean;
}

const COMMAND_SEPARATORS: ReadonlySet<string> = new Set(['!', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', '{']);

/** Commands whose next word is an interface name. */
const WANTS_INTERFACE = (words: string[]): boolean => {
  const [cmd, ...rest] = words;
  if (cmd === 'ifconfig') return rest.length === 0 || (rest.length === 1 && rest[0]!.startsWith('-'));
  if (cmd === 'route') return rest.length === 1 && /^(add|delete|del|-d)$/.test(rest[0]!);
  if (cmd === 'tcpdump' || cmd === 'netstat') return rest[rest.length - 1] === '-i' || rest[rest.length - 1] === '-I';
  return false;
};

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

export function commonPrefix(list: readonly string[]): string {
  if (list.length === 0) return '';
  let p = list[0]!;
  for (const s of list) while (!s.startsWith(p)) p = p.slice(0, -1);
  return p;
}

export async function complete(line: string, cursor: number, src: CompletionSource): Promise<Completion> {
  const before = line.slice(0, cursor);
  const start = Math.max(before.lastIndexOf(' '), before.lastIndexOf('\t')) + 1;
  const word = before.slice(start);
  // The words of the current command, back to the last separator (`;` `|` `&` need no spaces).
  const head = before.slice(0, start);
  const sep = Math.max(head.lastIndexOf(';'), head.lastIndexOf('|'), head.lastIndexOf('&'), head.lastIndexOf('('));
  const all = splitWords(head.slice(sep + 1));
  let cmdStart = 0;
  all.forEach((w, i) => {
    if (COMMAND_SEPARATORS.has(w)) cmdStart = i + 1;
  });
  let words = all.slice(cmdStart);
  if (words[0] === 'on' && words.length >= 2) words = words.slice(2);
  let pool: string[];
  let complete = true;
  if (all.slice(cmdStart)[0] === 'on' && all.slice(cmdStart).length === 1) {
    pool = await src.hosts();
  } else if (words.length === 0 && !word.includes('/')) {
    pool = await src.commands();
  } else if (WANTS_INTERFACE(words)) {
    pool = await src.interfaces();
  } else {
    const slash = word.lastIndexOf('/');
    const dirPart = slash >= 0 ? word.slice(0, slash + 1) : '';
    const base = slash >= 0 ? word.slice(slash + 1) : word;
    const cwd = await src.cwd();
    const dir = dirPart.startsWith('/') ? dirPart || '/' : `${cwd}/${dirPart}`;
    const names = (await src.listDir(dir)) ?? [];
    pool = names.filter((n) => n.startsWith(base) && (base.startsWith('.') || !n.startsWith('.'))).map((n) => dirPart + n);
    const unique = pool.length === 1 ? pool[0]! : null;
    complete = unique === null || !unique.endsWith('/');
    return { start, end: cursor, candidates: pool.sort(), complete };
  }
  const candidates = [...new Set(pool.filter((c) => c.startsWith(word)))].sort();
  return { start, end: cursor, candidates, complete };
}
