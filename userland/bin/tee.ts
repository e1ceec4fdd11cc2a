// tee: copy standard input to standard output and to files, as coreutils tee: a file that cannot
// be opened or written is reported ("tee: x: ...") and dropped, the others go on; status 1.

import { O_APPEND, O_CREAT, O_TRUNC, O_WRONLY } from '../../kernel/abi/fcntl.js';
import { isSysError } from '../../kernel/abi/errno.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { SIGINT } from '../../kernel/abi/signal.js';
import { command, parse } from '../lib/cli.js';
import { errText, quotef, warn, warnErr } from '../lib/errors.js';
import { guarded } from '../lib/guard.js';
import { writeAll } from '../lib/io.js';
import { readChunk, ReadError } from '../lib/readers.js';

interface Sink {
  fd: number;
  name: string;
}

export default defineProgram({
  name: 'tee',
  summary: 'read from standard input and write to standard output and files',
  main: guarded('tee', async (argv, sys) => {
    const cmd = command('tee', 'copy standard input to each FILE, and also to standard output')
      .option('-a, --append', 'append to the given FILEs, do not overwrite')
      .option('-i, --ignore-interrupts', 'ignore interrupt signals')
      .argument('[file...]');
    const r = await parse<{ append?: boolean; ignoreInterrupts?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    if (r.opts.ignoreInterrupts) await sys.sigaction(SIGINT, 'SIG_IGN');
    let status = 0;
    const sinks: Sink[] = [{ fd: 1, name: 'standard output' }];
    const flags = O_WRONLY | O_CREAT | (r.opts.append ? O_APPEND : O_TRUNC);
    for (const file of r.args) {
      try {
        sinks.push({ fd: await sys.open(file, flags, 0o666), name: file });
      } catch (e) {
        await warnErr(sys, 'tee', file, e);
        status = 1;
      }
    }
    for (;;) {
      let chunk: Uint8Array;
      try {
        chunk = await readChunk(sys, 0);
      } catch (e) {
        if (!(e instanceof ReadError)) throw e;
        await warn(sys, 'tee', `read error: ${errText(e.cause)}`);
        return 1;
      }
      if (chunk.length === 0) break;
      for (const s of [...sinks]) {
        try {
          await writeAll(sys, s.fd, chunk);
        } catch (e) {
          if (!isSysError(e)) throw e;
          await warn(sys, 'tee', `${quotef(s.name)}: ${errText(e)}`);
          sinks.splice(sinks.indexOf(s), 1);
          status = 1;
        }
      }
    }
    for (const s of sinks) if (s.fd > 2) await sys.close(s.fd).catch(() => 0);
    return status;
  }),
});
