// Path arithmetic: lexical, as the VFS resolves names before handing them to a mount.

import { SysError } from '../abi/errno.js';

export const PATH_MAX = 1024;
export const NAME_MAX = 255;

/** An absolute, normalised path: no "." or "..", no doubled or trailing slashes. */
export function resolvePath(cwd: string, path: string): string {
  if (path.length === 0) throw new SysError('ENOENT');
  if (path.length >= PATH_MAX) throw new SysError('ENAMETOOLONG');
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part.length > NAME_MAX) throw new SysError('ENAMETOOLONG');
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
