// Running packetdrill scripts in a fresh world: the script is written into the host's /tmp and run
// with packetdrill as a user would; its output and exit status come back.

import { O_CREAT, O_TRUNC, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import { defineProgram, type Program } from '../../../kernel/abi/program.js';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import packetdrill from '../../../userland/bin/packetdrill/main.js';
import sh from '../../../userland/bin/sh.js';
import cat from '../../../userland/bin/cat.js';
import echo from '../../../userland/bin/echo.js';
import sysctl from '../../../userland/bin/sysctl.js';
import tc from '../../../userland/bin/tc.js';
import { run, testWorld } from '../../helpers/world.js';

const files = new Map<string, string>();

/** `putfile PATH`: writes the text the test registered for PATH. */
const putfile = defineProgram({
  name: 'putfile',
  summary: 'write a test file',
  async main(argv, sys) {
    const fd = await sys.open(argv[1]!, O_CREAT | O_WRONLY | O_TRUNC, 0o755);
    await sys.write(fd, files.get(argv[1]!) ?? '');
    await sys.close(fd);
    return 0;
  },
});

export interface PdResult {
  status: number;
  out: string;
}

export async function runScript(script: string, args: string[] = [], extra: { files?: Record<string, string>; programs?: Program[] } = {}): Promise<PdResult> {
  const world = testWorld([packetdrill, sh, { ...sh, name: 'bash' }, cat, echo, sysctl, tc, putfile, ...(extra.programs ?? [])]);
  const all = { '/tmp/test.pkt': script, ...(extra.files ?? {}) };
  for (const [path, text] of Object.entries(all)) {
    files.set(path, text);
    await run(world, 'haiku', ['putfile', path]);
  }
  const r = await run(world, 'haiku', ['packetdrill', ...args, '/tmp/test.pkt']);
  return { status: WEXITSTATUS(r.status), out: r.out };
}
