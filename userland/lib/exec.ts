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

/** "cmd: command not found" (127) or the errno (126), as shells report a failed exec. */
export function execFailure(name: string, e: unknown): { message: string; status: number } {
  if (isSysError(e, 'ENOENT')) return { message: `${name}: command not found`, status: 127 };
  if (isSysError(e)) return { message: `${name}: ${e.message}`, status: 126 };
  throw e;
}
