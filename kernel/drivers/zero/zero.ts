// /dev/zero: as many zero bytes as asked for.

import type { DeviceHooks } from '../../vfs/devfs.js';
import { alwaysReady, invalidControl } from '../hooks.js';

/** A read is capped so that `cat /dev/zero` streams rather than allocating without bound. */
const MAX_READ = 1 << 20;

export const zeroDevice: DeviceHooks<null> = {
  open: () => null,
  close() {},
  free() {},
  control: invalidControl,
  read: (_c, _pos, len) => new Uint8Array(Math.min(len, MAX_READ)),
  write: (_c, _pos, data) => data.length,
  ...alwaysReady,
};
