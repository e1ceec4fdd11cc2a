// env: print the environment, or run a command in a modified one, as coreutils env does. The
// command's status becomes env's; a command killed by a signal takes env down the same way, as
// an exec() would have shown it to the shell.

import { isSysError, strerror } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { S_IFMT, S_IFREG } from '../../kernel/abi/stat.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { WEXITSTATUS, WIFSIGNALED, WTERMSIG } from '../../kernel/abi/wait.js';
import { command, parse } from '../lib/cli.js';
import { quote, warn } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';

/** execvp's search, in the new environment's PATH. */
async function findProgram(sys: Sys, name: string, path: string): Promise<string> {
  if (name.includes('/')) return name;
  for (const dir of path.split(':')) {
    const candidate = `${dir || '.'}/${name}`;
    try {
      const st = await sys.stat(candidate);
      if ((st.st_mode & S_IFMT) === S_IFREG) return candidate;
    } catch (e) {
      if (!isSysError(e)) throw e;
    }
  }
  return `/nonexistent/${name}`;
}

export default defineProgram({
  name: 'env',
  summary: 'run a program in a modified environment',
  main: guarded('env', async (argv, sys) => {
    const cmd = command('env', 'set each NAME to VALUE in the environment and run COMMAND; without COMMAND, print the environment')
      .option('-i, --ignore-environment', 'start with an empty environment')
      .option('-u, --unset <name>', 'remove variable from the environment', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('-0, --null', 'end each output line with NUL, not newline')
      .argument('[args...]', 'NAME=VALUE settings, then the command and its arguments')
      .usage('[options] [NAME=VALUE]... [COMMAND [ARG]...]')
      .passThroughOptions();
    const r = await parse<{ ignoreEnvironment?: boolean; unset: string[]; null?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const { opts, args } = r;
    const env = Object.assign(Object.create(null) as Record<string, string>, opts.ignoreEnvironment ? {} : sys.environ());
    for (const name of opts.unset) {
      if (name === '' || name.includes('=')) {
        await warn(sys, 'env', `cannot unset ${quote(name)}: ${strerror('EINVAL')}`);
        return 125;
      }
      delete env[name];
    }
    let i = 0;
    for (; i < args.length && args[i]!.includes('=') && !args[i]!.startsWith('='); i++) {
      const a = args[i]!;
      const eq = a.indexOf('=');
      env[a.slice(0, eq)] = a.slice(eq + 1);
    }
    const commandArgs = args.slice(i);
    if (commandArgs.length === 0) {
      const end = opts.null ? '\0' : '\n';
      await out(sys, Object.entries(env).map(([k, v]) => `${k}=${v}${end}`).join(''));
      return 0;
    }
    if (opts.null) {
      await warn(sys, 'env', 'cannot specify --null (-0) with command');
      return 125;
    }
    const name = commandArgs[0]!;
    let pid: number;
    try {
      const path = await findProgram(sys, name, env.PATH ?? '/bin:/usr/bin');
      pid = await sys.spawn(path, commandArgs, { env });
    } catch (e) {
      if (!isSysError(e)) throw e;
      await warn(sys, 'env', `${quote(name)}: ${strerror(e.errno)}`);
      return e.errno === 'ENOENT' ? 127 : 126;
    }
    for (;;) {
      try {
        const { status } = await sys.waitpid(pid);
        if (WIFSIGNALED(status)) {
          await sys.kill(sys.getpid(), WTERMSIG(status));
          return 128 + WTERMSIG(status);
        }
        return WEXITSTATUS(status);
      } catch (e) {
        if (!isSysError(e, 'EINTR')) throw e;
      }
    }
  }),
});
