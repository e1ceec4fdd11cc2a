// sh: the shell. Interactive on a terminal (prompt, job control, ^C back to the prompt), or
// running a script, `-c` commands or a subshell handed over by a parent shell.

import { isSysError } from '../../kernel/abi/errno.js';
import { O_RDONLY } from '../../kernel/abi/fcntl.js';
import { TCGETS } from '../../kernel/abi/ioctl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU } from '../../kernel/abi/signal.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { guarded } from '../lib/guard.js';
import { loadNames, type NameDb } from '../lib/users.js';
import { eprint, readText, writeAll } from '../lib/io.js';
import { type Command, ExpansionError, parse, parseCommands, type Program, type SimpleCommand } from '../sh/index.js';
import { lookupBuiltin } from '../sh/builtins/index.js';
import { BreakSignal, ContinueSignal, ErrexitSignal, ExitSignal, InterruptSignal, ReturnSignal, ShellError } from '../sh/interp/control.js';
import { Interpreter } from '../sh/interp/interpreter.js';
import type { SubshellPayload } from '../sh/interp/subshell.js';
import { ShellState } from '../sh/interp/state.js';

const usage = (self: string) => `usage: ${self} [-efimux] [-c command [name [arg ...]] | file [arg ...]]\n`;

export default defineProgram({
  name: 'sh',
  summary: 'the shell',
  main: guarded('sh', async (argv, sys) => {
    if (argv[1] === '--subshell') return subshell(sys);
    // As bash, the shell names itself in messages by how it was started (sh or bash).
    const self = (argv[0] ?? 'sh').replace(/^.*\//, '') || 'sh';
    const USAGE = usage(self);
    const state = new ShellState();
    state.name = self;
    for (const [k, v] of Object.entries(sys.environ())) {
      state.set(k, v);
      state.exported.add(k);
    }
    state.shellPid = sys.getpid();
    // bash's PPID: the parent's pid, set at startup whatever the environment says.
    state.set('PPID', String(sys.getppid()));
    state.set('PWD', await sys.getcwd());
    let command: string | null = null;
    let forceInteractive = false;
    let i = 1;
    for (; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--') {
        i++;
        break;
      }
      if (a === '-c') {
        if (i + 1 >= argv.length) {
          await eprint(sys, `${self}: -c: option requires an argument\n${USAGE}`);
          return 2;
        }
        command = argv[++i]!;
        continue;
      }
      if (/^[-+][eixfum]+$/.test(a)) {
        for (const f of a.slice(1)) {
          const on = a[0] === '-';
          if (f === 'i') forceInteractive = on;
          else if (f === 'e') state.options.errexit = on;
          else if (f === 'x') state.options.xtrace = on;
          else if (f === 'f') state.options.noglob = on;
          else if (f === 'u') state.options.nounset = on;
          else if (f === 'm') state.options.monitor = on;
        }
        continue;
      }
      if (a === '--help' || a === '-h') {
        await writeAll(sys, 1, `${USAGE}\nThe tunlab shell: type \`help\` in it for its builtins and programs.\n`);
        return 0;
      }
      if (a.startsWith('-') && a.length > 1) {
        await eprint(sys, `${self}: ${a}: invalid option\n${USAGE}`);
        return 2;
      }
      break;
    }
    const rest = argv.slice(i);
    if (command !== null) {
      // $0: the name given after the text, else the shell's own (sh, or bash as /bin/bash).
      state.name = rest[0] ?? self;
      state.positional = rest.slice(1);
      // As bash: errors in -c text say "NAME: line N:" ($0 or sh), so a script that tunlab runs
      // from the real filesystem (as -c TEXT FILE) points at the failing line.
      const sh = new Interpreter({ sys, state, interactive: false, scriptName: state.name, builtins: lookupBuiltin });
      await trapInterrupts(sys, sh);
      return runText(sh, command, '-c');
    }
    if (rest.length > 0) {
      state.name = rest[0]!;
      state.positional = rest.slice(1);
      let text: string;
      try {
        const fd = await sys.open(rest[0]!, O_RDONLY);
        text = await readText(sys, fd);
        await sys.close(fd);
      } catch (e) {
        if (!isSysError(e)) throw e;
        // As bash: a missing script is 127, one it cannot read (a directory) 126.
        await eprint(sys, `${self}: ${rest[0]}: ${e.message}\n`);
        return isSysError(e, 'ENOENT') ? 127 : 126;
      }
      if (isBinary(text)) {
        await eprint(sys, `${self}: ${rest[0]}: cannot execute binary file\n`);
        return 126;
      }
      const sh = new Interpreter({ sys, state, interactive: false, scriptName: rest[0]!, builtins: lookupBuiltin });
      await trapInterrupts(sys, sh);
      return runText(sh, text, null);
    }
    const tty = await isatty(sys, 0);
    const sh = new Interpreter({ sys, state, interactive: tty || forceInteractive, scriptName: null, builtins: lookupBuiltin });
    if (!sh.interactive) {
      await trapInterrupts(sys, sh);
      return runText(sh, await readText(sys, 0), null);
    }
    return repl(sys, sh);
  }),
});

/** bash's check_binary_file: a NUL before the first newline in the first 80 bytes. */
function isBinary(text: string): boolean {
  const sample = text.slice(0, 80);
  const nl = sample.indexOf('\n');
  return (nl < 0 ? sample : sample.slice(0, nl)).includes('\0');
}

async function isatty(sys: Sys, fd: number): Promise<boolean> {
  try {
    await sys.ioctl(fd, TCGETS);
    return true;
  } catch {
    return false;
  }
}

/**
 * A non-interactive shell notes ^C and stops after the command it interrupted; with -m it has job
 * control from the start.
 */
async function trapInterrupts(sys: Sys, sh: Interpreter): Promise<void> {
  if (sh.state.options.monitor) await sh.jobControlOn();
  await sys.sigaction(SIGINT, () => {
    sh.interrupted = true;
  });
}

/**
 * `sh -c 'cmd args'` with one external command becomes that command (as bash execs it), so the
 * program, not a shell, receives the signals meant for it (`on HOST cmd`, `kill`).
 */
function singleSimpleCommand(text: string): { program: Program; cmd: SimpleCommand } | null {
  // Only as far as a second command: a script's text must not be parsed whole just to see this.
  const commands = parseCommands(text);
  const first = commands.next();
  if (first.done || !commands.next().done) return null;
  const r = first.value;
  if (!r.ok || r.program.body.items.length !== 1) return null;
  const item = r.program.body.items[0]!;
  if (item.background || item.rest.length || item.first.negated || item.first.commands.length !== 1) return null;
  const cmd = item.first.commands[0]!;
  return cmd.kind === 'SimpleCommand' && cmd.words.length > 0 ? { program: r.program, cmd } : null;
}

/** Run a script or -c text one complete command at a time, as sh does. */
async function runText(sh: Interpreter, text: string, label: string | null): Promise<number> {
  const single = label === '-c' ? singleSimpleCommand(text) : null;
  if (single) {
    const { program, cmd } = single;
    const status = await sh.within(program, async (): Promise<number | null> => {
      try {
        const argv = await sh.expandArgv(cmd.words);
        if (argv.length > 0 && !sh.state.functions.has(argv[0]!) && !lookupBuiltin(argv[0]!)) {
          return await sh.exec(cmd, argv);
        }
      } catch (e) {
        if (e instanceof ExitSignal || e instanceof ErrexitSignal) return e.status;
        // An expansion error here (`sh -c 'echo ${x:?}'`, `$((1/0))`) is the script's error, reported
        // as the full path reports it (and a non-interactive shell exits 1).
        if (e instanceof ExpansionError) {
          await sh.error(e.message, cmd);
          return 1;
        }
        if (!(e instanceof ShellError)) throw e;
      }
      return null;
    });
    if (status !== null) return status;
  }
  try {
    for (const r of parseCommands(text)) {
      if (!r.ok) {
        const where = label ? `${sh.state.name}: ${label}: line ${r.error.line}: ` : sh.scriptName ? `${sh.scriptName}: line ${r.error.line}: ` : `sh: line ${r.error.line}: `;
        await eprint(sh.sys, `${where}${r.error.message}\n`);
        return 2;
      }
      await runTop(sh, r.program);
    }
    return sh.state.lastStatus;
  } catch (e) {
    if (e instanceof ExitSignal || e instanceof ErrexitSignal) return e.status;
    throw e;
  }
}

/** One top-level command: shell errors are reported and the script goes on. */
async function runTop(sh: Interpreter, program: Program): Promise<number> {
  try {
    return await sh.runProgram(program);
  } catch (e) {
    if (e instanceof ShellError) {
      await sh.error(e.message);
      sh.state.lastStatus = e.status;
      if (e.fatal && !sh.interactive) throw new ExitSignal(e.status);
      return e.status;
    }
    // The safety net: a system call failure the interpreter did not expect ends this command with
    // its errno's message, never the shell with a JavaScript exception (a crash in the kernel log).
    if (isSysError(e)) {
      await sh.error(e.message);
      sh.state.lastStatus = 1;
      return 1;
    }
    throw e;
  }
}

/** A subshell: a copy of the parent shell's state and one command (or program) to run. */
async function subshell(sys: Sys): Promise<number> {
  let payload: SubshellPayload;
  try {
    payload = JSON.parse(sys.forkImage() ?? '') as SubshellPayload;
  } catch {
    await eprint(sys, 'sh: --subshell: no state to start from (only a shell forks one)\n');
    return 2;
  }
  if (payload.message) await eprint(sys, payload.message);
  const state = ShellState.restore(payload.state);
  const sh = new Interpreter({ sys, state, interactive: false, scriptName: payload.scriptName ?? null, builtins: lookupBuiltin });
  await trapInterrupts(sys, sh);
  const node = payload.node;
  const program: Program =
    node.kind === 'Program'
      ? node
      : {
          kind: 'Program',
          span: node.span,
          source: payload.source,
          body: { kind: 'List', span: node.span, items: [{ kind: 'AndOr', span: node.span, first: { kind: 'Pipeline', span: node.span, negated: false, commands: [node as Command] }, rest: [], background: false }] },
        };
  try {
    return await runTop(sh, program);
  } catch (e) {
    if (e instanceof ExitSignal || e instanceof ErrexitSignal) return e.status;
    // `f() { (return 3); }`: return leaves the subshell with that status, as in bash; so does a
    // break or continue of a loop outside it.
    if (e instanceof ReturnSignal) return e.status;
    if (e instanceof BreakSignal || e instanceof ContinueSignal) return 0;
    throw e;
  }
}

/**
 * The prompt: host and working directory, Haiku style ("haiku:~> "); a user other than root (Haiku's
 * one user) is named in front, as "bob@haiku:~> " (or the uid when /etc/passwd has no name), so
 * that a shell from su shows whose it is.
 */
async function prompt(sys: Sys, sh: Interpreter, names: () => Promise<NameDb>): Promise<string> {
  const ps1 = sh.getVar('PS1');
  const host = (await sys.uname()).nodename;
  const home = sh.getVar('HOME') ?? '/boot/home';
  const cwd = await sys.getcwd();
  const w = cwd === home ? '~' : cwd.startsWith(home + '/') ? `~${cwd.slice(home.length)}` : cwd;
  const uid = sys.getuid();
  const user = uid === 0 ? '' : `${(await names()).user(uid) ?? uid}@`;
  if (ps1 === undefined) return `${user}${host}:${w}> `;
  return ps1.replace(/\\h/g, host).replace(/\\w/g, w).replace(/\\u/g, sh.getVar('USER') ?? 'user').replace(/\\\$/g, sys.getuid() === 0 ? '#' : '$');
}

async function repl(sys: Sys, sh: Interpreter): Promise<number> {
  try {
    return await prompts(sys, sh);
  } finally {
    await sh.jobs.hangUpStopped();
  }
}

async function prompts(sys: Sys, sh: Interpreter): Promise<number> {
  await sys.setpgid(0, 0).catch(() => {});
  sh.pgid = await sys.getpgid(0);
  await sys.tcsetpgrp(0, sh.pgid).catch(() => {});
  // ^C reaches the shell itself only while it runs a line in its own process (a loop of
  // builtins); jobs have the terminal to themselves. The interpreter stops the line.
  await sys.sigaction(SIGINT, () => {
    sh.interrupted = true;
  });
  await sys.sigaction(SIGTERM, 'SIG_IGN');
  await sys.sigaction(SIGQUIT, 'SIG_IGN');
  // As bash: ^Z stops jobs, never the interactive shell itself (its builtins included).
  for (const s of [SIGTSTP, SIGTTIN, SIGTTOU]) await sys.sigaction(s, 'SIG_IGN');
  const dec = new TextDecoder();
  // The accounts, read at the first prompt that names a user.
  let db: NameDb | undefined;
  const names = async () => (db ??= await loadNames(sys));
  for (;;) {
    for (const line of await sh.jobs.notifications()) await writeAll(sys, 2, line + '\n');
    let text = '';
    let ps = await prompt(sys, sh, names);
    for (;;) {
      await writeAll(sys, 2, ps);
      const line = await readLine(sys, dec);
      if (line === 'interrupted') {
        sh.interrupted = false;
        text = '';
        ps = await prompt(sys, sh, names);
        continue;
      }
      if (line === null) {
        if (text === '') {
          if (!sh.jobs.mayLeave()) {
            await writeAll(sys, 2, 'There are stopped jobs.\n');
            ps = await prompt(sys, sh, names);
            continue;
          }
          await writeAll(sys, 2, 'exit\n');
          return sh.state.lastStatus;
        }
        break;
      }
      text += line;
      const r = parse(text);
      if (r.ok || !r.incomplete) break;
      ps = sh.getVar('PS2') ?? '> ';
    }
    if (!text.trim()) continue;
    sh.history.push(text.replace(/\n$/, ''));
    const r = parse(text);
    if (!r.ok) {
      await writeAll(sys, 2, `sh: ${r.error.message}\n`);
      sh.state.lastStatus = 2;
      continue;
    }
    try {
      sh.interrupted = false;
      await runTop(sh, r.program);
      sh.jobs.lineRan();
    } catch (e) {
      if (e instanceof ExitSignal) return e.status;
      if (e instanceof ErrexitSignal) return e.status;
      if (e instanceof InterruptSignal) {
        sh.state.lastStatus = 130;
        continue;
      }
      throw e;
    }
  }
}

/** One line from the terminal (with its newline), null at end of file, 'interrupted' on ^C. */
async function readLine(sys: Sys, dec: { decode(b: Uint8Array, o?: { stream?: boolean }): string }): Promise<string | null | 'interrupted'> {
  let line = '';
  for (;;) {
    let chunk: Uint8Array;
    try {
      chunk = await sys.read(0, 4096);
    } catch (e) {
      if (isSysError(e, 'EINTR')) return 'interrupted';
      throw e;
    }
    if (chunk.length === 0) return line === '' ? null : line;
    line += dec.decode(chunk, { stream: true });
    if (line.endsWith('\n')) return line;
  }
}
