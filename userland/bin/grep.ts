// grep: print lines that match patterns, as GNU grep: basic regular expressions by default, -E
// extended, -F fixed strings; -i -v -c -n -l -q -w -x -h -H -s -m; "file:" prefixes when
// several files are searched. Status 0 when a line was selected, 1 when none, 2 on an error.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { errText, quotef, usageError, warn } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';
import { ReadError, textLines as lines } from '../lib/readers.js';
import { escapeFixed, posixToJs, RegexError } from '../lib/regex.js';

interface Options {
  regexp: string[];
  extendedRegexp?: boolean;
  fixedStrings?: boolean;
  basicRegexp?: boolean;
  ignoreCase?: boolean;
  invertMatch?: boolean;
  wordRegexp?: boolean;
  lineRegexp?: boolean;
  count?: boolean;
  filesWithMatches?: boolean;
  lineNumber?: boolean;
  quiet?: boolean;
  /** false with -s (--no-messages). */
  messages: boolean;
  withFilename?: boolean;
  /** false with -h (--no-filename). */
  filename: boolean;
  maxCount?: string;
}

export default defineProgram({
  name: 'grep',
  summary: 'print lines that match patterns',
  main: guarded('grep', async (argv, sys) => {
    const cmd = command('grep', 'search for PATTERNS in each FILE (standard input for none or -)')
      .option('-E, --extended-regexp', 'PATTERNS are extended regular expressions')
      .option('-F, --fixed-strings', 'PATTERNS are strings')
      .option('-G, --basic-regexp', 'PATTERNS are basic regular expressions (the default)')
      .option('-e, --regexp <patterns>', 'use PATTERNS for matching', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('-i, --ignore-case', 'ignore case distinctions in patterns and data')
      .option('-v, --invert-match', 'select non-matching lines')
      .option('-w, --word-regexp', 'match only whole words')
      .option('-x, --line-regexp', 'match only whole lines')
      .option('-c, --count', 'print only a count of selected lines per FILE')
      .option('-l, --files-with-matches', 'print only names of FILEs with selected lines')
      .option('-m, --max-count <num>', 'stop after NUM selected lines')
      .option('-n, --line-number', 'print line number with output lines')
      .option('-H, --with-filename', 'print file name with output lines')
      .option('-h, --no-filename', 'suppress the file name prefix on output')
      .option('-q, --quiet', 'suppress all normal output')
      .option('-s, --no-messages', 'suppress error messages')
      .helpOption('--help', 'show this help')
      .argument('[patterns]')
      .argument('[file...]');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const args = [...r.args];
    let patterns: string[];
    if (o.regexp.length > 0) patterns = o.regexp.flatMap((p) => p.split('\n'));
    else {
      if (args.length === 0) return usageError(sys, cmd, 'missing pattern');
      patterns = args.shift()!.split('\n');
    }
    let maxCount = Infinity;
    if (o.maxCount !== undefined) {
      if (!/^\d+$/.test(o.maxCount) || !Number.isSafeInteger(Number(o.maxCount))) return usageError(sys, cmd, `invalid max count`);
      maxCount = Number(o.maxCount);
    }
    let re: RegExp;
    try {
      const sources = patterns.map((p) => (o.fixedStrings ? escapeFixed(p) : posixToJs(p, !!o.extendedRegexp)));
      let src = sources.map((s) => `(?:${s})`).join('|');
      if (o.lineRegexp) src = `^(?:${src})$`;
      else if (o.wordRegexp) src = `(?<![\\w])(?:${src})(?![\\w])`;
      re = new RegExp(src, o.ignoreCase ? 'i' : '');
    } catch (e) {
      if (e instanceof RegexError) await warn(sys, 'grep', e.message);
      else if (e instanceof SyntaxError) await warn(sys, 'grep', 'Invalid regular expression');
      else throw e;
      return 2;
    }
    const files = args.length > 0 ? args : ['-'];
    const prefixNames = (o.withFilename || files.length > 1) && o.filename;
    let selectedAny = false;
    let error = false;
    for (const file of files) {
      const name = file === '-' ? '(standard input)' : file;
      let fd: number;
      try {
        fd = await openInput(sys, file);
      } catch (e) {
        if (o.messages) await warn(sys, 'grep', `${quotef(file)}: ${errText(e)}`);
        error = true;
        continue;
      }
      let count = 0;
      let lineNo = 0;
      try {
        for await (const line of lines(sys, fd)) {
          if (count >= maxCount) break;
          lineNo++;
          if (re.test(line) === !!o.invertMatch) continue;
          count++;
          selectedAny = true;
          if (o.quiet) return 0;
          if (o.filesWithMatches) break;
          if (o.count) continue;
          await out(sys, `${prefixNames ? `${name}:` : ''}${o.lineNumber ? `${lineNo}:` : ''}${line}\n`);
        }
      } catch (e) {
        if (!(e instanceof ReadError)) throw e;
        if (o.messages) await warn(sys, 'grep', `${quotef(file)}: ${errText(e.cause)}`);
        error = true;
      } finally {
        await closeInput(sys, fd);
      }
      if (o.count) await out(sys, `${prefixNames ? `${name}:` : ''}${count}\n`);
      else if (o.filesWithMatches && count > 0) await out(sys, `${name}\n`);
    }
    return error ? 2 : selectedAny ? 0 : 1;
  }),
});
