// uniq: report or omit repeated lines, as GNU uniq: adjacent equal lines collapse to one; -c
// counts, -d only repeated, -D every repeated line, -u only unique, -i ignore case, -f/-s/-w pick
// the part compared; an OUTPUT operand instead of standard output.

import { defineProgram } from '../../kernel/abi/program.js';
import { O_CREAT, O_TRUNC, O_WRONLY } from '../../kernel/abi/fcntl.js';
import { command, intArg, parse } from '../lib/cli.js';
import { errText, quotef, usageError, warn } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';
import { writeAll } from '../lib/io.js';
import { ReadError, textLines } from '../lib/readers.js';

interface Options {
  count?: boolean;
  repeated?: boolean;
  allRepeated?: boolean;
  unique?: boolean;
  ignoreCase?: boolean;
  skipFields: number;
  skipChars: number;
  checkChars?: number;
}

export default defineProgram({
  name: 'uniq',
  summary: 'report or omit repeated lines',
  main: guarded('uniq', async (argv, sys) => {
    const cmd = command('uniq', 'filter adjacent matching lines from INPUT (or standard input), writing to OUTPUT (or standard output)')
      .option('-c, --count', 'prefix lines by the number of occurrences')
      .option('-d, --repeated', 'only print duplicate lines, one for each group')
      .option('-D, --all-repeated', 'print all duplicate lines')
      .option('-f, --skip-fields <n>', 'avoid comparing the first N fields', intArg('number of fields to skip', 0, Number.MAX_SAFE_INTEGER), 0)
      .option('-i, --ignore-case', 'ignore differences in case when comparing')
      .option('-s, --skip-chars <n>', 'avoid comparing the first N characters', intArg('number of bytes to skip', 0, Number.MAX_SAFE_INTEGER), 0)
      .option('-u, --unique', 'only print unique lines')
      .option('-w, --check-chars <n>', 'compare no more than N characters in lines', intArg('number of bytes to compare', 0, Number.MAX_SAFE_INTEGER))
      .helpOption('--help', 'show this help')
      .argument('[input]')
      .argument('[output]');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const [input = '-', output] = r.args;
    if (o.allRepeated && o.count) {
      return usageError(sys, cmd, 'printing all duplicated lines and repeat counts is meaningless');
    }
    const keyOf = (line: string): string => {
      let s = line;
      for (let f = 0; f < o.skipFields; f++) s = s.replace(/^[ \t]*[^ \t]*/, '');
      s = s.slice(o.skipChars);
      if (o.checkChars !== undefined) s = s.slice(0, o.checkChars);
      return o.ignoreCase ? s.toLowerCase() : s;
    };
    let inFd: number;
    try {
      inFd = await openInput(sys, input);
    } catch (e) {
      await warn(sys, 'uniq', `${quotef(input)}: ${errText(e)}`);
      return 1;
    }
    let outFd = 1;
    if (output !== undefined && output !== '-') {
      try {
        outFd = await sys.open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o666);
      } catch (e) {
        await warn(sys, 'uniq', `${quotef(output)}: ${errText(e)}`);
        await closeInput(sys, inFd);
        return 1;
      }
    }
    const emit = (text: string) => (outFd === 1 ? out(sys, text) : writeAll(sys, outFd, text));
    // The current run of equal lines: its first line, its length, and with -D all of it.
    let first: string | null = null;
    let firstKey = '';
    let count = 0;
    let run: string[] = [];
    const flush = async () => {
      if (first === null) return;
      if (o.allRepeated) {
        if (count > 1) await emit(run.map((l) => `${l}\n`).join(''));
      } else if ((count > 1 && !o.unique) || (count === 1 && !o.repeated)) {
        await emit(`${o.count ? `${String(count).padStart(7)} ` : ''}${first}\n`);
      }
    };
    let status = 0;
    try {
      for await (const line of textLines(sys, inFd)) {
        const k = keyOf(line);
        if (first !== null && k === firstKey) {
          count++;
          if (o.allRepeated) run.push(line);
          continue;
        }
        await flush();
        first = line;
        firstKey = k;
        count = 1;
        run = o.allRepeated ? [line] : [];
      }
      await flush();
    } catch (e) {
      if (!(e instanceof ReadError)) throw e;
      await warn(sys, 'uniq', `${quotef(input)}: ${errText(e.cause)}`);
      status = 1;
    } finally {
      await closeInput(sys, inFd);
      if (outFd !== 1) await sys.close(outFd);
    }
    return status;
  }),
});
