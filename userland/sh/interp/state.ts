// What a shell remembers: variables (and which are exported), functions, positional parameters,
// options, the last status. A subshell is a separate process that starts with a copy of all of it,
// as fork() would give it; the copy travels in its fork image as JSON.

import { parse, type FunctionDef, type Program } from '../index.js';

export interface ShellOptions {
  /** set -e: exit when a command fails outside a condition. */
  errexit: boolean;
  /** set -x: print each command before running it. */
  xtrace: boolean;
  /** set -u: expanding an unset variable is an error. */
  nounset: boolean;
  /** set -f: no pathname expansion. */
  noglob: boolean;
  /** set -o pipefail: a pipeline fails if any command in it fails. */
  pipefail: boolean;
  /** set -m: job control in a shell that is not interactive (each job its own process group). */
  monitor: boolean;
}

export interface FunctionEntry {
  def: FunctionDef;
  program: Program;
}

export class ShellState {
  readonly vars = new Map<string, string>();
  readonly exported = new Set<string>();
  readonly functions = new Map<string, FunctionEntry>();
  positional: string[] = [];
  options: ShellOptions = { errexit: false, xtrace: false, nounset: false, noglob: false, pipefail: false, monitor: false };
  lastStatus = 0;
  /** $!: the pid of the last background job. */
  lastBackground = '';
  /** $$: the pid of the shell that started the session (a subshell keeps its parent's). */
  shellPid = 0;
  /** $0 */
  name = 'sh';
  /**
   * Functions and sourced scripts being run: `return` is allowed only inside one (elsewhere
   * nothing would catch it). It travels to subshells, where `return` leaves the subshell, as in
   * bash.
   */
  returnable = 0;
  /**
   * Loops being run (for, while, until): `break N` and `continue N` leave at most this many, and
   * outside any loop they only complain, as bash does (`sh -c break`, `break 99` in two loops).
   * It travels to subshells, which a break inside a loop leaves.
   */
  loops = 0;
  /** Lines typed at an interactive prompt in this session. */
  readonly history: string[] = [];

  get(name: string): string | undefined {
    return this.vars.get(name);
  }

  set(name: string, value: string): void {
    this.vars.set(name, value);
  }

  unset(name: string): void {
    this.vars.delete(name);
    this.exported.delete(name);
  }

  /** The environment a child process gets: the exported variables. */
  environment(): Record<string, string> {
    // No prototype: `export __proto__=1` is a variable like any other.
    const env = Object.create(null) as Record<string, string>;
    for (const n of this.exported) {
      const v = this.vars.get(n);
      if (v !== undefined) env[n] = v;
    }
    return env;
  }

  /** `$-`: the single-letter options that are on. */
  flags(interactive: boolean): string {
    let f = '';
    if (this.options.errexit) f += 'e';
    if (this.options.noglob) f += 'f';
    if (interactive) f += 'i';
    if (this.options.monitor || interactive) f += 'm';
    if (this.options.nounset) f += 'u';
    if (this.options.xtrace) f += 'x';
    return f;
  }

  serialize(): string {
    return JSON.stringify({
      vars: [...this.vars],
      exported: [...this.exported],
      functions: [...this.functions].map(([name, f]) => [name, f.program.source.slice(f.def.span.start, f.def.span.end)]),
      positional: this.positional,
      options: this.options,
      lastStatus: this.lastStatus,
      lastBackground: this.lastBackground,
      shellPid: this.shellPid,
      name: this.name,
      returnable: this.returnable,
      loops: this.loops,
      history: this.history,
    });
  }

  static restore(text: string): ShellState {
    const o = JSON.parse(text) as {
      vars: [string, string][];
      exported: string[];
      functions: [string, string][];
      positional: string[];
      options: ShellOptions;
      lastStatus: number;
      lastBackground: string;
      shellPid: number;
      name: string;
      returnable?: number;
      loops?: number;
      history?: string[];
    };
    const s = new ShellState();
    for (const [k, v] of o.vars) s.vars.set(k, v);
    for (const e of o.exported) s.exported.add(e);
    for (const [name, source] of o.functions) {
      const r = parse(source);
      const def = r.ok ? r.program.body.items[0]?.first.commands[0] : undefined;
      if (r.ok && def?.kind === 'FunctionDef') s.functions.set(name, { def, program: r.program });
    }
    s.positional = o.positional;
    // A subshell has no job control of its own, as bash's subshells turn it off.
    s.options = { ...o.options, monitor: false };
    s.lastStatus = o.lastStatus;
    s.lastBackground = o.lastBackground;
    s.shellPid = o.shellPid;
    s.name = o.name;
    s.returnable = o.returnable ?? 0;
    s.loops = o.loops ?? 0;
    s.history.push(...(o.history ?? []));
    return s;
  }
}
