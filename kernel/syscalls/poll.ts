// poll(): each fd's file is asked, Haiku style, to notify each wanted event now or when it comes
// true; the caller sleeps until one does, the timeout passes, or a signal arrives.

import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDHUP } from '../abi/poll.js';
import { B_SELECT_DISCONNECTED, B_SELECT_ERROR, B_SELECT_PRI_READ, B_SELECT_RDHUP, B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../abi/select.js';
import { WaitQueue } from '../sched/scheduler.js';
import type { OpenFile, SelectSync } from '../vfs/file.js';
import type { SyscallTable } from './table.js';

/** The most fds one poll() may watch. */
export const MAX_POLL_FDS = 1024;

const POLL_TO_SELECT: ReadonlyArray<readonly [number, SelectEvent]> = [
  [POLLIN, B_SELECT_READ],
  [POLLOUT, B_SELECT_WRITE],
  [POLLPRI, B_SELECT_PRI_READ],
  [POLLRDHUP, B_SELECT_RDHUP],
];

function selectToPoll(ev: SelectEvent): number {
  switch (ev) {
    case B_SELECT_READ:
      return POLLIN;
    case B_SELECT_WRITE:
      return POLLOUT;
    case B_SELECT_PRI_READ:
      return POLLPRI;
    case B_SELECT_ERROR:
      return POLLERR;
    case B_SELECT_DISCONNECTED:
      return POLLHUP;
    case B_SELECT_RDHUP:
      return POLLRDHUP;
    default:
      return 0;
  }
}

function countReady(fds: ReadonlyArray<{ revents: number }>): number {
  let n = 0;
  for (const p of fds) if (p.revents) n++;
  return n;
}

export const pollSyscalls = {
  async poll(c, fds, timeoutMs) {
    if (!Array.isArray(fds)) c.fail('EFAULT');
    if (fds.length > MAX_POLL_FDS) c.fail('EINVAL');
    if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) c.fail('EINVAL');
    const wake = new WaitQueue('poll');
    // Every (file, event, sync) registered, flat: poll runs on every turn of a daemon's loop, and
    // a tuple per registration was most of its garbage.
    const regs: Array<OpenFile | SelectEvent | SelectSync> = [];
    const polled: Array<[number, OpenFile]> = [];
    try {
      for (const pfd of fds) {
        if (typeof pfd !== 'object' || pfd === null || typeof pfd.fd !== 'number') c.fail('EFAULT');
        pfd.revents = 0;
        if (pfd.fd < 0) continue;
        let file: OpenFile;
        try {
          file = c.p.fds.get(pfd.fd);
        } catch {
          pfd.revents = POLLNVAL;
          continue;
        }
        polled.push([pfd.fd, file]);
        const wanted = (pfd.events | POLLERR | POLLHUP) >>> 0;
        const sync: SelectSync = {
          notify(ev) {
            const bit = selectToPoll(ev) & wanted;
            if (bit && !(pfd.revents & bit)) {
              pfd.revents |= bit;
              wake.wakeAll();
            }
          },
        };
        regs.push(file, B_SELECT_ERROR, sync);
        file.select(B_SELECT_ERROR, sync);
        regs.push(file, B_SELECT_DISCONNECTED, sync);
        file.select(B_SELECT_DISCONNECTED, sync);
        for (const [bit, ev] of POLL_TO_SELECT) {
          if (!(pfd.events & bit)) continue;
          regs.push(file, ev, sync);
          file.select(ev, sync);
        }
      }
      let ready = countReady(fds);
      if (ready > 0 || timeoutMs === 0) return ready;
      const deadline = timeoutMs < 0 ? undefined : c.k.sched.now() + Math.round(timeoutMs * 1e6);
      // Named only when asked (a deadlock report, ps): describing files costs more than the poll.
      const channel = () => `poll [${polled.map(([fd, file]) => `${fd}:${file.describe()}`).join(', ')}]`;
      for (;;) {
        const r = await c.k.sched.sleep(c.io.task, [wake], { deadline, interruptible: true, syscall: 'poll', channel });
        if (r === 'signal') c.fail('EINTR');
        ready = countReady(fds);
        if (ready > 0 || r === 'timeout') return ready;
      }
    } finally {
      for (let i = 0; i < regs.length; i += 3) (regs[i] as OpenFile).deselect(regs[i + 1] as SelectEvent, regs[i + 2] as SelectSync);
    }
  },
} satisfies SyscallTable<'poll'>;
