// The scale figure in a process of its own, so that its memory is the world's alone and not what
// the figures before it left on the heap: `node scale-child.js N` prints scale(N) as JSON.

import { scale } from './scale.js';

const n = Number(process.argv[2]);
if (!Number.isInteger(n) || n < 1) {
  process.stderr.write('usage: scale-child HOSTS\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify(await scale(n)) + '\n');
