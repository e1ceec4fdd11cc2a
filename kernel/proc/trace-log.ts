// strace's log, shared by the processes that write to one trace file. A call's line is written
// whole when nothing came between its start and its end. When another line comes first (another
// process of `strace -f`, or of `tunlab --trace`, made a call while this one blocked), strace has
// already written the start of this one: it ends it with ` <unfinished ...>` and, when the call
// returns, writes `<... read resumed>` and the rest. A process that dies inside a call gets
// `) = ?`, and a followed process's end is `+++ exited with N +++` or `+++ killed by SIG +++`.

import type { ErrnoName } from '../abi/errno.js';
import { SIGNAL_NAMES } from '../abi/signal.js';
import { callName, decodedAtEntry, formatEntry, formatResumed, formatSyscall } from '../abi/strace.js';
import { WEXITSTATUS, WIFSIGNALED, WTERMSIG } from '../abi/wait.js';
import type { OpenFile } from '../vfs/file.js';

/** A traced call between its start and its end. */
export interface TracedCall {
  readonly prefix: string;
  readonly name: string;
  readonly args: readonly unknown[];
}

/** What one trace file ends with: the start of a call not yet finished, or a whole line. */
interface LogState {
  open: TracedCall | null;
}

export class TraceLogs {
  private readonly logs = new WeakMap<OpenFile, LogState>();

  private state(sink: OpenFile): LogState {
    let s = this.logs.get(sink);
    if (!s) this.logs.set(sink, (s = { open: null }));
    return s;
  }

  /** Ends the line another call left open: strace's printleader() before a line of its own. */
  private closeOpen(s: LogState, call: TracedCall | null): string {
    const other = s.open;
    if (!other || other === call) return '';
    s.open = null;
    return `${other.prefix}${formatEntry(other.name, other.args)} <unfinished ...>\n`;
  }

  /** A call starts: its line is now the open one. Returns what must be written first, per sink. */
  enter(sinks: readonly OpenFile[], call: TracedCall): Array<[OpenFile, string]> {
    const out: Array<[OpenFile, string]> = [];
    for (const sink of sinks) {
      const s = this.state(sink);
      const text = this.closeOpen(s, call);
      s.open = call;
      if (text) out.push([sink, text]);
    }
    return out;
  }

  /** A call returns: its whole line, or `<... NAME resumed>` and the rest if its start was cut off. */
  leave(sinks: readonly OpenFile[], call: TracedCall | null, prefix: string, name: string, args: readonly unknown[], result: unknown, errno: ErrnoName | undefined): Array<[OpenFile, string]> {
    return sinks.map((sink) => {
      const s = this.state(sink);
      if (call === null || s.open === call) {
        s.open = null;
        return [sink, `${prefix}${formatSyscall(name, args, result, errno)}\n`];
      }
      return [sink, `${this.closeOpen(s, call)}${prefix}<... ${callName(name, args)} resumed>${formatResumed(name, args, result, errno)}\n`];
    });
  }

  /**
   * A process ends: the call it died in (`read(0,  <unfinished ...>) = ?`), then, where the tracer
   * reports it, `+++ exited with N +++` or `+++ killed by SIGKILL +++`.
   */
  died(sinks: ReadonlyArray<readonly [OpenFile, boolean]>, call: TracedCall | null, prefix: string, status: number): Array<[OpenFile, string]> {
    const out: Array<[OpenFile, string]> = [];
    for (const [sink, reportEnd] of sinks) {
      const s = this.state(sink);
      let text = '';
      if (call) {
        // strace's print_event_exit(): the call's start if it is still the open line, else its name.
        const cut = decodedAtEntry(call.name, call.args) ? '' : ' <unfinished ...>';
        if (s.open === call) text = `${call.prefix}${formatEntry(call.name, call.args)}${cut}) = ?\n`;
        else text = `${this.closeOpen(s, call)}${call.prefix}<... ${callName(call.name, call.args)} resumed>${cut}) = ?\n`;
        s.open = null;
      }
      // What the tracer writes next (its own +++ line, if not this) starts a line of its own.
      text += this.closeOpen(s, null);
      if (reportEnd) {
        const end = WIFSIGNALED(status) ? `killed by ${SIGNAL_NAMES[WTERMSIG(status)] ?? WTERMSIG(status)}` : `exited with ${WEXITSTATUS(status)}`;
        text += `${prefix}+++ ${end} +++\n`;
      }
      if (text) out.push([sink, text]);
    }
    return out;
  }
}
