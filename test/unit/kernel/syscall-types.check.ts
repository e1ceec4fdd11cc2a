// Type-level proof that syscall tables follow kernel/abi: each @ts-expect-error below must be an
// error, or tsc (npm run typecheck, and syscall-types.test.ts) fails. An implementation whose
// arguments, result or errors drift from its abi signature does not compile.

import type { SyscallContext } from '../../../kernel/syscalls/context.js';
import type { SyscallTable } from '../../../kernel/syscalls/table.js';

export const agreeing = {
  close(c, fd) {
    if (fd < 0) c.fail('EBADF');
    return 0;
  },
} satisfies SyscallTable<'close'>;

export const wrongArgument = {
  // @ts-expect-error close takes an fd (a number), not a path
  close(_c: SyscallContext<'close'>, _path: string) {
    return 0;
  },
} satisfies SyscallTable<'close'>;

export const wrongResult = {
  // @ts-expect-error getcwd returns a string
  getcwd() {
    return 0;
  },
} satisfies SyscallTable<'getcwd'>;

export const undeclaredErrno = {
  close(c) {
    // @ts-expect-error close may not fail with ENOSPC: kernel/abi/syscall-errors.ts does not declare it
    c.fail('ENOSPC');
    return 0;
  },
} satisfies SyscallTable<'close'>;

// @ts-expect-error a table must implement every call it names
export const missing = {} satisfies SyscallTable<'dup'>;

export const extra = {
  dup: (_c: SyscallContext<'dup'>, fd: number) => fd,
  // @ts-expect-error nor more
  notACall: () => 0,
} satisfies SyscallTable<'dup'>;
