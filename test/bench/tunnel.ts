// The tunnel harness of `npm run bench`: hosts a and b on one wire, a tunnel brought up between
// them by the commands each figure gives (OpenVPN static key or TLS, WireGuard), warmed by a ping,
// then measured. The paced throughput is the same measurement for every kind of tunnel.

import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { O_RDWR } from '../../kernel/abi/fcntl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../kernel/abi/socket.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Process } from '../../kernel/proc/process.js';
import { buildWorld } from '../../kernel/world/build.js';
import type { World } from '../../kernel/world/world.js';
import { parseWorldFile } from '../../kernel/world/world-file.js';
import { userlandPrograms } from '../../userland/bin/registry.js';

export async function shell(k: Kernel, command: string): Promise<{ proc: Process; output: () => string }> {
  const term = k.ttys.create(false);
  let out = '';
  term.onOutput = (d) => (out += new TextDecoder().decode(d));
  const f = await k.openKernel(`/dev/${term.path}`, O_RDWR);
  const proc = await k.spawn(null, '/bin/sh', ['sh', '-c', command], { files: [f, f, f] });
  return { proc, output: () => out };
}

/**
 * MB/s of payload delivered, in wall time and per second of this process's CPU time: on shared
 * cores the second moves far less with the load of others.
 */
export interface Throughput {
  mbPerS: number;
  mbPerCpuS: number;
  delivered: number;
}

/** CPU seconds (user + system) this process spent since `from`. */
export function cpuSeconds(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

/** A sender that paces itself in virtual time, so nothing is lost for want of buffer space. */
export const blast = defineProgram({
  name: 'blast',
  summary: 'send N datagrams of S bytes, one every P nanoseconds',
  async main(argv, sys) {
    const [dst, port, n, size, pace] = [argv[1]!, Number(argv[2]), Number(argv[3]), Number(argv[4]), Number(argv[5])];
    const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    const to = sockaddrIn(dst, port);
    const data = new Uint8Array(size).fill(0x78);
    for (let i = 0; i < n; i++) {
      await sys.sendto(fd, data, 0, to);
      await sys.nanosleep(pace);
    }
  },
});

export interface Tunnel {
  /** The world file's content: hosts a and b (with the files the tunnel needs) on one wire. */
  world: object;
  /** The commands that bring the tunnel up, in this order, each on its host; each one ends. */
  up: ReadonlyArray<readonly ['a' | 'b', string]>;
  /** A command on a that ends once the tunnel carries packets. */
  warm: string;
  /** b's address inside the tunnel. */
  peer: string;
}

/** A fresh world with the tunnel up and warm. */
export async function tunnelWorld(t: Tunnel): Promise<{ w: World; a: Kernel; b: Kernel }> {
  const w = buildWorld(parseWorldFile(JSON.stringify(t.world)), { programs: userlandPrograms, seed: 1 }, path.join(PACKAGE_ROOT, 'fixtures', 'worlds')).world;
  w.addProgram(blast);
  const a = w.mustHost('a');
  const b = w.mustHost('b');
  const up: Array<{ proc: Process }> = [];
  for (const [host, command] of t.up) up.push(await shell(host === 'a' ? a : b, command));
  await w.run({ until: () => up.every((u) => !u.proc.alive) });
  const warm = await shell(a, t.warm);
  await w.run({ until: () => !warm.proc.alive });
  return { w, a, b };
}

/**
 * Payload through the tunnel: a sender on a, a receiving socket on b, the tunnel's processes
 * sealing and opening everything between them. The sender paces itself (100 µs of virtual time
 * apart): links have no bandwidth limit, so a burst would only measure how much the socket buffers
 * drop; paced, every datagram crosses the whole path, and the wall time is what the emulation
 * costs per datagram.
 */
export async function pacedThroughput(t: Tunnel, datagrams: number, size: number): Promise<Throughput> {
  const { w, a, b } = await tunnelWorld(t);
  await shell(b, 'udpserver -p 9000 -q --no-echo --rcvbuf 4194304');
  // The receiving socket counts what came out of the tunnel.
  const receiver = () => (b.sockets.udp.ports.get(9000)?.[0] as { received?: number } | undefined)?.received ?? 0;
  await w.run({ until: () => b.sockets.udp.ports.has(9000) });
  const before = receiver();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const tx = await shell(a, `blast ${t.peer} 9000 ${datagrams} ${size} 100000`);
  await w.run({ until: () => !tx.proc.alive });
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cpu0);
  const delivered = receiver() - before;
  return { mbPerS: (delivered * size) / 1e6 / wall, mbPerCpuS: (delivered * size) / 1e6 / cpu, delivered };
}
