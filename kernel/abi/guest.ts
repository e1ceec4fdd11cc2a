// The system call interface across threads: how a program running in a worker thread of its own
// (a `--load` program: a guest) asks its process for each call and gets the answer. The worker
// side is userland/lib/guest/runtime.ts, the kernel side kernel/proc/guest.ts; what passes between
// them is structured-cloned, so a structure the guest passes is copied as it would be into a kernel.

/** A call the guest makes: a Sys method's name and its arguments. */
export interface GuestCall {
  call: string;
  args: unknown[];
}

/** What the guest passes for a signal handler (a function cannot cross threads). */
export const GUEST_HANDLER = 'guest-handler';

/** The answer: the result, or the errno; the structures the call wrote back; signals to handle. */
export type GuestReply =
  | { ok: true; value: unknown; out: Array<[number, unknown]>; signals: number[] }
  | { ok: false; errno: string; message: string; signals: number[] };

/** The guest is done: main's status, or what it threw (then it dies as a crashed program). */
export type GuestEnd =
  | { end: 'status'; status: number }
  | { end: 'crash'; error: string }
  | { end: 'describe'; name: string; summary: string }
  /** The module loaded, but its default export is no program. */
  | { end: 'refused'; reason: string };

/** What a guest thread is started with. */
export interface GuestStart {
  /** The program's module (a file path or URL). */
  module: string;
  /** Run main with these arguments, or only describe the program (its name and summary). */
  mode: 'run' | 'describe';
  argv: string[];
}
