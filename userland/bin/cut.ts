// cut: remove sections from each line of files, as GNU cut: -b/-c byte positions (GNU cut counts
// -c in bytes too), -f fields split at -d (TAB), -s, --complement, --output-delimiter; LIST is
// N, N-, N-M, -M joined by commas, in any order (output keeps the line's order).

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { errText, quote, quotef, usageError, warn } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';
import { ReadError, readChunk } from '../lib/readers.js';

/** Inclusive 1-based ranges, sorted and merged. */
type Ranges = Array<[number, number]>;

function parseList(list: string, what: 'fields' | 'bytes'): Ranges | string {
  const ranges: Ranges = [];
  for (const part of list.split(/[, ]/)) {
    const m = /^(\d*)(-?)(\d*)$/.exec(part);
    if (!m || part === '' || part === '-') {
      return part === '-' ? 'invalid range with no endpoint: -' : what === 'fields' ? `invalid field value ${quote(part)}` : `invalid byte or character range`;
    }
    const lo = m[1] === '' ? 1 : Number(m[1]);
    const hi = m[2] === '' ? lo : m[3] === '' ? Infinity : Number(m[3]);
    if ((m[1] !== '' && lo === 0) || (m[3] !== '' && Number(m[3]) === 0)) {
      return what === 'fields' ? 'fields are numbered from 1' : 'byte/character positions are numbered from 1';
    }
    if (hi < lo) return 'invalid decreasing range';
    ranges.push([lo, hi]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Ranges = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

function selected(ranges: Ranges, n: number, complement: boolean): boolean {
  const inside = ranges.some(([lo, hi]) => n >= lo && n <= hi);
  return inside !== complement;
}

interface Options {
  bytes?: string;
  characters?: string;
  fields?: string;
  delimiter?: string;
  onlyDelimited?: boolean;
  complement?: boolean;
  outputDelimiter?: string;
}

const enc = new TextEncoder();

export default defineProgram({
  name: 'cut',
  summary: 'remove sections from each line of files',
  main: guarded('cut', async (argv, sys) => {
    const cmd = command('cut', 'print selected parts of lines from each FILE to standard output (standard input for none or -)')
      .option('-b, --bytes <list>', 'select only these bytes')
      .option('-c, --characters <list>', 'select only these characters (bytes, as GNU cut)')
      .option('-d, --delimiter <delim>', 'use DELIM instead of TAB for field delimiter')
      .option('-f, --fields <list>', 'select only these fields; also print any line that contains no delimiter character, unless -s')
      .option('--complement', 'complement the set of selected bytes, characters or fields')
      .option('-s, --only-delimited', 'do not print lines not containing delimiters')
      .option('--output-delimiter <string>', 'use STRING as the output delimiter (default: the input delimiter)')
      .helpOption('--help', 'show this help')
      .argument('[file...]');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const lists = [o.bytes, o.characters, o.fields].filter((l) => l !== undefined);
    if (lists.length === 0) return usageError(sys, cmd, 'you must specify a list of bytes, characters, or fields');
    if (lists.length > 1) return usageError(sys, cmd, 'only one list may be specified');
    const byFields = o.fields !== undefined;
    if (o.delimiter !== undefined && !byFields) return usageError(sys, cmd, 'an input delimiter may be specified only when operating on fields');
    if (o.onlyDelimited && !byFields) return usageError(sys, cmd, 'suppressing non-delimited lines makes sense\n\tonly when operating on fields');
    const delim = o.delimiter ?? '\t';
    if (enc.encode(delim).length > 1) return usageError(sys, cmd, 'the delimiter must be a single character');
    const ranges = parseList(lists[0]!, byFields ? 'fields' : 'bytes');
    if (typeof ranges === 'string') return usageError(sys, cmd, ranges);
    const complement = !!o.complement;
    // An empty -d '' means NUL, as in GNU cut.
    const delimByte = delim === '' ? 0 : enc.encode(delim)[0]!;
    const outDelim = enc.encode(o.outputDelimiter ?? (byFields ? (delim === '' ? '\0' : delim) : ''));

    const cutLine = (line: Uint8Array): Uint8Array | null => {
      const parts: Uint8Array[] = [];
      if (byFields) {
        if (!line.includes(delimByte)) return o.onlyDelimited ? null : line;
        let start = 0;
        let field = 1;
        for (let i = 0; i <= line.length; i++) {
          if (i === line.length || line[i] === delimByte) {
            if (selected(ranges, field, complement)) parts.push(line.subarray(start, i));
            start = i + 1;
            field++;
          }
        }
      } else {
        // Consecutive selected bytes form one piece; the output delimiter goes between pieces.
        let start = -1;
        for (let i = 0; i <= line.length; i++) {
          const on = i < line.length && selected(ranges, i + 1, complement);
          if (on && start < 0) start = i;
          if (!on && start >= 0) {
            parts.push(line.subarray(start, i));
            start = -1;
          }
        }
      }
      const total = parts.reduce((n, p) => n + p.length, 0) + Math.max(0, parts.length - 1) * outDelim.length;
      const res = new Uint8Array(total);
      let off = 0;
      parts.forEach((p, i) => {
        if (i > 0) {
          res.set(outDelim, off);
          off += outDelim.length;
        }
        res.set(p, off);
        off += p.length;
      });
      return res;
    };

    let status = 0;
    for (const file of r.args.length > 0 ? r.args : ['-']) {
      let fd: number;
      try {
        fd = await openInput(sys, file);
      } catch (e) {
        await warn(sys, 'cut', `${quotef(file)}: ${errText(e)}`);
        status = 1;
        continue;
      }
      try {
        let pending = new Uint8Array(0);
        const emit = async (line: Uint8Array) => {
          const c = cutLine(line);
          if (c === null) return;
          const res = new Uint8Array(c.length + 1);
          res.set(c);
          res[c.length] = 0x0a;
          await out(sys, res);
        };
        for (;;) {
          const chunk = await readChunk(sys, fd);
          if (chunk.length === 0) break;
          const buf = new Uint8Array(pending.length + chunk.length);
          buf.set(pending);
          buf.set(chunk, pending.length);
          let start = 0;
          for (let i = 0; i < buf.length; i++) {
            if (buf[i] === 0x0a) {
              await emit(buf.subarray(start, i));
              start = i + 1;
            }
          }
          pending = buf.slice(start);
        }
        if (pending.length > 0) await emit(pending);
      } catch (e) {
        if (!(e instanceof ReadError)) throw e;
        await warn(sys, 'cut', `${quotef(file)}: ${errText(e.cause)}`);
        status = 1;
      } finally {
        await closeInput(sys, fd);
      }
    }
    return status;
  }),
});
