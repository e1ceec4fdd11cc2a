// The interactive session: a shell on a real-time world, shown through the ink terminal. This is
// the host side of the emulation, so it may look into kernel state (for tab completion) where a
// program could only make syscalls.

import chalk from 'chalk';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { shellStatus } from '../kernel/abi/wait.js';
import type { Terminal } from '../kernel/drivers/tty/tty.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Process } from '../kernel/proc/process.js';
import { BUILTINS } from '../userland/sh/builtins/index.js';
import type { CompletionSource, HistoryStore, TerminalPort } from '../userland/terminal/port.js';
import { runTerminal } from '../userland/terminal/run.js';
import { terminalColorLevel } from './color.js';
import type { Session } from './session.js';

/** The session side of the kernel's terminal, holding output until the screen is ready for it. */
export function terminalPort(t: Terminal, shell: Process): TerminalPort {
  const early: Uint8Array[] = [];
  t.onOutput = (d) => void early.push(d.slice());
  let waiting = false;
  t.onReadStateChange = (w) => {
    waiting = w;
  };
  return {
    type: (text) => t.type(text),
    endOfFile: () => t.endOfFile(),
    interrupt: () => t.interrupt(),
    suspend: () => t.suspend(),
    onShellLine(listener) {
      t.onLineRead = (line, reader) => {
        if (reader === shell) listener(line.replace(/\n$/, ''));
      };
    },
    resize: (size) => t.resize(size),
    onOutput(listener) {
      t.onOutput = listener;
      for (const d of early.splice(0)) listener(d);
    },
    onReadStateChange(listener) {
      t.onReadStateChange = listener;
      listener(waiting || t.readersWaiting > 0);
    },
    onModeChange(listener) {
      t.onModeChange = listener;
      listener(t.canonical);
    },
  };
}

export function completionSource(k: Kernel, shell: Process): CompletionSource {
  return {
    async listDir(dir) {
      try {
        const r = k.vfs.resolve(shell.cwd, dir);
        return r.fs.readdir(r.rel, shell).map((e) => (e.d_type === 0o040000 ? `${e.d_name}/` : e.d_name));
      } catch {
        return null;
      }
    },
    cwd: async () => shell.cwd,
    async commands() {
      const bin = (await this.listDir('/bin')) ?? [];
      return [...Object.keys(BUILTINS), ...bin];
    },
    interfaces: async () => [...k.net.interfaces.keys()],
    hosts: async () => k.world?.hostNames() ?? [k.name],
  };
}

/** History kept on the real disk, one file per world and host, so it survives the session. */
export function historyFile(world: string, host: string): HistoryStore {
  const dir = process.env['TUNLAB_STATE_DIR'] ?? path.join(process.env['XDG_STATE_HOME'] ?? path.join(os.homedir(), '.local', 'state'), 'tunlab');
  const file = path.join(dir, `history-${world}-${host}`);
  return {
    load() {
      try {
        return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    append(line) {
      try {
        fs.mkdirSync(dir, { recursive: true });
        fs.appendFileSync(file, line.replace(/\n/g, ' ') + '\n');
      } catch {
        // A read-only home must not break the terminal; history just does not persist.
      }
    },
  };
}

/** What the interactive terminal says first: what this is, where you are, how to go on and leave. */
export function banner(world: string, host: string): string {
  return (
    `tunlab: an emulated Haiku-like machine, host ${host} of the world "${world}" (real time).\n` +
    'Type `help` for the commands, `hosts` for the other machines; ^D at an empty prompt leaves.\n'
  );
}

export async function runInteractive(session: Session, color: boolean): Promise<number> {
  process.stdout.write(banner(session.built.spec.name, session.host.name));
  const { shell, terminal } = await session.startShell([], { tty: true });
  const port = terminalPort(terminal!, shell);
  // The user may type at any time: blocked processes are waiting for them, not deadlocked.
  const release = session.world.sched.holdExternal();
  const finished = session.run(() => !shell.alive).finally(release);
  const ui = runTerminal({
    port,
    completion: completionSource(session.host, shell),
    history: historyFile(session.built.spec.name, session.host.name),
    color: terminalColorLevel(color, process.env, chalk.level),
    done: finished,
  });
  await finished;
  await ui;
  const end = session.shellEnd(shell);
  if (end) process.stderr.write(`tunlab: ${end}\n`);
  return shellStatus(shell.status);
}
