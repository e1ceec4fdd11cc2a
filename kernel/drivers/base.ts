// The devices every host has from boot.

import type { Random } from '../sched/random.js';
import type { DevicePublisher } from '../vfs/devfs.js';
import { nullDevice } from './null/null.js';
import { randomDevice } from './random/random.js';
import { zeroDevice } from './zero/zero.js';

/** `seeded`: the generator /dev/random reads from in virtual time (null: node:crypto, real time). */
export function installBaseDevices(devfs: DevicePublisher, seeded: Random | null): void {
  devfs.publish('null', nullDevice, { rdev: (1 << 8) | 3 });
  devfs.publish('zero', zeroDevice, { rdev: (1 << 8) | 5 });
  devfs.publish('random', randomDevice(seeded), { rdev: (1 << 8) | 8 });
  devfs.publish('urandom', randomDevice(seeded), { rdev: (1 << 8) | 9 });
  for (const d of ['misc', 'net', 'tt']) devfs.mkdirSticky(d);
}
