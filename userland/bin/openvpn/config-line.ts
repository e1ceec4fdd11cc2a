// One line of an OpenVPN config file split into words (parse_line() in options.c): blanks separate
// words, "double" and 'single' quotes group them, a backslash escapes the next character (also
// inside double quotes), and # or ; where a word could start begins a comment.

/** Split one config line into words as parse_line() does (quotes, backslashes, comments). */
export function splitConfigLine(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === null && c === '\\' && i + 1 < line.length) {
      cur += line[++i]!;
      inWord = true;
      continue;
    }
    if (quote === '"' && c === '\\' && i + 1 < line.length) {
      cur += line[++i]!;
      continue;
    }
    if (quote !== null) {
      if (c === quote) quote = null;
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    if (!inWord && (c === '#' || c === ';')) break;
    cur += c;
    inWord = true;
  }
  if (inWord) words.push(cur);
  return words;
}
