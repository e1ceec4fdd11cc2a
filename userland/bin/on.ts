// on HOST COMMAND...: run a command on another host of the world, with this terminal as its
// stdin, stdout and stderr, like an rsh. ^C and kill reach the remote command.

import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { sysMessage } from '../lib/errors.js';
import { guarded } from '../lib/guard.js';
import { SIGHUP, SIGINT, SIGTERM } from '../../kernel/abi/signal.js';
import { shellStatus } from '../../kernel/abi/wait.js';
import { command, parse } from '../lib/cli.js';
import { eprint } from '../lib/io.js';

export default defineProgram({
  name: 'on',
  summary: 'run a command on another host',
  main: guarded('on', async (argv, sys) => {
    const cmd = command('on', 'run a command on another host of the world')
      .argument('<host>', 'the host (see `hosts`)')
      .argument('<command...>', 'the command and its arguments')
      .passThroughOptions();
    const r = await parse(sys, cmd, argv);
    if ('status' in r) return r.status;
    const [host, ...words] = r.args as [string, ...string[]];
    if (!(await sys.hosts()).includes(host)) {
      await eprint(sys, `on: ${host}: no such host (try \`hosts\`)\n`);
      return 2;
    }
    // The remote shell finds the command in its own /bin, as rsh would.
    let pid: number;
    try {
      pid = await sys.spawn('/bin/sh', ['sh', '-c', words.map(quote).join(' ')], { host, fds: [0, 1, 2] });
    } catch (e) {
      await eprint(sys, `on: ${host}: ${sysMessage(e)}\n`);
      return 1;
    }
    const relay = (signo: number) => void sys.kill(pid, signo).catch(() => {});
    for (const s of [SIGINT, SIGTERM, SIGHUP]) await sys.sigaction(s, relay);
    for (;;) {
      try {
        const { status } = await sys.waitpid(pid);
        return shellStatus(status);
      } catch (e) {
        if (!isSysError(e, 'EINTR')) throw e;
      }
    }
  }),
});

function quote(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}
