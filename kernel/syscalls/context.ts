// What every system call implementation receives: the kernel it runs in (as the narrow set of
// services calls use), the calling process, the I/O context handed down to files and drivers, and
// `fail`, the one way an implementation raises an error: typed by the call's errno list in
// kernel/abi, so a call can only fail with what its contract declares.

import { type ErrnoName, SysError } from '../abi/errno.js';
import type { SyscallErrno, SyscallName } from '../abi/syscall-errors.js';
import type { SocketLayer } from '../net/socket/sockets.js';
import type { EventBus } from '../obs/events.js';
import type { KernelLog } from '../obs/log.js';
import type { KernelLimits } from '../proc/limits.js';
import type { Process } from '../proc/process.js';
import type { ProcessTable } from '../proc/table.js';
import type { Scheduler, Task } from '../sched/scheduler.js';
import type { IoContext } from '../vfs/file.js';
import type { PipeFs } from '../vfs/pipe.js';
import type { Vfs } from '../vfs/vfs.js';

/** The parts of a host's kernel the system calls reach. */
export interface KernelServices {
  readonly name: string;
  readonly sched: Scheduler;
  readonly vfs: Vfs;
  readonly pipes: PipeFs;
  readonly procs: ProcessTable;
  readonly sockets: SocketLayer;
  readonly log: KernelLog;
  /** The world's event bus: packet journeys, for journey_open. */
  readonly events: EventBus;
  readonly limits: KernelLimits;
  wallNs(): number;
  /** The other hosts of the world (`on HOST`, `hosts`); null for a kernel on its own. */
  readonly world: HostDirectory | null;
}

export interface HostDirectory {
  hostNames(): string[];
  host(name: string): KernelServices | undefined;
}

/** Something that may fail with the errors E: what a helper shared by several calls asks for. */
export interface Fails<E extends ErrnoName> {
  readonly fail: (errno: E, message?: string) => never;
}

export interface SyscallContext<K extends SyscallName = SyscallName> extends Fails<SyscallErrno<K>> {
  readonly k: KernelServices;
  readonly p: Process;
  readonly io: IoContext;
}

function fail(errno: ErrnoName, message?: string): never {
  throw new SysError(errno, message);
}

export function syscallContext(k: KernelServices, p: Process, name: SyscallName, task?: Task): SyscallContext {
  return { k, p, io: p.ioContext(name, task), fail };
}
