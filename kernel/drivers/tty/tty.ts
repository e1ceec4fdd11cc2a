// A terminal: the device a shell's fds 0, 1 and 2 point at (/dev/tt/N). The other side, the
// "session", belongs to whatever shows the terminal to a person: the ink front end, a plain
// stdout, or a test. The session does line editing and hands over whole lines (canonical mode),
// turns ^C into SIGINT and ^Z into SIGTSTP for the foreground process group and ^D into
// end-of-file. A background process group that reads is stopped with SIGTTIN (job control).

import { SysError } from '../../abi/errno.js';
import { B_SET_BLOCKING_IO, B_SET_NONBLOCKING_IO, ECHO, ICANON, type IntRef, ISIG, TCGETS, TCSETS, type Termios, TIOCGPGRP, TIOCGWINSZ, TIOCSPGRP } from '../../abi/ioctl.js';
import { B_SELECT_READ, B_SELECT_WRITE, type SelectEvent } from '../../abi/select.js';
import { SIGINT, SIGTSTP, SIGTTIN, SIGWINCH } from '../../abi/signal.js';
import { WaitQueue } from '../../sched/scheduler.js';
import { ByteQueue } from '../../vfs/byte-queue.js';
import type { DeviceHooks, DevicePublisher } from '../../vfs/devfs.js';
import { type IoContext, SelectPool, type SelectSync } from '../../vfs/file.js';

const decoder = new TextDecoder();

/** Input waiting to be read is bounded like any queue; type-ahead beyond it is dropped. */
const MAX_INPUT = 64 * 1024;
/**
 * One line the front end hands over whole (its line editor is readline's, which has no length
 * limit) is taken when nothing else waits, up to this: a 100 000-character paste reaches the shell.
 */
const MAX_LINE = 4 * 1024 * 1024;

export interface WinSize {
  cols: number;
  rows: number;
}

/** What a terminal needs of its host: its node, job control (process groups) and the run loop. */
export interface TtyEnv {
  readonly devfs: DevicePublisher;
  /** The host's process groups: what a foreground pgid means, and who gets ^C. */
  readonly jobs: { signalGroup(pgid: number, signo: number): number };
  /** Input arrived from outside: the run loop, idle in real time, should look again. */
  kick(): void;
}

interface TtyCookie {
  nonblocking: boolean;
}

export class Terminal {
  readonly path: string;
  private readonly input = new ByteQueue();
  private eofPending = 0;
  private readonly readable: WaitQueue;
  /** Background readers, stopped until the terminal is theirs. */
  private readonly foregroundChanged = new WaitQueue('terminal (background read: SIGTTIN)');
  private readonly selectPool = new SelectPool();
  private opens = 0;
  foregroundPgid = 0;
  size: WinSize = { cols: 80, rows: 24 };
  /** Processes blocked reading: the front end shows an input line only while someone asks. */
  readersWaiting = 0;
  /**
   * Where output goes. Returning false says the consumer is full (a real stdout whose reader is
   * slow): the next write waits until drained(), so output never piles up without bound.
   */
  onOutput: (data: Uint8Array) => unknown = () => {};
  private outputStalled = false;
  private readonly writable: WaitQueue;
  /** Called when a process starts or stops waiting for a line. */
  onReadStateChange: (waiting: boolean) => void = () => {};
  /** Called with each whole line a process reads, and who read it (the session keeps a history). */
  onLineRead: ((line: string, reader: unknown) => void) | null = null;
  /** Input bytes dropped because nobody read them in time. */
  droppedInput = 0;
  /** Local modes (termios c_lflag): canonical, echoing, signalling, until a program says otherwise. */
  lflag = ISIG | ICANON | ECHO;
  /** Told when canonical mode goes off (a full-screen program) or back on: the session edits lines only in it. */
  onModeChange: (canonical: boolean) => void = () => {};

  constructor(
    private readonly env: TtyEnv,
    readonly index: number,
    /** False for a plain output stream (stdout of `tunlab -c` piped somewhere): isatty() fails. */
    readonly isatty = true,
  ) {
    this.path = `tt/${index}`;
    this.readable = new WaitQueue(`/dev/${this.path} (waiting for input)`);
    this.writable = new WaitQueue(`/dev/${this.path} (output waiting for its reader)`);
    env.devfs.publish(this.path, this.hooks(), { mode: 0o620, rdev: (4 << 8) | index });
  }

  // ------------------------------------------------------------ the session side

  get canonical(): boolean {
    return (this.lflag & ICANON) !== 0;
  }

  /**
   * Text typed by the user: in canonical mode, complete lines ending in "\n"; otherwise keys as
   * they come, where ^C and ^Z still signal the foreground job while ISIG is on.
   */
  type(text: string | Uint8Array): void {
    let bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    if (!this.canonical && this.lflag & ISIG && (bytes.includes(0x03) || bytes.includes(0x1a))) {
      if (bytes.includes(0x03)) this.interrupt();
      else this.suspend();
      bytes = bytes.filter((b) => b !== 0x03 && b !== 0x1a);
      if (bytes.length === 0) return;
    }
    const room = this.input.length === 0 ? MAX_LINE : MAX_INPUT;
    if (this.input.length + bytes.length > room) {
      this.droppedInput += bytes.length;
      return;
    }
    this.input.push(bytes);
    this.wakeReaders();
  }

  /** ^D on an empty line: the next read returns 0 bytes. */
  endOfFile(): void {
    this.eofPending++;
    this.wakeReaders();
  }

  /** ^C: pending input is discarded and the foreground group gets SIGINT. */
  interrupt(): void {
    this.input.clear();
    if (this.foregroundPgid) this.env.jobs.signalGroup(this.foregroundPgid, SIGINT);
  }

  /** ^Z: pending input is discarded and the foreground group gets SIGTSTP (it stops). */
  suspend(): void {
    this.input.clear();
    if (this.foregroundPgid) this.env.jobs.signalGroup(this.foregroundPgid, SIGTSTP);
  }

  resize(size: WinSize): void {
    this.size = size;
    if (this.foregroundPgid) this.env.jobs.signalGroup(this.foregroundPgid, SIGWINCH);
  }

  /** The consumer of the output caught up: waiting writers go on. */
  drained(): void {
    if (!this.outputStalled) return;
    this.outputStalled = false;
    this.env.kick();
    this.writable.wakeAll();
    this.selectPool.notify(B_SELECT_WRITE);
  }

  /** Release the device node (the session is over). */
  close(): void {
    if (this.opens === 0) this.env.devfs.unpublish(this.path);
  }

  private wakeReaders(): void {
    this.env.kick();
    this.readable.wakeAll();
    this.selectPool.notify(B_SELECT_READ);
  }

  private hasLine(): boolean {
    return this.eofPending > 0 || (this.canonical ? this.input.indexOf(0x0a) >= 0 : this.input.length > 0);
  }

  // ------------------------------------------------------------ the device side

  private hooks(): DeviceHooks<TtyCookie> {
    return {
      open: (_name, flags) => {
        this.opens++;
        return { nonblocking: (flags & 0x80) !== 0 };
      },
      close: () => {
        this.opens--;
      },
      free: () => {},
      control: (cookie, op, arg) => this.control(cookie, op, arg),
      read: (cookie, _pos, len, ctx) => this.read(cookie, len, ctx),
      write: (cookie, _pos, data, ctx) => (this.outputStalled ? this.writeWhenDrained(cookie, data, ctx) : this.output(data)),
      select: (_cookie, event, sync) => this.select(event, sync),
      deselect: (_cookie, event, sync) => this.selectPool.remove(event, sync),
    };
  }

  private output(data: Uint8Array): number {
    if (this.onOutput(data) === false) this.outputStalled = true;
    return data.length;
  }

  private async writeWhenDrained(cookie: TtyCookie, data: Uint8Array, ctx: IoContext): Promise<number> {
    while (this.outputStalled) {
      if (cookie.nonblocking) throw new SysError('EAGAIN');
      const r = await ctx.task.scheduler.sleep(ctx.task, [this.writable], { interruptible: true, syscall: ctx.syscall, channel: this.writable.name });
      if (r === 'signal') throw new SysError('EINTR');
    }
    return this.output(data);
  }

  private async read(cookie: TtyCookie, len: number, ctx: IoContext): Promise<Uint8Array> {
    // Checked again after every wake: a reader stopped (^Z) or sent to the background while it
    // slept must not take the line typed for the shell.
    for (await this.waitForeground(ctx); !this.hasLine(); await this.waitForeground(ctx)) {
      if (cookie.nonblocking) throw new SysError('EAGAIN');
      this.readersWaiting++;
      if (this.readersWaiting === 1) this.onReadStateChange(true);
      try {
        const r = await ctx.task.scheduler.sleep(ctx.task, [this.readable], {
          interruptible: true,
          syscall: ctx.syscall,
          channel: this.readable.name,
        });
        if (r === 'signal') throw new SysError('EINTR');
      } finally {
        this.readersWaiting--;
        if (this.readersWaiting === 0) this.onReadStateChange(false);
      }
    }
    // Non-canonical: whatever was typed, up to what was asked (VMIN 1, VTIME 0).
    if (!this.canonical && this.input.length > 0) return this.input.take(Math.min(len, this.input.length));
    const nl = this.input.indexOf(0x0a);
    if (nl < 0) {
      // ^D: whatever was typed on the line so far, then end-of-file.
      this.eofPending--;
      return this.input.take(Math.min(len, this.input.length));
    }
    const line = this.input.take(Math.min(len, nl + 1));
    if (this.onLineRead && line.length === nl + 1) this.onLineRead(decoder.decode(line), ctx.caller);
    return line;
  }

  /**
   * POSIX job control: a process of a background group that reads its terminal gets SIGTTIN for
   * its group, which stops it; it reads once the terminal is given to its group (fg). Ignoring
   * or catching SIGTTIN earns EIO instead, as on Linux for an ignored one.
   */
  private async waitForeground(ctx: IoContext): Promise<void> {
    for (;;) {
      const p = ctx.caller;
      // A reader on another host (`on HOST cat`) has no process group here: no job control.
      if (!this.isatty || !p || p.host !== this.env.jobs) return;
      if (!p.stopped) {
        if (this.foregroundPgid === 0 || p.pgid === this.foregroundPgid) return;
        this.env.jobs.signalGroup(p.pgid, SIGTTIN);
        if (!p.stopped) throw new SysError('EIO');
      }
      const r = await ctx.task.scheduler.sleep(ctx.task, [this.foregroundChanged, p.continued], {
        interruptible: true,
        syscall: ctx.syscall,
        channel: this.foregroundChanged.name,
      });
      if (r === 'signal') throw new SysError('EINTR');
    }
  }

  private control(cookie: TtyCookie, op: number, arg: unknown): number {
    switch (op) {
      case B_SET_NONBLOCKING_IO:
        cookie.nonblocking = true;
        return 0;
      case B_SET_BLOCKING_IO:
        cookie.nonblocking = false;
        return 0;
      case TCGETS:
        if (!this.isatty) throw new SysError('B_DEV_INVALID_IOCTL');
        if (typeof arg === 'object' && arg !== null) (arg as Termios).c_lflag = this.lflag;
        return 0;
      case TCSETS: {
        if (!this.isatty) throw new SysError('B_DEV_INVALID_IOCTL');
        const v = (arg as Termios | null)?.c_lflag;
        if (typeof v !== 'number' || !Number.isInteger(v)) throw new SysError('EFAULT');
        const was = this.canonical;
        this.lflag = v;
        if (was !== this.canonical) {
          this.onModeChange(this.canonical);
          // Bytes already typed may now make a read complete.
          this.wakeReaders();
        }
        return 0;
      }
      case TIOCGWINSZ: {
        if (typeof arg !== 'object' || arg === null) throw new SysError('EFAULT');
        Object.assign(arg, { ws_col: this.size.cols, ws_row: this.size.rows });
        return 0;
      }
      case TIOCSPGRP: {
        const v = (arg as IntRef | null)?.value;
        if (typeof v !== 'number') throw new SysError('EFAULT');
        this.foregroundPgid = v;
        this.foregroundChanged.wakeAll();
        return 0;
      }
      case TIOCGPGRP: {
        if (typeof arg !== 'object' || arg === null) throw new SysError('EFAULT');
        (arg as IntRef).value = this.foregroundPgid;
        return 0;
      }
      default:
        throw new SysError('B_DEV_INVALID_IOCTL');
    }
  }

  private select(event: SelectEvent, sync: SelectSync): void {
    this.selectPool.add(event, sync);
    if (event === B_SELECT_READ && this.hasLine()) sync.notify(event);
    if (event === B_SELECT_WRITE && !this.outputStalled) sync.notify(event);
  }
}

/** The terminals of one host: /dev/tt/0, /dev/tt/1 ... */
export class TtyDriver {
  private next = 0;

  constructor(private readonly env: TtyEnv) {}

  create(isatty = true): Terminal {
    return new Terminal(this.env, this.next++, isatty);
  }
}
