#!/usr/bin/env node
// The tunlab command: an emulated Haiku-like system in the terminal. With a terminal on both ends
// it is an interactive shell in real time; with -c, a script file, or piped input it runs the
// commands in virtual time, prints their output as plain text, and exits with their status.

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { SIGINT } from '../kernel/abi/signal.js';
import { shellStatus } from '../kernel/abi/wait.js';
import { WorldFileError } from '../kernel/world/world-file.js';
import { parseDuration } from '../kernel/world/world-file.js';
import { DEFAULT_WORLD, packageVersion } from './paths.js';
import type { WorldCapture } from './pcap.js';
import { errnoText, readScript } from './script.js';
// transcript.ts is imported whole: its directive parser checks every script, so a lazy import of
// runTranscript would defer nothing.
import { DirectiveError, firstDirective, parseScript, runTranscript } from './transcript.js';
import { Session, SessionError } from './session.js';

/** Exit statuses of tunlab itself (a script's own status passes through unchanged). */
const EXIT_USAGE = 2;
const EXIT_STUCK = 3;
/** A script may run this long in virtual time before tunlab gives up on it. */
const DEFAULT_TIME_LIMIT = '24h';

interface CliOptions {
  command?: string;
  world: string;
  host?: string;
  clock?: 'virtual' | 'real';
  seed?: number;
  trace?: boolean;
  load: string[];
  forward: string[];
  uplinkAllow: string[];
  share?: string;
  user?: number;
  maxTime: string;
  color: boolean;
  transcript?: boolean;
  pcap?: string;
}

/** A whole number up to `max` (uid_t and the seed are 32 bits: a larger one would lose digits). */
const int = (name: string, max: number) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a whole number`);
  if (v.length > 10 || Number(v) > max) throw new InvalidArgumentError(`${name} must be from 0 to ${max}`);
  return Number(v);
};
/** The largest uid: (uid_t)-1 means "no change" to setresuid and chown. */
const MAX_UID = 0xffff_fffe;
const MAX_SEED = 0xffff_ffff;

function cli(): Command {
  return new Command('tunlab')
    .description('An emulated Haiku-like system for exploring TUN/TAP drivers and VPN software.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .argument('[script]', 'a shell script to run (virtual time unless --clock real)')
    .argument('[args...]', "the script's arguments")
    .option('-c, --command <commands>', 'run shell commands, print their output, exit with the last status')
    .option('-w, --world <file>', 'the world to boot (a JSON file)', DEFAULT_WORLD)
    .option('--host <name>', 'the host the shell runs on (default: the first host of the world)')
    .addOption(new Option('--clock <kind>', 'virtual (default for scripts) or real (default when interactive)').choices(['virtual', 'real']))
    .option('--seed <n>', 'seed for everything random in the world', int('--seed', MAX_SEED))
    .option('--trace', 'trace every system call on the shell\'s host to stderr (strace format)')
    .option('--load <program.js>', 'load a program module (defineProgram default export); repeatable', (v, acc: string[]) => [...acc, v], [])
    .option('--forward <rule>', 'udp:REALPORT:HOST:PORT or tcp:REALPORT:HOST:PORT: real datagrams or connections to 127.0.0.1:REALPORT reach HOST:PORT (real time only); repeatable', (v, acc: string[]) => [...acc, v], [])
    .option('--uplink-allow <cidr>', 'let the uplink reach these real addresses too (default: loopback only); repeatable', (v, acc: string[]) => [...acc, v], [])
    .option('--share <dir>', 'mount this real directory at /host inside the system')
    .option('--user <uid>', 'run the shell as this user id (0 is Haiku\'s "user")', int('--user', MAX_UID))
    .option('--transcript', 'type the script into an interactive shell and print the whole terminal (prompts included)')
    .option('--max-time <duration>', 'virtual time a script may take before tunlab stops it', DEFAULT_TIME_LIMIT)
    .option('--pcap <file>', 'write every frame of every interface of every host to FILE as pcapng while tunlab runs ("-": standard output, the session\'s own output then going to standard error)')
    .option('--no-color', 'no colours (NO_COLOR in the environment does the same)')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) });
}

async function main(argv: string[]): Promise<number> {
  const program = cli();
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      process.stderr.write(`usage: ${program.createHelp().commandUsage(program)}\n(tunlab --help for the options)\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  const o = program.opts<CliOptions>();
  const [script, ...scriptArgs] = program.args;
  const color = o.color && !process.env['NO_COLOR'];
  let limitNs: number;
  try {
    limitNs = parseDuration(o.maxTime, '--max-time');
  } catch (e) {
    process.stderr.write(`tunlab: --max-time: ${(e as WorldFileError).problem}\n`);
    return EXIT_USAGE;
  }

  let shellArgs: string[] | null = null;
  if (o.command !== undefined) shellArgs = ['-c', o.command, 'sh', ...(script !== undefined ? [script, ...scriptArgs] : [])];
  else if (script !== undefined || !process.stdin.isTTY || !process.stdout.isTTY) {
    const r = readScript(script ?? 0);
    if ('status' in r) {
      process.stderr.write(`tunlab: ${r.message}\n`);
      return r.status;
    }
    shellArgs = script !== undefined ? ['-c', r.text, script, ...scriptArgs] : ['-c', r.text, 'sh'];
    const problem = o.transcript ? directiveProblem(r.text) : plainScriptProblem(r.text);
    if (problem) {
      process.stderr.write(`tunlab: ${script ?? 'stdin'}: ${problem}\n`);
      return EXIT_USAGE;
    }
  }
  const interactive = shellArgs === null;
  const clock = o.clock ?? (interactive ? 'real' : 'virtual');
  if (o.pcap === '-' && (interactive || o.transcript)) {
    process.stderr.write(`tunlab: --pcap -: standard output ${interactive ? 'is the terminal' : 'holds the transcript'}; give a file or a FIFO\n`);
    return EXIT_USAGE;
  }

  let session: Session;
  try {
    session = await Session.create({
      worldFile: o.world,
      host: o.host,
      clock,
      seed: o.seed,
      trace: o.trace,
      load: o.load,
      share: o.share,
      uid: o.user,
      forwards: o.forward,
      uplinkAllow: o.uplinkAllow,
    });
  } catch (e) {
    if (e instanceof WorldFileError) {
      process.stderr.write(`tunlab: world ${o.world}: ${e.message}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof SessionError) {
      process.stderr.write(`tunlab: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  for (const w of session.built.spec.warnings) process.stderr.write(`tunlab: world ${o.world}: warning: ${w}\n`);

  let capture: WorldCapture | null = null;
  if (o.pcap !== undefined) {
    const { WorldCapture } = await import('./pcap.js');
    try {
      capture = new WorldCapture(session.world, o.pcap);
    } catch (e) {
      // tcpdump -w's "tcpdump: FILE: No such file or directory", exit 1, before anything runs.
      if (!(e instanceof Error && 'code' in e)) throw e;
      session.close();
      process.stderr.write(`tunlab: ${o.pcap}: ${errnoText(e as NodeJS.ErrnoException)}\n`);
      return 1;
    }
  }
  try {
    return await runSession(session, o, { shellArgs, interactive, clock, color, limitNs, script });
  } finally {
    session.close();
    if (capture) {
      await capture.close();
      if (capture.dropped > 0) process.stderr.write(`tunlab: --pcap: ${capture.dropped} frames dropped: the reader fell behind\n`);
      if (capture.failure !== null) {
        process.stderr.write(`tunlab: ${o.pcap}: ${capture.failure}\n`);
        process.exitCode = 1;
      }
    }
  }
}

/** A --transcript script's directives that make no sense, as its error message. */
function directiveProblem(text: string): string | null {
  try {
    parseScript(text);
    return null;
  } catch (e) {
    if (e instanceof DirectiveError) return e.message;
    throw e;
  }
}

/** A script that is a transcript's (keys to press): run without a terminal, it would wait for them. */
function plainScriptProblem(text: string): string | null {
  const d = firstDirective(text);
  return d ? `line ${d.line}: ${JSON.stringify(d.text)} is a --transcript directive: run it with tunlab --transcript` : null;
}

async function runSession(
  session: Session,
  o: CliOptions,
  r: { shellArgs: string[] | null; interactive: boolean; clock: 'virtual' | 'real'; color: boolean; limitNs: number; script: string | undefined },
): Promise<number> {
  const { shellArgs, interactive, clock, color, limitNs, script } = r;
  if (o.transcript) {
    if (script === undefined) {
      process.stderr.write('tunlab: --transcript needs a script file\n');
      return EXIT_USAGE;
    }
    const r = await runTranscript(session, shellArgs![1]!, clock === 'virtual' ? limitNs : undefined);
    process.stdout.write(r.transcript);
    return r.outcome.kind === 'done' ? shellStatus(r.status) : EXIT_STUCK;
  }

  if (interactive) {
    // chalk's supports-color reads process.argv as it loads: a --no-color there would turn every
    // chalk in the process to level 0, ink's too, and hide ink's inverse-video cursor. tunlab has
    // read its arguments and applies --no-color itself, as it applies NO_COLOR.
    process.argv.splice(2);
    // ink renders nothing but the last frame when it thinks it runs in CI (CI or
    // CONTINUOUS_INTEGRATION set, read once as it loads). This branch runs only on a real
    // terminal, where someone is typing: a live screen is what they need, CI or not.
    delete process.env['CI'];
    delete process.env['CONTINUOUS_INTEGRATION'];
    const { runInteractive } = await import('./interactive.js');
    return runInteractive(session, color);
  }

  // With --pcap - the capture has standard output: the session speaks on standard error. The
  // streams themselves, so that a slow reader holds the writers back (session.ts's streamSink).
  const stdout = o.pcap === '-' ? process.stderr : process.stdout;
  const { shell } = await session.startShell(shellArgs!, { tty: false, out: stdout, err: process.stderr });
  // ^C from the real terminal goes to the script's processes, as a terminal would send it.
  process.on('SIGINT', () => {
    session.host.procs.signalGroup(shell.pgid, SIGINT);
    session.world.sched.kick();
  });
  const outcome = await session.run(() => !shell.alive, clock === 'virtual' ? limitNs : undefined);
  if (outcome.kind !== 'done') {
    process.stderr.write(session.world.describeStuck(outcome).replace('time limit reached', `time limit reached (--max-time ${o.maxTime})`));
    return EXIT_STUCK;
  }
  const end = session.shellEnd(shell);
  if (end) process.stderr.write(`tunlab: ${end}\n`);
  return shellStatus(shell.status);
}

/** SIGPIPE's status, as a shell reports a process the signal killed (128 + 13). */
const EXIT_SIGPIPE = 141;

// The reader of our stdout went away (`tunlab -c yes | head -2`): a C program would die of SIGPIPE
// there, silently. Node ignores SIGPIPE and reports EPIPE instead; end the same way.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(EXIT_SIGPIPE);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    // Let piped output drain before leaving.
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`tunlab: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env['TUNLAB_DEBUG'] && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exit(70);
  },
);
