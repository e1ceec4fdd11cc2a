// The machine as a whole: its name and version, its log, and the world it lives in.

import type { SyscallTable } from './table.js';

export const machineSyscalls = {
  uname(c) {
    return { sysname: 'Haiku', nodename: c.k.name, release: '1', version: 'hrev57937+tunlab', machine: 'x86_64' };
  },

  syslog(c) {
    return c.k.log.snapshot();
  },

  hosts(c) {
    return c.k.world?.hostNames() ?? [c.k.name];
  },
} satisfies SyscallTable<'uname' | 'syslog' | 'hosts'>;
