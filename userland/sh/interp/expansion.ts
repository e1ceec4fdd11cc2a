// What the word expander (sh/expand.ts) asks of the running shell: its variables and special
// parameters, pathname expansion over the file system, and command substitution, which runs the
// program in a subshell and reads what it writes.

import { F_SETFD, FD_CLOEXEC } from '../../../kernel/abi/fcntl.js';
import type { FileAction, Sys } from '../../../kernel/abi/syscalls.js';
import { readAll } from '../../lib/io.js';
import { type ExpansionContext, expandPathname, type Program } from '../index.js';
import type { JobTable } from './jobs.js';
import type { ShellState } from './state.js';

/** The shell as expansion sees it (the Interpreter). */
export interface ExpansionHost {
  readonly sys: Sys;
  readonly state: ShellState;
  readonly interactive: boolean;
  readonly jobs: JobTable;
  readonly pgid: number;
  /** The status of the last command substitution, which `x=$(false)` reports. */
  substitutionStatus: number | null;
  startSubshell(node: Program, stdio: FileAction[], pgid: number): Promise<number>;
}

export function expansionContext(sh: ExpansionHost): ExpansionContext {
  const st = sh.state;
  return {
    getVar: (n) => st.get(n),
    setVar: (n, v) => st.set(n, v),
    positional: st.positional,
    special: { '?': String(st.lastStatus), $: String(st.shellPid), '!': st.lastBackground, '0': st.name, '-': st.flags(sh.interactive) },
    home: st.get('HOME') ?? '/boot/home',
    nounset: st.options.nounset,
    noglob: st.options.noglob,
    commandSubstitution: (program) => commandSubstitution(sh, program),
    glob: (pattern) =>
      expandPathname(pattern, {
        readdir: async (path) => {
          try {
            return (await sh.sys.readdir(path)).map((d) => d.d_name);
          } catch {
            return null;
          }
        },
      }),
  };
}

/** `$(...)`: the program's output, run in a subshell; its status is the shell's substitutionStatus. */
async function commandSubstitution(sh: ExpansionHost, program: Program): Promise<string> {
  const sys = sh.sys;
  const [r, w] = await sys.pipe();
  await sys.fcntl(r, F_SETFD, FD_CLOEXEC);
  await sys.fcntl(w, F_SETFD, FD_CLOEXEC);
  let pid: number;
  try {
    pid = await sh.startSubshell(program, [{ dup2: [w, 1] }], sh.pgid);
  } finally {
    await sys.close(w);
  }
  let data: Uint8Array;
  try {
    data = await readAll(sys, r);
  } finally {
    await sys.close(r);
  }
  sh.substitutionStatus = await sh.jobs.wait(sh.jobs.make([pid], sh.pgid, '$(...)'), false, false);
  return new TextDecoder().decode(data);
}
