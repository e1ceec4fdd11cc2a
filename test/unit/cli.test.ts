// The tunlab command as a user runs it: the built bundle (package.json's "bin"), started with
// node and its options, its stdout, stderr and exit status compared exactly. Every run has a
// wall-clock bound, so a run that hangs fails instead of stopping the suite. The interactive
// mode needs a terminal on both ends: `script` gives it one.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRNO } from '../../kernel/abi/errno.js';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { ensureBuilt, TUNLAB_COMMAND } from '../helpers/command.js';

/** Wall-clock bound of one run of the command (a cold start takes a quarter of a second). */
const RUN_MS = 20_000;

let tmp = '';
/** The environment of every run: no NO_COLOR from outside, CI set, history kept out of the real home. */
let baseEnv: NodeJS.ProcessEnv = {};

/** A two-host world without MAC addresses, so --seed picks them. */
const PAIR_WORLD = {
  name: 'pair',
  segments: { wire: {} },
  hosts: {
    alpha: { nics: [{ segment: 'wire', address: '10.1.0.1/24' }] },
    beta: { nics: [{ segment: 'wire', address: '10.1.0.2/24' }] },
  },
};
let pairWorld = '';

beforeAll(() => {
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-cli-'));
  // CI=true on every machine, as CI runners set it: the interactive screens must not depend on it.
  baseEnv = { ...process.env, CI: 'true', TUNLAB_STATE_DIR: path.join(tmp, 'state') };
  delete baseEnv['NO_COLOR'];
  delete baseEnv['FORCE_COLOR'];
  pairWorld = path.join(tmp, 'pair.json');
  fs.writeFileSync(pairWorld, JSON.stringify(PAIR_WORLD));
}, 200_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface Ran {
  stdout: string;
  stderr: string;
  status: number | null;
}

/** Run the command to its end (stdin a pipe, with `input` if given). */
function tunlab(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Ran {
  const r = spawnSync(process.execPath, [TUNLAB_COMMAND, ...args], {
    cwd: tmp,
    encoding: 'utf8',
    input: opts.input ?? '',
    env: { ...baseEnv, ...opts.env },
    timeout: RUN_MS,
    killSignal: 'SIGKILL',
  });
  if (r.error) throw r.error;
  expect(r.signal, `tunlab ${args.join(' ')} was killed (over ${RUN_MS} ms?)\n${r.stderr}`).toBeNull();
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** A file in the test's temporary directory. */
function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

const USAGE_TAIL = 'usage: tunlab [options] [script] [args...]\n(tunlab --help for the options)\n';

describe('the command itself', () => {
  // package.json's "bin": npx and a shell exec the file through its #! line, so every rebuild must
  // leave it executable (it once came out 0644 and `npx tunlab` said "Permission denied").
  it('is executable: run by its path, not through node', () => {
    expect(fs.statSync(TUNLAB_COMMAND).mode & 0o111).toBe(0o111);
    const r = spawnSync(TUNLAB_COMMAND, ['-c', 'echo ran'], { cwd: tmp, encoding: 'utf8', env: baseEnv, timeout: RUN_MS });
    expect({ stdout: r.stdout, stderr: r.stderr, status: r.status }).toEqual({ stdout: 'ran\n', stderr: '', status: 0 });
  });
});

describe('running commands', () => {
  it('-c runs the commands, prints their output and exits with the last status', () => {
    expect(tunlab(['-c', 'echo hello; uname -n; echo oops >&2; false'])).toEqual({ stdout: 'hello\nhaiku\n', stderr: 'oops\n', status: 1 });
    expect(tunlab(['-c', 'exit 42'])).toEqual({ stdout: '', stderr: '', status: 42 });
    expect(tunlab(['-c', 'false; true'])).toEqual({ stdout: '', stderr: '', status: 0 });
  });

  it('-c takes arguments after the commands as $1...; $0 is sh', () => {
    expect(tunlab(['-c', 'echo "$0|$1|$2|$#"', 'one', 'two words'])).toEqual({ stdout: 'sh|one|two words|2\n', stderr: '', status: 0 });
  });

  it('runs a script file with its arguments and exits with its status', () => {
    const script = file('args.sh', 'echo "1=$1 2=$2 #=$#"\nshift\necho "now $1"\nexit 3\necho not reached\n');
    expect(tunlab([script, 'one', 'two words'])).toEqual({ stdout: '1=one 2=two words #=2\nnow two words\n', stderr: '', status: 3 });
    expect(tunlab(['args.sh', 'x'])).toEqual({ stdout: '1=x 2= #=1\nnow \n', stderr: '', status: 3 });
  });

  it("a script's errors name the file and the line", () => {
    file('broken.sh', 'echo start\n\nifconfig\nnosuch\ncd /nowhere\n');
    expect(tunlab(['broken.sh'])).toMatchObject({
      stderr: 'broken.sh: line 4: nosuch: command not found\nbroken.sh: line 5: cd: /nowhere: No such file or directory\n',
      status: 1,
    });
  });

  it('a script that is not there: status 127', () => {
    expect(tunlab(['nosuch.sh'])).toEqual({ stdout: '', stderr: 'tunlab: nosuch.sh: No such file or directory\n', status: 127 });
  });

  it('reads a script on stdin when stdin is not a terminal', () => {
    expect(tunlab([], { input: 'echo from stdin\nuname -n\nexit 4\necho no\n' })).toEqual({ stdout: 'from stdin\nhaiku\n', stderr: '', status: 4 });
    expect(tunlab([], { input: '' })).toEqual({ stdout: '', stderr: '', status: 0 });
  });
});

describe('worlds and hosts', () => {
  it('--world boots another world, its first host by default; --host picks one', () => {
    expect(tunlab(['--world', pairWorld, '-c', 'uname -n; hosts'])).toEqual({ stdout: 'alpha\n* alpha\n  beta\n', stderr: '', status: 0 });
    expect(tunlab(['--world', pairWorld, '--host', 'beta', '-c', 'uname -n; ping -c 1 alpha | head -2'])).toEqual({
      stdout: 'beta\nPING alpha (10.1.0.1): 56 data bytes\n64 bytes from 10.1.0.1: icmp_seq=0 ttl=64 time=0.400 ms\n',
      stderr: '',
      status: 0,
    });
    expect(tunlab(['--host', 'vpn', '-c', 'hostname'])).toEqual({ stdout: 'vpn\n', stderr: '', status: 0 });
  });

  it('a host or a world that is not there is bad usage', () => {
    expect(tunlab(['--world', pairWorld, '--host', 'gamma', '-c', 'true'])).toEqual({ stdout: '', stderr: 'tunlab: no host "gamma" in pair.json (hosts: alpha, beta)\n', status: 2 });
    expect(tunlab(['--world', 'missing.json', '-c', 'true'])).toEqual({ stdout: '', stderr: 'tunlab: world missing.json: (file): cannot read missing.json: ENOENT\n', status: 2 });
    expect(tunlab(['--world', '/dev/zero', '-c', 'true'])).toEqual({ stdout: '', stderr: 'tunlab: world /dev/zero: (file): /dev/zero is a character device, not a regular file\n', status: 2 });
    const badEpoch = file('epoch.json', JSON.stringify({ epoch: '+275760-09-13T00:00:00.000Z', hosts: { a: {} } }));
    expect(tunlab(['--world', badEpoch, '-c', 'date'])).toEqual({ stdout: '', stderr: `tunlab: world ${badEpoch}: epoch: must be a date from 1970 to 2099, not "+275760-09-13T00:00:00.000Z"\n`, status: 2 });
  });

  it('a world with likely mistakes boots, with a warning for each', () => {
    const twice = file('twice.json', JSON.stringify({ hosts: { a: { nics: [{ segment: 's', address: '10.0.0.1/24' }] }, b: { nics: [{ segment: 's', address: '10.0.0.1/24' }] } } }));
    expect(tunlab(['--world', twice, '-c', 'uname -n'])).toEqual({ stdout: 'a\n', stderr: `tunlab: world ${twice}: warning: hosts.b.nics[0].address: 10.0.0.1 is host a's address too\n`, status: 0 });
  });

  it('--seed makes MACs differ between seeds and repeat with the same seed', () => {
    const macs = (seed: string) => {
      const r = tunlab(['--world', pairWorld, '--seed', seed, '-c', 'ifconfig -a | grep Ethernet; on beta ifconfig -a | grep Ethernet']);
      expect(r.status).toBe(0);
      const found = [...r.stdout.matchAll(/Address: ([0-9a-f:]+)/g)].map((m) => m[1]!);
      expect(found).toHaveLength(2);
      for (const m of found) expect(m).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
      return found;
    };
    const one = macs('1');
    const two = macs('2');
    expect(macs('2')).toEqual(two);
    expect(one[0]).not.toBe(two[0]);
    expect(one[1]).not.toBe(two[1]);
    expect(one[0]).not.toBe(one[1]);
  });
});

describe('options', () => {
  it('--trace writes every system call of the host to stderr, in strace format', () => {
    const r = tunlab(['--trace', '-c', 'uname -n; true']);
    expect(r.stdout).toBe('haiku\n');
    const lines = r.stderr.trimEnd().split('\n');
    // The child may make its first call before the parent's spawn returns: then strace cuts it.
    const whole = lines.includes('[pid     2] spawn("/bin/uname", ["uname", "-n"]) = 3');
    const cut = lines.includes('[pid     2] spawn("/bin/uname", ["uname", "-n"] <unfinished ...>') && lines.includes('[pid     2] <... spawn resumed>) = 3');
    expect(whole || cut).toBe(true);
    expect(lines).toContain('[pid     3] write(1, "haiku\\n", 6) = 6');
    // The shell's waitpid blocks while uname runs: cut, then resumed, as strace -f writes it.
    expect(lines).toContain('[pid     2] waitpid(3,  <unfinished ...>');
    expect(lines).toContain('[pid     2] <... waitpid resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0) = 3');
    expect(lines).toContain('[pid     3] +++ exited with 0 +++');
    expect(lines[lines.length - 1]).toBe('[pid     2] +++ exited with 0 +++');
    for (const l of lines) expect(l).toMatch(/^\[pid +\d+\] ([a-z_0-9]+\(.*(\) = | <unfinished \.\.\.>$)|<\.\.\. [a-z_0-9]+ resumed>.*\) = |\+\+\+ (exited with \d+|killed by SIG[A-Z]+) \+\+\+$)/);
    // A subshell is the shell's fork(): no spawn of sh --subshell, no state written through a pipe.
    const sub = tunlab(['--trace', '-c', 'x=$(echo hi); echo $x']).stderr;
    expect(sub).toMatch(/^\[pid     2\] pipe\(\[3, 4\]\) = 0$/m);
    expect(sub).toMatch(/^\[pid     2\] (fork\(|<\.\.\. fork resumed>)\) = 3$/m);
    expect(sub).not.toMatch(/--subshell|\\"state\\"/);
    // One command alone: the shell becomes it, as bash -c does; execve is shown before what the new program does.
    expect(tunlab(['--trace', '-c', 'uname -n']).stderr).toContain(
      '[pid     2] execve("/bin/uname", ["uname", "-n"]) = 0\n[pid     2] uname() = 0\n[pid     2] write(1, "haiku\\n", 6) = 6\n',
    );
    expect(tunlab(['-c', 'uname -n; true']).stderr).toBe('');
  });

  it('--share mounts a real directory at /host, and nothing above it is reachable', () => {
    file('share/note.txt', 'shared text\n');
    file('secret.txt', 'secret\n');
    fs.symlinkSync('../secret.txt', path.join(tmp, 'share', 'link'));
    const r = tunlab([
      '--share',
      path.join(tmp, 'share'),
      '-c',
      'cat /host/note.txt; ls /host; cat /host/../secret.txt; cat /host/../../secret.txt; cat /host/link; cd /host/..; pwd; echo written > /host/new.txt',
    ]);
    expect(r).toEqual({
      stdout: 'shared text\nlink\nnote.txt\n/\n',
      stderr:
        'cat: /host/../secret.txt: No such file or directory\ncat: /host/../../secret.txt: No such file or directory\ncat: /host/link: Permission denied\n',
      status: 0,
    });
    expect(fs.readFileSync(path.join(tmp, 'share', 'new.txt'), 'utf8')).toBe('written\n');
    expect(tunlab(['--share', path.join(tmp, 'nowhere'), '-c', 'true'])).toEqual({ stdout: '', stderr: `tunlab: --share ${path.join(tmp, 'nowhere')}: no such directory\n`, status: 2 });
    // A file, or the whole real file system (by any name), is no share.
    expect(tunlab(['--share', path.join(tmp, 'secret.txt'), '-c', 'true'])).toEqual({ stdout: '', stderr: `tunlab: --share ${path.join(tmp, 'secret.txt')}: not a directory\n`, status: 2 });
    fs.symlinkSync('/', path.join(tmp, 'slash'));
    for (const root of ['/', path.join(tmp, 'slash'), '/tmp/..']) {
      expect(tunlab(['--share', root, '-c', 'true'])).toEqual({ stdout: '', stderr: `tunlab: --share ${root}: is the root of the real file system (share a directory below it)\n`, status: 2 });
    }
  });

  it('--load adds a program from a module whose default export is a program', () => {
    const prog = file(
      'greet.mjs',
      [
        'export default {',
        "  name: 'greet',",
        "  summary: 'say hello',",
        '  async main(argv, sys) {',
        "    const host = (await sys.uname()).nodename;",
        "    await sys.write(1, new TextEncoder().encode(`hello ${argv.slice(1).join(' ')} from ${host}\\n`));",
        '    return 4;',
        '  },',
        '};',
        '',
      ].join('\n'),
    );
    expect(tunlab(['--load', prog, '-c', 'greet a b; echo "status $?"; help | grep greet'])).toEqual({
      stdout: 'hello a b from haiku\nstatus 4\n  greet      say hello\n',
      stderr: '',
      status: 0,
    });
    // The constants by their import path in the package (tunlab/abi/NAME, dist/kernel/abi/NAME.js),
    // and an ioctl request by its name, which needs no import at all.
    const abi = pathToFileURL(path.join(PACKAGE_ROOT, 'dist', 'kernel', 'abi', 'ioctl.js')).href;
    const features = file(
      'features.mjs',
      [
        `import { TUNGETFEATURES } from '${abi}';`,
        'export default {',
        "  name: 'features',",
        '  async main(argv, sys) {',
        "    const fd = await sys.open('/dev/misc/tun', 2);",
        '    const a = { value: 0 }, b = { value: 0 };',
        '    await sys.ioctl(fd, TUNGETFEATURES, a);',
        "    await sys.ioctl(fd, 'TUNGETFEATURES', b);",
        "    const bad = await sys.ioctl(fd, 'TUNGETNOTHING', b).catch((e) => e.errno);",
        "    await sys.write(1, new TextEncoder().encode(`${a.value.toString(16)} ${b.value.toString(16)} ${bad}\\n`));",
        '  },',
        '};',
        '',
      ].join('\n'),
    );
    expect(tunlab(['--load', features, '-c', 'features'])).toEqual({ stdout: '7173 7173 EINVAL\n', stderr: '', status: 0 });
    expect(tunlab(['--load', features, '-c', 'strace features 2>&1 >/dev/null | grep TUNGETFEATURES'])).toMatchObject({
      stdout: 'ioctl(3, TUNGETFEATURES, [29043]) = 0\nioctl(3, TUNGETFEATURES, [29043]) = 0\n',
    });
    const bad = file('bad.mjs', 'export default {};\n');
    expect(tunlab(['--load', bad, '-c', 'true'])).toEqual({
      stdout: '',
      stderr: `tunlab: --load ${bad}: the default export must be a program: defineProgram({ name, summary, main(argv, sys) })\n`,
      status: 2,
    });
  });

  it('--user 1000 runs the shell as uid 1000: id says so, and ifconfig up is not allowed', () => {
    expect(ERRNO.EPERM.message).toBe('Operation not allowed');
    expect(tunlab(['--user', '1000', '-c', 'id; ifconfig /dev/net/ipro1000/0 up; echo "status $?"'])).toEqual({
      stdout: 'uid=1000 gid=1000 groups=1000\nstatus 1\n',
      stderr: 'ifconfig: Setting flags failed: Operation not allowed\n',
      status: 0,
    });
    expect(tunlab(['-c', 'id -u']).stdout).toBe('0\n');
  });

  it('--version prints the version of package.json', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(tunlab(['--version'])).toEqual({ stdout: `${version}\n`, stderr: '', status: 0 });
    expect(tunlab(['-V'])).toEqual({ stdout: `${version}\n`, stderr: '', status: 0 });
  });

  it('--help shows the options and exits 0', () => {
    const r = tunlab(['--help']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe('Usage: tunlab [options] [script] [args...]');
    for (const o of ['-c, --command <commands>', '-w, --world <file>', '--host <name>', '--clock <kind>', '--seed <n>', '--trace', '--load <program.js>', '--share <dir>', '--user <uid>', '--max-time <duration>', '--no-color']) {
      expect(r.stdout).toContain(o);
    }
  });

  it('an unknown option or a bad value prints a usage message and exits 2', () => {
    expect(tunlab(['--bogus'])).toEqual({ stdout: '', stderr: `error: unknown option '--bogus'\n${USAGE_TAIL}`, status: 2 });
    expect(tunlab(['--clock', 'sideways', '-c', 'true'])).toEqual({
      stdout: '',
      stderr: `error: option '--clock <kind>' argument 'sideways' is invalid. Allowed choices are virtual, real.\n${USAGE_TAIL}`,
      status: 2,
    });
    expect(tunlab(['--seed', 'x', '-c', 'true'])).toEqual({
      stdout: '',
      stderr: `error: option '--seed <n>' argument 'x' is invalid. --seed must be a whole number\n${USAGE_TAIL}`,
      status: 2,
    });
    expect(tunlab(['--max-time', 'soon', '-c', 'true'])).toEqual({
      stdout: '',
      stderr: 'tunlab: --max-time: must be a duration like "0.5ms", "20s", "5min" or "24h", not "soon"\n',
      status: 2,
    });
  });
});

describe('scenario scripts and their directives', () => {
  it('--transcript presses ^C and ^Z where #@ lines say; a #@ line that is no directive is refused', () => {
    const script = file('keys.sh', 'sleep 5\n#@ ctrl-z 1\njobs\nkill %1\nwhile :; do :; done\n#@ ctrl-c 0.5\necho "status $?"\n');
    expect(tunlab(['--transcript', script]).stdout).toBe(
      'haiku:~> sleep 5\n^Z\n[1]+  Stopped                 sleep 5\nhaiku:~> jobs\n[1]+  Stopped                 sleep 5\n' +
        'haiku:~> kill %1\n[1]+  Terminated              sleep 5\nhaiku:~> while :; do :; done\n^C\nhaiku:~> echo "status $?"\nstatus 130\nhaiku:~> exit\n',
    );
    const bad = file('bad-key.sh', 'echo a\n#@ ctrl-q\n');
    expect(tunlab(['--transcript', bad])).toEqual({
      stdout: '',
      stderr: `tunlab: ${bad}: line 2: "#@ ctrl-q" is no directive (#@ ctrl-c [SECONDS], #@ ctrl-z [SECONDS], #@ ctrl-d)\n`,
      status: 2,
    });
  });

  it('a script with directives run without --transcript is refused: nobody would press the keys', () => {
    const script = file('needs-keys.sh', 'while :; do :; done\n#@ ctrl-c 1\necho after\n');
    expect(tunlab([script])).toEqual({
      stdout: '',
      stderr: `tunlab: ${script}: line 2: "#@ ctrl-c 1" is a --transcript directive: run it with tunlab --transcript\n`,
      status: 2,
    });
  });
});

describe('runs that end blocked', () => {
  it('a deadlocked script exits 3 with the report on stderr', () => {
    expect(tunlab(['--world', pairWorld, '-c', 'echo before; syscall pipe; syscall read 3 10; echo never'])).toEqual({
      stdout: 'before\n[3, 4]\n',
      stderr: 'tunlab: deadlock: every process is blocked and nothing can wake any of them\n  alpha: pid 2 (sh)  read, waiting on pipe:1 (waiting for data)\n',
      status: 3,
    });
  });

  it('--max-time ends a script that never ends with status 3, after that much virtual time', () => {
    const r = tunlab(['--world', pairWorld, '--max-time', '10s', '-c', 'while true; do sleep 1; echo tick; done']);
    expect(r).toEqual({
      stdout: 'tick\n'.repeat(10),
      stderr: 'tunlab: time limit reached (--max-time 10s) with processes still blocked\n  alpha: pid 2 (sh)  nanosleep, waiting on timer\n',
      status: 3,
    });
  });

  it('--max-time also ends a loop that never blocks (a busy machine lets time pass), and takes minutes and hours', () => {
    const r = tunlab(['--world', pairWorld, '--max-time', '0.5s', '-c', 'while true; do :; done']);
    expect(r).toEqual({
      stdout: '',
      stderr: 'tunlab: time limit reached (--max-time 0.5s) with processes still running\n  alpha: pid 2 (sh)  running its own code, in no system call\n',
      status: 3,
    });
    expect(tunlab(['--world', pairWorld, '--max-time', '24h', '-c', 'yes > /dev/null & sleep 0.1; kill %1; echo ok'])).toMatchObject({ stdout: 'ok\n', status: 0 });
    expect(tunlab(['--world', pairWorld, '--max-time', '5min', '-c', 'true'])).toMatchObject({ status: 0 });
  });
});

const hasScript = spawnSync('script', ['--version']).status === 0;

/**
 * The interactive shell on a pseudo-terminal (util-linux `script`): wait for the prompt, type
 * `exit 5`, and return the whole screen output and the exit status. A status other than 5 is
 * reported with the screen, where tunlab's own stderr lands too (an internal error's message, 70).
 */
function interactive(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ screen: string; status: number | null }> {
  const cmd = `stty cols 100 rows 30; exec ${[process.execPath, TUNLAB_COMMAND, ...args].map((a) => `'${a}'`).join(' ')}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: tmp, env: { ...baseEnv, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let screen = '';
    let typed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the interactive tunlab did not end within ${RUN_MS} ms; the screen was:\n${JSON.stringify(screen)}`));
    }, RUN_MS);
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString('utf8');
      // The prompt, plain or in colour (the banner before it names the host too).
      if (!typed && /haiku(\x1b\[\d+m)*:/.test(screen)) {
        typed = true;
        child.stdin.write('exit 5\r');
      }
    });
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ screen, status });
    });
  });
}

describe.skipIf(!hasScript)('colours in the interactive terminal', () => {
  const GREEN_PROMPT = '\x1b[32mhaiku\x1b[39m:\x1b[36m~\x1b[39m\x1b[1m>\x1b[22m ';
  const PLAIN_PROMPT = 'haiku:~> ';
  const CURSOR = '\x1b[7m \x1b[27m';
  /** Colour escapes (SGR colours and bold), not the inverse video of the cursor. */
  const COLOUR = /\x1b\[(3\d|1|22|39)m/;

  it('colours the prompt by default', async () => {
    const r = await interactive([]);
    expect(r.status, r.screen).toBe(5);
    // The banner first: what this is, where, how to go on.
    expect(r.screen).toMatch(/^tunlab: an emulated Haiku-like machine, host haiku of the world "default" \(real time\)\.\r\nType `help` for the commands/);
    expect(r.screen).toContain(GREEN_PROMPT + CURSOR);
    expect(r.screen).toContain(`${PLAIN_PROMPT}exit 5\r\n`);
  });

  // --no-color used to reach chalk through process.argv and take ink's cursor away with the
  // colours; NO_COLOR never did.
  it('--no-color and NO_COLOR: no colours, the same screen, the cursor still shown', async () => {
    const flag = await interactive(['--no-color']);
    const env = await interactive([], { NO_COLOR: '1' });
    expect(flag.status, flag.screen).toBe(5);
    expect(env.status, env.screen).toBe(5);
    expect(flag.screen).not.toMatch(COLOUR);
    expect(flag.screen).toContain(PLAIN_PROMPT + CURSOR);
    expect(env.screen).toBe(flag.screen);
  });

  // The screen once took at least basic colours whatever the environment said.
  it('FORCE_COLOR=0 and TERM=dumb: no colours either', async () => {
    for (const env of [{ FORCE_COLOR: '0' }, { TERM: 'dumb' }]) {
      const r = await interactive([], env);
      expect(r.status, r.screen).toBe(5);
      expect(r.screen).not.toMatch(COLOUR);
      expect(r.screen).toContain(PLAIN_PROMPT + CURSOR);
    }
  });
});
