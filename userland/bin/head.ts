// head: the first part of files, as coreutils head: -n N lines (10), -n -N all but the last N,
// -c N bytes, -c -N all but the last N; "==> name <==" headers for several files; the obsolete
// "head -5" form. It stops reading once it has what it needs, so `head -1` ends a pipeline early.

import { defineProgram } from '../../kernel/abi/program.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { type Count, parseCount, rewriteObsoleteCount } from '../lib/counts.js';
import { errText, quote, usageError, warn } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';
import { lineEnds, readChunk, ReadError, readWhole } from '../lib/readers.js';

async function headLines(sys: Sys, fd: number, n: number): Promise<void> {
  let left = n;
  while (left > 0) {
    const chunk = await readChunk(sys, fd);
    if (chunk.length === 0) return;
    let end = chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === 0x0a && --left === 0) {
        end = i + 1;
        break;
      }
    }
    await out(sys, chunk.subarray(0, end));
  }
}

async function headBytes(sys: Sys, fd: number, n: number): Promise<void> {
  let left = n;
  while (left > 0) {
    const chunk = await readChunk(sys, fd, Math.min(left, 65536));
    if (chunk.length === 0) return;
    await out(sys, chunk);
    left -= chunk.length;
  }
}

async function head(sys: Sys, fd: number, count: Count, bytes: boolean): Promise<void> {
  if (count.sign !== '-') {
    await (bytes ? headBytes(sys, fd, count.n) : headLines(sys, fd, count.n));
    return;
  }
  const all = await readWhole(sys, fd);
  if (bytes) {
    await out(sys, all.subarray(0, Math.max(0, all.length - count.n)));
    return;
  }
  const ends = lineEnds(all);
  // A last line without a newline counts as a line.
  if (all.length > 0 && all[all.length - 1] !== 0x0a) ends.push(all.length);
  const keep = ends.length - count.n;
  await out(sys, all.subarray(0, keep > 0 ? ends[keep - 1]! : 0));
}

interface Options {
  lines?: string;
  bytes?: string;
  quiet?: boolean;
  verbose?: boolean;
}

export default defineProgram({
  name: 'head',
  summary: 'output the first part of files',
  main: guarded('head', async (argv, sys) => {
    const cmd = command('head', 'print the first 10 lines of each FILE (standard input for none or -)')
      .option('-n, --lines <[-]num>', 'print the first NUM lines; with -NUM, all but the last NUM lines')
      .option('-c, --bytes <[-]num>', 'print the first NUM bytes; with -NUM, all but the last NUM bytes')
      .option('-q, --quiet', 'never print headers giving file names')
      .option('-v, --verbose', 'always print headers giving file names')
      .argument('[file...]');
    const r = await parse<Options>(sys, cmd, rewriteObsoleteCount(argv, false));
    if ('status' in r) return r.status;
    const { opts } = r;
    const bytes = opts.bytes !== undefined;
    const count = parseCount(opts.bytes ?? opts.lines ?? '10', bytes ? 'bytes' : 'lines');
    if (typeof count === 'string') return usageError(sys, cmd, count);
    if (count.sign === '+') count.sign = '';
    const files = r.args.length > 0 ? r.args : ['-'];
    const headers = opts.verbose || (files.length > 1 && !opts.quiet);
    let status = 0;
    let first = true;
    for (const file of files) {
      const name = file === '-' ? 'standard input' : file;
      let fd: number;
      try {
        fd = await openInput(sys, file);
      } catch (e) {
        await warn(sys, 'head', `cannot open ${quote(file)} for reading: ${errText(e)}`);
        status = 1;
        continue;
      }
      try {
        if (headers) await out(sys, `${first ? '' : '\n'}==> ${name} <==\n`);
        first = false;
        await head(sys, fd, count, bytes);
      } catch (e) {
        if (!(e instanceof ReadError)) throw e;
        await warn(sys, 'head', `error reading ${quote(name)}: ${errText(e.cause)}`);
        status = 1;
      } finally {
        await closeInput(sys, fd);
      }
    }
    return status;
  }),
});
