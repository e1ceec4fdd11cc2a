// Running a packetdrill script in a fresh world as a user would: `cd DIR && packetdrill FILE`,
// with DIR (a real directory) shared into the host as /host.

import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import { World } from '../../../kernel/world/world.js';
import { userlandPrograms } from '../../../userland/bin/registry.js';
import { run } from '../../helpers/world.js';

export async function runPacketdrill(dir: string, script: string, args: string[] = []): Promise<{ status: number; out: string }> {
  const world = new World({ programs: userlandPrograms, share: dir, checkErrno: true });
  world.addHost('haiku');
  const r = await run(world, 'haiku', ['sh', '-c', `cd /host && packetdrill ${args.join(' ')} ${script}`]);
  return { status: r.proc.alive ? -1 : WEXITSTATUS(r.status), out: r.out };
}

