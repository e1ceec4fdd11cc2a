// Finding and starting programs by name, as execvp/posix_spawnp do: a name without a slash is
// looked up in $PATH.

import { isSysError, SysError } from '../../kernel/abi/errno.js';
import { O_RDONLY } from '../../kernel/abi/fcntl.js';
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

/** The first line of a file and whether its first 80 bytes hold a NUL before it (bash's binary check). */
async function head(sys: Sys, path: string): Promise<{ line: string; binary: boolean } | null> {
  let fd: number;
  try {
    fd = await sys.open(path, O_RDONLY);
  } catch (e) {
    if (isSysError(e)) return null;
    throw e;
  }
  try {
    const bytes = await sys.read(fd, 80);
    const nl = bytes.indexOf(0x0a);
    const first = bytes.subarray(0, nl < 0 ? bytes.length : nl);
    return { line: new TextDecoder('latin1').decode(first), binary: first.includes(0) };
  } catch (e) {
    if (isSysError(e)) return null;
    throw e;
  } finally {
    await sys.close(fd);
  }
}

/**
 * A file the kernel would not execute (ENOEXEC: no #! line, no program) that a shell runs itself,
 * as POSIX asks: a text file is a script for sh; a binary one is not.
 */
export async function runsAsScript(sys: Sys, path: string, e: unknown): Promise<boolean> {
  if (!isSysError(e, 'ENOEXEC')) return false;
  const h = await head(sys, path);
  return h !== null && !h.binary && !h.line.startsWith('#!');
}

/**
 * Why an exec failed, as bash says it: "cmd: command not found" (127) for a name not in $PATH,
 * "./cmd: No such file or directory" (127) for a path, "./cmd: /bin/x: bad interpreter: No such
 * file or directory" (126) when what is missing is the #! line's interpreter, else the errno (126).
 */
export async function execFailure(sys: Sys, name: string, e: unknown): Promise<{ message: string; status: number }> {
  if (isSysError(e, 'ENOENT')) {
    if (!name.includes('/')) return { message: `${name}: command not found`, status: 127 };
    const h = await head(sys, name);
    const interp = h?.line.startsWith('#!') ? h.line.slice(2).trim().split(/\s+/)[0] : undefined;
    if (interp) return { message: `${name}: ${interp}: bad interpreter: ${e.message}`, status: 126 };
    return { message: `${name}: ${e.message}`, status: 127 };
  }
  if (isSysError(e)) return { message: `${name}: ${e.message}`, status: 126 };
  throw e;
}
