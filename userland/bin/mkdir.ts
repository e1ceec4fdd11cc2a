// mkdir: make directories, as coreutils mkdir: -p makes parents as needed (an existing directory
// is fine), -m sets an octal mode, -v reports each one made.

import { isSysError, strerror } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { S_IFDIR, S_IFMT } from '../../kernel/abi/stat.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { errText, quote, usageError, warn } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';

interface Options {
  parents?: boolean;
  mode?: string;
  verbose?: boolean;
}

async function isDir(sys: Sys, path: string): Promise<boolean | null> {
  try {
    return ((await sys.stat(path)).st_mode & S_IFMT) === S_IFDIR;
  } catch (e) {
    if (isSysError(e)) return null;
    throw e;
  }
}

export default defineProgram({
  name: 'mkdir',
  summary: 'make directories',
  main: guarded('mkdir', async (argv, sys) => {
    const cmd = command('mkdir', 'create the DIRECTORY(ies), if they do not already exist')
      .option('-m, --mode <mode>', 'set file mode (octal, as in chmod), not a=rwx')
      .option('-p, --parents', 'no error if existing, make parent directories as needed')
      .option('-v, --verbose', 'print a message for each created directory')
      .argument('<directory...>');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    let mode = 0o777;
    if (o.mode !== undefined) {
      if (!/^[0-7]{1,4}$/.test(o.mode)) return usageError(sys, cmd, `invalid mode ${quote(o.mode)}`);
      mode = parseInt(o.mode, 8);
    }
    let status = 0;
    const made = async (path: string, target: boolean) => {
      await sys.mkdir(path, target ? mode : 0o777);
      // -m is the mode exactly, whatever mkdir() made of it.
      if (target && o.mode !== undefined) await sys.chmod(path, mode);
      if (o.verbose) await out(sys, `mkdir: created directory ${quote(path)}\n`);
    };
    for (const dir of r.args) {
      try {
        if (!o.parents) {
          await made(dir, true);
          continue;
        }
        const parts = dir.split('/');
        let prefix = dir.startsWith('/') ? '' : '.';
        let failed = false;
        for (let i = 0; i < parts.length; i++) {
          const part = parts[i]!;
          if (part === '' || part === '.') continue;
          prefix = prefix === '.' ? part : `${prefix}/${part}`;
          const last = parts.slice(i + 1).every((p) => p === '' || p === '.');
          const kind = await isDir(sys, prefix);
          if (kind === true) continue;
          if (kind === false) {
            // An ancestor (or the directory itself) exists and is not a directory.
            await warn(sys, 'mkdir', `cannot create directory ${quote(last ? dir : prefix)}: ${strerror(last ? 'EEXIST' : 'ENOTDIR')}`);
            failed = true;
            break;
          }
          try {
            await made(prefix, last);
          } catch (e) {
            if (isSysError(e, 'EEXIST') && (await isDir(sys, prefix))) continue;
            await warn(sys, 'mkdir', `cannot create directory ${quote(last ? dir : prefix)}: ${errText(e)}`);
            failed = true;
            break;
          }
        }
        if (failed) status = 1;
      } catch (e) {
        await warn(sys, 'mkdir', `cannot create directory ${quote(dir)}: ${errText(e)}`);
        status = 1;
      }
    }
    return status;
  }),
});
