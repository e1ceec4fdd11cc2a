// The shell's details where it once differed from bash or ran out of something: finished background
// jobs are reaped in scripts (1100 `sh -c true &` once hit the process limit), `wait` without
// operands is 0, kill -0 and job specs, jobs' options, and pid 1 (listed by ps) refuses signals with
// EPERM rather than pretending not to exist. ping counts only the requests that left.

import { describe, expect, it } from 'vitest';
import { shellRun } from '../helpers/session.js';

describe('background jobs in a script', () => {
  it('are reaped as they finish: 1100 `sh -c true &` run under the 1024-process limit', async () => {
    const r = await shellRun('i=0; while [ $i -lt 1100 ]; do sh -c true & i=$((i+1)); done; wait; echo "started $i"');
    expect(r).toEqual({ out: 'started 1100\n', err: '', status: 0 });
  });

  it('wait PID still gives the status of one reaped earlier; wait alone is 0', async () => {
    const r = await shellRun('(exit 3) & p=$!; sleep 1; true & sleep 1; wait $p; echo "reaped $?"; false & wait; echo "wait $?"; wait 12345; echo "not a child $?"');
    expect(r).toEqual({ out: 'reaped 3\nwait 0\nnot a child 127\n', err: 'sh: line 1: wait: pid 12345 is not a child of this shell\n', status: 0 });
  });
});

describe('kill and jobs as bash has them', () => {
  it('kill -0 checks a process is there; pid 1 takes no signal: EPERM, not ESRCH', async () => {
    expect(await shellRun('kill -0 $$; echo "self $?"; kill -9 1; echo "init $?"; kill -0 99999; echo "none $?"')).toEqual({
      out: 'self 0\ninit 1\nnone 1\n',
      err: 'sh: line 1: kill: (1) - Operation not allowed\nsh: line 1: kill: (99999) - No such process\n',
      status: 0,
    });
  });

  it('jobs refuses an option it does not have, with bash usage line and status 2', async () => {
    expect(await shellRun('jobs -z; echo "status $?"')).toEqual({
      out: 'status 2\n',
      err: 'sh: line 1: jobs: -z: invalid option\njobs: usage: jobs [-lnprs] [jobspec ...] or jobs -x command [args]\n',
      status: 0,
    });
  });
});

describe('ping to an address it may not send to', () => {
  it('counts no packet the kernel refused: 0 transmitted, no loss figure', async () => {
    const r = await shellRun('ping -c 2 -i 1 255.255.255.255');
    expect(r).toEqual({
      out: 'PING 255.255.255.255 (255.255.255.255): 56 data bytes\n\n--- 255.255.255.255 ping statistics ---\n0 packets transmitted, 0 packets received, \n',
      err: 'ping: sendto: Permission denied\nping: sendto: Permission denied\n',
      status: 2,
    });
  });
});
