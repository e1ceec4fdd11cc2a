// --share DIR: one real directory of the machine running tunlab, mounted at /host. It is the only
// way anything of the real file system becomes reachable, and nothing outside DIR ever is: paths
// are resolved and checked to stay inside it, symbolic links included.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { SysError } from '../abi/errno.js';
import { O_ACCMODE, O_CREAT, O_DIRECTORY, O_RDONLY } from '../abi/fcntl.js';
import { type Dirent, S_IFDIR, S_IFMT, type Stat } from '../abi/stat.js';
import type { OpenFile } from './file.js';
import type { Credentials, FileSystem } from './filesystem.js';
import { toLinuxOpenFlags, toStat } from './memfs-root.js';
import { nodeCall } from './node-errors.js';
import { RegularFile } from './regular-file.js';

export class HostFs implements FileSystem {
  readonly name = 'hostfs';
  private readonly root: string;

  constructor(
    readonly dev: number,
    dir: string,
    private readonly nowNs: () => number,
  ) {
    this.root = fs.realpathSync(dir);
  }

  /** The real path for `rel`, refusing anything that resolves outside the shared directory. */
  private real(rel: string, mustExist: boolean): string {
    const joined = nodePath.join(this.root, rel);
    let resolved = joined;
    try {
      resolved = fs.realpathSync(joined);
    } catch {
      if (mustExist) throw new SysError('ENOENT');
      // A file about to be created: its directory must resolve inside the share.
      const dir = nodeCall(() => fs.realpathSync(nodePath.dirname(joined)));
      resolved = nodePath.join(dir, nodePath.basename(joined));
    }
    if (resolved !== this.root && !resolved.startsWith(this.root + nodePath.sep)) throw new SysError('EACCES');
    return resolved;
  }

  open(rel: string, flags: number, mode: number): OpenFile {
    const path = this.real(rel, !(flags & O_CREAT));
    const st = fs.existsSync(path) ? fs.statSync(path) : null;
    const isDir = st?.isDirectory() ?? false;
    if (isDir && (flags & O_ACCMODE) !== O_RDONLY) throw new SysError('EISDIR');
    if (!isDir && st && flags & O_DIRECTORY) throw new SysError('ENOTDIR');
    const fd = nodeCall(() => fs.openSync(path, isDir ? 'r' : toLinuxOpenFlags(flags), mode & 0o7777));
    const api = {
      readSync: (f: number, b: Uint8Array, o: number, l: number, p: number) => fs.readSync(f, b, o, l, p),
      writeSync: (f: number, b: Uint8Array, o: number, l: number, p: number) => fs.writeSync(f, b, o, l, p),
      closeSync: (f: number) => fs.closeSync(f),
      futimesSync: () => {
        // The real file keeps the real machine's time.
      },
    };
    return new RegularFile(api, fd, `/host/${rel}`, flags, isDir, () => toStat(this.dev, fs.fstatSync(fd)), this.nowNs);
  }

  stat(rel: string, follow: boolean): Stat {
    const path = this.real(rel, true);
    return toStat(this.dev, nodeCall(() => (follow ? fs.statSync(path) : fs.lstatSync(path))));
  }

  readdir(rel: string): Dirent[] {
    const path = this.real(rel, true);
    return nodeCall(() => fs.readdirSync(path))
      .sort()
      .map((name) => {
        const st = nodeCall(() => fs.lstatSync(nodePath.join(path, name)));
        return { d_name: name, d_ino: Number(st.ino), d_type: st.mode & S_IFMT };
      });
  }

  mkdir(rel: string, mode: number): void {
    nodeCall(() => fs.mkdirSync(this.real(rel, false), mode & 0o7777));
  }

  rmdir(rel: string): void {
    const path = this.real(rel, true);
    if ((fs.lstatSync(path).mode & S_IFMT) !== S_IFDIR) throw new SysError('ENOTDIR');
    nodeCall(() => fs.rmdirSync(path));
  }

  unlink(rel: string, _cred: Credentials): void {
    nodeCall(() => fs.unlinkSync(this.real(rel, true)));
  }

  rename(from: string, to: string): void {
    nodeCall(() => fs.renameSync(this.real(from, true), this.real(to, false)));
  }
}
