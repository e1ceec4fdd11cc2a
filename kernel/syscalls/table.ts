// The shape of a dispatch table: each implementation takes the context and exactly the arguments
// its kernel/abi signature declares, and returns what that signature promises (or a promise of
// it). Tables declare `satisfies SyscallTable<...>`, so an argument type changed in abi without its
// implementation fails tsc, as a changed errno list does for `c.fail` (see context.ts).

import type { SyscallName } from '../abi/syscall-errors.js';
import type { Sys } from '../abi/syscalls.js';
import type { Execed } from '../proc/table.js';
import type { SyscallContext } from './context.js';

type Result<K extends SyscallName> = K extends 'execve' ? Execed : Awaited<ReturnType<Sys[K]>>;

export type SyscallImpl<K extends SyscallName> = (c: SyscallContext<K>, ...args: Parameters<Sys[K]>) => Result<K> | Promise<Result<K>>;

export type SyscallTable<K extends SyscallName> = { readonly [P in K]: SyscallImpl<P> };
