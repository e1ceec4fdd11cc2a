// The devices every host has from boot.

import type { Kernel } from '../kernel.js';
import { nullDevice } from './null/null.js';
import { randomDevice } from './random/random.js';
import { zeroDevice } from './zero/zero.js';

export function installBaseDevices(k: Kernel): void {
  const seeded = k.sched.virtual ? k.random.fork('dev/random') : null;
  k.devfs.publish('null', nullDevice, { rdev: (1 << 8) | 3 });
  k.devfs.publish('zero', zeroDevice, { rdev: (1 << 8) | 5 });
  k.devfs.publish('random', randomDevice(seeded), { rdev: (1 << 8) | 8 });
  k.devfs.publish('urandom', randomDevice(seeded), { rdev: (1 << 8) | 9 });
  for (const d of ['misc', 'net', 'tt']) k.devfs.mkdirSticky(d);
}
