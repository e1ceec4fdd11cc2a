// sg: run a command (or a shell) with another group as the primary group, as shadow's sg does:
// `sg [-] GROUP [[-c] COMMAND]`. The group is added to the process's groups and made its gid; root
// may take any group, anyone else one it is in (getgroups, or listed as a member in /etc/group,
// or its primary group in /etc/passwd). Others would be asked for the group's password: tunlab
// has none, so the answer is shadow's "Invalid password.". shadow's sg is set-user-ID root; tunlab
// has no set-user-ID programs, so for anyone but root setgroups and setgid fail as they do for an
// sg without that bit, and say so.

import { isSysError, strerror } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { shellStatus } from '../../kernel/abi/wait.js';
import { guarded, out } from '../lib/guard.js';
import { eprint } from '../lib/io.js';
import { cannotEnter, loadNames, shellName } from '../lib/users.js';

const USAGE = 'Usage: sg group [[-c] command]\n';

const HELP = `${USAGE}
Run COMMAND (with sh -c), or a shell, with GROUP as the primary group, added to the groups.
A first argument - (or -l) starts the shell as a login: a fresh environment, in the home directory.
`;

/** Debian's shadow is built with group names of at most 32 characters. */
const GROUP_NAME_MAX_LENGTH = 32;

/** shadow's is_valid_group_name(): [A-Za-z0-9_.][A-Za-z0-9_.-]*, a final $ allowed, not all digits, not . or .. */
export function validGroupName(name: string): boolean {
  return name.length <= GROUP_NAME_MAX_LENGTH && /^[A-Za-z0-9_.][A-Za-z0-9_.-]*\$?$/.test(name) && !/^\d+$/.test(name) && name !== '.' && name !== '..';
}

export default defineProgram({
  name: 'sg',
  summary: 'execute a command as a different group',
  main: guarded('sg', async (argv, sys) => {
    const args = argv.slice(1);
    if (args[0] === '-h' || args[0] === '--help') {
      await out(sys, HELP);
      return 0;
    }
    const fail = async (text: string) => {
      await eprint(sys, text);
      return 1;
    };
    let login = false;
    if (args[0] === '-' || args[0] === '-l') {
      login = true;
      args.shift();
    }
    const group = args.shift();
    if (group === undefined || group.startsWith('-')) return fail(USAGE);
    if (!validGroupName(group)) return fail('sg: provided group is not a valid group name\n');
    // "sg group -c command" (the manual's) and "sg group command" (the usage line's) both work.
    const command = args.length > 1 && args[0] === '-c' ? args[1] : args[0];
    const db = await loadNames(sys);
    const uid = sys.getuid();
    const pw = db.passwd(uid);
    if (pw === undefined) return fail('sg: Cannot determine your user name.\n');
    const groups = await sys.getgroups();
    const gr = db.groupNamed(group);
    if (gr === undefined) return fail(`sg: group '${group}' does not exist\n`);
    const member = groups.includes(gr.gid) || gr.gid === pw.gid || db.groupList(pw.name, pw.gid).includes(gr.gid);
    if (!member && uid !== 0) return fail('Invalid password.\n');
    if (!groups.includes(gr.gid)) groups.push(gr.gid);
    try {
      await sys.setgroups(groups);
    } catch (e) {
      if (!isSysError(e)) throw e;
      await eprint(sys, `setgroups: ${strerror(e.errno)}\n`);
    }
    try {
      await sys.setgid(gr.gid);
    } catch (e) {
      if (!isSysError(e)) throw e;
      return fail(`setgid: ${strerror(e.errno)}\n`);
    }
    let path: string;
    let shellArgv: string[];
    let env = sys.environ();
    let cwd: string | undefined;
    if (command !== undefined) {
      path = '/bin/sh';
      shellArgv = ['sh', '-c', command];
    } else {
      path = (!login && env.SHELL) || pw.shell || '/bin/sh';
      shellArgv = [shellName(path)];
      if (login) {
        env = Object.fromEntries(Object.entries(env).filter(([k]) => ['PATH', 'HOME', 'SHELL', 'TERM'].includes(k)));
        const why = await cannotEnter(sys, pw.dir);
        if (why === undefined) cwd = pw.dir;
        else await eprint(sys, `chdir: ${why}\n`);
      }
    }
    let pid: number;
    try {
      pid = await sys.spawn(path, shellArgv, { env, ...(cwd !== undefined ? { cwd } : {}) });
    } catch (e) {
      if (!isSysError(e)) throw e;
      await eprint(sys, `${path}: ${strerror(e.errno)}\n`);
      return e.errno === 'ENOENT' ? 127 : 126;
    }
    const { status } = await sys.waitpid(pid);
    return shellStatus(status);
  }),
});
