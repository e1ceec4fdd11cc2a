// The bounds of one host: how many fds and processes, how much a pipe holds, how big its disk is.

import { DEFAULT_FS_LIMITS, type FsLimits } from '../vfs/fs-quota.js';
import { DEFAULT_MAX_FDS } from './fd-table.js';

export interface KernelLimits {
  /** Open fds per process (RLIMIT_NOFILE): EMFILE beyond. */
  maxFds: number;
  /** Processes per host: EAGAIN from spawn beyond, as fork() gives. */
  maxProcs: number;
  /** Bytes a pipe holds before writers block. */
  pipeCapacity: number;
  /** The root file system's size and inodes, as tmpfs's size= and nr_inodes=: ENOSPC beyond. */
  disk: FsLimits;
}

export const DEFAULT_LIMITS: KernelLimits = { maxFds: DEFAULT_MAX_FDS, maxProcs: 1024, pipeCapacity: 65536, disk: DEFAULT_FS_LIMITS };
