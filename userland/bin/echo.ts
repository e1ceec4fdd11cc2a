// echo: print the arguments. As coreutils echo: leading -n/-e/-E (or combinations such as -ne)
// are options, anything else (even "-x" or "--") is text; --help only when it is the sole argument.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { concatBytes, unescape } from '../lib/escapes.js';
import { guarded, out } from '../lib/guard.js';

export default defineProgram({
  name: 'echo',
  summary: 'display a line of text',
  main: guarded('echo', async (argv, sys) => {
    if (argv.length === 2 && argv[1] === '--help') {
      const cmd = command('echo', 'display a line of text (-n: no trailing newline, -e: interpret backslash escapes, -E: do not)')
        .argument('[string...]');
      const r = await parse(sys, cmd, argv);
      return 'status' in r ? r.status : 0;
    }
    let newline = true;
    let escapes = false;
    let i = 1;
    for (; i < argv.length; i++) {
      const a = argv[i]!;
      if (!/^-[neE]+$/.test(a)) break;
      for (const f of a.slice(1)) {
        if (f === 'n') newline = false;
        else escapes = f === 'e';
      }
    }
    const text = argv.slice(i).join(' ') + (newline ? '\n' : '');
    if (!escapes) {
      await out(sys, text);
      return 0;
    }
    // With -e, \c ends all output, the newline included.
    const parts: Uint8Array[] = [];
    const words = argv.slice(i);
    for (let j = 0; j < words.length; j++) {
      const r = unescape(words[j]!, 'echo');
      parts.push(r.bytes);
      if (r.stop) {
        await out(sys, concatBytes(parts));
        return 0;
      }
      if (j < words.length - 1) parts.push(Uint8Array.of(0x20));
    }
    if (newline) parts.push(Uint8Array.of(0x0a));
    await out(sys, concatBytes(parts));
    return 0;
  }),
});
