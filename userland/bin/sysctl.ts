// sysctl: read and change kernel parameters at runtime, as procps-ng's sysctl 4.0 does, through the
// files of /proc/sys. A name is dotted (net.ipv4.tcp_rmem) or slashed; NAME=VALUE writes (with or
// without -w), a directory lists everything under it. Messages and exit statuses are procps's: each
// failing argument adds one to the status.

import { type ErrnoName, isSysError, strerror } from '../../kernel/abi/errno.js';
import { O_WRONLY } from '../../kernel/abi/fcntl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { guarded } from '../lib/guard.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { eprint, print, readFileText } from '../lib/io.js';

const PROC_PATH = '/proc/sys/';
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

interface Options {
  all?: boolean;
  A?: boolean;
  X?: boolean;
  binary?: boolean;
  ignore?: boolean;
  names?: boolean;
  values?: boolean;
  load?: string | boolean;
  pattern?: string;
  quiet?: boolean;
  write?: boolean;
}

class Sysctl {
  out = '';
  constructor(
    private readonly sys: Sys,
    private readonly o: Options,
  ) {}

  private get printName(): boolean {
    return !this.o.values;
  }

  private async warn(msg: string): Promise<void> {
    await this.flush();
    await eprint(this.sys, `sysctl: ${msg}\n`);
  }

  async flush(): Promise<void> {
    if (this.out) await print(this.sys, this.out);
    this.out = '';
  }

  private async stat(path: string): Promise<{ mode: number } | ErrnoName> {
    try {
      return { mode: (await this.sys.stat(path)).st_mode };
    } catch (e) {
      if (isSysError(e)) return e.errno;
      throw e;
    }
  }

  /** ReadSetting: one key, or everything under a directory. */
  async read(name: string): Promise<number> {
    if (!name) {
      await this.warn(`"${name}" is an unknown key`);
      return -1;
    }
    const path = PROC_PATH + name.replace(/\./g, '/');
    const outname = name.replace(/\//g, '.');
    const st = await this.stat(path);
    if (typeof st === 'string') {
      if (this.o.ignore) return 0;
      await this.warn(`cannot stat ${path}: ${strerror(st)}`);
      return 1;
    }
    if ((st.mode & S_IFMT) === S_IFDIR) return this.all(`${path}/`);
    if (this.o.pattern !== undefined && !new RegExp(this.o.pattern).test(outname)) return 0;
    if (this.o.names) {
      this.out += `${outname}\n`;
      return 0;
    }
    let text: string;
    try {
      text = await readFileText(this.sys, path);
    } catch (e) {
      if (!isSysError(e)) throw e;
      if (e.errno === 'ENOENT') {
        if (this.o.ignore) return 0;
        await this.warn(`"${outname}" is an unknown key`);
      } else if (e.errno === 'EACCES') await this.warn(`permission denied on key '${outname}'`);
      else if (e.errno !== 'EIO') await this.warn(`reading key "${outname}": ${e.message}`);
      return 1;
    }
    if (this.printName) this.out += `${outname} = ${text}${text.endsWith('\n') ? '' : '\n'}`;
    else this.out += this.o.binary ? text.replace(/\n$/, '') : text;
    return 0;
  }

  /** DisplayAll: every file under `dir`, depth first, in name order. */
  async all(dir: string): Promise<number> {
    let rc = 0;
    let entries;
    try {
      entries = await this.sys.readdir(dir);
    } catch (e) {
      if (!isSysError(e)) throw e;
      await this.warn(`unable to open directory "${dir}"`);
      return 1;
    }
    for (const d of entries.filter((x) => x.d_name !== '.' && x.d_name !== '..')) {
      const path = dir + d.d_name;
      const st = await this.stat(path);
      if (typeof st === 'string') continue;
      if ((st.mode & S_IFMT) === S_IFDIR) rc += await this.all(`${path}/`);
      else rc += await this.read(path.slice(PROC_PATH.length));
    }
    return rc;
  }

  /** WriteSetting: NAME=VALUE. */
  async write(setting: string): Promise<number> {
    const eq = setting.indexOf('=');
    if (eq < 0) {
      await this.warn(`"${setting}" must be of the form name=value`);
      return -1;
    }
    const name = setting.slice(0, eq).trim();
    const value = setting.slice(eq + 1).trim();
    if (!name) {
      await this.warn(`malformed setting "${setting}"`);
      return -2;
    }
    const path = PROC_PATH + name.replace(/\./g, '/');
    const outname = name.replace(/\//g, '.');
    const st = await this.stat(path);
    if (typeof st === 'string') {
      if (this.o.ignore) return 0;
      await this.warn(`cannot stat ${path}: ${strerror(st)}`);
      return 1;
    }
    if ((st.mode & 0o200) === 0 || (st.mode & S_IFMT) === S_IFDIR) {
      await this.warn(`setting key "${outname}": ${strerror((st.mode & S_IFMT) === S_IFDIR ? 'EISDIR' : 'EACCES')}`);
      return 0;
    }
    let fd: number;
    try {
      fd = await this.sys.open(path, O_WRONLY);
    } catch (e) {
      if (!isSysError(e)) throw e;
      if (e.errno === 'ENOENT') {
        if (this.o.ignore) return 0;
        await this.warn(`"${outname}" is an unknown key`);
      } else if (e.errno === 'EPERM' || e.errno === 'EROFS' || e.errno === 'EACCES') await this.warn(`permission denied on key "${outname}"`);
      else await this.warn(`setting key "${outname}": ${e.message}`);
      return 1;
    }
    try {
      await this.sys.write(fd, `${value}\n`);
    } catch (e) {
      if (!isSysError(e)) throw e;
      await this.sys.close(fd);
      await this.warn(`setting key "${outname}": ${e.message}`);
      return 1;
    }
    await this.sys.close(fd);
    if (!this.o.quiet) {
      if (this.o.names) this.out += `${outname}\n`;
      else if (this.printName) this.out += `${outname} = ${value}\n`;
      else this.out += this.o.binary ? value : `${value}\n`;
    }
    return 0;
  }

  /** Preload: NAME = VALUE lines of a file; `#` and `;` start comments, `-` ignores errors. */
  async load(file: string): Promise<number> {
    let text: string;
    try {
      text = await readFileText(this.sys, file);
    } catch (e) {
      if (!isSysError(e)) throw e;
      await this.warn(`cannot open "${file}": ${e.message}`);
      return 1;
    }
    let rc = 0;
    for (const raw of text.split('\n')) {
      let line = raw.trim();
      if (!line || line.startsWith('#') || line.startsWith(';')) continue;
      const ignore = line.startsWith('-');
      if (ignore) line = line.slice(1).trim();
      const eq = line.indexOf('=');
      if (eq < 0) {
        await this.warn(`${file}: line missing '=': ${line}`);
        rc++;
        continue;
      }
      const setting = `${line.slice(0, eq).trim()}=${line.slice(eq + 1).trim()}`;
      const saved = this.o.ignore;
      if (ignore) this.o.ignore = true;
      const r = await this.write(setting);
      this.o.ignore = saved;
      if (!ignore) rc += r;
    }
    return rc;
  }
}

export default defineProgram({
  name: 'sysctl',
  summary: 'configure kernel parameters at runtime',
  main: guarded('sysctl', async (argv, sys) => {
    const cmd = command('sysctl', 'read and change kernel parameters (the files of /proc/sys)')
      .argument('[variable...]', 'variable[=value]')
      .option('-a, --all', 'display all variables')
      .option('-A', 'alias of -a')
      .option('-X', 'alias of -a')
      .option('-b, --binary', 'print value without new line')
      .option('-e, --ignore', 'ignore unknown variables errors')
      .option('-N, --names', 'print variable names without values')
      .option('-n, --values', 'print only values of the given variable(s)')
      .option('-p, --load [file]', 'read values from file')
      .option('-r, --pattern <expression>', 'select setting that match expression')
      .option('-q, --quiet', 'do not echo variable set')
      .option('-w, --write', 'enable writing a value to variable');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    if (o.pattern !== undefined) {
      try {
        new RegExp(o.pattern);
      } catch {
        await eprint(sys, `sysctl: invalid regex pattern: ${o.pattern}\n`);
        return 1;
      }
    }
    const s = new Sysctl(sys, o);
    let rc = 0;
    if (o.load !== undefined) {
      rc = await s.load(typeof o.load === 'string' ? o.load : '/etc/sysctl.conf');
    } else if (o.all || o.A || o.X) {
      rc = await s.all(PROC_PATH);
    } else if (r.args.length === 0) {
      await eprint(sys, `sysctl: no variables specified\nTry 'sysctl --help' for more information.\n`);
      return 1;
    } else {
      for (const a of r.args) rc += o.write || a.includes('=') ? await s.write(a) : await s.read(a);
    }
    await s.flush();
    return rc & 0xff;
  }),
});
