// tail: the last part of files, as coreutils tail: -n N lines (10), -n +N from line N on, -c N /
// +N bytes, headers for several files, the obsolete "tail -5" / "tail +5" forms, and -f to keep
// printing what is appended to regular files (checked once a second on the kernel clock).

import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { S_IFMT, S_IFREG } from '../../kernel/abi/stat.js';
import { command, parse } from '../lib/cli.js';
import { type Count, parseCount, rewriteObsoleteCount } from '../lib/counts.js';
import { errText, quote, usageError, warn } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';
import { lineEnds, readChunk, ReadError, readWhole } from '../lib/readers.js';

export function tailOf(all: Uint8Array, count: Count, bytes: boolean): Uint8Array {
  if (bytes) return count.sign === '+' ? all.subarray(Math.max(0, count.n - 1)) : all.subarray(Math.max(0, all.length - count.n));
  const ends = lineEnds(all);
  if (count.sign === '+') {
    const skip = Math.max(0, count.n - 1);
    return skip === 0 ? all : skip <= ends.length ? all.subarray(ends[skip - 1]!) : all.subarray(all.length);
  }
  if (count.n === 0) return all.subarray(all.length);
  // The last line may lack its newline; it still counts.
  const starts = [0, ...ends];
  if (all.length > 0 && all[all.length - 1] === 0x0a) starts.pop();
  const from = starts.length - count.n;
  return all.subarray(from > 0 ? starts[from]! : 0);
}

interface Options {
  lines?: string;
  bytes?: string;
  follow?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

interface Followed {
  fd: number;
  name: string;
}

export default defineProgram({
  name: 'tail',
  summary: 'output the last part of files',
  main: guarded('tail', async (argv, sys) => {
    const cmd = command('tail', 'print the last 10 lines of each FILE (standard input for none or -)')
      .option('-n, --lines <[+]num>', 'output the last NUM lines; with +NUM, from line NUM on')
      .option('-c, --bytes <[+]num>', 'output the last NUM bytes; with +NUM, from byte NUM on')
      .option('-f, --follow', 'output appended data as the file grows')
      .option('-q, --quiet', 'never output headers giving file names')
      .option('-v, --verbose', 'always output headers giving file names')
      .argument('[file...]');
    const r = await parse<Options>(sys, cmd, rewriteObsoleteCount(argv, true));
    if ('status' in r) return r.status;
    const { opts } = r;
    const bytes = opts.bytes !== undefined;
    const count = parseCount(opts.bytes ?? opts.lines ?? '10', bytes ? 'bytes' : 'lines');
    if (typeof count === 'string') return usageError(sys, cmd, count);
    const files = r.args.length > 0 ? r.args : ['-'];
    const headers = opts.verbose || (files.length > 1 && !opts.quiet);
    let status = 0;
    let lastShown: string | null = null;
    const followed: Followed[] = [];
    for (const file of files) {
      const name = file === '-' ? 'standard input' : file;
      let fd: number;
      try {
        fd = await openInput(sys, file);
      } catch (e) {
        await warn(sys, 'tail', `cannot open ${quote(file)} for reading: ${errText(e)}`);
        status = 1;
        continue;
      }
      let keep = false;
      try {
        if (headers) await out(sys, `${lastShown === null ? '' : '\n'}==> ${name} <==\n`);
        lastShown = name;
        await out(sys, tailOf(await readWhole(sys, fd), count, bytes));
        if (opts.follow && ((await sys.fstat(fd)).st_mode & S_IFMT) === S_IFREG) {
          followed.push({ fd, name });
          keep = true;
        }
      } catch (e) {
        if (!(e instanceof ReadError)) throw e;
        await warn(sys, 'tail', `error reading ${quote(name)}: ${errText(e.cause)}`);
        status = 1;
      } finally {
        if (!keep) await closeInput(sys, fd);
      }
    }
    if (followed.length === 0) return status;
    for (;;) {
      try {
        await sys.nanosleep(1e9);
      } catch (e) {
        if (isSysError(e, 'EINTR')) return status;
        throw e;
      }
      for (const f of followed) {
        for (;;) {
          const chunk = await readChunk(sys, f.fd).catch(() => new Uint8Array(0));
          if (chunk.length === 0) break;
          if (headers && lastShown !== f.name) await out(sys, `\n==> ${f.name} <==\n`);
          lastShown = f.name;
          await out(sys, chunk);
        }
      }
    }
  }),
});
