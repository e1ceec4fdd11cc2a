// An open file description: what an fd points at. Files, directories, devices, pipes and sockets
// are all one of these; dup() and fork share one between fds, and its last close releases it.

import { SysError } from '../abi/errno.js';
import { O_ACCMODE, O_RDONLY, O_WRONLY } from '../abi/fcntl.js';
import type { Stat } from '../abi/stat.js';
import type { SelectEvent } from '../abi/select.js';
import type { Task, WaitQueue } from '../sched/scheduler.js';

/** Who is asking, passed down to every blocking operation. */
export interface IoContext {
  readonly task: Task;
  readonly uid: number;
  readonly gid: number;
  /** The caller's supplementary groups (absent for the kernel's own I/O). */
  readonly groups?: readonly number[];
  readonly pid: number;
  /** The syscall in progress, named in deadlock reports. */
  readonly syscall: string;
  /** The calling program's name, for packet journeys (absent for the kernel's own I/O). */
  readonly command?: string;
  /** Raise a signal on the calling process (SIGPIPE for a write to a pipe nobody reads). */
  raise(signo: number): void;
  /** The calling process's job-control state, for a terminal (absent for the kernel's own I/O). */
  readonly caller?: JobMember;
}

/** What a terminal needs to know of a reader for job control. */
export interface JobMember {
  /** The process table the process belongs to: its pgid means something only there. */
  readonly host: unknown;
  readonly pgid: number;
  readonly stopped: boolean;
  /** Woken by SIGCONT. */
  readonly continued: WaitQueue;
}

/** Notified when a selected event holds; one per (poll call, fd). */
export interface SelectSync {
  notify(event: SelectEvent): void;
}

/**
 * Haiku's select_pool: the syncs waiting on each event of one object, in the order they came. A
 * poll() adds and removes its syncs on every call, so each event's list is a small array (a Set
 * churned like that keeps rehashing), indexed by the event's number.
 */
export class SelectPool {
  private readonly byEvent: Array<SelectSync[] | undefined> = [];

  add(event: SelectEvent, sync: SelectSync): void {
    const list = this.byEvent[event];
    if (list) {
      if (!list.includes(sync)) list.push(sync);
    } else this.byEvent[event] = [sync];
  }

  remove(event: SelectEvent, sync: SelectSync): void {
    const list = this.byEvent[event];
    const i = list ? list.indexOf(sync) : -1;
    if (i >= 0) list!.splice(i, 1);
  }

  notify(event: SelectEvent): void {
    const list = this.byEvent[event];
    // A sync notified may deselect itself or others: walk a copy, as the Set's spread did.
    if (list?.length) for (const sync of list.slice()) sync.notify(event);
  }

  get empty(): boolean {
    for (const list of this.byEvent) if (list?.length) return false;
    return true;
  }
}

export type FileKind = 'file' | 'dir' | 'chr' | 'fifo' | 'sock';

export abstract class OpenFile {
  abstract readonly kind: FileKind;
  /** Access mode and status flags (O_RDWR, O_NONBLOCK, O_APPEND ...). */
  flags: number;
  /** How many fd table entries point here. */
  refs = 0;
  /** Operations in progress; a device's free hook waits for them to end. */
  busy = 0;

  constructor(flags: number) {
    this.flags = flags;
  }

  get nonblocking(): boolean {
    return (this.flags & 0x0080) !== 0;
  }
  get readable(): boolean {
    return (this.flags & O_ACCMODE) !== O_WRONLY;
  }
  get writable(): boolean {
    return (this.flags & O_ACCMODE) !== O_RDONLY;
  }

  read(_ctx: IoContext, _count: number): Promise<Uint8Array> | Uint8Array {
    throw new SysError('EINVAL');
  }
  write(_ctx: IoContext, _data: Uint8Array): Promise<number> | number {
    throw new SysError('EINVAL');
  }
  ioctl(_ctx: IoContext, _op: number, _arg: unknown): Promise<number> | number {
    throw new SysError('ENOTTY');
  }
  lseek(_offset: number, _whence: number): number {
    throw new SysError('ESPIPE');
  }
  abstract stat(): Stat;
  /** Register interest in one event; notify at once if it already holds. */
  abstract select(event: SelectEvent, sync: SelectSync): void;
  abstract deselect(event: SelectEvent, sync: SelectSync): void;
  /** F_SETFL changed the status flags (devices hear about O_NONBLOCK through their control hook). */
  setFlags(flags: number): void | Promise<void> {
    this.flags = flags;
  }
  /** The last fd referring to this description was closed. */
  abstract close(): void;
  /**
   * After close(), for a description whose close(2) must wait (a TCP socket with SO_LINGER: until
   * its FIN is acknowledged, or the linger time). Not called when a process exits.
   */
  closeWait?(ctx: IoContext): Promise<void>;
  /** A short description for traces and deadlock reports ("pipe:3", "/dev/tun/0"). */
  abstract describe(): string;
}
