// hostname: print the host's name (uname's nodename). tunlab has no sethostname(), so setting a
// name fails the way a refused call would be reported.

import { strerror } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { quote, warn } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';

export default defineProgram({
  name: 'hostname',
  summary: 'show the system host name',
  main: guarded('hostname', async (argv, sys) => {
    const cmd = command('hostname', 'print the name of this host').option('-s, --short', 'print the name up to its first dot').argument('[name]', 'a new name (not supported)');
    const r = await parse<{ short?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    if (r.args[0] !== undefined) {
      await warn(sys, 'hostname', `cannot set name to ${quote(r.args[0])}: ${strerror('ENOSYS')}`);
      return 1;
    }
    const name = (await sys.uname()).nodename;
    await out(sys, `${r.opts.short ? name.split('.')[0] : name}\n`);
    return 0;
  }),
});
