// Pieces of device_hooks that many simple drivers share.

import { SysError } from '../abi/errno.js';
import { B_SET_BLOCKING_IO, B_SET_NONBLOCKING_IO } from '../abi/ioctl.js';
import { B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../abi/select.js';
import type { SelectSync } from '../vfs/file.js';

/** A control hook that knows only the blocking-mode controls, which mean nothing to it. */
export function invalidControl(_cookie: unknown, op: number): number {
  if (op === B_SET_NONBLOCKING_IO || op === B_SET_BLOCKING_IO) return 0;
  throw new SysError('B_DEV_INVALID_IOCTL');
}

/** select/deselect for a device that can always be read and written. */
export const alwaysReady = {
  select(_cookie: unknown, event: SelectEvent, sync: SelectSync): void {
    if (event === B_SELECT_READ || event === B_SELECT_WRITE) sync.notify(event);
  },
  deselect(): void {},
};
