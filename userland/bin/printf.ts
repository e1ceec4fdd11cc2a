// printf: format and print data, as coreutils printf does (see lib/printf.ts). Like it, printf
// takes no options but --help: "-x" is a format like any other.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { usageError, warn } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';
import { formatPrintf } from '../lib/printf.js';

export default defineProgram({
  name: 'printf',
  summary: 'format and print data',
  main: guarded('printf', async (argv, sys) => {
    const cmd = command('printf', 'format and print ARGUMENTs under control of FORMAT (%s %d %i %u %o %x %X %c %e %f %g %b %q %%, \\ escapes)')
      .argument('<format>')
      .argument('[argument...]');
    if (argv[1] === '--help') {
      const r = await parse(sys, cmd, argv.slice(0, 2));
      return 'status' in r ? r.status : 0;
    }
    const rest = argv[1] === '--' ? argv.slice(2) : argv.slice(1);
    if (rest.length === 0) return usageError(sys, cmd, 'missing operand');
    const r = formatPrintf(rest[0]!, rest.slice(1));
    await out(sys, r.bytes);
    for (const e of r.errors) await warn(sys, 'printf', e);
    return r.errors.length > 0 ? 1 : 0;
  }),
});
