// The scale figure in a process of its own, so that its memory is the world's alone and not what
// the figures before it left on the heap: `node scale-child.js N [STAGGER_NS]` prints scale(N) as
// JSON (a stagger of 0 starts every ping at once).

import { scale, STAGGER_NS } from './scale.js';

const n = Number(process.argv[2]);
const stagger = process.argv[3] === undefined ? STAGGER_NS : Number(process.argv[3]);
if (!Number.isInteger(n) || n < 1 || !Number.isInteger(stagger) || stagger < 0) {
  process.stderr.write('usage: scale-child HOSTS [STAGGER_NS]\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify(await scale(n, stagger)) + '\n');
