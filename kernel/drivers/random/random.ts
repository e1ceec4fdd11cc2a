// /dev/random and /dev/urandom: bytes from the world's seeded generator in virtual time (the same
// bytes every run), from node:crypto in real time.

import { randomBytes } from 'node:crypto';
import type { Random } from '../../sched/random.js';
import type { DeviceHooks } from '../../vfs/devfs.js';
import { alwaysReady, invalidControl } from '../hooks.js';

const MAX_READ = 1 << 16;

export function randomDevice(seeded: Random | null): DeviceHooks<null> {
  return {
    open: () => null,
    close() {},
    free() {},
    control: invalidControl,
    read: (_c, _pos, len) => {
      const n = Math.min(len, MAX_READ);
      return seeded ? seeded.bytes(n) : new Uint8Array(randomBytes(n));
    },
    // Writing mixes entropy in on a real system; here it is accepted and changes nothing.
    write: (_c, _pos, data) => data.length,
    ...alwaysReady,
  };
}
