// waitpid() status words, encoded as POSIX systems do: exit code in bits 8..15, or the signal
// that ended the process in bits 0..6, or 0x7f with the signal that stopped it in bits 8..15.

export const WNOHANG = 0x01;
/** Also report children that stopped (Haiku's value, as Linux's). */
export const WUNTRACED = 0x02;
/** Also report stopped children that SIGCONT continued (Haiku's value). */
export const WCONTINUED = 0x04;
/** The status of a child that was continued (as Linux and glibc encode it). */
export const CONTINUED_STATUS = 0xffff;
export const WIFCONTINUED = (s: number) => s === CONTINUED_STATUS;

export function exitedStatus(code: number): number {
  return (code & 0xff) << 8;
}
export function signaledStatus(signo: number): number {
  return signo & 0x7f;
}
export function stoppedStatus(signo: number): number {
  return ((signo & 0xff) << 8) | 0x7f;
}
export const WIFEXITED = (s: number) => (s & 0x7f) === 0;
export const WEXITSTATUS = (s: number) => (s >> 8) & 0xff;
export const WIFSIGNALED = (s: number) => (s & 0x7f) !== 0 && (s & 0x7f) !== 0x7f;
export const WTERMSIG = (s: number) => s & 0x7f;
export const WIFSTOPPED = (s: number) => (s & 0xff) === 0x7f && s !== CONTINUED_STATUS;
export const WSTOPSIG = (s: number) => (s >> 8) & 0xff;

/** The shell's $? for a status: the exit code, or 128 + the signal that ended or stopped it. */
export function shellStatus(s: number): number {
  if (WIFSTOPPED(s)) return 128 + WSTOPSIG(s);
  return WIFSIGNALED(s) ? 128 + WTERMSIG(s) : WEXITSTATUS(s);
}
