// What a driver may use of the kernel: publishing device nodes, the network stack to attach
// interfaces to, the host's log and seeded random source. Drivers get this, never the kernel.

import type { NetStack } from '../net/iface/stack.js';
import type { Random } from '../sched/random.js';
import type { DevicePublisher } from '../vfs/devfs.js';

export interface DriverEnv {
  readonly devfs: DevicePublisher;
  readonly net: NetStack;
  readonly log: { write(line: string): void };
  readonly random: Random;
}

/** A random, locally administered unicast MAC, as Linux's eth_hw_addr_random makes. */
export function randomLocalMac(random: Random): number {
  const bytes = random.bytes(6);
  bytes[0] = (bytes[0]! & 0xfe) | 0x02;
  return bytes.reduce((n, b) => n * 256 + b, 0);
}
