// which: locate a command, as Debian's which: the first executable file of that name in $PATH
// (-a: every one); names with a slash are checked as they are. Status 0 when every name was
// found, 1 otherwise; nothing is printed for a name not found.

import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { S_ISREG } from '../../kernel/abi/stat.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { guarded, out } from '../lib/guard.js';

/** Executable for someone: the kernel has no access(), so the mode bits say it (root: any x bit). */
async function executable(sys: Sys, path: string): Promise<boolean> {
  try {
    const st = await sys.stat(path);
    if (!S_ISREG(st.st_mode)) return false;
    const uid = sys.getuid();
    if (uid === 0) return (st.st_mode & 0o111) !== 0;
    if (st.st_uid === uid) return (st.st_mode & 0o100) !== 0;
    if (st.st_gid === sys.getgid()) return (st.st_mode & 0o010) !== 0;
    return (st.st_mode & 0o001) !== 0;
  } catch (e) {
    if (isSysError(e)) return false;
    throw e;
  }
}

export default defineProgram({
  name: 'which',
  summary: 'locate a command',
  main: guarded('which', async (argv, sys) => {
    const cmd = command('which', 'print the path of the file each COMMAND would run, searching $PATH (as Debian which)')
      .option('-a', 'print all matching pathnames of each argument')
      .argument('[command...]');
    const r = await parse<{ a?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const path = sys.getenv('PATH') ?? '';
    let status = r.args.length === 0 ? 1 : 0;
    for (const name of r.args) {
      let found = false;
      const candidates = name.includes('/') ? [name] : path.split(':').map((dir) => `${dir || '.'}/${name}`);
      for (const c of candidates) {
        if (!(await executable(sys, c))) continue;
        await out(sys, `${c}\n`);
        found = true;
        if (!r.opts.a) break;
      }
      if (!found) status = 1;
    }
    return status;
  }),
});
