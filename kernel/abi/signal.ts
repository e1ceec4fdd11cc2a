// Signal numbers as Haiku numbers them (headers/posix/signal.h): note SIGCHLD 5 and SIGPIPE 7.

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGCHLD = 5;
export const SIGABRT = 6;
export const SIGPIPE = 7;
export const SIGKILL = 9;
export const SIGSTOP = 10;
export const SIGCONT = 12;
export const SIGTSTP = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGTTIN = 16;
export const SIGTTOU = 17;
export const SIGUSR1 = 18;
export const SIGUSR2 = 19;
export const SIGWINCH = 20;
export const SIGXCPU = 28;

export const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  [SIGHUP]: 'SIGHUP',
  [SIGINT]: 'SIGINT',
  [SIGQUIT]: 'SIGQUIT',
  [SIGCHLD]: 'SIGCHLD',
  [SIGABRT]: 'SIGABRT',
  [SIGPIPE]: 'SIGPIPE',
  [SIGKILL]: 'SIGKILL',
  [SIGSTOP]: 'SIGSTOP',
  [SIGCONT]: 'SIGCONT',
  [SIGTSTP]: 'SIGTSTP',
  [SIGTTIN]: 'SIGTTIN',
  [SIGTTOU]: 'SIGTTOU',
  [SIGALRM]: 'SIGALRM',
  [SIGTERM]: 'SIGTERM',
  [SIGUSR1]: 'SIGUSR1',
  [SIGUSR2]: 'SIGUSR2',
  [SIGWINCH]: 'SIGWINCH',
  [SIGXCPU]: 'SIGXCPU',
  [11]: 'SIGSEGV',
};

/** What strsignal() says, for the shell's "Killed" / "Interrupt" reports. */
export const SIGNAL_TEXTS: Readonly<Record<number, string>> = {
  [SIGHUP]: 'Hangup',
  [SIGINT]: 'Interrupt',
  [SIGQUIT]: 'Quit',
  [SIGCHLD]: 'Child exited',
  [SIGABRT]: 'Abort',
  [SIGPIPE]: 'Broken pipe',
  [SIGKILL]: 'Killed',
  [SIGSTOP]: 'Stopped (signal)',
  [SIGCONT]: 'Continued',
  [SIGTSTP]: 'Stopped',
  [SIGTTIN]: 'Stopped (tty input)',
  [SIGTTOU]: 'Stopped (tty output)',
  [SIGALRM]: 'Alarm',
  [SIGTERM]: 'Terminated',
  [SIGUSR1]: 'User defined signal 1',
  [SIGUSR2]: 'User defined signal 2',
  [SIGWINCH]: 'Window size changed',
  [SIGXCPU]: 'CPU time limit exceeded',
  [11]: 'Segmentation fault',
};

export function signalNumber(name: string): number | undefined {
  const upper = name.toUpperCase();
  const full = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  for (const [num, n] of Object.entries(SIGNAL_NAMES)) if (n === full) return Number(num);
  const asNum = Number(name);
  return Number.isInteger(asNum) && SIGNAL_NAMES[asNum] ? asNum : undefined;
}

/** Signals whose default action is to be ignored; SIGCONT's is to continue a stopped process. */
export const DEFAULT_IGNORED: ReadonlySet<number> = new Set([SIGCHLD, SIGWINCH, SIGCONT]);

/** Signals whose default action is to stop the process (SIGSTOP cannot be caught or ignored). */
export const STOP_SIGNALS: ReadonlySet<number> = new Set([SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU]);

/** Every other signal's default action terminates the process. */

/** A handler runs in the program when the signal is delivered; SIG_IGN and SIG_DFL as in C. */
export type SignalHandler = ((signo: number) => void) | 'SIG_IGN' | 'SIG_DFL';

export const SIGSEGV = 11;
