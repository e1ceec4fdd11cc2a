// sha256sum: SHA-256 digests of files (or stdin), one "DIGEST  NAME" line each, as coreutils
// prints them; what shows that a file crossed a tunnel intact.

import { createHash } from 'node:crypto';
import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { errText, quotef, warn } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';
import { readChunk } from '../lib/readers.js';

export default defineProgram({
  name: 'sha256sum',
  summary: 'compute SHA256 message digest',
  main: guarded('sha256sum', async (argv, sys) => {
    const cmd = command('sha256sum', 'Print SHA256 (256-bit) checksums.').argument('[file...]');
    const r = await parse<object>(sys, cmd, argv);
    if ('status' in r) return r.status;
    let status = 0;
    for (const file of r.args.length ? r.args : ['-']) {
      try {
        const fd = await openInput(sys, file);
        const h = createHash('sha256');
        for (;;) {
          const d = await readChunk(sys, fd);
          if (d.length === 0) break;
          h.update(d);
        }
        await closeInput(sys, fd);
        await out(sys, `${h.digest('hex')}  ${file}\n`);
      } catch (e) {
        await warn(sys, 'sha256sum', `${quotef(file)}: ${errText(e)}`);
        status = 1;
      }
    }
    return status;
  }),
});
