// yes: print a line ("y", or the arguments) until the reader goes away. A closed pipe ends it with
// SIGPIPE, or with EPIPE ("standard output: Broken pipe", status 1) when SIGPIPE is ignored.

import { strerror } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { guarded, out, WriteError } from '../lib/guard.js';
import { eprint } from '../lib/io.js';

export default defineProgram({
  name: 'yes',
  summary: 'output a string repeatedly until killed',
  main: guarded('yes', async (argv, sys) => {
    const cmd = command('yes', 'repeatedly output a line with all specified STRING(s), or "y"').argument('[string...]');
    const r = await parse(sys, cmd, argv);
    if ('status' in r) return r.status;
    const line = `${r.args.length > 0 ? r.args.join(' ') : 'y'}\n`;
    // Whole lines in a buffer of about 8 KiB, as coreutils fills one.
    const block = line.repeat(Math.max(1, Math.floor(8192 / line.length)));
    for (;;) {
      try {
        await out(sys, block);
      } catch (e) {
        if (!(e instanceof WriteError)) throw e;
        await eprint(sys, `yes: standard output: ${strerror(e.cause.errno)}\n`).catch(() => undefined);
        return 1;
      }
    }
  }),
});
