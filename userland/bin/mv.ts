// mv: move (rename) files, as coreutils mv: "mv SOURCE DEST" or "mv SOURCE... DIRECTORY". Across
// file systems (EXDEV) it copies and then removes the source, as mv does.

import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { S_IFDIR, S_IFMT } from '../../kernel/abi/stat.js';
import { command, parse } from '../lib/cli.js';
import { errText, quote, usageError, warn } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';
import { absolute, copyPath, isInside, joinPath, lastComponent, removePath, statOrNull } from '../lib/tree.js';

interface Options {
  force?: boolean;
  noClobber?: boolean;
  verbose?: boolean;
  /** false with -T. */
  targetDirectory: boolean;
}

export default defineProgram({
  name: 'mv',
  summary: 'move (rename) files',
  main: guarded('mv', async (argv, sys) => {
    const cmd = command('mv', 'rename SOURCE to DEST, or move SOURCE(s) to DIRECTORY')
      .option('-f, --force', 'do not prompt before overwriting (the default here)')
      .option('-n, --no-clobber', 'do not overwrite an existing file')
      .option('-T, --no-target-directory', 'treat DEST as a normal file')
      .option('-v, --verbose', 'explain what is being done')
      .argument('[files...]', 'SOURCE... then DEST')
      .usage('[options] SOURCE DEST | SOURCE... DIRECTORY');
    const r = await parse<Options & { clobber?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const args = r.args;
    if (args.length === 0) return usageError(sys, cmd, 'missing file operand');
    if (args.length === 1) return usageError(sys, cmd, `missing destination file operand after ${quote(args[0]!)}`);
    const dest = args[args.length - 1]!;
    const sources = args.slice(0, -1);
    const destSt = await statOrNull(sys, dest);
    const intoDir = o.targetDirectory !== false && destSt !== null && (destSt.st_mode & S_IFMT) === S_IFDIR;
    if (!intoDir && sources.length > 1) {
      await warn(sys, 'mv', `target ${quote(dest)} is not a directory`);
      return 1;
    }
    const cwd = await sys.getcwd();
    let status = 0;
    for (const src of sources) {
      const target = intoDir ? joinPath(dest, lastComponent(src)) : dest;
      const st = await statOrNull(sys, src, false);
      if (!st) {
        try {
          await sys.lstat(src);
        } catch (e) {
          await warn(sys, 'mv', `cannot stat ${quote(src)}: ${errText(e)}`);
        }
        status = 1;
        continue;
      }
      const existing = await statOrNull(sys, target, false);
      if (existing && existing.st_dev === st.st_dev && existing.st_ino === st.st_ino) {
        await warn(sys, 'mv', `${quote(src)} and ${quote(target)} are the same file`);
        status = 1;
        continue;
      }
      if (existing && o.clobber === false) continue;
      if ((st.st_mode & S_IFMT) === S_IFDIR && isInside(absolute(cwd, target), absolute(cwd, src))) {
        await warn(sys, 'mv', `cannot move ${quote(src)} to a subdirectory of itself, ${quote(target)}`);
        status = 1;
        continue;
      }
      try {
        await sys.rename(src, target);
      } catch (e) {
        if (!isSysError(e, 'EXDEV')) {
          await warn(sys, 'mv', `cannot move ${quote(src)} to ${quote(target)}: ${errText(e)}`);
          status = 1;
          continue;
        }
        // Another file system: copy, then remove the original.
        const copied = await copyPath(sys, src, target, { prog: 'mv', recursive: true, verbose: false });
        if (!copied || !(await removePath(sys, src, { prog: 'mv', recursive: true, dirs: true, force: false, verbose: false }))) {
          status = 1;
          continue;
        }
      }
      if (o.verbose) await out(sys, `renamed ${quote(src)} -> ${quote(target)}\n`);
    }
    return status;
  }),
});
