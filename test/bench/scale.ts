// Benchmark 5: a world of many hosts on one segment, each pinging the router once: how long the
// whole world takes to boot and settle, and how much memory it holds.

import { buildWorld } from '../../kernel/world/build.js';
import { parseWorldFile } from '../../kernel/world/world-file.js';
import { O_RDWR } from '../../kernel/abi/fcntl.js';
import { userlandPrograms } from '../../userland/bin/registry.js';
import type { Process } from '../../kernel/proc/process.js';

export async function scale(hosts: number): Promise<{ wallMs: number; rssMb: number; heapMb: number; replies: number }> {
  const spec: { segments: object; hosts: Record<string, object> } = { segments: { lan: { delay: '0.1ms' } }, hosts: {} };
  spec.hosts['router'] = { nics: [{ segment: 'lan', address: '10.0.0.1/16' }] };
  for (let i = 0; i < hosts; i++) spec.hosts[`h${i}`] = { nics: [{ segment: 'lan', address: `10.0.${(i + 2) >> 8}.${(i + 2) & 255}/16` }] };
  const t0 = performance.now();
  const { world } = buildWorld(parseWorldFile(JSON.stringify(spec)), { programs: userlandPrograms, seed: 1 }, '.');
  const procs: Process[] = [];
  for (let i = 0; i < hosts; i++) {
    const k = world.mustHost(`h${i}`);
    const f = await k.openKernel('/dev/null', O_RDWR);
    procs.push(await k.spawn(null, '/bin/ping', ['ping', '-c', '1', '-q', '10.0.0.1'], { files: [f, f, f] }));
  }
  await world.run({ until: () => procs.every((p) => !p.alive) });
  const wallMs = performance.now() - t0;
  const mem = process.memoryUsage();
  const replies = procs.filter((p) => p.status === 0).length;
  return { wallMs, rssMb: mem.rss / 1e6, heapMb: mem.heapUsed / 1e6, replies };
}
