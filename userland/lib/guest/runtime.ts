// The guest runtime: what runs in a guest's own thread (kernel/proc/guest.ts) around its program,
// as libc runs around a C program. It loads the program's module and hands main a Sys whose every
// call goes to the kernel across the thread boundary (kernel/abi/guest.ts) and waits for the answer
// there (Atomics.wait): a call costs no turn of this thread's event loop, and the program's code
// cannot reach the kernel's thread any other way.

import { pathToFileURL } from 'node:url';
import { MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { type ErrnoName, SysError } from '../../../kernel/abi/errno.js';
import { GUEST_HANDLER, type GuestEnd, type GuestReply, type GuestStart } from '../../../kernel/abi/guest.js';
import type { Program } from '../../../kernel/abi/program.js';
import type { SignalHandler } from '../../../kernel/abi/signal.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';

interface WorkerData {
  start: GuestStart;
  channel: MessagePort;
  flag: Int32Array;
}

/** The calls of Sys that are synchronous in C terms (libc-level: no promise). */
const SYNC_CALLS: ReadonlySet<string> = new Set(['getpid', 'getppid', 'getuid', 'getgid', 'getenv', 'setenv', 'unsetenv', 'environ', 'forkImage']);

/** Copy the kernel's results into the program's own structure, as copy_to_user would. */
function copyBack(from: unknown, to: unknown): void {
  if (from === null || typeof from !== 'object' || to === null || typeof to !== 'object') return;
  for (const [key, value] of Object.entries(from)) {
    const mine = (to as Record<string, unknown>)[key];
    if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array) && mine !== null && typeof mine === 'object') copyBack(value, mine);
    else (to as Record<string, unknown>)[key] = value;
  }
}

/** The program's side of the thread boundary: its calls, and the signal handlers it installed. */
class Libc {
  /** Handlers the program installed, by signal: run when an answer says the signal came. */
  private readonly handlers = new Map<number, (signo: number) => void>();

  constructor(
    private readonly channel: MessagePort,
    private readonly flag: Int32Array,
  ) {}

  /** One call to the kernel: post it, sleep until the answer is there, take it. */
  call(name: string, args: unknown[]): unknown {
    const sent = args.map((a, i) => (name === 'sigaction' && i === 1 && typeof a === 'function' ? GUEST_HANDLER : a));
    Atomics.store(this.flag, 0, 0);
    this.channel.postMessage({ call: name, args: sent });
    Atomics.wait(this.flag, 0, 0);
    const reply = receiveMessageOnPort(this.channel)?.message as GuestReply;
    for (const signo of reply.signals) this.handlers.get(signo)?.(signo);
    if (!reply.ok) throw new SysError(reply.errno as ErrnoName, reply.message.includes('(') ? reply.message.slice(reply.message.indexOf('(') + 1, -1) : undefined);
    try {
      for (const [i, value] of reply.out) copyBack(value, args[i]);
    } catch {
      // The program's structure refused the results (frozen): copy_to_user's EFAULT.
      throw new SysError('EFAULT');
    }
    if (name === 'sigaction') {
      const signo = args[0] as number;
      const previous = this.handlers.get(signo);
      const handler = args[1] as SignalHandler;
      if (typeof handler === 'function') this.handlers.set(signo, handler);
      else this.handlers.delete(signo);
      return reply.value === GUEST_HANDLER ? previous : reply.value;
    }
    return reply.value;
  }

  /** The Sys main gets: every method a call across the boundary. */
  sys(pid: number): Sys {
    const own: Record<string, unknown> = { pid };
    return new Proxy(own, {
      get: (target, prop) => {
        if (typeof prop !== 'string') return undefined;
        if (Object.hasOwn(target, prop)) return target[prop];
        if (SYNC_CALLS.has(prop)) return (...args: unknown[]) => this.call(prop, args);
        return (...args: unknown[]) => {
          try {
            return Promise.resolve(this.call(prop, args));
          } catch (e) {
            return Promise.reject(e);
          }
        };
      },
    }) as unknown as Sys;
  }
}

async function main(): Promise<void> {
  const { start, channel, flag } = workerData as WorkerData;
  const end = (e: GuestEnd) => channel.postMessage(e);
  const mod = (await import(start.module.startsWith('file:') ? start.module : pathToFileURL(start.module).href)) as { default?: Partial<Program> };
  const program = mod.default;
  if (!program || typeof program.name !== 'string' || typeof program.main !== 'function') {
    end({ end: 'refused', reason: 'the default export must be a program: defineProgram({ name, summary, main(argv, sys) })' });
    return;
  }
  if (start.mode === 'describe') {
    end({ end: 'describe', name: program.name, summary: typeof program.summary === 'string' ? program.summary : '' });
    return;
  }
  const libc = new Libc(channel, flag);
  const status = await program.main(start.argv, libc.sys(libc.call('getpid', []) as number));
  end({ end: 'status', status: typeof status === 'number' ? status : 0 });
}

main().catch((e: unknown) => {
  const { channel } = workerData as WorkerData;
  channel.postMessage({ end: 'crash', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) } satisfies GuestEnd);
});
