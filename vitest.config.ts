import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Every syscall error must be one its abi list declares (kernel/abi/syscall-errors.ts); the
    // built tunlab that CLI tests start inherits the check through the environment.
    env: { TUNLAB_CHECK_ERRNO: process.env.TUNLAB_CHECK_ERRNO ?? '1' },
  },
});
