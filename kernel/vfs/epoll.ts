// An epoll instance (epoll(7)): the fds it watches, each with the events wanted and the user's
// data. A watched file tells it of each change through the select hooks every file has; an item it
// tells of goes on the ready list. epoll_wait takes each ready item's events as they hold now:
// level-triggered items stay listed while they hold, edge-triggered ones (EPOLLET) until the next
// change, one-shot ones (EPOLLONESHOT) are disabled until EPOLL_CTL_MOD re-arms them.

import { SysError } from '../abi/errno.js';
import { EPOLLERR, EPOLLET, EPOLLHUP, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EPOLLPRI, EPOLLRDHUP, type EpollEvent } from '../abi/epoll.js';
import { B_SELECT_DISCONNECTED, B_SELECT_ERROR, B_SELECT_PRI_READ, B_SELECT_RDHUP, B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../abi/select.js';
import type { Stat } from '../abi/stat.js';
import { WaitQueue } from '../sched/scheduler.js';
import { type IoContext, OpenFile, SelectPool, type SelectSync } from './file.js';

const EVENTS: ReadonlyArray<readonly [SelectEvent, number]> = [
  [B_SELECT_READ, EPOLLIN],
  [B_SELECT_WRITE, EPOLLOUT],
  [B_SELECT_ERROR, EPOLLERR],
  [B_SELECT_DISCONNECTED, EPOLLHUP],
  [B_SELECT_RDHUP, EPOLLRDHUP],
  [B_SELECT_PRI_READ, EPOLLPRI],
];

/** Bits a watcher always gets, asked for or not. */
const ALWAYS = EPOLLERR | EPOLLHUP;
/** A one-shot item that fired keeps only these (ep_modify re-arms it). */
const EP_PRIVATE_BITS = EPOLLONESHOT | EPOLLET;

/** The most items one instance watches (fs.epoll.max_user_watches is far larger; a bound all the same). */
export const EPOLL_MAX_WATCHES = 65536;

interface Item {
  fd: number;
  file: OpenFile;
  events: number;
  data: number;
  sync: SelectSync;
}

/** Which of the epoll bits hold for `file` right now: each select hook is asked once. */
export function levelMask(file: OpenFile): number {
  let mask = 0;
  for (const [ev, bit] of EVENTS) {
    let hit = false;
    const probe: SelectSync = {
      notify: () => {
        hit = true;
      },
    };
    file.select(ev, probe);
    file.deselect(ev, probe);
    if (hit) mask |= bit;
  }
  return mask;
}

export class EpollFile extends OpenFile {
  readonly kind = 'file';
  /** Items by file, then fd (Linux keys them by the pair). */
  private readonly items = new Map<OpenFile, Map<number, Item>>();
  private readonly ready = new Set<Item>();
  private readonly waiters = new WaitQueue('epoll');
  private readonly pool = new SelectPool();
  private count = 0;

  private find(fd: number, file: OpenFile): Item | undefined {
    return this.items.get(file)?.get(fd);
  }

  private forget(item: Item): void {
    this.disarm(item);
    const byFd = this.items.get(item.file);
    byFd?.delete(item.fd);
    if (byFd?.size === 0) this.items.delete(item.file);
    this.ready.delete(item);
    this.count--;
  }

  private *all(): IterableIterator<Item> {
    for (const byFd of this.items.values()) yield* byFd.values();
  }

  private arm(item: Item): void {
    for (const [ev] of EVENTS) item.file.select(ev, item.sync);
  }

  private disarm(item: Item): void {
    for (const [ev] of EVENTS) item.file.deselect(ev, item.sync);
  }

  /** EPOLL_CTL_ADD. */
  add(fd: number, file: OpenFile, ev: EpollEvent): void {
    if (file === this) throw new SysError('EINVAL');
    if (file instanceof EpollFile) throw new SysError('ELOOP');
    if (file.kind === 'file' || file.kind === 'dir') throw new SysError('EPERM');
    if (this.find(fd, file)) throw new SysError('EEXIST');
    if (this.count >= EPOLL_MAX_WATCHES) throw new SysError('ENOSPC');
    const item: Item = {
      fd,
      file,
      events: ev.events >>> 0,
      data: ev.data,
      sync: {
        notify: (event) => {
          const bit = EVENTS.find(([e]) => e === event)?.[1] ?? 0;
          if (!(bit & (item.events | ALWAYS)) || !(item.events & ~EP_PRIVATE_BITS)) return;
          this.ready.add(item);
          this.waiters.wakeAll();
          this.pool.notify(B_SELECT_READ);
        },
      },
    };
    let byFd = this.items.get(file);
    if (!byFd) this.items.set(file, (byFd = new Map()));
    byFd.set(fd, item);
    this.count++;
    this.arm(item);
  }

  /** EPOLL_CTL_MOD. */
  modify(fd: number, file: OpenFile, ev: EpollEvent): void {
    const item = this.find(fd, file);
    if (!item) throw new SysError('ENOENT');
    item.events = ev.events >>> 0;
    item.data = ev.data;
    this.ready.delete(item);
    // Re-register so that what holds now is told at once.
    this.disarm(item);
    this.arm(item);
  }

  /** EPOLL_CTL_DEL. */
  remove(fd: number, file: OpenFile): void {
    const item = this.find(fd, file);
    if (!item) throw new SysError('ENOENT');
    this.forget(item);
  }

  /** What epoll_wait reports now: at most `max` items, their events as they hold now. */
  harvest(max: number): EpollEvent[] {
    const out: EpollEvent[] = [];
    for (const item of [...this.ready]) {
      if (out.length >= max) break;
      this.ready.delete(item);
      if (item.file.refs === 0) {
        // Its last fd was closed: epoll forgets it (eventpoll_release).
        this.forget(item);
        continue;
      }
      const events = levelMask(item.file) & (item.events | ALWAYS);
      if (!events) continue;
      out.push({ events, data: item.data });
      if (item.events & EPOLLONESHOT) item.events &= EP_PRIVATE_BITS;
      else if (!(item.events & EPOLLET)) this.ready.add(item);
    }
    return out;
  }

  /** epoll_wait. */
  async wait(ctx: IoContext, max: number, timeoutMs: number, deadline: number | undefined): Promise<EpollEvent[]> {
    for (;;) {
      const got = this.harvest(max);
      if (got.length || timeoutMs === 0) return got;
      const r = await ctx.task.scheduler.sleep(ctx.task, [this.waiters], { deadline, interruptible: true, syscall: ctx.syscall, channel: () => `epoll [${[...this.all()].map((i) => i.fd).join(', ')}]` });
      if (r === 'signal') throw new SysError('EINTR');
      if (r === 'timeout') return this.harvest(max);
    }
  }

  stat(): Stat {
    return { st_dev: 0, st_ino: 0, st_mode: 0o600, st_nlink: 1, st_uid: 0, st_gid: 0, st_rdev: 0, st_size: 0, st_mtime_ns: 0 };
  }

  select(event: SelectEvent, sync: SelectSync): void {
    this.pool.add(event, sync);
    if (event === B_SELECT_READ && this.ready.size > 0) sync.notify(event);
  }

  deselect(event: SelectEvent, sync: SelectSync): void {
    this.pool.remove(event, sync);
  }

  close(): void {
    for (const item of this.all()) this.disarm(item);
    this.items.clear();
    this.ready.clear();
    this.waiters.wakeAll();
  }

  describe(): string {
    return `anon_inode:[eventpoll]`;
  }
}
