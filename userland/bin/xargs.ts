// xargs: build and execute command lines from standard input, as GNU xargs: blank-separated
// items with quotes and backslashes (or -0, -d DELIM), -n per command, -L lines per command, -I
// REPLACE (one command per line), -r, -t, -a FILE; the commands run one after another through
// spawn with standard input from /dev/null. Status 123 when a command failed, 124 when one exited
// 255, 125 when one was killed, 126/127 when one could not be run.

import { O_RDONLY } from '../../kernel/abi/fcntl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { WEXITSTATUS, WIFSIGNALED, WTERMSIG } from '../../kernel/abi/wait.js';
import { command, intArg, parse } from '../lib/cli.js';
import { errText, quote, usageError, warn } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { guarded } from '../lib/guard.js';
import { readAll, writeAll } from '../lib/io.js';
import { spawnp } from '../lib/exec.js';
import { isSysError } from '../../kernel/abi/errno.js';

class InputError extends Error {}

/** Items of the input the default way: blanks separate, quotes and backslashes protect. Lines are kept for -L. */
function splitDefault(text: string): string[][] {
  const lines: string[][] = [];
  let items: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      const nl = text.indexOf('\n', i + 1);
      if (end < 0 || (nl >= 0 && nl < end)) throw new InputError(`unmatched ${c === "'" ? 'single' : 'double'} quote; by default quotes are special to xargs unless you use the -0 option`);
      cur += text.slice(i + 1, end);
      has = true;
      i = end;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (has) items.push(cur);
      cur = '';
      has = false;
      // A line ending in a blank continues on the next one for -L, as POSIX says.
      if (c === '\n' && items.length > 0 && !/[ \t]/.test(text[i - 1] ?? '')) {
        lines.push(items);
        items = [];
      }
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) items.push(cur);
  if (items.length > 0) lines.push(items);
  return lines;
}

interface Options {
  null?: boolean;
  delimiter?: string;
  replace?: string;
  maxArgs?: number;
  maxLines?: number;
  noRunIfEmpty?: boolean;
  verbose?: boolean;
  argFile?: string;
}

/** The shell-quoted form -t prints (as GNU xargs: only what needs quoting). */
const shown = (a: string) => (/^[A-Za-z0-9_./=:,+%@-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);

export default defineProgram({
  name: 'xargs',
  summary: 'build and execute command lines from standard input',
  main: guarded('xargs', async (argv, sys) => {
    const cmd = command('xargs', 'run COMMAND (echo by default) with the initial arguments and more arguments read from input (GNU xargs)')
      .option('-0, --null', 'items are separated by a null, not whitespace; quotes and backslashes are not special')
      .option('-a, --arg-file <file>', 'read arguments from FILE, not standard input')
      .option('-d, --delimiter <char>', 'items are separated by CHARACTER, not by blanks')
      .option('-I, --replace <replace-str>', 'replace R in INITIAL-ARGS with names read from standard input (one command per line)')
      .option('-L, --max-lines <max-lines>', 'use at most MAX-LINES non-blank input lines per command line', intArg('max-lines', 1, Number.MAX_SAFE_INTEGER))
      .option('-n, --max-args <max-args>', 'use at most MAX-ARGS arguments per command line', intArg('max-args', 1, Number.MAX_SAFE_INTEGER))
      .option('-r, --no-run-if-empty', 'if there are no arguments, then do not run COMMAND')
      .option('-t, --verbose', 'print commands before executing them')
      .helpOption('--help', 'display this help and exit')
      .usage('[options] [command [initial-arguments]]')
      .argument('[command...]')
      .passThroughOptions();
    const r = await parse<Options & { runIfEmpty?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const noRunIfEmpty = o.runIfEmpty === false;
    const base = r.args.length > 0 ? r.args : ['echo'];
    let delim: string | undefined = o.null ? '\0' : undefined;
    if (o.delimiter !== undefined) {
      const d = o.delimiter.replace(/^\\n$/, '\n').replace(/^\\t$/, '\t').replace(/^\\0$/, '\0');
      if ([...d].length !== 1) return usageError(sys, cmd, `invalid input delimiter specification ${o.delimiter}: the delimiter must be either a single character or an escape sequence starting with \\.`);
      delim = d;
    }
    let text: string;
    let fd = 0;
    try {
      fd = o.argFile !== undefined ? await openInput(sys, o.argFile) : 0;
      text = new TextDecoder().decode(await readAll(sys, fd));
    } catch (e) {
      if (!isSysError(e)) throw e;
      await warn(sys, 'xargs', `${quote(o.argFile ?? '-')}: ${errText(e)}`);
      return 1;
    } finally {
      if (o.argFile !== undefined) await closeInput(sys, fd);
    }
    // Each group is the arguments of one command.
    let groups: string[][];
    try {
      if (o.replace !== undefined) {
        const lines = delim !== undefined ? text.split(delim) : text.split('\n').map((l) => l.replace(/^[ \t]+/, ''));
        if (lines[lines.length - 1] === '') lines.pop();
        const rs = o.replace;
        groups = lines.filter((l) => delim !== undefined || l !== '').map((l) => base.map((a) => a.replaceAll(rs, l)));
      } else {
        let lines: string[][];
        if (delim !== undefined) {
          const items = text.split(delim);
          if (items[items.length - 1] === '') items.pop();
          lines = items.map((i) => [i]);
        } else lines = splitDefault(text);
        const chunks: string[][] = [];
        if (o.maxLines !== undefined) for (let i = 0; i < lines.length; i += o.maxLines) chunks.push(lines.slice(i, i + o.maxLines).flat());
        else {
          const items = lines.flat();
          const n = o.maxArgs ?? items.length;
          for (let i = 0; i < items.length; i += Math.max(1, n)) chunks.push(items.slice(i, i + n));
        }
        groups = chunks.map((c) => [...base, ...c]);
        if (groups.length === 0 && !noRunIfEmpty) groups = [base];
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      await warn(sys, 'xargs', e.message);
      return 1;
    }
    return runAll(sys, groups, !!o.verbose);
  }),
});

async function runAll(sys: Sys, groups: string[][], verbose: boolean): Promise<number> {
  let status = 0;
  const devnull = await sys.open('/dev/null', O_RDONLY);
  try {
    for (const args of groups) {
      if (verbose) await writeAll(sys, 2, `${args.map(shown).join(' ')}\n`);
      let pid: number;
      try {
        pid = await spawnp(sys, args, { fds: [devnull, 1, 2] });
      } catch (e) {
        if (!isSysError(e)) throw e;
        await warn(sys, 'xargs', `${args[0]}: ${errText(e)}`);
        return e.errno === 'ENOENT' ? 127 : 126;
      }
      const { status: ws } = await sys.waitpid(pid);
      if (WIFSIGNALED(ws)) {
        await warn(sys, 'xargs', `${args[0]}: terminated by signal ${WTERMSIG(ws)}`);
        return 125;
      }
      const code = WEXITSTATUS(ws);
      if (code === 255) {
        await warn(sys, 'xargs', `${args[0]}: exited with status 255; aborting`);
        return 124;
      }
      if (code !== 0) status = 123;
    }
  } finally {
    await sys.close(devnull);
  }
  return status;
}
