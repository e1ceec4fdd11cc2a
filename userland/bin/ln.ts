// ln: make links between files, as GNU ln: -s symbolic links (the only kind this filesystem has:
// a hard link is refused with EOPNOTSUPP, as a filesystem without them answers link()), -f
// removes an existing destination, -n treats a destination that is a symbolic link to a
// directory as a file, -v reports; TARGET... DIRECTORY links each into the directory.

import { isSysError, SysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { S_ISDIR } from '../../kernel/abi/stat.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { errText, quote, usageError, warn } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';
import { joinPath, lastComponent, statOrNull } from '../lib/tree.js';

interface Options {
  symbolic?: boolean;
  force?: boolean;
  /** false with -n (commander's reading of --no-dereference). */
  dereference: boolean;
  /** false with -T. */
  targetDirectory: boolean;
  verbose?: boolean;
}

export default defineProgram({
  name: 'ln',
  summary: 'make links between files',
  main: guarded('ln', async (argv, sys) => {
    const cmd = command('ln', 'create a link to TARGET with the name LINK_NAME, or links to each TARGET in DIRECTORY; this filesystem has symbolic links only')
      .option('-s, --symbolic', 'make symbolic links instead of hard links')
      .option('-f, --force', 'remove existing destination files')
      .option('-n, --no-dereference', 'treat LINK_NAME as a normal file if it is a symbolic link to a directory')
      .option('-T, --no-target-directory', 'treat LINK_NAME as a normal file always')
      .option('-v, --verbose', 'print name of each linked file')
      .usage('[options] TARGET [LINK_NAME] | TARGET... DIRECTORY')
      .argument('[operands...]');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const noDeref = !o.dereference;
    const noTargetDir = !o.targetDirectory;
    const ops = r.args;
    if (ops.length === 0) return usageError(sys, cmd, 'missing file operand');
    let pairs: Array<[string, string]>;
    const last = ops[ops.length - 1]!;
    const lastIsDir = async () => {
      const st = noDeref ? await statOrNull(sys, last, false) : await statOrNull(sys, last);
      return st !== null && S_ISDIR(st.st_mode);
    };
    if (ops.length === 1) pairs = [[ops[0]!, lastComponent(ops[0]!)]];
    else if (!noTargetDir && (await lastIsDir())) pairs = ops.slice(0, -1).map((t) => [t, joinPath(last, lastComponent(t))]);
    else if (ops.length > 2) {
      if (noTargetDir) return usageError(sys, cmd, `extra operand ${quote(ops[2]!)}`);
      await warn(sys, 'ln', `target ${quote(last)} is not a directory`);
      return 1;
    } else pairs = [[ops[0]!, ops[1]!]];
    let status = 0;
    for (const [target, name] of pairs) if (!(await link(sys, target, name, o))) status = 1;
    return status;
  }),
});

async function link(sys: Sys, target: string, name: string, o: Options): Promise<boolean> {
  const kind = o.symbolic ? 'symbolic link' : 'hard link';
  const what = o.symbolic ? quote(name) : `${quote(name)} => ${quote(target)}`;
  if (!o.symbolic && (await statOrNull(sys, target)) === null) {
    try {
      await sys.stat(target);
    } catch (e) {
      await warn(sys, 'ln', `failed to access ${quote(target)}: ${errText(e)}`);
    }
    return false;
  }
  try {
    if (o.force) {
      const existing = await statOrNull(sys, name, false);
      if (existing && S_ISDIR(existing.st_mode)) {
        await warn(sys, 'ln', `${quote(name)}: cannot overwrite directory`);
        return false;
      }
      if (existing) await sys.unlink(name);
    }
    if (!o.symbolic) throw new SysError('EOPNOTSUPP');
    await sys.symlink(target, name);
  } catch (e) {
    if (!isSysError(e)) throw e;
    await warn(sys, 'ln', `failed to create ${kind} ${what}: ${errText(e)}`);
    return false;
  }
  if (o.verbose) await out(sys, `${quote(name)} -> ${quote(target)}\n`);
  return true;
}
