// wc: newline, word and byte counts, as coreutils wc prints them: columns lines, words, chars,
// bytes; a "total" line for several files; widths from the total size of regular files (at least
// 7 when an input is a pipe or terminal, 1 for a single count of a single input).

import { defineProgram } from '../../kernel/abi/program.js';
import { S_IFMT, S_IFREG } from '../../kernel/abi/stat.js';
import { command, parse } from '../lib/cli.js';
import { errText, quotef, warn } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';
import { readChunk, ReadError } from '../lib/readers.js';

interface Counts {
  lines: number;
  words: number;
  chars: number;
  bytes: number;
}

const SPACE: ReadonlySet<number> = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

interface Options {
  lines?: boolean;
  words?: boolean;
  chars?: boolean;
  bytes?: boolean;
}

export default defineProgram({
  name: 'wc',
  summary: 'print newline, word, and byte counts for each file',
  main: guarded('wc', async (argv, sys) => {
    const cmd = command('wc', 'print newline, word, and byte counts for each FILE, and a total line if more than one FILE is specified')
      .option('-c, --bytes', 'print the byte counts')
      .option('-m, --chars', 'print the character counts')
      .option('-l, --lines', 'print the newline counts')
      .option('-w, --words', 'print the word counts')
      .argument('[file...]');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    let o = r.opts;
    if (!o.lines && !o.words && !o.chars && !o.bytes) o = { lines: true, words: true, bytes: true };
    const files = r.args.length > 0 ? r.args : ['-'];
    let status = 0;
    let regularTotal = 0;
    let minWidth = 1;
    // Sizes first, as wc does, to choose the column width before printing anything.
    const fds: Array<number | null> = [];
    for (const file of files) {
      try {
        const fd = await openInput(sys, file);
        const st = await sys.fstat(fd);
        if ((st.st_mode & S_IFMT) === S_IFREG) regularTotal += st.st_size;
        else minWidth = 7;
        fds.push(fd);
      } catch (e) {
        await warn(sys, 'wc', `${quotef(file)}: ${errText(e)}`);
        status = 1;
        fds.push(null);
      }
    }
    const enabled = [o.lines, o.words, o.chars, o.bytes].filter(Boolean).length;
    const width = enabled === 1 && files.length === 1 ? 1 : Math.max(minWidth, String(regularTotal).length);
    const line = (c: Counts, label: string | null) => {
      const cols: number[] = [];
      if (o.lines) cols.push(c.lines);
      if (o.words) cols.push(c.words);
      if (o.chars) cols.push(c.chars);
      if (o.bytes) cols.push(c.bytes);
      return `${cols.map((n) => String(n).padStart(width)).join(' ')}${label === null ? '' : ` ${label}`}\n`;
    };
    const total: Counts = { lines: 0, words: 0, chars: 0, bytes: 0 };
    for (let i = 0; i < files.length; i++) {
      const fd = fds[i]!;
      if (fd === null) continue;
      const file = files[i]!;
      const c: Counts = { lines: 0, words: 0, chars: 0, bytes: 0 };
      let inWord = false;
      try {
        for (;;) {
          const chunk = await readChunk(sys, fd);
          if (chunk.length === 0) break;
          c.bytes += chunk.length;
          for (const b of chunk) {
            if (b === 0x0a) c.lines++;
            // UTF-8: every byte but a continuation byte starts a character.
            if ((b & 0xc0) !== 0x80) c.chars++;
            if (SPACE.has(b)) inWord = false;
            else if (!inWord) {
              inWord = true;
              c.words++;
            }
          }
        }
      } catch (e) {
        if (!(e instanceof ReadError)) throw e;
        await warn(sys, 'wc', `${quotef(file)}: ${errText(e.cause)}`);
        status = 1;
      } finally {
        await closeInput(sys, fd);
      }
      await out(sys, line(c, r.args.length > 0 ? file : null));
      total.lines += c.lines;
      total.words += c.words;
      total.chars += c.chars;
      total.bytes += c.bytes;
    }
    if (files.length > 1) await out(sys, line(total, 'total'));
    return status;
  }),
});
