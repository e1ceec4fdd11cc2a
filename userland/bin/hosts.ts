// hosts: the hosts of this world, this one marked.

import { defineProgram } from '../../kernel/abi/program.js';
import { guarded } from '../lib/guard.js';
import { command, parse } from '../lib/cli.js';
import { print } from '../lib/io.js';

export default defineProgram({
  name: 'hosts',
  summary: 'list the hosts of this world',
  main: guarded('hosts', async (argv, sys) => {
    const r = await parse(sys, command('hosts', 'list the hosts of this world (run commands on them with `on HOST ...`)'), argv);
    if ('status' in r) return r.status;
    const me = (await sys.uname()).nodename;
    for (const h of await sys.hosts()) await print(sys, `${h === me ? '*' : ' '} ${h}\n`);
    return 0;
  }),
});
