// bash's `$'...'` quoting: the text between the quotes with C's escapes decoded (\n, \t, \e, \0NNN,
// \xHH, \uHHHH, \UHHHHHHHH, \cX), read straight from the source as the lexer meets it.

/** Escapes that stand for one character. */
const SIMPLE: ReadonlyMap<string, string> = new Map([
  ['a', '\x07'],
  ['b', '\b'],
  ['e', '\x1b'],
  ['E', '\x1b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
  ['v', '\v'],
  ['\\', '\\'],
  ["'", "'"],
  ['"', '"'],
  ['?', '?'],
]);

/**
 * `$'...'` starting at `at` (the `$`): its value and the offset just past the closing quote, or
 * null when the text ends before the quote does.
 */
export function decodeAnsiC(src: string, at: number): { value: string; end: number } | null {
  let j = at + 2;
  let out = '';
  for (;;) {
    const c = src[j];
    if (c === undefined) return null;
    if (c === "'") break;
    if (c !== '\\') {
      out += c;
      j++;
      continue;
    }
    const n = src[j + 1];
    if (n === undefined) return null;
    j += 2;
    const s = SIMPLE.get(n);
    if (s !== undefined) {
      out += s;
    } else if (n >= '0' && n <= '7') {
      let digits = n;
      while (digits.length < 3 && /[0-7]/.test(src[j] ?? '')) digits += src[j++];
      out += String.fromCharCode(parseInt(digits, 8) & 0xff);
    } else if (n === 'x' || n === 'u' || n === 'U') {
      const max = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      let digits = '';
      while (digits.length < max && /[0-9a-fA-F]/.test(src[j] ?? '')) digits += src[j++];
      if (digits === '') out += '\\' + n;
      else {
        const cp = parseInt(digits, 16);
        out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
    } else if (n === 'c' && src[j] !== undefined) {
      out += String.fromCharCode(src.charCodeAt(j) & 0x1f);
      j++;
    } else {
      out += '\\' + n;
    }
  }
  return { value: out, end: j + 1 };
}
