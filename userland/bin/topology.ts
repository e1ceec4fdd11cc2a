// topology: the world as it is wired right now: the segments and the cards plugged into them,
// bridges and their ports, and the tunnels that are up (tuns and taps with a program on them,
// paired by the flows of those programs' sockets, or by their addresses: lib/topology.ts). As
// text, or as Mermaid or Graphviz DOT to draw it elsewhere.

import { defineProgram } from '../../kernel/abi/program.js';
import { guarded } from '../lib/guard.js';
import { command, Option, parse } from '../lib/cli.js';
import { writeAll } from '../lib/io.js';
import { topologyDot, topologyMermaid, topologyText, wiring } from '../lib/topology.js';

export default defineProgram({
  name: 'topology',
  summary: 'draw the world: segments, cards, bridges and tunnels that are up',
  main: guarded('topology', async (argv, sys) => {
    const cmd = command('topology', 'draw the world as it is wired now: segments, cards, bridges and the tunnels that are up').addOption(
      new Option('-f, --format <format>', 'text, or mermaid or dot to draw it with Mermaid or Graphviz').choices(['text', 'mermaid', 'dot']).default('text'),
    );
    const r = await parse<{ format: 'text' | 'mermaid' | 'dot' }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const w = wiring(await sys.topology());
    const draw = r.opts.format === 'mermaid' ? topologyMermaid : r.opts.format === 'dot' ? topologyDot : topologyText;
    await writeAll(sys, 1, draw(w));
    return 0;
  }),
});
