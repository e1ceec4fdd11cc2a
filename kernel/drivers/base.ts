// The devices every host has from boot.

import type { DevicePublisher } from '../vfs/devfs.js';
import { nullDevice } from './null/null.js';
import { type EntropySource, randomDevice } from './random/random.js';
import { zeroDevice } from './zero/zero.js';

/** `entropy`: the seeded generator in virtual time, the machine's randomness in real time. */
export function installBaseDevices(devfs: DevicePublisher, entropy: EntropySource): void {
  devfs.publish('null', nullDevice, { rdev: (1 << 8) | 3 });
  devfs.publish('zero', zeroDevice, { rdev: (1 << 8) | 5 });
  devfs.publish('random', randomDevice(entropy), { rdev: (1 << 8) | 8 });
  devfs.publish('urandom', randomDevice(entropy), { rdev: (1 << 8) | 9 });
  for (const d of ['misc', 'net', 'tt']) devfs.mkdirSticky(d);
}
