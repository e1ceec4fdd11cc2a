// id: print user and group ids, as coreutils id does: "uid=0(user) gid=0(root) groups=0(root)"
// (uid 0 is Haiku's "user", gid 0 its "root"; see lib/users.ts).

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { quote, usageError, warn } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';
import { loadNames } from '../lib/users.js';

interface Options {
  user?: boolean;
  group?: boolean;
  groups?: boolean;
  name?: boolean;
  real?: boolean;
}

export default defineProgram({
  name: 'id',
  summary: 'print real and effective user and group IDs',
  main: guarded('id', async (argv, sys) => {
    const cmd = command('id', 'print user and group information for USER, or for the current process')
      .option('-u, --user', 'print only the effective user ID')
      .option('-g, --group', 'print only the effective group ID')
      .option('-G, --groups', 'print all group IDs')
      .option('-n, --name', 'print a name instead of a number, for -u, -g, -G')
      .option('-r, --real', 'print the real ID instead of the effective ID, with -u, -g, -G')
      .argument('[user]');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const { opts, args } = r;
    const only = [opts.user, opts.group, opts.groups].filter(Boolean).length;
    if (only > 1) return usageError(sys, cmd, 'cannot print "only" of more than one choice');
    if ((opts.name || opts.real) && only === 0) return usageError(sys, cmd, 'cannot print only names or real IDs in default format');
    const db = await loadNames(sys);
    let uid = sys.getuid();
    let gid = sys.getgid();
    if (args[0] !== undefined) {
      const who = args[0];
      const found = db.uidOf(who) ?? (/^\d{1,9}$/.test(who) && db.user(Number(who)) !== undefined ? Number(who) : undefined);
      if (found === undefined) {
        await warn(sys, 'id', `${quote(who)}: no such user`);
        return 1;
      }
      uid = found;
      gid = db.gidOfUser(uid) ?? uid;
    }
    const uname = db.user(uid);
    const gname = db.group(gid);
    const named = (n: number, name: string | undefined) => (name === undefined ? String(n) : `${n}(${name})`);
    if (opts.user) {
      await out(sys, `${opts.name ? (uname ?? uid) : uid}\n`);
    } else if (opts.group || opts.groups) {
      await out(sys, `${opts.name ? (gname ?? gid) : gid}\n`);
    } else {
      await out(sys, `uid=${named(uid, uname)} gid=${named(gid, gname)} groups=${named(gid, gname)}\n`);
    }
    return 0;
  }),
});
