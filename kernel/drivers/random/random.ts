// /dev/random and /dev/urandom: bytes from the world's seeded generator in virtual time (the same
// bytes every run), from the real machine (the host port) in real time.

import type { Random } from '../../sched/random.js';
import type { DeviceHooks } from '../../vfs/devfs.js';
import { alwaysReady, invalidControl } from '../hooks.js';

const MAX_READ = 1 << 16;

/** Where the bytes come from: the seeded generator, or the machine's randomness. */
export type EntropySource = Random | { randomBytes(n: number): Uint8Array };

export function randomDevice(source: EntropySource): DeviceHooks<null> {
  return {
    open: () => null,
    close() {},
    free() {},
    control: invalidControl,
    read: (_c, _pos, len) => {
      const n = Math.min(len, MAX_READ);
      return 'bytes' in source ? source.bytes(n) : source.randomBytes(n);
    },
    // Writing mixes entropy in on a real system; here it is accepted and changes nothing.
    write: (_c, _pos, data) => data.length,
    ...alwaysReady,
  };
}
