// Time: the kernel's two clocks, sleeping on them, and giving way to the rest of the machine.

import { CLOCK_MONOTONIC, CLOCK_REALTIME } from '../abi/syscalls.js';
import type { SyscallTable } from './table.js';

export const timeSyscalls = {
  clock_gettime(c, clock) {
    if (clock === CLOCK_MONOTONIC) return c.k.sched.now();
    if (clock === CLOCK_REALTIME) return c.k.wallNs();
    return c.fail('EINVAL');
  },

  async nanosleep(c, ns) {
    if (typeof ns !== 'number' || !(ns >= 0)) c.fail('EINVAL');
    const deadline = c.k.sched.now() + Math.round(ns);
    const r = await c.k.sched.sleepUntil(c.io.task, deadline, { interruptible: true, syscall: 'nanosleep', channel: 'timer' });
    if (r === 'signal') c.fail('EINTR');
    return 0;
  },

  async sched_yield(c) {
    await c.k.sched.preempt();
    return 0;
  },
} satisfies SyscallTable<'clock_gettime' | 'nanosleep' | 'sched_yield'>;
