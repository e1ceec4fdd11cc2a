// The command a user runs: the bundle `npm run build` writes (package.json's "bin"), which
// `npm test` and `npm run bench` build first.

import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../bin/paths.js';

export const TUNLAB_COMMAND = path.join(PACKAGE_ROOT, 'dist', 'bundle', 'tunlab.js');
