// kill %N as bash does it, with and without job control: with it (an interactive shell, or set -m)
// the job's process group, so what the job started goes too; without, the job's own processes.

import { describe, expect, it } from 'vitest';
import { shellRun } from '../../helpers/session.js';

const JOB = 'sh -c "ping -i 1 127.0.0.1 > /tmp/pings; echo after" & sleep 2.5; kill %1; sleep 1; ps | grep -c "^ping"';

describe('kill %N', () => {
  it('without job control: the job\'s own process, as bash (its ping lives on)', async () => {
    expect(await shellRun(JOB)).toEqual({ out: '1\n', err: '', status: 0 });
  });

  it('with set -m: the job\'s process group, the ping with it', async () => {
    // grep -c found no ping: 0, status 1.
    expect(await shellRun(`set -m; ${JOB}`)).toEqual({ out: '0\n', err: '', status: 1 });
    expect(await shellRun(`set -o monitor; ${JOB}`)).toEqual({ out: '0\n', err: '', status: 1 });
  });

  it('set -m gives each job a group of its own; set +m takes job control away again', async () => {
    // With job control sleep is the program, in its own group; without, the builtin in a subshell of the shell's group.
    const r = await shellRun('set -m; sleep 1 & set +m; sleep 2 & ps -l | grep "S *nanosleep"; set -o | grep monitor');
    expect(r.out).toBe('    3     2     3     0     0 S    nanosleep  sleep 1\n    4     2     2     0     0 S    nanosleep  sh --subshell\nmonitor        \toff\n');
  });
});
