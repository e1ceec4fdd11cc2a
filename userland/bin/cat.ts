// cat: concatenate files (or standard input, "-") to standard output, as coreutils cat: a file
// that cannot be opened or read is reported ("cat: x: No such file or directory") and skipped,
// and the status is 1 at the end. -n numbers the output lines.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { warnErr } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';

const enc = new TextEncoder();

/** Line numbering that carries over chunk and file boundaries, as cat -n does. */
class Numberer {
  private line = 0;
  private atStart = true;
  apply(chunk: Uint8Array): Uint8Array {
    const parts: number[] = [];
    for (const b of chunk) {
      if (this.atStart) {
        for (const x of enc.encode(`${String(++this.line).padStart(6)}\t`)) parts.push(x);
        this.atStart = false;
      }
      parts.push(b);
      if (b === 0x0a) this.atStart = true;
    }
    return Uint8Array.from(parts);
  }
}

export default defineProgram({
  name: 'cat',
  summary: 'concatenate files and print on the standard output',
  main: guarded('cat', async (argv, sys) => {
    const cmd = command('cat', 'concatenate FILE(s) to standard output; with no FILE, or when FILE is -, read standard input')
      .option('-n, --number', 'number all output lines')
      .option('-u', '(ignored)')
      .argument('[file...]');
    const r = await parse<{ number?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const files = r.args.length > 0 ? r.args : ['-'];
    const numberer = r.opts.number ? new Numberer() : null;
    let status = 0;
    for (const file of files) {
      let fd: number;
      try {
        fd = await openInput(sys, file);
      } catch (e) {
        await warnErr(sys, 'cat', file, e);
        status = 1;
        continue;
      }
      try {
        for (;;) {
          let chunk: Uint8Array;
          try {
            chunk = await sys.read(fd, 65536);
          } catch (e) {
            await warnErr(sys, 'cat', file, e);
            status = 1;
            break;
          }
          if (chunk.length === 0) break;
          await out(sys, numberer ? numberer.apply(chunk) : chunk);
        }
      } finally {
        await closeInput(sys, fd);
      }
    }
    return status;
  }),
});
