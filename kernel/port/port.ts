// The one door between the kernel and the machine it runs on: real time, real randomness, turns
// of the host's event loop, real UDP sockets. Nothing below kernel/world imports a node: module;
// what it needs of the machine comes through a HostPort, so the same kernel could run in a
// browser given another implementation. node.ts is Node's.

/** Turns of the host's event loop, which the scheduler's run loop is built on. */
export interface EventLoop {
  /** Run `fn` after every pending microtask and I/O callback (a turn of the event loop). */
  immediate(fn: () => void): void;
  /** Run `fn` after `ms` of real time; returns its cancel. */
  timeout(ms: number, fn: () => void): () => void;
}

/** A real datagram socket (the uplink's way out, and a --forward's way in). */
export interface RealUdpSocket {
  /** Bind to address:port (0: any free port); rejects with the host's error code. */
  bind(port: number, address: string): Promise<void>;
  /** Connect to one peer: only its datagrams arrive, and send() without an address goes to it. */
  connect(port: number, address: string): Promise<void>;
  /** Send to port/address (or, connected, to the peer); `done` once the host has taken it. */
  send(data: Uint8Array, port?: number, address?: string, done?: () => void): void;
  onMessage(fn: (data: Uint8Array, address: string, port: number) => void): void;
  /** An error the socket reported, as the host's code (ECONNREFUSED ...). */
  onError(fn: (code: string) => void): void;
  localPort(): number;
  localAddress(): string;
  /** The connected peer, or null. */
  remote(): { address: string; port: number } | null;
  /** Close once what was handed to send() has left (closing sooner cancels queued sends). */
  close(): void;
}

/** A real TCP connection: a guest's stream leaving through the uplink, or one a --forward took in. */
export interface RealTcpSocket {
  /** Queue bytes; false when the real socket's buffer is full (wait for onDrain). */
  write(data: Uint8Array): boolean;
  /** Send the FIN once what was written has gone. */
  end(): void;
  /** Close at once (a reset when data is still unsent or unread). */
  destroy(): void;
  pause(): void;
  resume(): void;
  onData(fn: (data: Uint8Array) => void): void;
  /** The peer's FIN. */
  onEnd(fn: () => void): void;
  onDrain(fn: () => void): void;
  /** Closed for good; `error` is the host's code (ECONNRESET ...) when it ended in one. */
  onClose(fn: (error: string | null) => void): void;
}

/** A real TCP listening socket (a --forward tcp:REALPORT). */
export interface RealTcpServer {
  close(): void;
}

export interface HostStats {
  readonly dev: number;
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly birthtimeMs: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}

/**
 * The real files --share reaches: the host's own system calls, synchronous, failing with an error
 * carrying the host's errno name in `code` (kernel/vfs/node-errors.ts turns it into a SysError).
 */
export interface HostFiles {
  /** The host's open(2) flags. */
  readonly constants: {
    readonly O_RDONLY: number;
    readonly O_WRONLY: number;
    readonly O_RDWR: number;
    readonly O_CREAT: number;
    readonly O_EXCL: number;
    readonly O_NOFOLLOW: number;
    readonly O_NONBLOCK: number;
    readonly O_NOCTTY: number;
    readonly O_DIRECTORY: number;
  };
  realpath(path: string): string;
  /** stat(2); undefined when nothing is there. */
  stat(path: string): HostStats | undefined;
  /** lstat(2); undefined when nothing is there. */
  lstat(path: string): HostStats | undefined;
  fstat(fd: number): HostStats;
  open(path: string, flags: number, mode?: number): number;
  close(fd: number): void;
  read(fd: number, buf: Uint8Array, off: number, len: number, pos: number): number;
  write(fd: number, buf: Uint8Array, off: number, len: number, pos: number): number;
  ftruncate(fd: number, len: number): void;
  fchmod(fd: number, mode: number): void;
  mkdir(path: string, mode: number): void;
  rmdir(path: string): void;
  unlink(path: string): void;
  rename(from: string, to: string): void;
  symlink(target: string, path: string): void;
  readlink(path: string): string;
  readdir(path: string): string[];
}

/**
 * A program running in a thread of its own (a guest): the kernel hears each system call it makes,
 * answers it (the guest waits for the answer), and can end the thread whatever it is doing.
 * Messages are what kernel/abi/guest.ts describes, structured-cloned.
 */
export interface GuestThread {
  onCall(fn: (call: unknown) => void): void;
  /** The guest ended: what it posted last, or why the thread died. */
  onEnd(fn: (end: unknown) => void): void;
  answer(reply: unknown): void;
  terminate(): void;
}

export interface HostPort extends EventLoop {
  /** Real files, for --share. */
  readonly files: HostFiles;
  /** Real monotonic time, in ns from an arbitrary origin. */
  monotonicNs(): bigint;
  /** Real time of day, in ns since the Unix epoch. */
  epochNs(): number;
  randomBytes(n: number): Uint8Array;
  udpSocket(): RealUdpSocket;
  /** Connect to address:port; rejects with the host's error code (ECONNREFUSED ...) as the message. */
  tcpConnect(port: number, address: string): Promise<RealTcpSocket>;
  /** Listen on address:port, handing over each connection; rejects with the host's error code. */
  tcpListen(port: number, address: string, onConnection: (socket: RealTcpSocket) => void): Promise<RealTcpServer>;
  /** Start the guest runtime `entry` (a module path) in a thread of its own, with `start`. */
  startGuest(entry: string, start: unknown): GuestThread;
}
