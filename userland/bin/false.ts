// false: do nothing, unsuccessfully. Like coreutils, it takes no options but a lone --help.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { guarded } from '../lib/guard.js';

export default defineProgram({
  name: 'false',
  summary: 'do nothing, unsuccessfully',
  main: guarded('false', async (argv, sys) => {
    if (argv.length === 2 && argv[1] === '--help') {
      const r = await parse(sys, command('false', 'exit with a status code indicating failure'), argv);
      return 'status' in r ? r.status : 0;
    }
    return 1;
  }),
});
