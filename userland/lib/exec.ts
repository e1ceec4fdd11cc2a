// Finding and starting programs by name, as execvp/posix_spawnp do: a name without a slash is
// looked up in $PATH.

import { isSysError, SysError } from '../../kernel/abi/errno.js';
import type { SpawnOptions, Sys } from '../../kernel/abi/syscalls.js';

export async function findExecutable(sys: Sys, name: string): Promise<string> {
  if (name.includes('/')) return name;
  const path = sys.getenv('PATH') ?? '/bin';
  for (const dir of path.split(':')) {
    const candidate = `${dir || '.'}/${name}`;
    try {
      const st = await sys.stat(candidate);
      if ((st.st_mode & 0o170000) === 0o100000) return candidate;
    } catch (e) {
      if (!isSysError(e)) throw e;
    }
  }
  throw new SysError('ENOENT');
}

export async function spawnp(sys: Sys, argv: string[], opts?: SpawnOptions): Promise<number> {
  const path = await findExecutable(sys, argv[0]!);
  return sys.spawn(path, argv, opts);
}

/**
 * As bash reports a failed exec of a path (a name with a slash): a file that is not there, or one
 * that is but whose #! interpreter is not ("cannot execute: required file not found"), both 127.
 */
export async function shellExecFailure(sys: Sys, name: string, e: unknown): Promise<{ message: string; status: number }> {
  if (!name.includes('/') || !isSysError(e, 'ENOENT')) return execFailure(name, e);
  const there = await sys.stat(name).then(
    () => true,
    () => false,
  );
  return { message: there ? `${name}: cannot execute: required file not found` : `${name}: No such file or directory`, status: 127 };
}

/** "cmd: command not found" (127) or the errno (126), as shells report a failed exec. */
export function execFailure(name: string, e: unknown): { message: string; status: number } {
  if (isSysError(e, 'ENOENT')) return { message: `${name}: command not found`, status: 127 };
  if (isSysError(e)) return { message: `${name}: ${e.message}`, status: 126 };
  throw e;
}
