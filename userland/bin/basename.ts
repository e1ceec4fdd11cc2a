// basename: strip directory and suffix from file names, as coreutils basename does.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { quote, usageError } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';

export function baseName(path: string, suffix = ''): string {
  if (path === '') return '';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  let base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  if (suffix && base !== suffix && base.endsWith(suffix)) base = base.slice(0, -suffix.length);
  return base;
}

export default defineProgram({
  name: 'basename',
  summary: 'strip directory and suffix from filenames',
  main: guarded('basename', async (argv, sys) => {
    const cmd = command('basename', 'print NAME with any leading directory components removed, and a trailing SUFFIX if given')
      .option('-a, --multiple', 'support multiple arguments and treat each as a NAME')
      .option('-s, --suffix <suffix>', 'remove a trailing SUFFIX; implies -a')
      .option('-z, --zero', 'end each output line with NUL, not newline')
      .argument('[name...]')
      .usage('NAME [SUFFIX] | -a [-s SUFFIX] NAME...');
    const r = await parse<{ multiple?: boolean; suffix?: string; zero?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const { opts, args } = r;
    if (args.length === 0) return usageError(sys, cmd, 'missing operand');
    const multiple = opts.multiple || opts.suffix !== undefined;
    if (!multiple && args.length > 2) return usageError(sys, cmd, `extra operand ${quote(args[2]!)}`);
    const names = multiple ? args : [args[0]!];
    const suffix = multiple ? (opts.suffix ?? '') : (args[1] ?? '');
    const end = opts.zero ? '\0' : '\n';
    await out(sys, names.map((n) => baseName(n, suffix) + end).join(''));
    return 0;
  }),
});
