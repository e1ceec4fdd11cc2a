// dirname: strip the last component from file names, as coreutils dirname does.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { guarded, out } from '../lib/guard.js';

export function dirName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return path.startsWith('/') ? '/' : '.';
  const slash = trimmed.lastIndexOf('/');
  if (slash < 0) return '.';
  const dir = trimmed.slice(0, slash).replace(/\/+$/, '');
  return dir === '' ? '/' : dir;
}

export default defineProgram({
  name: 'dirname',
  summary: 'strip the last component from file names',
  main: guarded('dirname', async (argv, sys) => {
    const cmd = command('dirname', 'output each NAME with its last non-slash component and trailing slashes removed')
      .option('-z, --zero', 'end each output line with NUL, not newline')
      .argument('<name...>');
    const r = await parse<{ zero?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const end = r.opts.zero ? '\0' : '\n';
    await out(sys, r.args.map((n) => dirName(n) + end).join(''));
    return 0;
  }),
});
