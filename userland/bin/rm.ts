// rm: remove files or directories, as coreutils rm: "rm: cannot remove 'x': ..."; -r removes
// trees, -d empty directories, -f ignores missing files and a missing operand; rm -r / refuses.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { quote, usageError, warn } from '../lib/errors.js';
import { guarded } from '../lib/guard.js';
import { absolute, lastComponent, removePath } from '../lib/tree.js';

interface Options {
  force?: boolean;
  recursive?: boolean;
  R?: boolean;
  dir?: boolean;
  verbose?: boolean;
}

export default defineProgram({
  name: 'rm',
  summary: 'remove files or directories',
  main: guarded('rm', async (argv, sys) => {
    const cmd = command('rm', 'remove (unlink) the FILE(s)')
      .option('-f, --force', 'ignore nonexistent files and arguments, never prompt')
      .option('-r, --recursive', 'remove directories and their contents recursively')
      .option('-R', 'the same as -r')
      .option('-d, --dir', 'remove empty directories')
      .option('-v, --verbose', 'explain what is being done')
      .argument('[file...]');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    if (r.args.length === 0) return o.force ? 0 : usageError(sys, cmd, 'missing operand');
    const recursive = !!(o.recursive || o.R);
    const cwd = await sys.getcwd();
    let status = 0;
    for (const file of r.args) {
      const last = lastComponent(file);
      if (recursive && (last === '.' || last === '..')) {
        await warn(sys, 'rm', `refusing to remove '.' or '..' directory: skipping ${quote(file)}`);
        status = 1;
        continue;
      }
      if (recursive && absolute(cwd, file) === '/') {
        await warn(sys, 'rm', `it is dangerous to operate recursively on ${quote('/')}`);
        await warn(sys, 'rm', 'use --no-preserve-root to override this failsafe');
        status = 1;
        continue;
      }
      const ok = await removePath(sys, file, { prog: 'rm', recursive, dirs: !!o.dir, force: !!o.force, verbose: !!o.verbose });
      if (!ok) status = 1;
    }
    return status;
  }),
});
