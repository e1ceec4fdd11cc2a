// What every syscall implementation receives: the kernel it runs in, the calling process, and the
// I/O context handed down to files and drivers.

import type { Kernel } from '../kernel.js';
import type { IoContext } from '../vfs/file.js';
import type { Process } from './process.js';

export interface SyscallContext {
  readonly k: Kernel;
  readonly p: Process;
  readonly io: IoContext;
}

/** A syscall's implementation: the Sys method's signature with the context in front. */
export type SyscallImpl = (c: SyscallContext, ...args: any[]) => unknown;
