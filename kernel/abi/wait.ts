// waitpid() status words, encoded as POSIX systems do: exit code in bits 8..15, or the signal
// that ended the process in bits 0..6.

export const WNOHANG = 0x01;

export function exitedStatus(code: number): number {
  return (code & 0xff) << 8;
}
export function signaledStatus(signo: number): number {
  return signo & 0x7f;
}
export const WIFEXITED = (s: number) => (s & 0x7f) === 0;
export const WEXITSTATUS = (s: number) => (s >> 8) & 0xff;
export const WIFSIGNALED = (s: number) => (s & 0x7f) !== 0;
export const WTERMSIG = (s: number) => s & 0x7f;

/** The shell's $? for a status: the exit code, or 128 + the signal. */
export function shellStatus(s: number): number {
  return WIFSIGNALED(s) ? 128 + WTERMSIG(s) : WEXITSTATUS(s);
}
