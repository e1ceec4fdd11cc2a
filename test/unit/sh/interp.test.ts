// The shell running for real: /bin/sh on a host of a two-host world (haiku and router on one
// LAN), started as the tunlab command starts it (bin/session.ts), in virtual time. Each test
// runs `sh -c '...'` or a script, and compares stdout, stderr and the exit status exactly; where
// time matters, it records the virtual time at which each line of output reached the terminal.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGINT } from '../../../kernel/abi/signal.js';
import { shellStatus } from '../../../kernel/abi/wait.js';
import { Session } from '../../../bin/session.js';
import { runTranscript } from '../../../bin/transcript.js';

const LAN_WORLD = {
  name: 'lan',
  segments: { lan: { delay: '0.2ms' } },
  hosts: {
    haiku: { nics: [{ segment: 'lan', address: '192.168.1.10/24', mac: '52:54:00:12:34:56' }] },
    router: { nics: [{ segment: 'lan', address: '192.168.1.1/24', mac: '52:54:00:00:01:01' }] },
  },
};

let dir = '';
let worldFile = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-sh-'));
  worldFile = path.join(dir, 'lan.json');
  fs.writeFileSync(worldFile, JSON.stringify(LAN_WORLD));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A line of output and the virtual time (ns since the shell started) at which it came out. */
type Stamped = [ns: number, line: string];

interface Ran {
  out: string;
  err: string;
  status: number;
  /** The shell's own pid. */
  pid: number;
  /** Every stdout line with the virtual time it reached the terminal. */
  lines: Stamped[];
  /** Virtual time the whole run took. */
  elapsedNs: number;
}

const newSession = () => Session.create({ worldFile, clock: 'virtual' });

/** Run /bin/sh with these arguments on haiku; files are put on the host first. */
async function runShell(args: string[], files: Record<string, string> = {}): Promise<Ran> {
  const session = await newSession();
  for (const [p, text] of Object.entries(files)) session.host.root.install(p.replace(/^\//, ''), text);
  const dec = { out: new TextDecoder(), err: new TextDecoder() };
  let out = '';
  let err = '';
  const lines: Stamped[] = [];
  let partial = '';
  const t0 = session.world.sched.now();
  const { shell } = await session.startShell(args, {
    tty: false,
    out: (d) => {
      const text = dec.out.decode(d, { stream: true });
      out += text;
      const parts = (partial + text).split('\n');
      partial = parts.pop()!;
      for (const l of parts) lines.push([session.world.sched.now() - t0, l]);
    },
    err: (d) => void (err += dec.err.decode(d, { stream: true })),
  });
  const outcome = await session.run(() => !shell.alive, 3600e9);
  session.close();
  expect(outcome.kind, session.world.describeStuck(outcome)).toBe('done');
  return { out, err, status: shellStatus(shell.status), pid: shell.pid, lines, elapsedNs: session.world.sched.now() - t0 };
}

/** sh -c SCRIPT sh ARGS... */
const sh = (script: string, ...args: string[]) => runShell(['-c', script, 'sh', ...args]);

/** Output, error output and status, for one toEqual. */
const result = (r: Ran) => ({ out: r.out, err: r.err, status: r.status });

/** sh -c SCRIPT, compared whole: stdout, stderr ('' unless given) and status (0 unless given). */
async function expectSh(script: string, expected: { out: string; err?: string; status?: number }, ...args: string[]): Promise<Ran> {
  const r = await sh(script, ...args);
  expect(result(r)).toEqual({ err: '', status: 0, ...expected });
  return r;
}

/** A test that is one expectSh. */
function runs(name: string, script: string, expected: { out: string; err?: string; status?: number }): void {
  it(name, async () => void (await expectSh(script, expected)));
}

describe('quoting and comments', () => {
  runs(
    'single quotes keep everything, double quotes expand $ and honour \\ before $ ` " \\',
    `echo 'a\\nb $HOME' "c\\nd $HOME" "\\$HOME \\\\ \\" \\\`" 'it'\\''s' x"y"'z'`,
    { out: 'a\\nb $HOME c\\nd /boot/home $HOME \\ " ` it\'s xyz\n' },
  );

  runs('a backslash quotes one character; backslash-newline joins lines', 'echo a\\ \\ b \\$x \\"q\\" \\\\\necho one \\\ntwo', {
    out: 'a  b $x "q" \\\none two\n',
  });

  runs(
    'comments run from an unquoted # at the start of a word to the end of the line',
    '# a whole line\necho a#b "#c" \'#d\' # the rest is gone; echo no\necho e\\#f #',
    { out: 'a#b #c #d\ne#f\n' },
  );

  runs('words split on unquoted expansions only', 'v="a   b"; echo $v; echo "$v"; printf "[%s]" $v "$v"; echo', {
    out: 'a b\na   b\n[a][b][a   b]\n',
  });
});

describe('variables', () => {
  runs(
    '$? is the last status: of a builtin, a program, a pipeline, a negation, a command not found or not runnable',
    'false; echo $?; true; echo $?; ls /nosuch 2>/dev/null; echo $?; false | true; echo $?; true | false; echo $?; ! true; echo $?; nosuch; echo $?; /etc; echo $?',
    { out: '1\n0\n2\n0\n1\n1\n127\n126\n', err: 'sh: line 1: nosuch: command not found\nsh: line 1: /etc: Permission denied\n' },
  );

  it("$$ is the shell's pid, in a subshell and a command substitution too", async () => {
    const r = await sh('echo $$; (echo $$); echo "$(echo $$)"; sh -c \'echo $$\'');
    const [main, sub, subst, child] = r.out.trimEnd().split('\n').map(Number);
    expect([main, sub, subst]).toEqual([r.pid, r.pid, r.pid]);
    // A new shell is a new process with its own $$.
    expect(child).not.toBe(r.pid);
    expect(child).toBeGreaterThan(r.pid);
  });

  it('$PPID is the parent of the shell: a child shell sees its parent\'s $$, whatever the environment says', async () => {
    const r = await sh('echo $$; PPID=1 sh -c \'echo $PPID\'');
    const [main, parent] = r.out.trimEnd().split('\n').map(Number);
    expect(main).toBe(r.pid);
    expect(parent).toBe(r.pid);
  });

  it('$NAME, ${NAME}, assignments, an unset name is empty; positional parameters and $0', async () => {
    const script = 'X=one; Y="$X two"; echo "$X|${X}s|$Y|$UNSET|${#Y}"; X=changed; echo $X; echo "$0 $# $1 $2"';
    await expectSh(script, { out: 'one|ones|one two||7\nchanged\nsh 2 p1 p 2\n' }, 'p1', 'p 2');
  });

  runs("export reaches a child's environment; a plain assignment does not", 'A=1; export B=2; C=3; export C; A=5 D=4 env; echo; env', {
    out:
      'PATH=/bin\nHOME=/boot/home\nUSER=user\nSHELL=/bin/sh\nTERM=xterm-256color\nB=2\nC=3\nA=5\nD=4\n\n' +
      'PATH=/bin\nHOME=/boot/home\nUSER=user\nSHELL=/bin/sh\nTERM=xterm-256color\nB=2\nC=3\n',
  });

  runs(
    'an exported variable reaches a child shell, unset takes it away',
    'export V=seen; sh -c \'echo "[$V]"\'; W=hidden; sh -c \'echo "[$W]"\'; unset V; sh -c \'echo "[$V]"\'',
    { out: '[seen]\n[]\n[]\n' },
  );
});

describe('lists: ; && ||', () => {
  runs(
    'runs ; lists in order and && || by the status before them',
    'echo a; false && echo no; true && echo b; false || echo c; true || echo no; false && echo no || echo d; true || false && echo e',
    { out: 'a\nb\nc\nd\ne\n' },
  );

  it("the status of a list is its last command's", async () => {
    expect((await sh('true; false')).status).toBe(1);
    expect((await sh('false || true')).status).toBe(0);
    expect((await sh('true && false')).status).toBe(1);
    expect((await sh('false && true')).status).toBe(1);
  });
});

describe('pipelines', () => {
  runs("connect commands with pipes; the status is the last command's", 'printf "b\\na\\nc\\n" | grep -v c | wc -l; echo x | false; echo $?; false | echo y', {
    out: '2\n1\ny\n',
  });

  it("stream through kernel pipes: ping's lines reach the terminal through cat as ping writes them", async () => {
    const r = await sh('ping -c 3 -i 1 192.168.1.1 | cat');
    expect(r.status).toBe(0);
    // Whole seconds of virtual time at which each line came out: one echo reply per second,
    // not everything at the end.
    expect(r.lines.map(([ns, l]) => [Math.floor(ns / 1e9), l])).toEqual([
      [0, 'PING 192.168.1.1 (192.168.1.1): 56 data bytes'],
      [0, '64 bytes from 192.168.1.1: icmp_seq=0 ttl=64 time=0.800 ms'],
      [1, '64 bytes from 192.168.1.1: icmp_seq=1 ttl=64 time=0.400 ms'],
      [2, '64 bytes from 192.168.1.1: icmp_seq=2 ttl=64 time=0.400 ms'],
      [2, ''],
      [2, '--- 192.168.1.1 ping statistics ---'],
      [2, '3 packets transmitted, 3 packets received, 0.0% packet loss'],
      [2, 'round-trip min/avg/max/stddev = 0.400/0.533/0.800/0.189 ms'],
    ]);
    // To the nanosecond, each line reaches the terminal through cat when it does without cat:
    // the pipe holds nothing back.
    const direct = await sh('ping -c 3 -i 1 192.168.1.1');
    expect(r.lines).toEqual(direct.lines);
    expect(r.lines.slice(1, 4).map(([ns]) => ns)).toEqual([800_000, 1_001_200_000, 2_000_600_000]);
  });

  it('a line written into a pipeline comes out at once, while the pipeline goes on', async () => {
    const r = await sh('(echo one; sleep 1; echo two; sleep 2; echo three) | cat | cat');
    expect(r.lines).toEqual([[0, 'one'], [1e9, 'two'], [3e9, 'three']]);
  });
});

describe('redirections', () => {
  runs('> truncates, >> appends, < reads', 'cd /tmp; echo one > f; echo two >> f; cat < f; echo three > f; cat f; wc -l < f', {
    out: 'one\ntwo\nthree\n1\n',
  });

  runs('2> sends errors to a file; 2>/dev/null drops them', 'cd /tmp; ls nosuch 2> e; echo "status $?"; cat e; ls nosuch 2>/dev/null; echo "status $?"', {
    out: "status 2\nls: cannot access 'nosuch': No such file or directory\nstatus 2\n",
  });

  runs(
    'order matters: 2>&1 >f sends errors where stdout was, >f 2>&1 sends both to f',
    'cd /tmp; { echo out; ls nosuch; } 2>&1 >a | cat -n; echo ---; cat a; echo ---; { echo out; ls nosuch; } >b 2>&1; cat b; ' +
      'echo x > x; cat x nosuch 2>&1 >c | wc -l; cat c; cat x nosuch >d 2>&1; wc -l < d',
    {
      out:
        "     1\tls: cannot access 'nosuch': No such file or directory\n---\nout\n---\nout\nls: cannot access 'nosuch': No such file or directory\n" +
        '1\nx\n2\n',
    },
  );

  runs("a builtin's redirections hold for it alone; >&2 writes to stderr", 'cd /tmp; echo to-file > g; echo to-stderr >&2; echo to-stdout; cat g', {
    out: 'to-stdout\nto-file\n',
    err: 'to-stderr\n',
  });

  runs('a file that cannot be opened fails the command with the reason', 'echo hi > /nodir/x; echo "status $?"; cat < /nosuch; echo "status $?"', {
    out: 'status 1\nstatus 1\n',
    err: 'sh: line 1: /nodir/x: No such file or directory\nsh: line 1: /nosuch: No such file or directory\n',
  });

  // The shell used to print it itself, on its own stderr, whatever the command's redirections.
  runs(
    '"command not found" goes where the command\'s stderr goes',
    'cd /tmp; nosuch 2>/dev/null; echo "status $?"; nosuch 2>e; cat e; nosuch 2>&1 | cat -n; nosuch | cat; echo "status $?"',
    {
      out: 'status 127\nsh: line 1: nosuch: command not found\n     1\tsh: line 1: nosuch: command not found\nstatus 0\n',
      err: 'sh: line 1: nosuch: command not found\n',
    },
  );

  runs('here-documents and here-strings feed stdin', 'cat <<EOF\nhome is $HOME\nEOF\ncat <<\'EOF\'\n$HOME stays\nEOF\ncat <<< "here string"', {
    out: 'home is /boot/home\n$HOME stays\nhere string\n',
  });

  // The shell opened f at fd 3, then closed "the fd it opened", which was 3 itself (see
  // prepareRedirects' clearOf).
  runs(
    'redirecting fd 3 keeps fd 3: exec 3>f, { ...; } 3>f, and exec N<&- closes it',
    'cd /tmp; exec 3>k; echo via3 >&3; cat k; { echo group3 >&3; } 3>g; cat g; ' +
      'echo line > h; exec 4<h; read v <&4; echo "v=$v"; exec 4<&-; read v <&4; echo "status $?"',
    { out: 'via3\ngroup3\nv=line\nstatus 1\n', err: 'sh: line 1: 4: Bad file descriptor\n' },
  );

  // exec's redirections used to save the fds they replaced, above 10, and never close them.
  runs(
    'exec N>f in a loop does not use up fds',
    'cd /tmp; i=0; while [ $i -lt 300 ]; do exec 3>>k; echo $i >&3; i=$((i+1)); done; wc -l < k; syscall fcntl 10 F_GETFD',
    { out: '300\n-1 EBADF (Bad file descriptor)\n', status: 1 },
  );
});

describe('background jobs', () => {
  // POSIX: without job control an asynchronous list's stdin is /dev/null (it was closed: EBADF).
  runs('a background job in a script reads /dev/null; a pipe into it still feeds it', 'cat & wait; echo "status $?"; echo fed | cat & wait', {
    out: 'status 0\nfed\n',
  });

  it('& runs a job in the background; $! is its pid; jobs lists it; wait waits for it', async () => {
    const r = await sh('sleep 5 & echo "pid $!"; jobs; jobs -l; wait; echo "waited $?"; jobs; sleep 1');
    const pid = r.pid + 1;
    expect(result(r)).toEqual({
      out: `pid ${pid}\n[1]+  Running                 sleep 5\n[1]+ ${pid}  Running                 sleep 5\nwaited 0\n`,
      err: '',
      status: 0,
    });
    expect(r.lines.map(([ns]) => ns / 1e9)).toEqual([0, 0, 0, 5]);
    expect(r.elapsedNs).toBe(6e9);
  });

  it("wait PID and wait %N give that job's status; background jobs run side by side", async () => {
    const r = await expectSh('(sleep 2; exit 3) & a=$!; (sleep 1; exit 4) & wait $a; echo "a $?"; wait %2; echo "b $?"', { out: 'a 3\nb 4\n' });
    expect(r.elapsedNs).toBe(2e9);
  });

  it('kill %N signals the job: wait gives 128 + SIGTERM', async () => {
    const r = await expectSh('sleep 100 & sleep 200 & jobs; kill %1; wait %1; echo "status $?"; jobs; kill %2; wait; jobs; echo done', {
      out: '[1]-  Running                 sleep 100\n[2]+  Running                 sleep 200\nstatus 143\n[2]+  Running                 sleep 200\ndone\n',
    });
    expect(r.elapsedNs).toBe(0);
  });

  it('fg waits for a job in the foreground and takes its status; a job that is not there is an error', async () => {
    const r = await expectSh('(sleep 3; exit 7) & fg %1; echo "status $?"; fg %1; echo "status $?"; kill %9; echo "status $?"', {
      out: '(sleep 3; exit 7)\nstatus 7\nstatus 1\nstatus 1\n',
      err: 'sh: line 1: fg: %1: no such job\nsh: line 1: kill: %9: no such job\n',
    });
    expect(r.elapsedNs).toBe(3e9);
  });

  it('an interactive shell announces jobs, reports a killed one, and fg brings one back', async () => {
    const session = await newSession();
    const t = await runTranscript(session, 'sleep 5 &\nsleep 7 &\njobs\nkill %1\njobs\nfg %2\necho $?\nexit 4\n');
    expect(t.outcome.kind).toBe('done');
    expect(shellStatus(t.status)).toBe(4);
    expect(t.transcript).toBe(
      [
        'haiku:~> sleep 5 &',
        '[1] 3',
        'haiku:~> sleep 7 &',
        '[2] 4',
        'haiku:~> jobs',
        '[1]-  Running                 sleep 5',
        '[2]+  Running                 sleep 7',
        'haiku:~> kill %1',
        '[1]-  Terminated              sleep 5',
        'haiku:~> jobs',
        '[2]+  Running                 sleep 7',
        'haiku:~> fg %2',
        'sleep 7',
        'haiku:~> echo $?',
        '0',
        'haiku:~> exit 4',
        '',
      ].join('\n'),
    );
    expect(session.world.sched.now()).toBe(7e9);
  });
});

describe('set -e in scripts', () => {
  const script = [
    'set -e',
    'echo start',
    'if false; then echo no; fi',
    'while false; do :; done',
    'false && echo no',
    'false || echo "|| catches it"',
    '! true',
    'f() { false; echo "in f, after false"; }',
    'f || echo no',
    'x=$(true)',
    'echo "still here"',
    'ls /nosuch',
    'echo "not reached"',
  ].join('\n');

  it('stops at the first failure outside a condition, with its status', async () => {
    const r = await runShell(['/boot/home/e.sh'], { '/boot/home/e.sh': script });
    expect(result(r)).toEqual({
      out: 'start\n|| catches it\nin f, after false\nstill here\n',
      err: "ls: cannot access '/nosuch': No such file or directory\n",
      status: 2,
    });
  });

  it('a failing command substitution, subshell, pipeline or last && operand stops it too; set +e turns it off', async () => {
    await expectSh('set -e; x=$(exit 4); echo no', { out: '', status: 4 });
    await expectSh('set -e; set +e; false; echo yes', { out: 'yes\n' });
    await expectSh('set -e; (false); echo no', { out: '', status: 1 });
    await expectSh('set -e; false | true; echo "pipeline ok"', { out: 'pipeline ok\n' });
    await expectSh('set -e; true | false; echo no', { out: '', status: 1 });
    await expectSh('set -e; true && false; echo no', { out: '', status: 1 });
    await expectSh('set -e; nosuch; echo no', { out: '', err: 'sh: line 1: nosuch: command not found\n', status: 127 });
  });
});

describe('scripts', () => {
  it('a script file gets its arguments, $0 and $#, and exits with its status', async () => {
    const r = await runShell(['/boot/home/args.sh', 'x', 'y z'], { '/boot/home/args.sh': 'echo "0=$0 #=$# 1=$1 2=$2"\nshift\necho "now $1"\nexit 3\necho no\n' });
    expect(result(r)).toEqual({ out: '0=/boot/home/args.sh #=2 1=x 2=y z\nnow y z\n', err: '', status: 3 });
  });

  it('a script that is not there: status 127 and the reason', async () => {
    expect(result(await runShell(['/boot/home/none.sh']))).toEqual({ out: '', err: 'sh: /boot/home/none.sh: No such file or directory\n', status: 127 });
  });
});

describe('error lines', () => {
  it("in eval, the eval's line; in a sourced file, that file and its line (as bash)", async () => {
    const r = await runShell(['-c', 'true\n\necho a; eval "cd /nope2"\n. /tmp/lib.sh\ncd /nope4', 'main.sh'], { '/tmp/lib.sh': '\n\ncd /nope3\n' });
    expect(r.err).toBe(
      'main.sh: line 3: cd: /nope2: No such file or directory\n' +
        '/tmp/lib.sh: line 3: cd: /nope3: No such file or directory\n' +
        'main.sh: line 5: cd: /nope4: No such file or directory\n',
    );
  });

  it('in a subshell or a pipeline too, with the name of the script', async () => {
    const r = await runShell(['-c', 'true\n( cd /nope )\necho | cd /nope2', 'main.sh']);
    expect(r.err).toBe('main.sh: line 2: cd: /nope: No such file or directory\nmain.sh: line 3: cd: /nope2: No such file or directory\n');
  });

  it('a foreground job that a signal ended says which, with its pid and command; SIGPIPE and background jobs do not', async () => {
    const r = await sh('true\nsh -c "kill -TERM \\$\\$"; echo "status $?"\nyes | head -1; sleep 9 & kill %1; wait');
    expect(r.out).toBe('status 143\ny\n');
    expect(r.err).toMatch(/^sh: line 2: \d+ Terminated {14}sh -c "kill -TERM \\\$\\\$"\n$/);
  });

  // As bash 5: "NAME: line N: " where N is the line of the failing command, in a function too.
  runs(
    'say the line of the command that failed: not found, a builtin, a redirection, inside a function',
    'echo a\n\nnosuch\ncd /nosuch\nf() {\n  echo x > /nodir/f\n  exit x\n}\nf',
    {
      out: 'a\n',
      err:
        'sh: line 3: nosuch: command not found\nsh: line 4: cd: /nosuch: No such file or directory\n' +
        'sh: line 6: /nodir/f: No such file or directory\nsh: line 7: exit: x: numeric argument required\n',
      status: 2,
    },
  );
});

describe('builtins', () => {
  runs(
    'cd and pwd: home by default, cd - goes back and prints where, errors say why',
    'pwd; cd /boot; pwd; cd; pwd; cd -; echo "$PWD $OLDPWD"; cd /nosuch; echo "status $?"; cd /etc/hosts; echo "status $?"; pwd',
    {
      out: '/boot/home\n/boot\n/boot/home\n/boot\n/boot /boot/home\nstatus 1\nstatus 1\n/boot\n',
      err: 'sh: line 1: cd: /nosuch: No such file or directory\nsh: line 1: cd: /etc/hosts: Not a directory\n',
    },
  );

  runs(
    'echo: -n leaves out the newline, -e reads escapes, \\c stops',
    `echo -n a; echo -n b; echo; echo -e 'x\\ty\\x41\\0102\\\\'; echo 'no\\tescape'; echo -ne 'z\\n'; echo -e 'cut\\chere'; echo; echo -- -n; echo -x`,
    { out: 'ab\nx\tyAB\\\nno\\tescape\nz\ncut\n-- -n\n-x\n' },
  );

  it('exit N ends the shell with N (mod 256); exit alone with the last status', async () => {
    await expectSh('echo a; exit 7; echo b', { out: 'a\n', status: 7 });
    expect((await sh('exit 257')).status).toBe(1);
    expect((await sh('false; exit')).status).toBe(1);
    await expectSh('exit x', { out: '', err: 'sh: line 1: exit: x: numeric argument required\n', status: 2 });
    await expectSh('(exit 9); echo "subshell $?"', { out: 'subshell 9\n' });
  });

  it('help lists builtins and programs; help NAME shows one', async () => {
    await expectSh('help cd; help echo; help nosuch', {
      out: 'cd [dir | -]\n    change the working directory\necho [-neE] [arg ...]\n    print arguments\n',
      err: "sh: line 1: help: no help topics match `nosuch'.  Try `nosuch --help'.\n",
      status: 1,
    });
    const all = (await sh('help')).out.split('\n');
    expect(all[0]).toBe('tunlab shell builtins (run in the shell itself):');
    expect(all).toContain('  syscall    make one system call from the shell (fds persist between lines)');
    expect(all).toContain('Programs in /bin (each has --help):');
    expect(all).toContain('  ping       send ICMP echo requests to a host');
    expect(all.at(-2)).toBe('Other hosts of the world: `hosts`, and `on HOST COMMAND` to run something there.');
  });

  it('history lists the lines typed in an interactive session, history N the last N', async () => {
    const t = await runTranscript(await newSession(), 'echo a\ntrue\nhistory\nhistory 2\n');
    expect(t.transcript).toBe(
      'haiku:~> echo a\na\nhaiku:~> true\nhaiku:~> history\n    1  echo a\n    2  true\n    3  history\n' +
        'haiku:~> history 2\n    3  history\n    4  history 2\nhaiku:~> exit\n',
    );
    // A script types nothing: its history is empty.
    await expectSh('history', { out: '' });
  });

  it('sleep advances virtual time by exactly what it is given', async () => {
    const r = await sh('echo a; sleep 2.5; echo b; sleep .25; echo c; sleep 0; echo d');
    expect(r.lines).toEqual([
      [0, 'a'],
      [2_500_000_000, 'b'],
      [2_750_000_000, 'c'],
      [2_750_000_000, 'd'],
    ]);
    expect(r.elapsedNs).toBe(2_750_000_000);
    await expectSh('sleep; sleep -1', {
      out: '',
      err: "sleep: invalid time interval ''\nusage: sleep seconds\nsleep: invalid time interval '-1'\nusage: sleep seconds\n",
      status: 2,
    });
  });
});

describe('other hosts', () => {
  runs(
    'on HOST CMD runs there; its status comes back',
    'uname -n; on router uname -n; on router hostname; on router sh -c "exit 5"; echo "status $?"; on nosuch true; echo "status $?"',
    { out: 'haiku\nrouter\nrouter\nstatus 5\nstatus 2\n', err: 'on: nosuch: no such host (try `hosts`)\n' },
  );

  runs('hosts lists the hosts of the world, this one marked', 'hosts; on router hosts', { out: '* haiku\n  router\n  haiku\n* router\n' });
});

describe('the syscall builtin', () => {
  runs(
    'keeps fds from one line to the next; a second close is EBADF',
    'syscall open /dev/null O_RDWR\nsyscall write 3 text:hello\nsyscall read 3 10\nsyscall close 3\nsyscall close 3\necho "status $?"',
    { out: '3\n5\n0\n0\n-1 EBADF (Bad file descriptor)\nstatus 1\n' },
  );

  runs('a pipe made by one line is read by the next', 'syscall pipe; syscall write 4 text:hi; syscall read 3 10; syscall close 4; syscall read 3 10', {
    out: '[3, 4]\n2\n2\n00000000  68 69                                             |hi|\n00000002\n0\n0\n',
  });

  it('says how to use it', async () => {
    await expectSh('syscall nosuch', { out: '', err: 'syscall: unknown system call nosuch (try: syscall help)\n', status: 2 });
    await expectSh('syscall close x', { out: '', err: 'syscall close: FD must be a number, not x\nusage: syscall close FD\n', status: 2 });
    // An address a sockaddr_in cannot hold is the tool's error, not the kernel's.
    for (const bad of ['300.0.0.1:5', '1.2.3.4:70000', 'localhost:9']) {
      await expectSh(`syscall sendto 3 ${bad} text:x`, {
        out: '',
        err: `syscall sendto: address must be A.B.C.D[:PORT], not ${bad}\nusage: syscall sendto FD ADDR:PORT DATA\n`,
        status: 2,
      });
    }
  });
});

describe('a loop that makes no system call of its own', () => {
  it('still lets the machine run: ^C (SIGINT) reaches the spinning shell', async () => {
    const session = await newSession();
    const { shell } = await session.startShell(['-c', 'while :; do :; done; echo never'], { tty: false, out: () => {}, err: () => {} });
    // The run loop gets control back only if the shell yields; each time it does, count, and
    // after a while interrupt the shell as a ^C would.
    let looks = 0;
    await session.run(() => {
      if (++looks === 50) shell.signal(SIGINT);
      return !shell.alive;
    }, 3600e9);
    session.close();
    expect(looks).toBeGreaterThanOrEqual(50);
    expect(shellStatus(shell.status)).toBe(128 + SIGINT);
  });
});
