// copy_from_user and copy_to_user at the syscall gate (kernel/syscalls/copy.ts): a program's bad
// structure is EFAULT for that call and nothing else, the kernel never works on the program's own
// object, and results come back into it field by field.

import { describe, expect, it } from 'vitest';
import { isSysError } from '../../../kernel/abi/errno.js';
import { type Ifreq } from '../../../kernel/abi/if.js';
import { SIOCGIFMTU, SIOCGRTTABLE } from '../../../kernel/abi/ioctl.js';
import { POLLIN } from '../../../kernel/abi/poll.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, SOCK_DGRAM } from '../../../kernel/abi/socket.js';
import { print } from '../../../userland/lib/io.js';
import { run, testWorld } from '../../helpers/world.js';

/** Each step prints what the call gave: its result, or its errno. */
const prober = defineProgram({
  name: 'prober',
  summary: '',
  async main(_argv, sys) {
    const out: string[] = [];
    const step = async (what: string, call: () => Promise<unknown>) => {
      try {
        const r = await call();
        out.push(`${what}: ${typeof r === 'object' ? JSON.stringify(r) : String(r)}`);
      } catch (e) {
        if (!isSysError(e)) throw e;
        out.push(`${what}: ${e.errno}`);
      }
    };
    const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    const mtu: Ifreq = { ifr_name: 'loop' };
    await step('SIOCGIFMTU fills the caller\'s ifreq', () => sys.ioctl(fd, SIOCGIFMTU, mtu));
    out.push(`  ifr_mtu = ${mtu.ifr_mtu}`);
    await step('a frozen ifreq', () => sys.ioctl(fd, SIOCGIFMTU, Object.freeze({ ifr_name: 'loop' })));
    const throwing = { get ifr_name(): string { throw new Error('boom'); } };
    await step('an ifreq whose getter throws', () => sys.ioctl(fd, SIOCGIFMTU, throwing));
    await step('a function where a structure belongs', () => sys.ioctl(fd, SIOCGIFMTU, (() => 0) as never));
    const loop: Record<string, unknown> = { ifr_name: 'loop' };
    loop.self = loop;
    await step('a structure that holds itself', () => sys.ioctl(fd, SIOCGIFMTU, loop));
    await step('an object with a throwing toString as a path', () => sys.open({ toString() { throw new Error('x'); } } as never, 0));
    await step('spawn with fds that are not a list', () => sys.spawn('/bin/prober', ['prober'], { fds: 'x' as never }));
    const table: { routes: unknown[] } = { routes: [] };
    await step('SIOCGRTTABLE hands a new table over', () => sys.ioctl(fd, SIOCGRTTABLE, table));
    out.push(`  ${table.routes.length} routes`);
    const fds = [{ fd, events: POLLIN, revents: 99 }];
    await step('poll writes revents back', () => sys.poll(fds, 0));
    out.push(`  revents = ${fds[0]!.revents}`);
    await print(sys, out.join('\n') + '\n');
  },
});

describe('the structures a program passes', () => {
  it('are copied in and out; what cannot be copied is EFAULT for that call only', async () => {
    const w = testWorld([prober]);
    const r = await run(w, 'haiku', ['prober']);
    expect(r.out).toBe(
      [
        "SIOCGIFMTU fills the caller's ifreq: 0",
        '  ifr_mtu = 16384',
        'a frozen ifreq: EFAULT',
        'an ifreq whose getter throws: EFAULT',
        'a function where a structure belongs: EFAULT',
        'a structure that holds itself: EFAULT',
        'an object with a throwing toString as a path: EFAULT',
        'spawn with fds that are not a list: EFAULT',
        'SIOCGRTTABLE hands a new table over: 0',
        '  2 routes',
        'poll writes revents back: 0',
        '  revents = 0',
        '',
      ].join('\n'),
    );
  });
});
