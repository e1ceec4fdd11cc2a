// The bounds of one host: how many fds and processes, how much a pipe holds.

import { DEFAULT_MAX_FDS } from './fd-table.js';

export interface KernelLimits {
  /** Open fds per process (RLIMIT_NOFILE): EMFILE beyond. */
  maxFds: number;
  /** Processes per host: EAGAIN from spawn beyond, as fork() gives. */
  maxProcs: number;
  /** Bytes a pipe holds before writers block. */
  pipeCapacity: number;
}

export const DEFAULT_LIMITS: KernelLimits = { maxFds: DEFAULT_MAX_FDS, maxProcs: 1024, pipeCapacity: 65536 };
