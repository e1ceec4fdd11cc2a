// Pipes: a bounded byte buffer with a read end and a write end. A reader blocks while it is empty
// and there are writers; EOF once the last writer is gone. A writer blocks while it is full;
// EPIPE and SIGPIPE once the last reader is gone (which is how a crashed reader wakes its writer).

import { SysError } from '../abi/errno.js';
import { O_RDONLY, O_WRONLY } from '../abi/fcntl.js';
import { B_SELECT_DISCONNECTED, B_SELECT_ERROR, B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../abi/select.js';
import { SIGPIPE } from '../abi/signal.js';
import { S_IFIFO, type Stat } from '../abi/stat.js';
import { WaitQueue } from '../sched/scheduler.js';
import { ByteQueue } from './byte-queue.js';
import { type IoContext, OpenFile, SelectPool, type SelectSync } from './file.js';

export const PIPE_CAPACITY = 65536;
/** Writes up to this size are atomic: never interleaved with another writer's bytes. */
export const PIPE_BUF = 4096;

/** The pipes of one host (Linux's pipefs): numbers them, as their inodes and in traces. */
export class PipeFs {
  private next = 1;

  constructor(
    private readonly capacity: number,
    private readonly nowNs: () => number,
  ) {}

  /** pipe(2): a new pipe's read and write ends. */
  create(): [PipeEnd, PipeEnd] {
    return new Pipe(this.next++, this.capacity, this.nowNs).ends();
  }
}

export class Pipe {
  readonly buf = new ByteQueue();
  readers = 0;
  writers = 0;
  readonly readable: WaitQueue;
  readonly writable: WaitQueue;
  readonly readSelect = new SelectPool();
  readonly writeSelect = new SelectPool();

  constructor(
    readonly id: number,
    readonly capacity = PIPE_CAPACITY,
    private readonly nowNs: () => number = () => 0,
  ) {
    this.readable = new WaitQueue(`pipe:${id} (waiting for data)`);
    this.writable = new WaitQueue(`pipe:${id} (waiting for room)`);
  }

  ends(): [PipeEnd, PipeEnd] {
    return [new PipeEnd(this, 'read', O_RDONLY), new PipeEnd(this, 'write', O_WRONLY)];
  }

  stat(): Stat {
    return {
      st_dev: 0,
      st_ino: this.id,
      st_mode: S_IFIFO | 0o600,
      st_nlink: 1,
      st_uid: 0,
      st_gid: 0,
      st_rdev: 0,
      st_size: this.buf.length,
      st_mtime_ns: this.nowNs(),
    };
  }

  /** Wake everyone whose view of the pipe may have changed. */
  changed(): void {
    this.readable.wakeAll();
    this.writable.wakeAll();
    if (this.buf.length > 0 || this.writers === 0) this.readSelect.notify(B_SELECT_READ);
    if (this.writers === 0) this.readSelect.notify(B_SELECT_DISCONNECTED);
    if (this.readers === 0) this.writeSelect.notify(B_SELECT_ERROR);
    else if (this.capacity - this.buf.length > 0) this.writeSelect.notify(B_SELECT_WRITE);
  }
}

export class PipeEnd extends OpenFile {
  readonly kind = 'fifo';
  constructor(
    readonly pipe: Pipe,
    readonly end: 'read' | 'write',
    flags: number,
  ) {
    super(flags);
    if (end === 'read') pipe.readers++;
    else pipe.writers++;
  }

  override async read(ctx: IoContext, count: number): Promise<Uint8Array> {
    if (this.end !== 'read') throw new SysError('EBADF');
    const p = this.pipe;
    while (p.buf.length === 0) {
      if (p.writers === 0 || count === 0) return new Uint8Array(0);
      if (this.nonblocking) throw new SysError('EAGAIN');
      const r = await ctx.task.scheduler.sleep(ctx.task, [p.readable], {
        interruptible: true,
        syscall: ctx.syscall,
        channel: p.readable.name,
      });
      if (r === 'signal') throw new SysError('EINTR');
    }
    const data = p.buf.take(count);
    p.changed();
    return data;
  }

  override async write(ctx: IoContext, data: Uint8Array): Promise<number> {
    if (this.end !== 'write') throw new SysError('EBADF');
    const p = this.pipe;
    let written = 0;
    while (written < data.length || data.length === 0) {
      if (p.readers === 0) {
        ctx.raise(SIGPIPE);
        throw new SysError('EPIPE');
      }
      if (data.length === 0) return 0;
      const room = p.capacity - p.buf.length;
      const rest = data.length - written;
      // Small writes go in whole or not at all, so concurrent writers never interleave them. A large
      // one takes what room there is, up to what is left of it.
      const fits = rest <= PIPE_BUF ? (room >= rest ? rest : 0) : Math.min(room, rest);
      if (fits > 0) {
        p.buf.push(data.slice(written, written + fits));
        written += fits;
        p.changed();
        continue;
      }
      if (this.nonblocking) {
        if (written > 0) return written;
        throw new SysError('EAGAIN');
      }
      const r = await ctx.task.scheduler.sleep(ctx.task, [p.writable], {
        interruptible: true,
        syscall: ctx.syscall,
        channel: p.writable.name,
      });
      if (r === 'signal') {
        if (written > 0) return written;
        throw new SysError('EINTR');
      }
    }
    return written;
  }

  override stat(): Stat {
    return this.pipe.stat();
  }

  override select(event: SelectEvent, sync: SelectSync): void {
    const p = this.pipe;
    if (this.end === 'read') {
      p.readSelect.add(event, sync);
      if (event === B_SELECT_READ && (p.buf.length > 0 || p.writers === 0)) sync.notify(event);
      if (event === B_SELECT_DISCONNECTED && p.writers === 0) sync.notify(event);
    } else {
      p.writeSelect.add(event, sync);
      if (event === B_SELECT_WRITE && p.readers > 0 && p.buf.length < p.capacity) sync.notify(event);
      if (event === B_SELECT_ERROR && p.readers === 0) sync.notify(event);
    }
  }

  override deselect(event: SelectEvent, sync: SelectSync): void {
    (this.end === 'read' ? this.pipe.readSelect : this.pipe.writeSelect).remove(event, sync);
  }

  override close(): void {
    if (this.end === 'read') {
      this.pipe.readers--;
      if (this.pipe.readers === 0) this.pipe.buf.clear();
    } else this.pipe.writers--;
    this.pipe.changed();
  }

  override describe(): string {
    return `pipe:${this.pipe.id}`;
  }
}
