// memfs and node:fs report failures as Node errors with a POSIX `code`; the kernel speaks SysError.

import { ERRNO, type ErrnoName, SysError } from '../abi/errno.js';

export function toSysError(e: unknown): SysError {
  if (e instanceof SysError) return e;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && code in ERRNO) return new SysError(code as ErrnoName);
  if (code === 'ENOTEMPTY' || code === 'EEXIST') return new SysError(code);
  return new SysError('EIO', e instanceof Error ? e.message : String(e));
}

/** Run a node-style file operation, translating its error. */
export function nodeCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toSysError(e);
  }
}
