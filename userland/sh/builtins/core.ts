// The builtins a POSIX shell must run itself, because they change the shell: cd, exit, export,
// set, read, source ... and the cheap ones every script uses (echo, true, test).

import { isSysError } from '../../../kernel/abi/errno.js';
import { O_RDONLY } from '../../../kernel/abi/fcntl.js';
import { readText, writeAll } from '../../lib/io.js';
import { findExecutable } from '../../lib/exec.js';
import { table } from '../../lib/table.js';
import { parse } from '../index.js';
import { BreakSignal, ContinueSignal, ExitSignal, ReturnSignal, ShellError } from '../interp/control.js';
import type { Interpreter } from '../interp/interpreter.js';
import type { BuiltinEntry } from './types.js';

const out = (sh: Interpreter, s: string) => writeAll(sh.sys, 1, s);
const err = (sh: Interpreter, s: string) => writeAll(sh.sys, 2, s);

function isName(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}

function intArg(sh: Interpreter, name: string, s: string | undefined, dflt: number): number | ShellError {
  if (s === undefined) return dflt;
  if (!/^-?\d+$/.test(s)) return new ShellError(`${name}: ${s}: numeric argument required`, 2);
  // bash takes a 64-bit number and refuses what does not fit (a double would lose the low bits:
  // `exit 99999999999999999999` must not exit 0). exit and return want the low 8 bits exactly:
  // they get them through statusArg().
  const n = BigInt(s);
  if (n > 0x7fff_ffff_ffff_ffffn || n < -0x8000_0000_0000_0000n) return new ShellError(`${name}: ${s}: numeric argument required`, 2);
  return Number(n);
}

/** An exit status argument: intArg's checks, then its low 8 bits, as bash's `exit` and `return` take them. */
function statusArg(sh: Interpreter, name: string, s: string | undefined, dflt: number): number | ShellError {
  const n = intArg(sh, name, s, dflt);
  return n instanceof ShellError || s === undefined ? n : Number(BigInt.asUintN(8, BigInt(s)));
}

function echoEscapes(s: string): { text: string; stop: boolean } {
  let text = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      text += c;
      continue;
    }
    const n = s[++i]!;
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b', '\\': '\\' };
    if (n === 'c') return { text, stop: true };
    if (n in map) text += map[n];
    else if (n === '0') {
      const m = /^[0-7]{0,3}/.exec(s.slice(i + 1))![0];
      text += String.fromCharCode(parseInt(m || '0', 8));
      i += m.length;
    } else if (n === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1))?.[0];
      if (m) {
        text += String.fromCharCode(parseInt(m, 16));
        i += m.length;
      } else text += '\\x';
    } else text += '\\' + n;
  }
  return { text, stop: false };
}

export const coreBuiltins: Record<string, BuiltinEntry> = {
  ':': { summary: 'do nothing, successfully', usage: ':', run: async () => 0 },
  true: { summary: 'succeed', usage: 'true', run: async () => 0 },
  false: { summary: 'fail', usage: 'false', run: async () => 1 },

  echo: {
    summary: 'print arguments',
    usage: 'echo [-neE] [arg ...]',
    async run(sh, argv) {
      let i = 1;
      let newline = true;
      let escapes = false;
      while (i < argv.length && /^-[neE]+$/.test(argv[i]!)) {
        for (const f of argv[i]!.slice(1)) {
          if (f === 'n') newline = false;
          else if (f === 'e') escapes = true;
          else escapes = false;
        }
        i++;
      }
      let text = argv.slice(i).join(' ');
      if (escapes) {
        const r = echoEscapes(text);
        text = r.text;
        if (r.stop) newline = false;
      }
      try {
        await out(sh, newline ? text + '\n' : text);
      } catch (e) {
        if (isSysError(e)) {
          await sh.error(`echo: write error: ${e.message}`);
          return 1;
        }
        throw e;
      }
      return 0;
    },
  },

  pwd: {
    summary: 'print the working directory',
    usage: 'pwd',
    async run(sh) {
      await out(sh, (await sh.sys.getcwd()) + '\n');
      return 0;
    },
  },

  cd: {
    summary: 'change the working directory',
    usage: 'cd [dir | -]',
    async run(sh, argv) {
      if (argv.length > 2) {
        await sh.error(`cd: too many arguments`);
        return 1;
      }
      let dir = argv[1] ?? sh.getVar('HOME') ?? '/boot/home';
      if (dir === '-') {
        dir = sh.getVar('OLDPWD') ?? '';
        if (!dir) {
          await sh.error(`cd: OLDPWD not set`);
          return 1;
        }
        await out(sh, dir + '\n');
      }
      const before = await sh.sys.getcwd();
      try {
        await sh.sys.chdir(dir);
      } catch (e) {
        if (!isSysError(e)) throw e;
        await sh.error(`cd: ${dir}: ${e.message}`);
        return 1;
      }
      sh.setVar('OLDPWD', before);
      sh.setVar('PWD', await sh.sys.getcwd());
      return 0;
    },
  },

  exit: {
    summary: 'leave the shell',
    usage: 'exit [n]',
    async run(sh, argv) {
      if (sh.interactive && !sh.jobs.mayLeave()) {
        // bash's exit_or_logout: once, then a second exit in a row leaves (and hangs them up).
        await err(sh, 'There are stopped jobs.\n');
        return 1;
      }
      const n = statusArg(sh, 'exit', argv[1], sh.state.lastStatus);
      if (n instanceof ShellError) {
        await sh.error(`${n.message}`);
        throw new ExitSignal(2);
      }
      throw new ExitSignal(n & 0xff);
    },
  },

  return: {
    summary: 'return from a function',
    usage: 'return [n]',
    async run(sh, argv) {
      if (sh.state.returnable === 0) {
        // bash's words and status (see ShellState.returnable for why this check exists).
        await sh.error(`return: can only \`return' from a function or sourced script`);
        return 2;
      }
      const n = statusArg(sh, 'return', argv[1], sh.state.lastStatus);
      if (n instanceof ShellError) {
        await sh.error(`${n.message}`);
        return 2;
      }
      throw new ReturnSignal(n & 0xff);
    },
  },

  break: {
    summary: 'leave a loop',
    usage: 'break [n]',
    async run(sh, argv) {
      const n = intArg(sh, 'break', argv[1], 1);
      if (n instanceof ShellError || n < 1) return 1;
      // Outside a loop bash only complains; N beyond the loops leaves them all (see ShellState.loops).
      if (sh.state.loops === 0) {
        await sh.error(`break: only meaningful in a \`for', \`while', or \`until' loop`);
        return 0;
      }
      throw new BreakSignal(Math.min(n, sh.state.loops));
    },
  },

  continue: {
    summary: 'next round of a loop',
    usage: 'continue [n]',
    async run(sh, argv) {
      const n = intArg(sh, 'continue', argv[1], 1);
      if (n instanceof ShellError || n < 1) return 1;
      // Outside a loop bash only complains; N beyond the loops leaves them all (see ShellState.loops).
      if (sh.state.loops === 0) {
        await sh.error(`continue: only meaningful in a \`for', \`while', or \`until' loop`);
        return 0;
      }
      throw new ContinueSignal(Math.min(n, sh.state.loops));
    },
  },

  export: {
    summary: 'give variables to child processes',
    usage: 'export [name[=value] ...]',
    async run(sh, argv) {
      if (argv.length === 1 || argv[1] === '-p') {
        for (const n of [...sh.state.exported].sort()) {
          const v = sh.getVar(n);
          await out(sh, v === undefined ? `export ${n}\n` : `export ${n}=${JSON.stringify(v)}\n`);
        }
        return 0;
      }
      let status = 0;
      for (const a of argv.slice(1)) {
        const eq = a.indexOf('=');
        const name = eq < 0 ? a : a.slice(0, eq);
        if (!isName(name)) {
          await sh.error(`export: \`${a}': not a valid identifier`);
          status = 1;
          continue;
        }
        if (eq >= 0) sh.setVar(name, a.slice(eq + 1));
        sh.state.exported.add(name);
      }
      return status;
    },
  },

  unset: {
    summary: 'remove variables or functions',
    usage: 'unset [-f] [-v] name ...',
    async run(sh, argv) {
      let fn = false;
      for (const a of argv.slice(1)) {
        if (a === '-f') fn = true;
        else if (a === '-v') fn = false;
        else if (fn) sh.state.functions.delete(a);
        else sh.state.unset(a);
      }
      return 0;
    },
  },

  local: {
    summary: 'variables that end with the function',
    usage: 'local name[=value] ...',
    async run(sh, argv) {
      for (const a of argv.slice(1)) {
        const eq = a.indexOf('=');
        const name = eq < 0 ? a : a.slice(0, eq);
        if (!sh.makeLocal(name)) {
          await sh.error(`local: can only be used in a function`);
          return 1;
        }
        if (eq >= 0) sh.setVar(name, a.slice(eq + 1));
      }
      return 0;
    },
  },

  set: {
    summary: 'shell options and positional parameters',
    usage: 'set [-+efmux] [-o option] [--] [arg ...]',
    async run(sh, argv) {
      const o = sh.state.options;
      const monitor = o.monitor;
      const names = table<keyof typeof o>({ e: 'errexit', x: 'xtrace', u: 'nounset', f: 'noglob', m: 'monitor' });
      // In bash's order (alphabetical), as `set -o` lists them.
      const longs = table<keyof typeof o>({ errexit: 'errexit', monitor: 'monitor', noglob: 'noglob', nounset: 'nounset', pipefail: 'pipefail', xtrace: 'xtrace' });
      if (argv.length === 1) {
        for (const [k, v] of [...sh.state.vars].sort(([a], [b]) => (a < b ? -1 : 1))) await out(sh, `${k}=${quoteValue(v)}\n`);
        return 0;
      }
      let i = 1;
      for (; i < argv.length; i++) {
        const a = argv[i]!;
        if (a === '--') {
          i++;
          sh.state.positional = argv.slice(i);
          return 0;
        }
        if ((a === '-o' || a === '+o') && i + 1 < argv.length) {
          const opt = longs[argv[++i]!];
          if (!opt) {
            await sh.error(`set: ${argv[i]}: invalid option name`);
            return 2;
          }
          o[opt] = a === '-o';
          continue;
        }
        if (a === '-o' || a === '+o') {
          for (const [n, k] of Object.entries(longs)) await out(sh, `${n.padEnd(15)}\t${o[k] ? 'on' : 'off'}\n`);
          continue;
        }
        if (/^[-+][exufvm]+$/.test(a)) {
          for (const f of a.slice(1)) if (names[f]) o[names[f]!] = a[0] === '-';
          continue;
        }
        if (/^[-+]/.test(a) && a.length > 1) {
          await sh.error(`set: ${a}: invalid option\nset: usage: set [-+efmux] [-o option] [--] [arg ...]`);
          return 2;
        }
        break;
      }
      if (i < argv.length) sh.state.positional = argv.slice(i);
      // Job control from now on: jobs get groups of their own, and the shell's is where they return.
      if (o.monitor && !monitor) await sh.jobControlOn();
      return 0;
    },
  },

  shift: {
    summary: 'drop the first positional parameters',
    usage: 'shift [n]',
    async run(sh, argv) {
      const n = intArg(sh, 'shift', argv[1], 1);
      if (n instanceof ShellError || n < 0 || n > sh.state.positional.length) return 1;
      sh.state.positional = sh.state.positional.slice(n);
      return 0;
    },
  },

  eval: {
    summary: 'run arguments as a command',
    usage: 'eval [arg ...]',
    async run(sh, argv) {
      const r = parse(argv.slice(1).join(' '));
      if (!r.ok) {
        await sh.error(`eval: ${r.error.message}`);
        return 2;
      }
      return sh.runEval(r.program);
    },
  },

  '.': { summary: 'run a script in this shell', usage: '. file [args]', run: (sh, argv) => source(sh, argv) },
  source: { summary: 'run a script in this shell', usage: 'source file [args]', run: (sh, argv) => source(sh, argv) },

  read: {
    summary: 'read a line into variables',
    usage: 'read [-r] [-p prompt] name ...',
    async run(sh, argv) {
      let raw = false;
      let i = 1;
      for (; i < argv.length; i++) {
        if (argv[i] === '-r') raw = true;
        else if (argv[i] === '-p' && i + 1 < argv.length) await writeAll(sh.sys, 2, argv[++i]!);
        else break;
      }
      const names = argv.slice(i);
      if (names.length === 0) names.push('REPLY');
      // One byte at a time, as sh must: the rest of the input belongs to whoever reads next.
      let line = '';
      let eof = true;
      for (;;) {
        let b: Uint8Array;
        try {
          b = await sh.sys.read(0, 1);
        } catch (e) {
          if (isSysError(e, 'EINTR')) return 130;
          if (isSysError(e)) {
            await sh.error(`read: ${e.message}`);
            return 1;
          }
          throw e;
        }
        if (b.length === 0) break;
        const c = String.fromCharCode(b[0]!);
        if (c === '\n') {
          eof = false;
          break;
        }
        line += c;
      }
      if (!raw) line = line.replace(/\\(.)/g, '$1');
      const ifs = sh.getVar('IFS') ?? ' \t\n';
      const fields = splitFields(line, ifs, names.length);
      names.forEach((n, k) => sh.setVar(n, fields[k] ?? ''));
      return eof && line === '' ? 1 : eof ? 1 : 0;
    },
  },

  type: {
    summary: 'say what a name would run',
    usage: 'type name ...',
    async run(sh, argv) {
      let status = 0;
      for (const n of argv.slice(1)) {
        if (sh.state.functions.has(n)) await out(sh, `${n} is a function\n`);
        else if (sh.isBuiltin(n)) await out(sh, `${n} is a shell builtin\n`);
        else {
          try {
            await out(sh, `${n} is ${await findExecutable(sh.sys, n)}\n`);
          } catch {
            await sh.error(`type: ${n}: not found`);
            status = 1;
          }
        }
      }
      return status;
    },
  },

  sleep: {
    summary: 'wait for a number of seconds',
    usage: 'sleep seconds',
    programWithJobControl: true,
    async run(sh, argv) {
      const s = argv[1];
      if (argv.length !== 2 || !/^(\d+(\.\d*)?|\.\d+)$/.test(s!)) {
        await err(sh, `sleep: invalid time interval '${s ?? ''}'\nusage: sleep seconds\n`);
        return 2;
      }
      try {
        await sh.sys.nanosleep(Number(s) * 1e9);
      } catch (e) {
        if (isSysError(e, 'EINTR')) return 130;
        throw e;
      }
      return 0;
    },
  },
};

async function source(sh: Interpreter, argv: string[]): Promise<number> {
  const file = argv[1];
  if (file === undefined) {
    await sh.error(`${argv[0]}: filename argument required`);
    return 2;
  }
  let text: string;
  try {
    const fd = await sh.sys.open(file, O_RDONLY);
    text = await readText(sh.sys, fd);
    await sh.sys.close(fd);
  } catch (e) {
    if (!isSysError(e)) throw e;
    await sh.error(`${file}: ${e.message}`);
    return 1;
  }
  const r = parse(text);
  if (!r.ok) {
    await err(sh, `${file}: line ${r.error.line}: ${r.error.message}\n`);
    return 2;
  }
  const saved = sh.state.positional;
  if (argv.length > 2) sh.state.positional = argv.slice(2);
  sh.state.returnable++;
  try {
    return await sh.runSourced(file, r.program);
  } catch (e) {
    if (e instanceof ReturnSignal) return e.status;
    throw e;
  } finally {
    sh.state.returnable--;
    sh.state.positional = saved;
  }
}

function splitFields(line: string, ifs: string, n: number): string[] {
  const ws = [...ifs].filter((c) => ' \t\n'.includes(c)).join('');
  const trimmed = line.replace(new RegExp(`^[${escapeClass(ws)}]+|[${escapeClass(ws)}]+$`, 'g'), '');
  if (n === 1 || ifs === '') return [trimmed];
  const out: string[] = [];
  let rest = trimmed;
  const sep = new RegExp(`[${escapeClass(ifs)}]+`);
  while (out.length < n - 1) {
    const m = sep.exec(rest);
    if (!m) break;
    out.push(rest.slice(0, m.index));
    rest = rest.slice(m.index + m[0].length);
  }
  out.push(rest);
  return out;
}

function escapeClass(s: string): string {
  return s.replace(/[\]\\^-]/g, '\\$&');
}

function quoteValue(v: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}
