// true: do nothing, successfully. Like coreutils, it takes no options but a lone --help.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { guarded } from '../lib/guard.js';

export default defineProgram({
  name: 'true',
  summary: 'do nothing, successfully',
  main: guarded('true', async (argv, sys) => {
    if (argv.length === 2 && argv[1] === '--help') {
      const r = await parse(sys, command('true', 'exit with a status code indicating success'), argv);
      return 'status' in r ? r.status : 0;
    }
    return 0;
  }),
});
