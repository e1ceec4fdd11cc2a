// POSIX regular expressions (basic and extended, GNU flavour) translated to JavaScript RegExp
// source, with GNU grep's messages for the errors it can tell: bracket expressions with
// [:classes:], \( \) \{ \} \| \+ \? in basic syntax, \< \> word boundaries, back-references.

import { table } from './table.js';

export class RegexError extends Error {}

const CLASSES = table<string>({
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: '0-9a-zA-Z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  print: ' -~',
  graph: '!-~',
  cntrl: '\\x00-\\x1f\\x7f',
  xdigit: '0-9A-Fa-f',
});

const JS_SPECIAL = /[\\^$.*+?()[\]{}|/]/;

function lit(c: string): string {
  return JS_SPECIAL.test(c) ? `\\${c}` : c;
}

/** A bracket expression starting at p[i] === '['; returns the JS class and the index after it. */
function bracket(p: string, i: number): [string, number] {
  let j = i + 1;
  let out = '[';
  if (p[j] === '^') {
    out += '^';
    j++;
  }
  let first = true;
  for (;;) {
    if (j >= p.length) throw new RegexError('Unmatched [, [^, [:, [., or [=');
    const c = p[j]!;
    if (c === ']' && !first) return [`${out}]`, j + 1];
    first = false;
    if (c === '[' && (p[j + 1] === ':' || p[j + 1] === '=' || p[j + 1] === '.')) {
      const kind = p[j + 1]!;
      const close = p.indexOf(`${kind}]`, j + 2);
      if (close < 0) throw new RegexError('Unmatched [, [^, [:, [., or [=');
      const name = p.slice(j + 2, close);
      if (kind === ':') {
        const cls = CLASSES[name];
        if (cls === undefined) throw new RegexError('Invalid character class name');
        out += cls;
      } else {
        out += [...name].map((ch) => (/[\\\]^[-]/.test(ch) ? `\\${ch}` : ch)).join('');
      }
      j = close + 2;
      continue;
    }
    // Inside POSIX brackets a backslash is an ordinary character.
    out += c === '\\' || c === ']' || c === '[' ? `\\${c}` : c;
    j++;
  }
}

/** Translate a POSIX regex (basic unless `extended`) to JavaScript RegExp source. */
export function posixToJs(p: string, extended: boolean): string {
  let out = '';
  // Where a following '*' is literal (start of the pattern or of a group, after an alternation).
  let atStart = true;
  let depth = 0;
  for (let i = 0; i < p.length; ) {
    const c = p[i]!;
    const wasStart = atStart;
    atStart = false;
    if (c === '\\') {
      if (i + 1 >= p.length) throw new RegexError('Trailing backslash');
      const n = p[i + 1]!;
      i += 2;
      const groupish = '(){}|+?';
      if (!extended && groupish.includes(n)) {
        if (n === '(') {
          depth++;
          out += '(';
          atStart = true;
        } else if (n === ')') {
          if (depth === 0) throw new RegexError('Unmatched ) or \\)');
          depth--;
          out += ')';
        } else if (n === '{') {
          const m = /^(\d*)(,?)(\d*)\\\}/.exec(p.slice(i));
          if (!m || (m[1] === '' && m[3] === '' && m[2] === '')) throw new RegexError('Unmatched \\{');
          out += `{${m[1] || '0'}${m[2]}${m[3]}}`;
          i += m[0].length;
        } else if (n === '|') {
          out += '|';
          atStart = true;
        } else out += n;
      } else if (n === '<') out += '\\b(?=\\w)';
      else if (n === '>') out += '\\b(?<=\\w)';
      else if ('wWsSbB'.includes(n)) out += `\\${n}`;
      else if (/[1-9]/.test(n)) out += `\\${n}`;
      else out += lit(n);
      continue;
    }
    if (c === '[') {
      const [cls, next] = bracket(p, i);
      out += cls;
      i = next;
      continue;
    }
    i++;
    if (extended) {
      if (c === '(') {
        depth++;
        atStart = true;
        out += '(';
      } else if (c === ')') {
        if (depth === 0) throw new RegexError('Unmatched ) or \\)');
        depth--;
        out += ')';
      } else if (c === '|') {
        atStart = true;
        out += '|';
      } else if (c === '{') {
        const m = /^(\d*)(,?)(\d*)\}/.exec(p.slice(i));
        if (m && (m[1] !== '' || m[3] !== '')) {
          out += `{${m[1] || '0'}${m[2]}${m[3]}}`;
          i += m[0].length;
        } else out += '\\{';
      } else if ((c === '*' || c === '+' || c === '?') && wasStart) {
        out += `\\${c}`;
      } else if (c === '}') out += '\\}';
      else if ('^$.*+?'.includes(c)) out += c;
      else out += lit(c);
      continue;
    }
    // Basic syntax: ( ) { } | + ? are ordinary; * is literal where nothing precedes it; ^ and $
    // anchor only at the ends of the pattern or of a group.
    if (c === '*') out += wasStart ? '\\*' : '*';
    else if (c === '^') {
      if (wasStart) {
        out += '^';
        atStart = true;
      } else out += '\\^';
    } else if (c === '$') out += i === p.length || p.startsWith('\\)', i) || p.startsWith('\\|', i) ? '$' : '\\$';
    else if (c === '.') out += '.';
    else out += lit(c);
  }
  if (depth > 0) throw new RegexError('Unmatched ( or \\(');
  return out;
}

export function escapeFixed(s: string): string {
  return [...s].map(lit).join('');
}
