// dmesg: print the kernel log, oldest line first.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { guarded, out } from '../lib/guard.js';

export default defineProgram({
  name: 'dmesg',
  summary: 'print the kernel message buffer',
  main: guarded('dmesg', async (argv, sys) => {
    const r = await parse(sys, command('dmesg', 'print the kernel message buffer (also kept in /var/log/syslog)'), argv);
    if ('status' in r) return r.status;
    const lines = await sys.syslog();
    await out(sys, lines.map((l) => `${l}\n`).join(''));
    return 0;
  }),
});
