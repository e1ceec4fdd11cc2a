// /dev/null: reads end at once, writes vanish.

import type { DeviceHooks } from '../../vfs/devfs.js';
import { alwaysReady, invalidControl } from '../hooks.js';

export const nullDevice: DeviceHooks<null> = {
  open: () => null,
  close() {},
  free() {},
  control: invalidControl,
  read: () => new Uint8Array(0),
  write: (_c, _pos, data) => data.length,
  ...alwaysReady,
};
