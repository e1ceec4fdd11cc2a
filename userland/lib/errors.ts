// Error reporting the way GNU tools word it: "prog: subject: strerror", names quoted with
// quote()/quotef() as coreutils does in the C locale, usage errors in cli.ts's format (exit 2).

import { isSysError, strerror } from '../../kernel/abi/errno.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { type Command, EXIT_USAGE } from './cli.js';
import { writeAll } from './io.js';

/** The errno text of a failed syscall; anything else is a bug and goes on up. */
export function errText(e: unknown): string {
  if (isSysError(e)) return strerror(e.errno);
  throw e;
}

/** A failed syscall's message as the kernel worded it (with its detail); anything else goes on up. */
export function sysMessage(e: unknown): string {
  if (isSysError(e)) return e.message;
  throw e;
}

const CONTROL: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\x07': '\\a' };

function escapeControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => CONTROL[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** coreutils quote(): always 'quoted', with backslash escapes (locale_quoting_style, C locale). */
export function quote(s: string): string {
  return `'${escapeControls(s.replace(/\\/g, '\\\\').replace(/'/g, "\\'"))}'`;
}

/** coreutils quotef(): a plain name as it is; one with spaces or shell specials quoted. */
export function quotef(s: string): string {
  return s.length > 0 && /^[A-Za-z0-9_./+,:@%=~^-]+$/.test(s) ? s : quote(s);
}

/** "prog: text" on stderr. */
export function warn(sys: Sys, prog: string, text: string): Promise<void> {
  return writeAll(sys, 2, `${prog}: ${text}\n`);
}

/** "prog: subject: strerror" on stderr (subject unquoted unless it needs it, as cat/wc/tee do). */
export function warnErr(sys: Sys, prog: string, subject: string, e: unknown): Promise<void> {
  return warn(sys, prog, `${quotef(subject)}: ${errText(e)}`);
}

/** An operand that commander could not judge: the message, the usage line, status 2 (cli.ts style). */
export async function usageError(sys: Sys, cmd: Command, message: string): Promise<number> {
  const usage = cmd.createHelp().commandUsage(cmd);
  await writeAll(sys, 2, `${cmd.name()}: ${message}\nusage: ${usage}\n`);
  return EXIT_USAGE;
}
