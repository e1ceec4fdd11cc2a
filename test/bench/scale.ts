// Benchmark 5: a world of many hosts on one segment, each pinging the router once: how long the
// whole world takes to boot and settle, and how much memory it holds.
//
// Host i starts its ping i × STAGGER_NS into the run, as hosts of a real network do not all speak
// in the same nanosecond: started together, their ten thousand ARP requests reach the router in one
// instant, its backlog (netdev_max_backlog, 1000 frames) drops nine in ten, and most pings fail
// for a reason that is the workload's, not the emulator's.

import { buildWorld } from '../../kernel/world/build.js';
import { parseWorldFile } from '../../kernel/world/world-file.js';
import { O_RDWR } from '../../kernel/abi/fcntl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import type { ProgramSource } from '../../kernel/world/world.js';
import { userlandPrograms } from '../../userland/bin/registry.js';
import ping from '../../userland/bin/ping.js';
import type { Process } from '../../kernel/proc/process.js';

/** 10 µs between two hosts' first packets: 10 000 hosts start within 0.1 virtual seconds. */
export const STAGGER_NS = 10_000;

/** `ping-after NS ARGS...`: sleep NS, then run ping with ARGS (the bench's own program). */
const pingAfter = defineProgram({
  name: 'ping-after',
  summary: 'sleep, then ping (scale bench)',
  async main(argv, sys) {
    await sys.nanosleep(Number(argv[1]));
    return ping.main(['ping', ...argv.slice(2)], sys);
  },
});

const programs: ProgramSource = {
  names: () => [...userlandPrograms.names(), pingAfter.name],
  summary: (n) => userlandPrograms.summary?.(n),
  load: async (n) => (n === pingAfter.name ? pingAfter : userlandPrograms.load(n)),
};

export async function scale(hosts: number, staggerNs = STAGGER_NS): Promise<{ wallMs: number; rssMb: number; heapMb: number; replies: number }> {
  const spec: { segments: object; hosts: Record<string, object> } = { segments: { lan: { delay: '0.1ms' } }, hosts: {} };
  spec.hosts['router'] = { nics: [{ segment: 'lan', address: '10.0.0.1/8' }] };
  for (let i = 0; i < hosts; i++) spec.hosts[`h${i}`] = { nics: [{ segment: 'lan', address: `10.${(i + 2) >> 16}.${((i + 2) >> 8) & 255}.${(i + 2) & 255}/8` }] };
  const t0 = performance.now();
  const { world } = buildWorld(parseWorldFile(JSON.stringify(spec)), { programs, seed: 1 }, '.');
  const procs: Process[] = [];
  for (let i = 0; i < hosts; i++) {
    const k = world.mustHost(`h${i}`);
    const f = await k.openKernel('/dev/null', O_RDWR);
    procs.push(await k.spawn(null, '/bin/ping-after', ['ping-after', String(i * staggerNs), '-c', '1', '-q', '10.0.0.1'], { files: [f, f, f] }));
  }
  // Asked at every quiet point: it must not walk every process each time.
  let ended = 0;
  await world.run({
    until: () => {
      while (ended < procs.length && !procs[ended]!.alive) ended++;
      return ended === procs.length;
    },
  });
  const wallMs = performance.now() - t0;
  const mem = process.memoryUsage();
  const replies = procs.filter((p) => p.status === 0).length;
  return { wallMs, rssMb: mem.rss / 1e6, heapMb: mem.heapUsed / 1e6, replies };
}
