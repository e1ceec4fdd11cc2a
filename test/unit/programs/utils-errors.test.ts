// Every utility against bad input: an unknown option, a missing operand, a path that does not
// exist, a number out of range, a 10 000-character argument. Each gives the status the real tool
// gives (2 for a usage error: a message and the usage line; 1, or the tool's own code, for a
// failure), a message, and never a JavaScript stack or error text, nor a crash in the kernel log.

import { describe, expect, it } from 'vitest';
import { run } from '../../helpers/world.js';
import { WEXITSTATUS, WIFSIGNALED } from '../../../kernel/abi/wait.js';
import { UTILITIES, world } from './utils-helpers.js';

const LONG = 'x'.repeat(10_000);
const HUGE = '99999999999999999999';
const usage = (prog: string, msg: string) => new RegExp(`^${prog}: ${msg}\\nusage: ${prog} `);
const unknown = (prog: string) => usage(prog, "unknown option '--bogus-option'");
const TOO_LONG = 'File name too long';

interface Row {
  argv: string[];
  status: number;
  out: RegExp;
  input?: string;
}

const ROWS: Row[] = [
  // unknown options
  ...['basename', 'cat', 'clear', 'cp', 'date', 'dirname', 'dmesg', 'env', 'grep', 'head', 'hexdump', 'hostname', 'id', 'ls', 'mkdir', 'mv', 'ps', 'rm', 'rmdir', 'seq', 'sleep', 'tail', 'tee', 'touch', 'tty', 'uname', 'uptime', 'wc', 'yes'].map(
    (p): Row => ({ argv: [p, '--bogus-option'], status: 2, out: unknown(p) }),
  ),
  { argv: ['echo', '--bogus-option'], status: 0, out: /^--bogus-option\n$/ },
  { argv: ['printf', '--bogus-option'], status: 0, out: /^--bogus-option$/ },
  { argv: ['true', '--bogus-option'], status: 0, out: /^$/ },
  { argv: ['false', '--bogus-option'], status: 1, out: /^$/ },
  { argv: ['kill', '-Z', '1'], status: 1, out: /^kill: Z: invalid signal specification\n$/ },

  // missing operands
  { argv: ['basename'], status: 2, out: usage('basename', 'missing operand') },
  { argv: ['dirname'], status: 2, out: usage('dirname', "missing required argument 'name'") },
  { argv: ['cp', '/tmp'], status: 2, out: usage('cp', "missing destination file operand after '/tmp'") },
  { argv: ['mv'], status: 2, out: usage('mv', 'missing file operand') },
  { argv: ['mkdir'], status: 2, out: usage('mkdir', "missing required argument 'directory'") },
  { argv: ['rmdir'], status: 2, out: usage('rmdir', "missing required argument 'directory'") },
  { argv: ['rm'], status: 2, out: usage('rm', 'missing operand') },
  { argv: ['touch'], status: 2, out: usage('touch', "missing required argument 'file'") },
  { argv: ['seq'], status: 2, out: usage('seq', 'missing operand') },
  { argv: ['sleep'], status: 2, out: usage('sleep', 'missing operand') },
  { argv: ['printf'], status: 2, out: usage('printf', 'missing operand') },
  { argv: ['kill'], status: 2, out: usage('kill', 'missing process id') },
  { argv: ['grep'], status: 2, out: usage('grep', 'missing pattern') },
  { argv: ['head', '-n'], status: 2, out: usage('head', "option '-n, --lines <\\[-\\]num>' argument missing") },

  // paths that do not exist
  { argv: ['cat', '/nope'], status: 1, out: /^cat: \/nope: No such file or directory\n$/ },
  { argv: ['head', '/nope'], status: 1, out: /^head: cannot open '\/nope' for reading: No such file or directory\n$/ },
  { argv: ['tail', '/nope'], status: 1, out: /^tail: cannot open '\/nope' for reading: No such file or directory\n$/ },
  { argv: ['wc', '/nope'], status: 1, out: /^wc: \/nope: No such file or directory\n$/ },
  { argv: ['grep', 'x', '/nope'], status: 2, out: /^grep: \/nope: No such file or directory\n$/ },
  { argv: ['hexdump', '/nope'], status: 1, out: /^hexdump: \/nope: No such file or directory\nhexdump: all input file arguments failed\n$/ },
  { argv: ['ls', '/nope'], status: 2, out: /^ls: cannot access '\/nope': No such file or directory\n$/ },
  { argv: ['rm', '/nope'], status: 1, out: /^rm: cannot remove '\/nope': No such file or directory\n$/ },
  { argv: ['rmdir', '/nope'], status: 1, out: /^rmdir: failed to remove '\/nope': No such file or directory\n$/ },
  { argv: ['cp', '/nope', '/tmp'], status: 1, out: /^cp: cannot stat '\/nope': No such file or directory\n$/ },
  { argv: ['mv', '/nope', '/tmp'], status: 1, out: /^mv: cannot stat '\/nope': No such file or directory\n$/ },
  { argv: ['mkdir', '/nope/x'], status: 1, out: /^mkdir: cannot create directory '\/nope\/x': No such file or directory\n$/ },
  { argv: ['touch', '/nope/x'], status: 1, out: /^touch: cannot touch '\/nope\/x': No such file or directory\n$/ },
  { argv: ['tee', '/nope/x'], status: 1, input: 'a\n', out: /^tee: \/nope\/x: No such file or directory\na\n$/ },
  { argv: ['date', '-r', '/nope'], status: 1, out: /^date: \/nope: No such file or directory\n$/ },
  { argv: ['env', '/nope'], status: 127, out: /^env: '\/nope': No such file or directory\n$/ },
  { argv: ['ps', 'nope'], status: 0, out: /^$/ },

  // numbers out of range
  { argv: ['head', '-n', HUGE], status: 2, out: usage('head', `invalid number of lines: '${HUGE}': Range Error`) },
  { argv: ['tail', '-c', HUGE], status: 2, out: usage('tail', `invalid number of bytes: '${HUGE}': Range Error`) },
  { argv: ['seq', '1e400'], status: 2, out: usage('seq', "invalid floating point argument: '1e400'") },
  { argv: ['sleep', '-1'], status: 2, out: usage('sleep', "invalid time interval '-1'") },
  { argv: ['kill', '-n', '99', '1'], status: 1, out: /^kill: 99: invalid signal specification\n$/ },
  { argv: ['kill', HUGE], status: 1, out: new RegExp(`^kill: ${HUGE}: arguments must be process or job IDs\\n$`) },
  { argv: ['hexdump', '-n', HUGE], status: 2, out: usage('hexdump', `failed to parse length: '${HUGE}'`) },
  { argv: ['grep', '-m', HUGE, 'x'], status: 2, out: usage('grep', 'invalid max count') },
  { argv: ['mkdir', '-m', '77777', '/tmp/m'], status: 2, out: usage('mkdir', "invalid mode '77777'") },
  { argv: ['date', '-d', `@${HUGE}`], status: 1, out: new RegExp(`^date: invalid date '@${HUGE}'\\n$`) },
  { argv: ['printf', '%d\\n', HUGE], status: 1, out: new RegExp(`^9223372036854775807\\nprintf: '${HUGE}': Range Error\\n$`) },

  // a 10 000-character argument
  ...['cat', 'wc', 'grep x', 'hexdump'].map((p): Row => {
    const argv = [...p.split(' '), LONG];
    return { argv, status: argv[0] === 'grep' ? 2 : 1, out: new RegExp(`^${argv[0]}: x{10000}: ${TOO_LONG}\\n`) };
  }),
  { argv: ['head', LONG], status: 1, out: new RegExp(`^head: cannot open 'x{10000}' for reading: ${TOO_LONG}\\n$`) },
  { argv: ['tail', LONG], status: 1, out: new RegExp(`^tail: cannot open 'x{10000}' for reading: ${TOO_LONG}\\n$`) },
  { argv: ['ls', LONG], status: 2, out: new RegExp(`^ls: cannot access 'x{10000}': ${TOO_LONG}\\n$`) },
  { argv: ['mkdir', '-p', LONG], status: 1, out: new RegExp(`^mkdir: cannot create directory 'x{10000}': ${TOO_LONG}\\n$`) },
  { argv: ['rmdir', LONG], status: 1, out: new RegExp(`^rmdir: failed to remove 'x{10000}': ${TOO_LONG}\\n$`) },
  { argv: ['rm', '-f', LONG], status: 1, out: new RegExp(`^rm: cannot remove 'x{10000}': ${TOO_LONG}\\n$`) },
  { argv: ['cp', LONG, '/tmp'], status: 1, out: new RegExp(`^cp: cannot stat 'x{10000}': ${TOO_LONG}\\n$`) },
  { argv: ['mv', LONG, '/tmp'], status: 1, out: new RegExp(`^mv: cannot stat 'x{10000}': ${TOO_LONG}\\n$`) },
  { argv: ['touch', LONG], status: 1, out: new RegExp(`^touch: cannot touch 'x{10000}': ${TOO_LONG}\\n$`) },
  { argv: ['tee', LONG], status: 1, input: '', out: new RegExp(`^tee: x{10000}: ${TOO_LONG}\\n$`) },
  { argv: ['date', '-r', LONG], status: 1, out: new RegExp(`^date: x{10000}: ${TOO_LONG}\\n$`) },
  { argv: ['env', LONG], status: 126, out: new RegExp(`^env: 'x{10000}': ${TOO_LONG}\\n$`) },
  { argv: ['echo', LONG], status: 0, out: /^x{10000}\n$/ },
  { argv: ['printf', LONG], status: 0, out: /^x{10000}$/ },
  { argv: ['basename', `/a/${LONG}`], status: 0, out: /^x{10000}\n$/ },
  { argv: ['dirname', `${LONG}/a`], status: 0, out: /^x{10000}\n$/ },
  { argv: ['seq', LONG], status: 2, out: usage('seq', "invalid floating point argument: 'x{10000}'") },
  { argv: ['sleep', LONG], status: 2, out: usage('sleep', "invalid time interval 'x{10000}'") },
  { argv: ['kill', LONG], status: 1, out: /^kill: x{10000}: arguments must be process or job IDs\n$/ },
  { argv: ['date', `+${LONG}`], status: 0, out: /^x{10000}\n$/ },
  { argv: ['id', LONG], status: 1, out: /^id: 'x{10000}': no such user\n$/ },
  { argv: ['hostname', LONG], status: 1, out: /^hostname: cannot set name to 'x{10000}': Function not implemented\n$/ },
  { argv: ['ps', LONG], status: 0, out: /^$/ },
  ...['clear', 'dmesg', 'tty', 'uname', 'uptime'].map((p): Row => ({ argv: [p, LONG], status: 2, out: usage(p, 'too many arguments. Expected 0 arguments but got 1.') })),
];

describe('every utility, on bad input', () => {
  it.each(ROWS.map((r) => [r.argv.map((a) => (a.length > 40 ? `<${a.length} chars>` : a)).join(' '), r] as const))('%s', async (_name, row) => {
    const w = world();
    const r = await run(w, 'haiku', row.argv, { input: row.input ?? '' });
    expect(WIFSIGNALED(r.status)).toBe(false);
    expect(r.out).toMatch(row.out);
    expect(WEXITSTATUS(r.status)).toBe(row.status);
    expect(r.out).not.toMatch(/ {4}at |Error:/);
    expect(w.mustHost('haiku').log.snapshot().join('\n')).not.toMatch(/crashed/);
  });

  it.each(UTILITIES.map((p) => [p.name] as const))('%s --help prints a usage and exits 0', async (name) => {
    const r = await run(world(), 'haiku', [name, '--help']);
    expect(WEXITSTATUS(r.status)).toBe(0);
    expect(r.out).toMatch(new RegExp(`^Usage: ${name} `));
  });
});
