// awk: pattern scanning and processing language, POSIX's (the one-liner part most scripts use:
// patterns and ranges, fields, printf, arrays, functions, getline, redirections). Numbers print
// as POSIX says (integers as integers, others through OFMT). A syntax error is status 2, as mawk's.

import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { command, parse } from '../../lib/cli.js';
import { usageError, warn } from '../../lib/errors.js';
import { closeInput, openInput } from '../../lib/fileio.js';
import { guarded } from '../../lib/guard.js';
import { readText } from '../../lib/io.js';
import { ReadError } from '../../lib/readers.js';
import { AwkRuntimeError, Interp } from './interp.js';
import { AwkSyntaxError, parseProgram, type Program, unescapeAwk } from './parse.js';

interface Options {
  fieldSeparator?: string;
  assign: string[];
  file: string[];
}

export default defineProgram({
  name: 'awk',
  summary: 'pattern scanning and processing language',
  main: guarded('awk', async (argv, sys) => {
    const cmd = command('awk', "pattern scanning and processing language (POSIX awk); the program is the first operand unless -f is given")
      .option('-F, --field-separator <fs>', 'use FS for the input field separator (the value of the FS variable)')
      .option('-v, --assign <var=val>', 'assign the value val to the variable var before the program runs', (v: string, p: string[]) => [...p, v], [] as string[])
      .option('-f, --file <progfile>', 'read the program from progfile', (v: string, p: string[]) => [...p, v], [] as string[])
      .helpOption('--help', 'show this help')
      .usage("[-F fs] [-v var=value] ['prog' | -f progfile] [file ...]")
      .argument('[args...]')
      .passThroughOptions();
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const operands = [...r.args];
    let src: string;
    if (o.file.length > 0) {
      const parts: string[] = [];
      for (const f of o.file) {
        try {
          const fd = await openInput(sys, f);
          parts.push(await readText(sys, fd));
          await closeInput(sys, fd);
        } catch (e) {
          if (!isSysError(e)) throw e;
          await warn(sys, 'awk', `couldn't open file ${f} (${strerror(e.errno)})`);
          return 2;
        }
      }
      src = parts.join('\n');
    } else {
      const p = operands.shift();
      if (p === undefined) return usageError(sys, cmd, 'no program given');
      src = p;
    }
    let prog: Program;
    try {
      prog = parseProgram(src);
    } catch (e) {
      if (!(e instanceof AwkSyntaxError)) throw e;
      await warn(sys, 'awk', e.message);
      return 2;
    }
    const interp = new Interp(sys, prog);
    interp.setArgs(['awk', ...operands], sys.environ());
    if (o.fieldSeparator !== undefined) interp.assign('FS', o.fieldSeparator === 't' ? '\t' : unescapeAwk(o.fieldSeparator));
    for (const a of o.assign) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(a);
      if (!m) return usageError(sys, cmd, `improper assignment: -v ${a}`);
      interp.assign(m[1]!, unescapeAwk(m[2]!));
    }
    try {
      return await interp.run();
    } catch (e) {
      if (e instanceof AwkRuntimeError) {
        await warn(sys, 'awk', e.plain ? e.message : `run time error: ${e.message}`);
        return 2;
      }
      if (e instanceof ReadError) {
        await warn(sys, 'awk', `read error (${isSysError(e.cause) ? strerror(e.cause.errno) : 'I/O error'})`);
        return 2;
      }
      throw e;
    }
  }),
});
