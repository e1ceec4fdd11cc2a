// A guest: a program that runs in a thread of its own (every `--load` program), so that nothing it
// does can freeze or crash the kernel. Its process is an ordinary one; what runs in the kernel's
// thread for it is this relay, which makes each system call the guest asks for on the process's
// own Sys and answers with the result. While the guest computes, the relay waits for its next call:
// the task is runnable and holds virtual time (the scheduler's rule 1), and its CPU slice is
// watched; when the process dies or execs, the thread is stopped wherever it is.

import { isSysError } from '../abi/errno.js';
import { GUEST_HANDLER, type GuestCall, type GuestEnd, type GuestReply, type GuestStart } from '../abi/guest.js';
import type { SignalHandler } from '../abi/signal.js';
import type { Sys } from '../abi/syscalls.js';
import type { HostPort } from '../port/port.js';
import type { HostedProgram, ImageHooks } from './table.js';

/** What a guest ended with, when it is no status: the process dies as a crashed program does. */
export class GuestCrash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuestCrash';
  }
}

/** The calls a guest may make: every Sys method by name (a Map: a name is the guest's input). */
function callTable(sys: Sys): ReadonlyMap<string, (...args: unknown[]) => unknown> {
  const out = new Map<string, (...args: unknown[]) => unknown>();
  for (const [name, fn] of Object.entries(sys)) if (typeof fn === 'function') out.set(name, fn as (...args: unknown[]) => unknown);
  return out;
}

/** A guest module whose default export is no program. */
export class NotAProgram extends Error {}

/** The program a guest module runs as, under the name and summary it gave (see describeGuest). */
export function guestProgram(port: HostPort, runtime: string, module: string, name: string, summary: string): HostedProgram {
  return {
    name,
    summary,
    main: () => {
      throw new GuestCrash('a guest runs only as a hosted program');
    },
    hostedMain: (argv: string[], sys: Sys, image: ImageHooks) =>
      new Promise<number>((resolve, reject) => {
        const start: GuestStart = { module, mode: 'run', argv };
        const thread = port.startGuest(runtime, start);
        // Starting the thread and loading the module take real time, not the program's.
        const loaded = image.loading();
        image.atEnd(() => {
          loaded();
          thread.terminate();
        });
        const calls = callTable(sys);
        // Signals caught by handlers the guest installed: told to it with the next answer.
        const caught: number[] = [];
        const stub: SignalHandler = (signo) => void caught.push(signo);
        thread.onCall((m) => {
          loaded();
          const { call, args } = m as GuestCall;
          const fn = calls.get(call);
          const answer = (r: GuestReply) => thread.answer(r);
          if (!fn || !Array.isArray(args)) return answer({ ok: false, errno: 'ENOSYS', message: `no system call ${String(call)}`, signals: caught.splice(0) });
          if (call === 'sigaction' && args[1] === GUEST_HANDLER) args[1] = stub;
          let result: unknown;
          try {
            result = fn(...args);
          } catch (e) {
            return reject(e);
          }
          Promise.resolve(result).then(
            (value) => {
              // The structures the call filled in go back; the guest copies them into its own.
              const out: Array<[number, unknown]> = [];
              args.forEach((a, i) => {
                if (a !== null && typeof a === 'object' && !(a instanceof Uint8Array)) out.push([i, a]);
              });
              answer({ ok: true, value: value === stub ? GUEST_HANDLER : value, out, signals: caught.splice(0) });
            },
            (e: unknown) => {
              if (isSysError(e)) answer({ ok: false, errno: e.errno, message: e.message, signals: caught.splice(0) });
              else reject(e);
            },
          );
        });
        thread.onEnd((m) => {
          loaded();
          const end = m as GuestEnd;
          if (end.end === 'status') resolve(end.status);
          else reject(new GuestCrash(end.end === 'crash' ? end.error : end.end === 'refused' ? end.reason : 'the guest ended without a status'));
        });
      }),
  };
}

/** A guest module's name and summary, read in a thread of its own: its code never runs here. */
export function describeGuest(port: HostPort, runtime: string, module: string): Promise<{ name: string; summary: string }> {
  return new Promise((resolve, reject) => {
    const thread = port.startGuest(runtime, { module, mode: 'describe', argv: [] } satisfies GuestStart);
    thread.onCall(() => thread.answer({ ok: false, errno: 'ENOSYS', message: 'no calls while describing', signals: [] } satisfies GuestReply));
    thread.onEnd((m) => {
      const end = m as GuestEnd;
      thread.terminate();
      if (end.end === 'describe') resolve({ name: end.name, summary: end.summary });
      else if (end.end === 'refused') reject(new NotAProgram(end.reason));
      else reject(new GuestCrash(end.end === 'crash' ? end.error : 'no description'));
    });
  });
}
