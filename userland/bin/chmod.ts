// chmod: change file mode bits, as GNU chmod: octal or symbolic modes (u+x,go-w,a=r, with the
// umask where no who is given), -R through directories (symbolic links met on the way are not
// followed), -v/-c report, -f stays quiet. A mode like -w or -x is a mode, not an option.

import { defineProgram } from '../../kernel/abi/program.js';
import { S_IFLNK, S_IFMT, S_ISDIR } from '../../kernel/abi/stat.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { command, Option, parse } from '../lib/cli.js';
import { errText, quote, usageError, warn } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';
import { type ModeChange, parseMode } from '../lib/mode.js';
import { joinPath } from '../lib/tree.js';

interface Options {
  recursive?: boolean;
  verbose?: boolean;
  changes?: boolean;
  silent?: boolean;
  quiet?: boolean;
}

/** ls-style "rwxr-xr-x" of a mode, for -v/-c. */
function symbolic(mode: number): string {
  const t = (bits: number, special: boolean, ch: string) =>
    `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${special ? (bits & 1 ? ch : ch.toUpperCase()) : bits & 1 ? 'x' : '-'}`;
  return t(mode >> 6, !!(mode & 0o4000), 's') + t(mode >> 3, !!(mode & 0o2000), 's') + t(mode, !!(mode & 0o1000), 't');
}

const octal = (m: number) => m.toString(8).padStart(4, '0');

export default defineProgram({
  name: 'chmod',
  summary: 'change file mode bits',
  main: guarded('chmod', async (argv, sys) => {
    const cmd = command('chmod', 'change the mode of each FILE to MODE (octal, or symbolic [ugoa]*([-+=]([rwxXst]*|[ugo]))+ joined by commas)')
      .option('-c, --changes', 'like verbose but report only when a change is made')
      .option('-f, --silent', 'suppress most error messages')
      .addOption(new Option('--quiet', 'the same as --silent').hideHelp())
      .option('-v, --verbose', 'output a diagnostic for every file processed')
      .option('-R, --recursive', 'change files and directories recursively')
      .usage('[options] MODE[,MODE]... FILE...')
      .argument('[operands...]');
    // "chmod -w f": a leading-dash mode is taken out before the options are parsed.
    const dashMode = argv.findIndex((a, i) => i > 0 && /^-[rwxXst]/.test(a) && parseMode(a) !== null);
    const args = dashMode > 0 ? argv.filter((_, i) => i !== dashMode) : argv;
    const r = await parse<Options>(sys, cmd, args);
    if ('status' in r) return r.status;
    const o = { ...r.opts, silent: r.opts.silent || r.opts.quiet };
    const operands = [...r.args];
    const modeText = dashMode > 0 ? argv[dashMode]! : operands.shift();
    if (modeText === undefined) return usageError(sys, cmd, 'missing operand');
    if (operands.length === 0) return usageError(sys, cmd, `missing operand after ${quote(modeText)}`);
    // As GNU chmod: the mask is read once (umask(0) returns it) for the clauses without [ugoa].
    const change = parseMode(modeText, await sys.umask(0));
    if (change === null) return usageError(sys, cmd, `invalid mode: ${quote(modeText)}`);
    let status = 0;
    for (const file of operands) if (!(await chmodPath(sys, file, change, o, true))) status = 1;
    return status;
  }),
});

async function chmodPath(sys: Sys, path: string, change: ModeChange, o: Options, operand: boolean): Promise<boolean> {
  let st;
  try {
    st = operand ? await sys.stat(path) : await sys.lstat(path);
  } catch (e) {
    if (!o.silent) await warn(sys, 'chmod', `cannot access ${quote(path)}: ${errText(e)}`);
    return false;
  }
  // Inside a tree, symbolic links are neither changed nor followed (GNU's -P default for -R).
  if ((st.st_mode & S_IFMT) === S_IFLNK) return true;
  const old = st.st_mode & 0o7777;
  const isDir = S_ISDIR(st.st_mode);
  const mode = change(old, isDir);
  let ok = true;
  try {
    if (mode !== old) await sys.chmod(path, mode);
    if (o.verbose || (o.changes && mode !== old)) {
      await out(
        sys,
        mode === old
          ? `mode of ${quote(path)} retained as ${octal(mode)} (${symbolic(mode)})\n`
          : `mode of ${quote(path)} changed from ${octal(old)} (${symbolic(old)}) to ${octal(mode)} (${symbolic(mode)})\n`,
      );
    }
  } catch (e) {
    if (!o.silent) await warn(sys, 'chmod', `changing permissions of ${quote(path)}: ${errText(e)}`);
    ok = false;
  }
  if (o.recursive && isDir) {
    let entries;
    try {
      entries = await sys.readdir(path);
    } catch (e) {
      if (!o.silent) await warn(sys, 'chmod', `cannot read directory ${quote(path)}: ${errText(e)}`);
      return false;
    }
    for (const ent of entries) {
      if (ent.d_name === '.' || ent.d_name === '..') continue;
      if (!(await chmodPath(sys, joinPath(path, ent.d_name), change, o, false))) ok = false;
    }
  }
  return ok;
}
