// The mount table of one host: which file system serves which part of the tree.

import { SysError } from '../abi/errno.js';
import { S_IFDIR, S_IFMT } from '../abi/stat.js';
import { type Credentials, type FileSystem, permits } from './filesystem.js';
import { resolvePath } from './path.js';

export interface Resolved {
  fs: FileSystem;
  /** Path relative to the mount point ("" for the mount's root). */
  rel: string;
  /** The absolute path. */
  path: string;
  mount: string;
}

export class Vfs {
  private mounts: Array<{ at: string; fs: FileSystem }> = [];

  mount(at: string, fs: FileSystem): void {
    this.mounts.push({ at, fs });
    // Longest mount point first, so /dev wins over /.
    this.mounts.sort((a, b) => b.at.length - a.at.length);
  }

  mountPoints(): Array<{ at: string; fs: FileSystem }> {
    return [...this.mounts];
  }

  resolve(cwd: string, path: string): Resolved {
    const abs = resolvePath(cwd, path);
    for (const m of this.mounts) {
      if (m.at === '/') return { fs: m.fs, rel: abs.slice(1), path: abs, mount: m.at };
      if (abs === m.at || abs.startsWith(m.at + '/')) {
        return { fs: m.fs, rel: abs.slice(m.at.length + 1), path: abs, mount: m.at };
      }
    }
    throw new SysError('ENOENT');
  }

  /** The absolute path of a directory `cred` may make its working directory (chdir's checks). */
  workingDirectory(cwd: string, path: string, cred: Credentials): string {
    const abs = resolvePath(cwd, path);
    const r = this.resolve('/', abs);
    const st = r.fs.stat(r.rel, true, cred);
    if ((st.st_mode & S_IFMT) !== S_IFDIR) throw new SysError('ENOTDIR');
    if (!permits(st, cred, 1)) throw new SysError('EACCES');
    return abs;
  }
}
