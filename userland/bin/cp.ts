// cp: copy files and directories, as coreutils cp: "cp SOURCE DEST" or "cp SOURCE... DIRECTORY",
// -r for directories (else "-r not specified; omitting directory"), messages in its words.

import { defineProgram } from '../../kernel/abi/program.js';
import { S_IFDIR, S_IFMT } from '../../kernel/abi/stat.js';
import { command, parse } from '../lib/cli.js';
import { quote, usageError, warn } from '../lib/errors.js';
import { guarded } from '../lib/guard.js';
import { copyPath, joinPath, lastComponent, statOrNull } from '../lib/tree.js';

interface Options {
  recursive?: boolean;
  R?: boolean;
  force?: boolean;
  verbose?: boolean;
  /** false with -T. */
  targetDirectory: boolean;
}

export default defineProgram({
  name: 'cp',
  summary: 'copy files and directories',
  main: guarded('cp', async (argv, sys) => {
    const cmd = command('cp', 'copy SOURCE to DEST, or multiple SOURCE(s) to DIRECTORY')
      .option('-r, --recursive', 'copy directories recursively')
      .option('-R', 'the same as -r')
      .option('-f, --force', 'overwrite destination files (the default here)')
      .option('-T, --no-target-directory', 'treat DEST as a normal file')
      .option('-v, --verbose', 'explain what is being done')
      .argument('[files...]', 'SOURCE... then DEST')
      .usage('[options] SOURCE DEST | SOURCE... DIRECTORY');
    const r = await parse<Options>(sys, cmd, argv);
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
      await warn(sys, 'cp', `target ${quote(dest)} is not a directory`);
      return 1;
    }
    const opts = { prog: 'cp', recursive: !!(o.recursive || o.R), verbose: !!o.verbose };
    let status = 0;
    for (const src of sources) {
      const target = intoDir ? joinPath(dest, lastComponent(src)) : dest;
      if (!(await copyPath(sys, src, target, opts))) status = 1;
    }
    return status;
  }),
});
