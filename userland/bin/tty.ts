// tty: print the name of the terminal on standard input, as coreutils tty does: "not a tty" and
// status 1 when it is not one. ttyname() is done by hand: the /dev/tt/N whose device number
// (and inode) match fstat(0).

import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { S_IFCHR, S_IFMT } from '../../kernel/abi/stat.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { isatty } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';

async function ttyname(sys: Sys, fd: number): Promise<string | null> {
  const st = await sys.fstat(fd);
  if ((st.st_mode & S_IFMT) !== S_IFCHR) return null;
  for (const dir of ['/dev/tt', '/dev']) {
    let entries;
    try {
      entries = await sys.readdir(dir);
    } catch (e) {
      if (isSysError(e)) continue;
      throw e;
    }
    for (const d of entries) {
      if (d.d_type !== S_IFCHR) continue;
      const path = `${dir}/${d.d_name}`;
      try {
        const s = await sys.stat(path);
        if (s.st_rdev === st.st_rdev && s.st_ino === st.st_ino && s.st_dev === st.st_dev) return path;
      } catch (e) {
        if (!isSysError(e)) throw e;
      }
    }
  }
  return null;
}

export default defineProgram({
  name: 'tty',
  summary: 'print the file name of the terminal connected to standard input',
  main: guarded('tty', async (argv, sys) => {
    const cmd = command('tty', 'print the file name of the terminal connected to standard input').option('-s, --silent', 'print nothing, only return an exit status');
    const r = await parse<{ silent?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const tty = await isatty(sys, 0);
    const name = tty ? await ttyname(sys, 0) : null;
    if (!r.opts.silent) await out(sys, `${name ?? 'not a tty'}\n`);
    return tty ? 0 : 1;
  }),
});
