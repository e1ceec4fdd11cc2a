// Backslash escapes as echo -e and printf interpret them. Escaped bytes (\xHH, \NNN) stay single
// bytes; the rest of the text is UTF-8. Styles: "echo" (echo -e and printf's %b: octal is \0NNN or
// \NNN) and "printf" (a printf format: octal \NNN, plus \" and \u/\U).

const SIMPLE: Record<string, number> = { '\\': 0x5c, a: 0x07, b: 0x08, e: 0x1b, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

export interface Unescaped {
  bytes: Uint8Array;
  /** \c was seen: produce no further output. */
  stop: boolean;
}

const enc = new TextEncoder();

export function unescape(s: string, style: 'echo' | 'printf'): Unescaped {
  const out: number[] = [];
  const text = (t: string) => {
    for (const b of enc.encode(t)) out.push(b);
  };
  let i = 0;
  while (i < s.length) {
    const bs = s.indexOf('\\', i);
    if (bs < 0 || bs === s.length - 1) {
      text(s.slice(i));
      break;
    }
    text(s.slice(i, bs));
    const c = s[bs + 1]!;
    const rest = s.slice(bs + 2);
    i = bs + 2;
    if (c === 'c') return { bytes: Uint8Array.from(out), stop: true };
    if (SIMPLE[c] !== undefined) {
      out.push(SIMPLE[c]);
    } else if (c === '"' && style === 'printf') {
      out.push(0x22);
    } else if (c === 'x' && /^[0-9a-fA-F]/.test(rest)) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(rest)![0];
      out.push(parseInt(m, 16));
      i += m.length;
    } else if ((c === 'u' || c === 'U') && style === 'printf' && new RegExp(`^[0-9a-fA-F]{${c === 'u' ? 4 : 8}}`).test(rest)) {
      const n = c === 'u' ? 4 : 8;
      const cp = parseInt(rest.slice(0, n), 16);
      text(cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd');
      i += n;
    } else if (c >= '0' && c <= '7') {
      // echo: \0 takes up to three more digits; printf and echo's \1-\7: three digits in all.
      const more = style === 'echo' && c === '0' ? 3 : 2;
      const m = new RegExp(`^[0-7]{0,${more}}`).exec(rest)![0];
      out.push(parseInt((c === '0' && style === 'echo' ? '' : c) + m || '0', 8) & 0xff);
      i += m.length;
    } else {
      text(`\\${c}`);
    }
  }
  return { bytes: Uint8Array.from(out), stop: false };
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
