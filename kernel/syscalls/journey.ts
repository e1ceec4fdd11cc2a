// Recording packet journeys (kernel/abi/journey.ts): journey_open starts a world-wide recording
// on a new fd (root only: it sees every host's packets), journey_read drains its events, and
// journey_drop lets a program say that it threw away the datagram it received last (a replay, a
// bad HMAC: drops that happen where no kernel can see), so the journey ends there with the reason.

import { O_RDONLY } from '../abi/fcntl.js';
import { DROP_REASONS, JOURNEY_RING_DEFAULT, JOURNEY_RING_MAX, PROGRAM_DROP_REASONS, type ProgramDropReason } from '../abi/journey.js';
import { JourneyFile } from './journey-file.js';
import type { SyscallTable } from './table.js';

export const journeySyscalls = {
  journey_open(c, opts) {
    if (c.p.uid !== 0) c.fail('EPERM');
    const size = opts?.events ?? JOURNEY_RING_DEFAULT;
    if (!Number.isInteger(size) || size < 1 || size > JOURNEY_RING_MAX) c.fail('EINVAL');
    const f = new JourneyFile(c.k.events, size, O_RDONLY);
    try {
      // Close-on-exec: the recording is the opener's, and ends with it, not with a child it runs.
      return c.p.fds.install(f, true);
    } catch (e) {
      f.close();
      throw e;
    }
  },

  journey_read(c, fd, max) {
    const f = c.p.fds.get(fd);
    if (!(f instanceof JourneyFile)) return c.fail('EINVAL');
    if (!Number.isInteger(max) || max < 1) c.fail('EINVAL');
    return f.ring.drain(max);
  },

  journey_drop(c, reason) {
    if (!(PROGRAM_DROP_REASONS as readonly string[]).includes(reason)) c.fail('EINVAL');
    const journeys = c.k.events.journeys;
    if (!journeys.active) return 0;
    const bytes = journeys.droppedBy(c.io.task);
    if (!bytes) return 0;
    const why = reason as ProgramDropReason;
    c.k.events.packet(c.k.name, 'syscall', `${c.p.command}[${c.p.pid}]`, 'drop', 'data', bytes, c.k.sched.now(), {
      event: 'journey_drop',
      reason: why,
      counter: `${c.p.command}: ${DROP_REASONS[why]}`,
      pid: c.p.pid,
      command: c.p.command,
    });
    return 1;
  },
} satisfies SyscallTable<'journey_open' | 'journey_read' | 'journey_drop'>;
