// grep: print lines that match patterns, as GNU grep: basic regular expressions by default, -E
// extended, -F fixed strings; -i -v -c -n -l -q -w -x -h -H -s -m -o; -A/-B/-C context with "--"
// between groups; "file:" prefixes when several files are searched (-H/-h: the last one wins). Status 0 when a line was selected, 1 when none, 2 on an error.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, InvalidArgumentError, parse } from '../lib/cli.js';
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
  onlyMatching?: boolean;
  afterContext?: number;
  beforeContext?: number;
  context?: number;
}

function contextArg(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${v}: invalid context length argument`);
  return Math.min(Number(v), Number.MAX_SAFE_INTEGER);
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
      .option('-o, --only-matching', 'show only nonempty parts of lines that match')
      .option('-A, --after-context <num>', 'print NUM lines of trailing context', contextArg)
      .option('-B, --before-context <num>', 'print NUM lines of leading context', contextArg)
      .option('-C, --context <num>', 'print NUM lines of output context', contextArg)
      .option('-q, --quiet', 'suppress all normal output')
      .option('-s, --no-messages', 'suppress error messages')
      .helpOption('--help', 'show this help')
      .argument('[patterns]')
      .argument('[file...]');
    // -H and -h: the last one given wins.
    let filenameChoice: boolean | undefined;
    cmd.on('option:with-filename', () => (filenameChoice = true));
    cmd.on('option:no-filename', () => (filenameChoice = false));
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
    const prefixNames = (filenameChoice ?? files.length > 1) as boolean;
    const after = o.afterContext ?? o.context ?? 0;
    const before = o.beforeContext ?? o.context ?? 0;
    const withContext = after > 0 || before > 0;
    const global = re.flags.includes('i') ? 'gi' : 'g';
    const every = new RegExp(re.source, global);
    let selectedAny = false;
    let error = false;
    // Whether anything went out yet (for the "--" between groups, also across files).
    let anyOutput = false;
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
      // -1: a file's first group is always apart from what another file showed.
      let lastShown = -1;
      let afterLeft = 0;
      const pending: Array<[number, string]> = [];
      /** A selected line (sep ':') or a context line ('-'); with -o, context lines only count as shown. */
      const show = async (n: number, line: string, sep: ':' | '-') => {
        if (withContext && anyOutput && n !== lastShown + 1) await out(sys, '--\n');
        lastShown = n;
        anyOutput = true;
        const prefix = `${prefixNames ? `${name}${sep}` : ''}${o.lineNumber ? `${n}${sep}` : ''}`;
        if (!o.onlyMatching) await out(sys, `${prefix}${line}\n`);
        else if (sep === ':' && !o.invertMatch) {
          for (const m of line.matchAll(every)) if (m[0] !== '') await out(sys, `${prefix}${m[0]}\n`);
        }
      };
      try {
        for await (const line of lines(sys, fd)) {
          lineNo++;
          if (count >= maxCount) {
            // GNU grep still prints the trailing context of the last selected line.
            if (afterLeft-- <= 0 || o.count || o.filesWithMatches) break;
            await show(lineNo, line, '-');
            continue;
          }
          if (re.test(line) === !!o.invertMatch) {
            if (afterLeft > 0) {
              afterLeft--;
              await show(lineNo, line, '-');
            } else if (before > 0) {
              pending.push([lineNo, line]);
              if (pending.length > before) pending.shift();
            }
            continue;
          }
          count++;
          selectedAny = true;
          if (o.quiet) return 0;
          if (o.filesWithMatches) break;
          if (o.count) continue;
          for (const [n, l] of pending.splice(0)) await show(n, l, '-');
          await show(lineNo, line, ':');
          afterLeft = after;
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
