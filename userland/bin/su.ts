// su: run a shell (or one command) as another user. Only root may: tunlab has no passwords.

import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { guarded } from '../lib/guard.js';
import { shellStatus } from '../../kernel/abi/wait.js';
import { command, parse } from '../lib/cli.js';
import { eprint } from '../lib/io.js';

export default defineProgram({
  name: 'su',
  summary: 'run a shell as another user',
  main: guarded('su', async (argv, sys) => {
    const cmd = command('su', 'run a shell or a command with another user id (uid 0 is Haiku\'s "user")')
      .option('-c, --command <command>', 'run this command instead of an interactive shell')
      .argument('[user]', 'a uid, or "user"/"root" for 0', '1000');
    const r = await parse<{ command?: string }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const who = r.args[0] ?? '1000';
    const uid = who === 'user' || who === 'root' ? 0 : /^\d{1,9}$/.test(who) ? Number(who) : NaN;
    if (!Number.isInteger(uid)) {
      await eprint(sys, `su: user ${who} does not exist\n`);
      return 1;
    }
    const args = r.opts.command !== undefined ? ['sh', '-c', r.opts.command] : ['sh'];
    let pid: number;
    try {
      pid = await sys.spawn('/bin/sh', args, { uid, gid: uid, env: { ...sys.environ(), USER: uid === 0 ? 'user' : String(uid) } });
    } catch (e) {
      if (isSysError(e, 'EPERM')) {
        await eprint(sys, 'su: Authentication failure\n');
        return 1;
      }
      // Any other refusal (EAGAIN at the process limit) is reported too.
      if (isSysError(e)) {
        await eprint(sys, `su: cannot run sh: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
    const { status } = await sys.waitpid(pid);
    return shellStatus(status);
  }),
});
