// strace: run a command and print every system call it makes, decoded, with its result.

import { O_CREAT, O_TRUNC, O_WRONLY } from '../../kernel/abi/fcntl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { sysMessage } from '../lib/errors.js';
import { guarded } from '../lib/guard.js';
import { SIGNAL_NAMES } from '../../kernel/abi/signal.js';
import { WEXITSTATUS, WIFSIGNALED, WTERMSIG, shellStatus } from '../../kernel/abi/wait.js';
import { command, parse } from '../lib/cli.js';
import { execFailure, spawnp } from '../lib/exec.js';
import { eprint, writeAll } from '../lib/io.js';

export default defineProgram({
  name: 'strace',
  summary: 'trace the system calls of a command',
  main: guarded('strace', async (argv, sys) => {
    const cmd = command('strace', 'trace system calls and signals')
      .option('-f', 'follow child processes')
      .option('-o <file>', 'write the trace to a file instead of stderr')
      .argument('<command...>', 'command and arguments')
      .passThroughOptions();
    const r = await parse<{ f?: boolean; o?: string }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    let out = 2;
    if (r.opts.o) {
      try {
        out = await sys.open(r.opts.o, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
      } catch (e) {
        await eprint(sys, `strace: can't fopen '${r.opts.o}': ${sysMessage(e)}\n`);
        return 1;
      }
    }
    let pid: number;
    try {
      pid = await spawnp(sys, r.args, { trace: { fd: out, followForks: r.opts.f ?? false } });
    } catch (e) {
      const f = await execFailure(sys, r.args[0]!, e);
      await eprint(sys, `strace: ${f.message}\n`);
      return 1;
    }
    const { status } = await sys.waitpid(pid);
    const end = WIFSIGNALED(status)
      ? `+++ killed by ${SIGNAL_NAMES[WTERMSIG(status)] ?? WTERMSIG(status)} +++\n`
      : `+++ exited with ${WEXITSTATUS(status)} +++\n`;
    await writeAll(sys, out, end);
    return shellStatus(status);
  }),
});
