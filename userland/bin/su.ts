// su: run a shell (or one command) as another user, with util-linux su's options: -c COMMAND,
// -g GROUP (the primary group), -G GROUP (a supplementary group; repeat it, or give a comma list),
// - or -l (a login shell: a fresh environment, in the user's home), -s SHELL, -m/-p (keep the
// environment). The user is a name from /etc/passwd, or any uid (a tunlab extension: a uid
// without an entry gets the gid of the same number); without one, root (uid 0, Haiku's "user").
// tunlab has no passwords: only root may su, as for root su never asks; anyone else gets PAM's
// "Authentication failure".

import { isSysError, strerror } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { shellStatus } from '../../kernel/abi/wait.js';
import { command, parse } from '../lib/cli.js';
import { guarded } from '../lib/guard.js';
import { eprint } from '../lib/io.js';
import { cannotEnter, groupId, loadNames, NGROUPS_MAX, shellName, userEntry } from '../lib/users.js';

interface Options {
  command?: string;
  shell?: string;
  login?: boolean;
  preserveEnvironment?: boolean;
  m?: boolean;
}

export default defineProgram({
  name: 'su',
  summary: 'run a shell as another user',
  main: guarded('su', async (argv, sys) => {
    // -g and -G in the order given, as getopt hands them to util-linux's su.
    const groupSpecs: Array<{ primary: boolean; name: string }> = [];
    const collect = (primary: boolean) => (v: string) => {
      for (const name of primary ? [v] : v.split(',')) groupSpecs.push({ primary, name });
      return v;
    };
    const cmd = command('su', 'run a shell, or a command, with the user and group IDs of USER (root when none)')
      .usage('[options] [-] [user [argument...]]')
      .option('-c, --command <command>', 'pass a single command to the shell with -c')
      .option('-g, --group <group>', 'specify the primary group', collect(true))
      .option('-G, --supp-group <group>', 'specify a supplemental group (repeatable, or GROUP,GROUP...)', collect(false))
      .option('-l, --login', 'make the shell a login shell (also a lone -)')
      .option('-s, --shell <shell>', 'run this shell')
      .option('-p, --preserve-environment', 'do not reset environment variables')
      .option('-m', 'the same as -p')
      .argument('[args...]', 'the user (a name or a uid), then arguments for the shell');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const { opts } = r;
    const args = [...r.args];
    const fail = async (text: string) => {
      await eprint(sys, `su: ${text}\n`);
      return 1;
    };
    const db = await loadNames(sys);
    // Each group is looked up as its option is read, before anything else is checked.
    const groups: number[] = [];
    let primary: number | undefined;
    for (const spec of groupSpecs) {
      if (groups.length >= NGROUPS_MAX) return fail(`specifying more than ${NGROUPS_MAX - 1} supplemental groups is not possible`);
      const gid = groupId(db, spec.name);
      if (gid === undefined) return fail(`group ${spec.name} does not exist`);
      groups.push(gid);
      if (spec.primary) primary = gid;
    }
    let login = opts.login === true;
    if (args[0] === '-') {
      login = true;
      args.shift();
    }
    const who = args.shift() ?? db.user(0) ?? 'root';
    if (groups.length > 0 && sys.getuid() !== 0) return fail('only root can specify alternative groups');
    const pw = userEntry(db, who, sys.environ().HOME);
    if (pw === undefined) return fail(`user ${who} does not exist`);
    const gid = primary ?? groups[0] ?? pw.gid;
    // initgroups() when no group was given: the user's groups in /etc/group.
    const supplementary = groups.length > 0 ? groups : db.groupList(pw.name, gid);
    const shell = opts.shell ?? (pw.shell || '/bin/sh');
    let env = sys.environ();
    if (login) {
      env = { ...(env.TERM !== undefined ? { TERM: env.TERM } : {}), HOME: pw.dir, SHELL: shell, USER: pw.name, LOGNAME: pw.name, PATH: '/bin' };
    } else if (!opts.preserveEnvironment && !opts.m) {
      env = { ...env, HOME: pw.dir, SHELL: shell, USER: pw.name, LOGNAME: pw.name };
    }
    // A login shell starts in the user's home; when it is not there, su warns and stays.
    let cwd: string | undefined;
    if (login) {
      const why = await cannotEnter(sys, pw.dir);
      if (why === undefined) cwd = pw.dir;
      else await eprint(sys, `su: warning: cannot change directory to ${pw.dir}: ${why}\n`);
    }
    const shellArgs = [shellName(shell), ...(opts.command !== undefined ? ['-c', opts.command] : []), ...args];
    let pid: number;
    try {
      pid = await sys.spawn(shell, shellArgs, { uid: pw.uid, gid, groups: supplementary, env, ...(cwd !== undefined ? { cwd } : {}) });
    } catch (e) {
      if (!isSysError(e)) throw e;
      // The kernel lets only root change ids: PAM would have asked anyone else for a password.
      if (e.errno === 'EPERM') return fail('Authentication failure');
      if (e.errno === 'EAGAIN' || e.errno === 'ENOMEM') return fail(`cannot create child process: ${e.message}`);
      await eprint(sys, `su: failed to execute ${shell}: ${strerror(e.errno)}\n`);
      return e.errno === 'ENOENT' ? 127 : 126;
    }
    const { status } = await sys.waitpid(pid);
    return shellStatus(status);
  }),
});
