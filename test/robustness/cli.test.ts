// The tunlab command on what a careless or hostile user gives it: endless inputs (--world /dev/zero,
// a script /dev/zero, /dev/zero on stdin) end with a one-line error instead of filling the memory
// (the world file's reader, kernel/world/host-files.ts, is the host-boundary work's),
// a directory or a binary file is refused as bash refuses them, numbers past 32 bits are usage
// errors, and a session whose shell is killed says so.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TUNLAB_COMMAND } from '../helpers/command.js';

function tunlab(args: string[], stdin: number | 'pipe' = 'pipe'): { out: string; err: string; status: number | null } {
  const r = spawnSync(process.execPath, [TUNLAB_COMMAND, ...args], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', stdio: [stdin, 'pipe', 'pipe'], input: stdin === 'pipe' ? '' : undefined });
  expect(r.signal, `tunlab ${args.join(' ')} was killed (too slow?)`).toBeNull();
  return { out: r.stdout, err: r.stderr, status: r.status };
}

describe('inputs with no end', () => {
  it('--world /dev/zero: refused as no regular file, usage status 2', () => {
    expect(tunlab(['--world', '/dev/zero', '-c', 'true'])).toEqual({ out: '', err: 'tunlab: world /dev/zero: (file): /dev/zero is a character device, not a regular file\n', status: 2 });
  });

  it('a script /dev/zero is a binary file to bash: "cannot execute binary file", 126', () => {
    expect(tunlab(['/dev/zero'])).toEqual({ out: '', err: 'tunlab: /dev/zero: cannot execute binary file\n', status: 126 });
  });

  it('/dev/zero on stdin: refused past 64 MiB', () => {
    const zero = fs.openSync('/dev/zero', 'r');
    try {
      expect(tunlab([], zero)).toEqual({ out: '', err: 'tunlab: stdin: File too large (over 64 MiB)\n', status: 126 });
    } finally {
      fs.closeSync(zero);
    }
  });
});

describe('a script that is no script', () => {
  it("a directory or a binary file: bash's words and 126; a missing one 127", () => {
    expect(tunlab(['/tmp'])).toEqual({ out: '', err: 'tunlab: /tmp: Is a directory\n', status: 126 });
    expect(tunlab([process.execPath])).toEqual({ out: '', err: `tunlab: ${process.execPath}: cannot execute binary file\n`, status: 126 });
    expect(tunlab(['/nonexistent/script.sh'])).toEqual({ out: '', err: 'tunlab: /nonexistent/script.sh: No such file or directory\n', status: 127 });
  });

  it("the emulated sh says the same of its own script operand", () => {
    expect(tunlab(['-c', 'sh /tmp; echo $?; printf "a\\0b\\n" > /tmp/bin; sh /tmp/bin; echo $?; sh /nothing; echo $?'])).toEqual({
      out: '126\n126\n127\n',
      err: 'sh: /tmp: Is a directory\nsh: /tmp/bin: cannot execute binary file\nsh: /nothing: No such file or directory\n',
      status: 0,
    });
  });
});

describe('numbers past 32 bits', () => {
  const tail = 'usage: tunlab [options] [script] [args...]\n(tunlab --help for the options)\n';
  it('--seed and --user are refused beyond their 32 bits, not rounded', () => {
    expect(tunlab(['--seed', '4294967296', '-c', 'true'])).toEqual({ out: '', err: `error: option '--seed <n>' argument '4294967296' is invalid. --seed must be from 0 to 4294967295\n${tail}`, status: 2 });
    expect(tunlab(['--user', '99999999999999999999', '-c', 'id'])).toEqual({
      out: '',
      err: `error: option '--user <uid>' argument '99999999999999999999' is invalid. --user must be from 0 to 4294967294\n${tail}`,
      status: 2,
    });
    expect(tunlab(['--user', '4294967294', '--seed', '4294967295', '-c', 'id -u'])).toEqual({ out: '4294967294\n', err: '', status: 0 });
  });
});

describe("the session's own shell", () => {
  it('killed: tunlab says by what, with the status a shell would report', () => {
    expect(tunlab(['-c', 'echo before; kill -9 $$; echo after'])).toEqual({ out: 'before\n', err: 'tunlab: the shell (pid 2) was killed by SIGKILL (Killed)\n', status: 137 });
    expect(tunlab(['-c', 'kill -SEGV $$'])).toEqual({ out: '', err: 'tunlab: the shell (pid 2) was killed by SIGSEGV (Segmentation fault)\n', status: 139 });
  });
});

describe('--pcap FILE', () => {
  it('a file that cannot be written: said at once, as tcpdump -w does, exit 1, nothing run', () => {
    expect(tunlab(['--pcap', '/nonexistent/x.pcapng', '-c', 'echo hi'])).toEqual({ out: '', err: 'tunlab: /nonexistent/x.pcapng: No such file or directory\n', status: 1 });
    expect(tunlab(['--pcap', '/tmp', '-c', 'echo hi'])).toEqual({ out: '', err: 'tunlab: /tmp: Is a directory\n', status: 1 });
  });
});
