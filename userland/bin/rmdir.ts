// rmdir: remove empty directories, as coreutils rmdir ("rmdir: failed to remove 'x': ...");
// -p removes each parent named in the path too.

import { defineProgram } from '../../kernel/abi/program.js';
import { isSysError } from '../../kernel/abi/errno.js';
import { command, parse } from '../lib/cli.js';
import { errText, quote, warn } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';

interface Options {
  parents?: boolean;
  verbose?: boolean;
  ignoreFailOnNonEmpty?: boolean;
}

export default defineProgram({
  name: 'rmdir',
  summary: 'remove empty directories',
  main: guarded('rmdir', async (argv, sys) => {
    const cmd = command('rmdir', 'remove the DIRECTORY(ies), if they are empty')
      .option('--ignore-fail-on-non-empty', 'ignore each failure that is solely because a directory is non-empty')
      .option('-p, --parents', "remove DIRECTORY and its ancestors; e.g., 'rmdir -p a/b' is similar to 'rmdir a/b a'")
      .option('-v, --verbose', 'output a diagnostic for every directory processed')
      .argument('<directory...>');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    let status = 0;
    for (const dir of r.args) {
      let path = dir.replace(/(.)\/+$/, '$1');
      for (;;) {
        if (o.verbose) await out(sys, `rmdir: removing directory, ${quote(path)}\n`);
        try {
          await sys.rmdir(path);
        } catch (e) {
          if (!(o.ignoreFailOnNonEmpty && isSysError(e, 'ENOTEMPTY'))) {
            await warn(sys, 'rmdir', `failed to remove ${quote(path)}: ${errText(e)}`);
            status = 1;
          }
          break;
        }
        if (!o.parents) break;
        const slash = path.lastIndexOf('/');
        if (slash <= 0) break;
        path = path.slice(0, slash).replace(/(.)\/+$/, '$1');
      }
    }
    return status;
  }),
});
