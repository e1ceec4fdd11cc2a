// id: print user and group ids, as coreutils id does: "uid=0(user) gid=0(root) groups=0(root),100(tun)"
// (uid 0 is Haiku's "user", gid 0 its "root"; see lib/users.ts): the groups are the process's own
// (getgroups), or for a named user the ones /etc/group lists it in, the primary group first.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { quote, usageError, warn } from '../lib/errors.js';
import { guarded, out } from '../lib/guard.js';
import { eprint } from '../lib/io.js';
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
    // The groups after the primary one: the process's own (getgroups), or the user's (getgrouplist).
    let groups: number[];
    if (args[0] !== undefined) {
      const who = args[0];
      const pw = db.passwdNamed(who) ?? (/^\d{1,10}$/.test(who) ? db.passwd(Number(who)) : undefined);
      if (pw === undefined) {
        await warn(sys, 'id', `${quote(who)}: no such user`);
        return 1;
      }
      uid = pw.uid;
      gid = pw.gid;
      groups = db.groupList(pw.name, pw.gid);
    } else {
      groups = [gid, ...(await sys.getgroups())];
    }
    // As gnulib's mgetgroups: the primary group first, then the others without repeating it.
    groups = groups.filter((g, i) => i === 0 || (g !== groups[0] && g !== groups[i - 1]));
    let ok = true;
    const messages: string[] = [];
    const name = (kind: 'user' | 'group', n: number): string => {
      const found = kind === 'user' ? db.user(n) : db.group(n);
      if (found !== undefined) return found;
      ok = false;
      messages.push(`id: cannot find name for ${kind} ID ${n}\n`);
      return String(n);
    };
    const named = (n: number, found: string | undefined) => (found === undefined ? String(n) : `${n}(${found})`);
    let line: string;
    if (opts.user) {
      line = opts.name ? name('user', uid) : String(uid);
    } else if (opts.group) {
      line = opts.name ? name('group', gid) : String(gid);
    } else if (opts.groups) {
      line = groups.map((g) => (opts.name ? name('group', g) : String(g))).join(' ');
    } else {
      line = `uid=${named(uid, db.user(uid))} gid=${named(gid, db.group(gid))} groups=${groups.map((g) => named(g, db.group(g))).join(',')}`;
    }
    for (const m of messages) await eprint(sys, m);
    await out(sys, `${line}\n`);
    return ok ? 0 : 1;
  }),
});
