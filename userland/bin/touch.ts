// touch: create empty files. tunlab has no utimensat(), so an existing file is left as it is
// (its time cannot be changed from userland); a missing one is created, as touch does.

import { isSysError } from '../../kernel/abi/errno.js';
import { O_CREAT, O_WRONLY } from '../../kernel/abi/fcntl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { errText, quote, warn } from '../lib/errors.js';
import { guarded } from '../lib/guard.js';

export default defineProgram({
  name: 'touch',
  summary: 'create empty files',
  main: guarded('touch', async (argv, sys) => {
    const cmd = command('touch', 'create each FILE that does not exist, empty')
      .option('-c, --no-create', 'do not create any files')
      .argument('<file...>');
    const r = await parse<{ create: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    let status = 0;
    for (const file of r.args) {
      try {
        await sys.stat(file);
        continue;
      } catch (e) {
        if (!isSysError(e)) throw e;
        if (e.errno !== 'ENOENT') {
          await warn(sys, 'touch', `cannot touch ${quote(file)}: ${errText(e)}`);
          status = 1;
          continue;
        }
      }
      if (!r.opts.create) continue;
      try {
        await sys.close(await sys.open(file, O_WRONLY | O_CREAT, 0o666));
      } catch (e) {
        await warn(sys, 'touch', `cannot touch ${quote(file)}: ${errText(e)}`);
        status = 1;
      }
    }
    return status;
  }),
});
