// clear: clear the terminal. Haiku's clear runs `tput clear`; for its xterm-like Terminal that
// is the home and erase-display sequence, written here directly.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { guarded, out } from '../lib/guard.js';

export const CLEAR_SCREEN = '\x1b[H\x1b[2J';

export default defineProgram({
  name: 'clear',
  summary: 'clear the terminal screen',
  main: guarded('clear', async (argv, sys) => {
    const r = await parse(sys, command('clear', 'clear the terminal screen'), argv);
    if ('status' in r) return r.status;
    await out(sys, CLEAR_SCREEN);
    return 0;
  }),
});
