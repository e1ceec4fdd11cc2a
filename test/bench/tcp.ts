// Benchmarks of TCP: a bulk transfer between two hosts on one segment (wall-clock MB/s: the
// whole stack on both sides, segmentation, ACK clocking, the segment's delivery), and packetdrill
// scripts run per second (a fresh world each, as the suite runs them).

import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { O_RDWR } from '../../kernel/abi/fcntl.js';
import { WEXITSTATUS } from '../../kernel/abi/wait.js';
import { buildWorld } from '../../kernel/world/build.js';
import { parseWorldFile } from '../../kernel/world/world-file.js';
import { World } from '../../kernel/world/world.js';
import { userlandPrograms } from '../../userland/bin/registry.js';
import { tcpSink, tcpSource } from '../helpers/tcp-programs.js';
import { cpuSeconds, type Throughput } from './tunnel.js';

const PAIR = {
  segments: { wire: { delay: '0.1ms' } },
  hosts: { a: { nics: [{ segment: 'wire', address: '10.0.0.1/24' }] }, b: { nics: [{ segment: 'wire', address: '10.0.0.2/24' }] } },
};

/** The offloads a Linux veth pair has on by default (tso, gso, gro is off on veth but on on a NIC's receive path). */
const VETH_OFFLOADS = new Map([
  ['tx-scatter-gather', true],
  ['tx-checksum-ip-generic', true],
  ['tx-tcp-segmentation', true],
  ['tx-tcp-ecn-segmentation', true],
  ['tx-tcp-mangleid-segmentation', true],
  ['tx-generic-segmentation', true],
  ['rx-gro', true],
] as const);

/**
 * MB/s of wall time for `bytes` from a to b over one TCP connection; `offloads`: both cards with
 * TSO, GSO and GRO on, so segments travel as 64 KB super-packets.
 */
export async function tcpBulk(bytes: number, offloads = false): Promise<number> {
  return (await tcpBulkThroughput(bytes, offloads)).mbPerS;
}

/** tcpBulk with MB per CPU-second of this process beside the wall-time figure. */
export async function tcpBulkThroughput(bytes: number, offloads = false): Promise<Throughput> {
  const cpu0 = process.cpuUsage();
  const byName = new Map([tcpSource, tcpSink].map((p) => [p.name, p]));
  const { world } = buildWorld(parseWorldFile(JSON.stringify(PAIR)), { programs: { names: () => [...byName.keys()], load: async (n) => byName.get(n) }, seed: 1 }, '.');
  const a = world.mustHost('a');
  const b = world.mustHost('b');
  if (offloads) for (const h of [a, b]) for (const nic of h.nics.all()) nic.features.setByName(VETH_OFFLOADS);
  const out: string[] = [];
  const term = b.ttys.create(false);
  term.onOutput = (d) => out.push(new TextDecoder().decode(d));
  const tf = await b.openKernel(`/dev/${term.path}`, O_RDWR);
  const nul = await a.openKernel('/dev/null', O_RDWR);
  const t0 = performance.now();
  const sink = await b.spawn(null, '/bin/tcpsink', ['tcpsink', '9000'], { files: [tf, tf, tf] });
  const source = await a.spawn(null, '/bin/tcpsource', ['tcpsource', '10.0.0.2', '9000', String(bytes)], { files: [nul, nul, nul] });
  await world.run({ until: () => !sink.alive && !source.alive });
  const wall = (performance.now() - t0) / 1000;
  if (out.join('') !== `received ${bytes} bytes intact\n`) throw new Error(`TCP bulk benchmark: ${out.join('').trim() || 'nothing received'}`);
  return { mbPerS: bytes / 1e6 / wall, mbPerCpuS: bytes / 1e6 / cpuSeconds(cpu0), delivered: bytes };
}

/** packetdrill runs of one of tunlab's own scripts per second of wall time. */
export async function packetdrillRate(runs: number, script = 'data-delayed-ack.pkt'): Promise<number> {
  const dir = path.join(PACKAGE_ROOT, 'test', 'packetdrill');
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const world = new World({ programs: userlandPrograms, share: dir });
    const k = world.addHost('haiku');
    const nul = await k.openKernel('/dev/null', O_RDWR);
    const p = await k.spawn(null, '/bin/sh', ['sh', '-c', `cd /host && packetdrill ${script}`], { files: [nul, nul, nul] });
    await world.run({ until: () => !p.alive });
    if (WEXITSTATUS(p.status) !== 0) throw new Error(`packetdrill benchmark: ${script} failed`);
  }
  return runs / ((performance.now() - t0) / 1000);
}
