// The shell's evaluator: it walks the AST, expands words, runs builtins and functions in its own
// process and everything else in child processes, connected by kernel pipes. Anything that must
// not change the shell itself (a pipeline stage that is a builtin, a subshell, `$(...)`, a
// background compound command) runs in a subshell: a new sh process given a copy of this shell's
// state, as fork() would give it.

import { isSysError } from '../../../kernel/abi/errno.js';
import { F_SETFD, FD_CLOEXEC, O_CLOEXEC, O_RDONLY } from '../../../kernel/abi/fcntl.js';
import type { FileAction, Sys } from '../../../kernel/abi/syscalls.js';
import { type ExpansionContext, ExpansionError, expandPattern, expandWord, expandWords, lineAt, matchPattern } from '../index.js';
import type { AndOr, Command, CompoundCommand, List, Pipeline, Program, Redirection, SimpleCommand, Word } from '../index.js';
import { writeAll } from '../../lib/io.js';
import { execFailure, findExecutable, runsAsScript } from '../../lib/exec.js';
import { BreakSignal, ContinueSignal, ErrexitSignal, ExitSignal, InterruptSignal, ReturnSignal, ShellError } from './control.js';
import { expansionContext } from './expansion.js';
import { type Job, JobTable } from './jobs.js';
import { applyInPlace, closeAll, type Prepared, prepareRedirects, type RedirectHost } from './redirect.js';
import { ShellState } from './state.js';
import { resourceFailure, spawnSubshell, type SubshellPayload } from './subshell.js';

/** A builtin runs inside the shell's own process, with its fds (redirected for it) and its state. */
export type Builtin = (sh: Interpreter, argv: string[]) => Promise<number>;

export interface ShellConfig {
  sys: Sys;
  state: ShellState;
  interactive: boolean;
  /** For messages: "sh" or the script's name. */
  scriptName: string | null;
  /**
   * The builtins, by name (sh/builtins: the shell program hands them in). With job control some
   * are none (sleep: the program runs, as a job ^Z can stop).
   */
  builtins: (name: string, jobControl: boolean) => Builtin | undefined;
}

export class Interpreter implements RedirectHost {
  readonly sys: Sys;
  readonly state: ShellState;
  interactive: boolean;
  readonly jobs: JobTable;
  scriptName: string | null;
  /** Inside an if/while condition or a non-final &&/|| operand: set -e does not fire there. */
  private conditionDepth = 0;
  private functionDepth = 0;
  private readonly locals: Array<Map<string, string | undefined>> = [];
  private program: Program | null = null;
  private tempCounter = 0;
  /** Lines typed in this session, for `history` (kept in the state, so a subshell has them too). */
  get history(): string[] {
    return this.state.history;
  }
  /** Job control: an interactive shell has it, any other with set -m (each job its own group). */
  get jobControl(): boolean {
    return this.interactive || this.state.options.monitor;
  }

  /** set -m turned job control on: the jobs' groups come back to the shell's own. */
  async jobControlOn(): Promise<void> {
    if (this.pgid === 0) this.pgid = await this.sys.getpgid(0);
  }

  /** A SIGINT arrived (non-interactive shells stop at the next command). */
  interrupted = false;
  pgid = 0;
  private readonly builtins: (name: string, jobControl: boolean) => Builtin | undefined;

  constructor(cfg: ShellConfig) {
    this.builtins = cfg.builtins;
    this.sys = cfg.sys;
    this.state = cfg.state;
    this.interactive = cfg.interactive;
    this.scriptName = cfg.scriptName;
    this.jobs = new JobTable(
      this.sys,
      () => this.jobControl,
      () => this.pgid,
      (line) => writeAll(this.sys, 2, this.interactive ? `${line}\n` : `${this.where()}${line}\n`).then(() => {}, () => {}),
    );
  }

  // ------------------------------------------------------------------ messages

  /** "sh: msg", or "script: line N: msg" in a script. */
  async error(message: string, node?: { span: { start: number } }): Promise<void> {
    await writeAll(this.sys, 2, this.errorText(message, node)).catch(() => {});
  }

  private errorText(message: string, node?: { span: { start: number } }): string {
    return `${this.where(node)}${message}\n`;
  }

  /** The simple command running now: what a builtin or a killed job reports points at its line. */
  private running: { span: { start: number } } | undefined;

  /** Lines before the program's first: text that eval runs counts from the eval's own line. */
  private lineBase = 0;

  /** The prefix of an error line: "sh: ", or "script: line N: " in a script. */
  where(node = this.running): string {
    return this.scriptName && this.program && node ? `${this.scriptName}: line ${this.lineBase + lineAt(this.program.source, node.span.start)}: ` : `${this.state.name}: `;
  }

  /** eval: the text's error lines are the eval command's line (and after), as in bash. */
  async runEval(program: Program): Promise<number> {
    return this.numbered(this.scriptName, this.program && this.running ? this.lineBase + lineAt(this.program.source, this.running.span.start) - 1 : 0, () => this.runProgram(program));
  }

  /** `. FILE`: error lines name the file and count its own lines. */
  async runSourced(file: string, program: Program): Promise<number> {
    return this.numbered(file, 0, () => this.runProgram(program));
  }

  private async numbered<T>(scriptName: string | null, lineBase: number, body: () => Promise<T>): Promise<T> {
    const saved = [this.scriptName, this.lineBase] as const;
    [this.scriptName, this.lineBase] = [scriptName, lineBase];
    try {
      return await body();
    } finally {
      [this.scriptName, this.lineBase] = saved;
    }
  }

  // ------------------------------------------------------------------ running programs

  async runProgram(program: Program): Promise<number> {
    return this.within(program, async () => (this.state.lastStatus = await this.runList(program.body)));
  }

  /** Run `body` as part of `program`: its error lines index into that program's text. */
  async within<T>(program: Program, body: () => Promise<T>): Promise<T> {
    const prev = this.program;
    this.program = program;
    try {
      return await body();
    } finally {
      this.program = prev;
    }
  }

  async runList(list: List): Promise<number> {
    let status = this.state.lastStatus;
    for (const item of list.items) {
      // Each command is a step of computation: a script or a loop of builtins makes no system call
      // of its own, and must still let the machine run, be charged its time, and hear ^C.
      await this.sys.preemptible();
      if (this.interrupted) {
        if (!this.interactive) throw new ExitSignal(130);
        this.interrupted = false;
        throw new InterruptSignal();
      }
      status = item.background ? await this.runBackground(item) : await this.runAndOr(item);
      this.state.lastStatus = status;
    }
    return status;
  }

  private async runAndOr(node: AndOr): Promise<number> {
    const parts = [{ op: '&&' as const, pipeline: node.first }, ...node.rest];
    let status = 0;
    for (let i = 0; i < parts.length; i++) {
      const { op, pipeline } = parts[i]!;
      if (i > 0 && (op === '&&' ? status !== 0 : status === 0)) continue;
      const last = i === parts.length - 1;
      if (!last) this.conditionDepth++;
      try {
        status = await this.runPipeline(pipeline);
      } finally {
        if (!last) this.conditionDepth--;
      }
      this.state.lastStatus = status;
      if (last && status !== 0 && !pipeline.negated) this.checkErrexit(status);
    }
    return status;
  }

  private checkErrexit(status: number): void {
    if (this.state.options.errexit && this.conditionDepth === 0) throw new ErrexitSignal(status);
  }

  private text(node: { span: { start: number; end: number } }): string {
    return this.program ? this.program.source.slice(node.span.start, node.span.end) : '';
  }

  private async runPipeline(p: Pipeline): Promise<number> {
    let status: number;
    if (p.negated) this.conditionDepth++;
    try {
      if (p.commands.length === 1) status = await this.runCommand(p.commands[0]!);
      else {
        const job = await this.startPipeline(p.commands, this.text(p));
        status = await this.jobs.wait(job, this.state.options.pipefail, true);
      }
    } finally {
      if (p.negated) this.conditionDepth--;
    }
    return p.negated ? (status === 0 ? 1 : 0) : status;
  }

  /** Start every stage of a pipeline, each reading the previous one's pipe. */
  private async startPipeline(commands: readonly Command[], text: string, background = false): Promise<Job> {
    const sys = this.sys;
    const pids: number[] = [];
    let pgid = 0;
    let input = -1;
    try {
      for (let i = 0; i < commands.length; i++) {
        let output = -1;
        let nextInput = -1;
        if (i < commands.length - 1) {
          [nextInput, output] = await sys.pipe().catch((e: unknown) => Promise.reject(resourceFailure(e, 'pipe error')));
          await sys.fcntl(nextInput, F_SETFD, FD_CLOEXEC);
          await sys.fcntl(output, F_SETFD, FD_CLOEXEC);
        }
        const stdio: FileAction[] = [];
        if (input >= 0) stdio.push({ dup2: [input, 0] });
        if (output >= 0) stdio.push({ dup2: [output, 1] });
        // POSIX: without job control, an asynchronous list reads /dev/null, not the shell's stdin.
        let devNull = -1;
        if (background && input < 0 && !this.jobControl) {
          devNull = await sys.open('/dev/null', O_RDONLY | O_CLOEXEC);
          stdio.push({ dup2: [devNull, 0] });
        }
        let pid: number;
        try {
          pid = await this.startCommand(commands[i]!, stdio, pgid, !background);
        } finally {
          if (devNull >= 0) await sys.close(devNull);
        }
        pids.push(pid);
        if (this.jobControl && pgid === 0) pgid = pid;
        if (input >= 0) await sys.close(input);
        if (output >= 0) await sys.close(output);
        input = nextInput;
      }
    } finally {
      if (input >= 0) await sys.close(input).catch(() => {});
    }
    return background ? this.jobs.add(pids, pgid || this.pgid, text) : this.jobs.make(pids, pgid || this.pgid, text);
  }

  /** Start one command as a child: an external program directly, anything else in a subshell. */
  /**
   * The process-group options of a job's child. An interactive shell gives each job its own group,
   * and a foreground job's first child takes the terminal as it starts, so that it never reads
   * the terminal before it is its own (and is stopped with SIGTTIN for it).
   */
  private groupOpts(pgid: number, foreground: boolean): { pgid?: number; tcsetpgrp?: number } {
    if (!this.jobControl) return {};
    return foreground && pgid === 0 ? { pgid, tcsetpgrp: 0 } : { pgid };
  }

  private async startCommand(cmd: Command, stdio: FileAction[], pgid: number, foreground: boolean): Promise<number> {
    const pgidOpt = this.groupOpts(pgid, foreground);
    if (cmd.kind === 'SimpleCommand' && cmd.words.length > 0) {
      const argv = await this.expandArgv(cmd.words);
      const name = argv[0];
      if (name !== undefined && !this.state.functions.has(name) && !this.lookupBuiltin(name)) {
        const env = await this.commandEnv(cmd);
        const prep = await prepareRedirects(this, cmd.redirects);
        let path = name;
        const opts = { env, fileActions: [...stdio, ...prep.actions], ...pgidOpt };
        try {
          path = await findExecutable(this.sys, name);
          return await this.sys.spawn(path, argv, opts);
        } catch (e) {
          if (!isSysError(e)) throw e;
          const failure = resourceFailure(e, 'fork');
          if (failure !== e) throw failure;
          // A text file without #!: a script for sh, as POSIX shells run one.
          if (await runsAsScript(this.sys, path, e)) return await this.sys.spawn('/bin/sh', ['sh', path, ...argv.slice(1)], opts);
          // Like a forked child whose exec failed: say why, report 127 or 126. The child says it,
          // on stderr as the command's redirections left it: `nosuch 2>/dev/null` is silent, as
          // in bash.
          const f = await execFailure(this.sys, name, e);
          return await this.startFailed(f.status, [...stdio, ...prep.actions], this.errorText(f.message, cmd));
        } finally {
          await closeAll(this.sys, prep.opened);
        }
      }
    }
    return this.startSubshell(cmd, stdio, pgid, foreground);
  }

  /** A stand-in child that exits at once with `status`, so a pipeline keeps its shape. */
  private async startFailed(status: number, stdio: FileAction[], message: string): Promise<number> {
    const body: Program = { kind: 'Program', span: { start: 0, end: 0 }, source: `exit ${status}`, body: { kind: 'List', span: { start: 0, end: 0 }, items: [] } };
    return this.spawnSubshell({ state: this.stateWithStatus(status), source: '', node: body, message }, stdio, 0);
  }

  private stateWithStatus(status: number): string {
    const prev = this.state.lastStatus;
    this.state.lastStatus = status;
    try {
      return this.state.serialize();
    } finally {
      this.state.lastStatus = prev;
    }
  }

  async startSubshell(node: Command | Program, stdio: FileAction[], pgid: number, foreground = false): Promise<number> {
    // The child is the subshell: it runs the body, it does not start another one.
    if (node.kind === 'Subshell') node = { kind: 'BraceGroup', span: node.span, body: node.body, redirects: node.redirects };
    return this.spawnSubshell({ state: this.state.serialize(), source: this.program?.source ?? '', node, scriptName: this.scriptName }, stdio, pgid, foreground);
  }

  private spawnSubshell(payload: SubshellPayload, stdio: FileAction[], pgid: number, foreground = false): Promise<number> {
    return spawnSubshell(this.sys, payload, { env: this.state.environment(), fileActions: stdio, ...this.groupOpts(pgid, foreground) });
  }

  private async runBackground(item: AndOr): Promise<number> {
    await this.jobs.reapFinished();
    const text = this.text(item);
    const single = item.rest.length === 0 ? item.first : null;
    let job: Job;
    if (single && !single.negated) job = await this.startPipeline(single.commands, text, true);
    else {
      const wrapper: Command = { kind: 'BraceGroup', span: item.span, body: { kind: 'List', span: item.span, items: [{ ...item, background: false }] }, redirects: [] };
      job = await this.startPipeline([wrapper], text, true);
    }
    this.state.lastBackground = String(job.pids[job.pids.length - 1]);
    if (this.interactive) await writeAll(this.sys, 2, `[${job.id}] ${job.pids[job.pids.length - 1]}\n`);
    return 0;
  }

  // ------------------------------------------------------------------ commands

  async runCommand(cmd: Command): Promise<number> {
    switch (cmd.kind) {
      case 'SimpleCommand':
        return this.runSimple(cmd);
      case 'FunctionDef':
        this.state.functions.set(cmd.name, { def: cmd, program: this.program! });
        return 0;
      default:
        return this.withRedirects(cmd.redirects, () => this.runCompound(cmd));
    }
  }

  private async runCompound(cmd: CompoundCommand): Promise<number> {
    switch (cmd.kind) {
      case 'BraceGroup':
        return this.runList(cmd.body);
      case 'Subshell': {
        // The child runs the body itself (as a group), not the subshell node again.
        const pid = await this.startSubshell({ kind: 'BraceGroup', span: cmd.span, body: cmd.body, redirects: [] }, [], this.jobControl ? 0 : this.pgid, true);
        const job = this.jobs.make([pid], this.jobControl ? pid : this.pgid, this.text(cmd));
        return this.jobs.wait(job, false, true);
      }
      case 'If': {
        for (const clause of cmd.clauses) {
          if ((await this.condition(clause.condition)) === 0) return this.runList(clause.body);
        }
        return cmd.elseBody ? this.runList(cmd.elseBody) : 0;
      }
      case 'While':
        return this.runLoop(async () => {
          // The condition is inside the loop too: `while break; do ...` leaves it.
          const c = await this.condition(cmd.condition);
          if (cmd.until ? c === 0 : c !== 0) return null;
          return this.runList(cmd.body);
        });
      case 'For': {
        const items = cmd.words === null ? [...this.state.positional] : await this.expandArgv(cmd.words);
        let next = 0;
        return this.runLoop(async () => {
          if (next >= items.length) return null;
          this.setVar(cmd.name, items[next++]!);
          return this.runList(cmd.body);
        });
      }
      case 'Case': {
        const word = await expandWord(cmd.word, this.expansion());
        let fallthrough = false;
        let status = 0;
        for (let i = 0; i < cmd.items.length; i++) {
          const item = cmd.items[i]!;
          let matched = fallthrough;
          if (!matched) {
            for (const p of item.patterns) {
              if (matchPattern(await expandPattern(p, this.expansion()), word)) {
                matched = true;
                break;
              }
            }
          }
          if (!matched) continue;
          status = await this.runList(item.body);
          if (item.terminator === ';;') return status;
          fallthrough = item.terminator === ';&';
        }
        return status;
      }
    }
  }

  private async condition(list: List): Promise<number> {
    this.conditionDepth++;
    try {
      return await this.runList(list);
    } finally {
      this.conditionDepth--;
    }
  }

  private async withRedirects(redirects: readonly Redirection[], body: () => Promise<number>): Promise<number> {
    if (redirects.length === 0) return body();
    let prep: Prepared;
    try {
      prep = await prepareRedirects(this, redirects);
    } catch (e) {
      if (e instanceof ShellError) {
        await this.error(e.message, redirects[0]);
        return 1;
      }
      throw e;
    }
    let undo: () => Promise<void>;
    try {
      undo = await applyInPlace(this.sys, prep.actions);
    } catch (e) {
      await closeAll(this.sys, prep.opened);
      if (e instanceof ShellError) {
        await this.error(e.message, redirects[0]);
        return 1;
      }
      throw e;
    }
    await closeAll(this.sys, prep.opened);
    try {
      return await body();
    } finally {
      await undo();
    }
  }

  private async runSimple(cmd: SimpleCommand): Promise<number> {
    const outer = this.running;
    this.running = cmd;
    try {
      return await this.runSimpleHere(cmd);
    } finally {
      this.running = outer;
    }
  }

  private async runSimpleHere(cmd: SimpleCommand): Promise<number> {
    let argv: string[];
    try {
      argv = await this.expandArgv(cmd.words);
    } catch (e) {
      return this.expansionFailed(e, cmd);
    }
    if (argv.length === 0) {
      // Assignments (and redirections) alone change the shell itself.
      try {
        for (const a of cmd.assignments) {
          const v = await expandWord(a.value, this.expansion());
          this.setVar(a.name, a.append ? (this.getVar(a.name) ?? '') + v : v);
        }
      } catch (e) {
        return this.expansionFailed(e, cmd);
      }
      const status = cmd.redirects.length ? await this.withRedirects(cmd.redirects, async () => 0) : 0;
      return cmd.words.length > 0 ? status : this.substitutionStatus ?? status;
    }
    if (this.state.options.xtrace) await writeAll(this.sys, 2, `+ ${argv.map(xtraceQuote).join(' ')}\n`);
    if (argv[0] === 'exec') return this.exec({ ...cmd, words: cmd.words.slice(1) }, argv.slice(1));
    const name = argv[0]!;
    const fn = this.state.functions.get(name);
    const builtin = fn ? undefined : this.lookupBuiltin(name);
    if (fn || builtin) {
      // Prefix assignments hold for the duration of the call.
      const saved = new Map<string, string | undefined>();
      try {
        for (const a of cmd.assignments) {
          saved.set(a.name, this.getVar(a.name));
          this.setVar(a.name, await expandWord(a.value, this.expansion()));
        }
      } catch (e) {
        return this.expansionFailed(e, cmd);
      }
      try {
        return await this.withRedirects(cmd.redirects, () => (fn ? this.callFunction(fn, argv) : builtin!(this, argv)));
      } finally {
        for (const [k, v] of saved) {
          if (v === undefined) this.state.unset(k);
          else this.setVar(k, v);
        }
      }
    }
    let pid: number;
    try {
      pid = await this.startCommand(cmd, [], 0, true);
    } catch (e) {
      if (e instanceof ShellError) {
        await this.error(e.message, cmd);
        return 1;
      }
      return this.expansionFailed(e, cmd);
    }
    const job = this.jobs.make([pid], this.jobControl ? pid : this.pgid, this.text(cmd));
    return this.jobs.wait(job, false, true);
  }

  /**
   * exec: with only redirections, they become the shell's own fds for good (`exec 3<file`);
   * with a command, the shell becomes it (execve): same pid, so signals reach the program.
   */
  async exec(cmd: SimpleCommand, args: string[]): Promise<number> {
    let prep: Prepared;
    try {
      prep = await prepareRedirects(this, cmd.redirects);
      await applyInPlace(this.sys, prep.actions, true);
    } catch (e) {
      if (e instanceof ShellError) {
        await this.error(e.message, cmd);
        return 1;
      }
      throw e;
    }
    await closeAll(this.sys, prep.opened);
    if (args.length === 0) return 0;
    const name = args[0]!;
    if (this.state.functions.has(name) || this.lookupBuiltin(name)) {
      // A builtin cannot replace the process: run it, then end with its status.
      throw new ExitSignal(await this.runSimple({ ...cmd, redirects: [] }));
    }
    const env = await this.commandEnv(cmd);
    let path = name;
    try {
      path = await findExecutable(this.sys, name);
      return await this.sys.execve(path, args, env);
    } catch (e) {
      if (!isSysError(e)) throw e;
      if (await runsAsScript(this.sys, path, e)) return this.sys.execve('/bin/sh', ['sh', path, ...args.slice(1)], env);
      const f = await execFailure(this.sys, name, e);
      await this.error(f.message, cmd);
      throw new ExitSignal(f.status);
    }
  }

  /** The status of the last command substitution, which `x=$(false)` reports. */
  substitutionStatus: number | null = null;

  private async expansionFailed(e: unknown, node: { span: { start: number } }): Promise<number> {
    if (e instanceof ExpansionError || e instanceof ShellError) {
      await this.error(e.message, node);
      // POSIX: an expansion error exits a non-interactive shell.
      if (!this.interactive) throw new ExitSignal(1);
      return 1;
    }
    throw e;
  }

  async callFunction(fn: { def: { body: CompoundCommand }; program: Program }, argv: string[]): Promise<number> {
    if (this.functionDepth >= 1000) throw new ShellError(`${argv[0]}: maximum function nesting level exceeded (1000)`);
    const savedPositional = this.state.positional;
    const savedProgram = this.program;
    const savedRunning = this.running;
    this.state.positional = argv.slice(1);
    this.program = fn.program;
    // The call site lies in the caller's text: nothing in the body may take its line from it.
    this.running = undefined;
    this.functionDepth++;
    this.state.returnable++;
    this.locals.push(new Map());
    try {
      return await this.runCommand(fn.def.body);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.status;
      throw e;
    } finally {
      this.state.returnable--;
      const scope = this.locals.pop()!;
      for (const [k, v] of scope) {
        if (v === undefined) this.state.unset(k);
        else this.state.set(k, v);
      }
      this.functionDepth--;
      this.program = savedProgram;
      this.running = savedRunning;
      this.state.positional = savedPositional;
    }
  }

  /** `local NAME[=value]`: the variable goes back to its old value when the function returns. */
  makeLocal(name: string): boolean {
    const scope = this.locals[this.locals.length - 1];
    if (!scope) return false;
    if (!scope.has(name)) scope.set(name, this.state.get(name));
    return true;
  }

  // ------------------------------------------------------------------ expansion

  /**
   * Turns of a loop until `turn` returns null; the loop's status is its last body's. break and
   * continue land here (a level count above one passes them on), and `state.loops` says how many
   * loops the shell is in.
   */
  private async runLoop(turn: () => Promise<number | null>): Promise<number> {
    let status = 0;
    this.state.loops++;
    try {
      for (;;) {
        try {
          // A loop of builtins (`while :; do :; done`) makes no system call: each turn is a step
          // where it may be preempted, so ^C, the terminal and every other process get in.
          await this.sys.preemptible();
          const s = await turn();
          if (s === null) return status;
          status = s;
        } catch (e) {
          if (e instanceof BreakSignal) {
            if (--e.levels > 0) throw e;
            return status;
          }
          if (e instanceof ContinueSignal) {
            if (--e.levels > 0) throw e;
            continue;
          }
          throw e;
        }
      }
    } finally {
      this.state.loops--;
    }
  }

  private lookupBuiltin(name: string): Builtin | undefined {
    return this.builtins(name, this.jobControl);
  }

  /** Is `name` one of the shell's builtins? (For `type`, which the builtins table cannot import.) */
  isBuiltin(name: string): boolean {
    return this.lookupBuiltin(name) !== undefined;
  }

  getVar(name: string): string | undefined {
    return this.state.get(name);
  }

  setVar(name: string, value: string): void {
    this.state.set(name, value);
  }

  private async commandEnv(cmd: SimpleCommand): Promise<Record<string, string>> {
    const env = this.state.environment();
    for (const a of cmd.assignments) env[a.name] = await expandWord(a.value, this.expansion());
    return env;
  }

  async expandArgv(words: readonly Word[]): Promise<string[]> {
    return expandWords(words, this.expansion());
  }

  expansion(): ExpansionContext {
    return expansionContext(this);
  }

  async expandTarget(r: Redirection & { kind: 'Redirect' }): Promise<string> {
    const fields = await expandWords([r.target], this.expansion());
    if (fields.length !== 1) throw new ShellError(`${this.text(r.target) || '""'}: ambiguous redirect`);
    return fields[0]!;
  }

  async expandHereDoc(r: Redirection & { kind: 'HereDoc' }): Promise<string> {
    return expandWord(r.body, this.expansion());
  }

  async expandHereString(r: Redirection & { kind: 'Redirect' }): Promise<string> {
    return expandWord(r.target, this.expansion());
  }

  tempName(): string {
    return `/tmp/sh-${this.sys.pid}-${this.tempCounter++}`;
  }
}

function xtraceQuote(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

export { ShellState, ExitSignal, ErrexitSignal, ReturnSignal, BreakSignal, ContinueSignal, ShellError };
