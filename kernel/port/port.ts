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

/** A real datagram socket (the uplink's way out). */
export interface RealUdpSocket {
  /** Bind to address:port (0: any free port); rejects with the host's error code. */
  bind(port: number, address: string): Promise<void>;
  send(data: Uint8Array, port: number, address: string): void;
  onMessage(fn: (data: Uint8Array, address: string, port: number) => void): void;
  onError(fn: (message: string) => void): void;
  localPort(): number;
  close(): void;
}

export interface HostPort extends EventLoop {
  /** Real monotonic time, in ns from an arbitrary origin. */
  monotonicNs(): bigint;
  /** Real time of day, in ns since the Unix epoch. */
  epochNs(): number;
  randomBytes(n: number): Uint8Array;
  udpSocket(): RealUdpSocket;
}
