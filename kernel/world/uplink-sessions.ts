// The uplink's outbound UDP sessions, as slirp keeps them: one real socket per guest flow, closed
// after it has been idle for slirp's SO_EXPIRE (240 s; SO_EXPIREFAST, 10 s, for DNS on port 53),
// and at most MAX_SESSIONS of them per uplink (its one host): the least recently used one is closed
// to make room, so a guest that sends from thousands of ports holds a bounded number of real fds.
//
// Each session's socket is bound to the one local address it needs (the loopback, or the address
// the real routing table picks for the destination; never 0.0.0.0) and connected to its peer, so
// the real kernel hands it datagrams from that peer only, as a connected UDP socket in the guest
// would get them.

import * as fs from 'node:fs';
import type { HostPort, RealUdpSocket } from '../port/port.js';

/** slirp's SO_EXPIRE: a UDP socket idle this long is closed. */
export const UDP_IDLE_NS = 240e9;
/** slirp's SO_EXPIREFAST, for DNS (port 53): one question, one answer. */
export const DNS_IDLE_NS = 10e9;
/** Real sockets one uplink keeps open for guest flows (slirp has no cap but the fd limit). */
export const MAX_SESSIONS = 256;

/**
 * The cap under this process's open-file limit: at most a quarter of it, so the rest of tunlab (a
 * program's module, a --share file, the terminal) still gets an fd when the table is full.
 */
export function sessionCap(limits = '/proc/self/limits'): number {
  let soft = Infinity;
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync(limits, 'utf8'));
    if (m && m[1] !== 'unlimited') soft = Number(m[1]);
  } catch {
    // No /proc: only the fixed cap, and the shrinking on EMFILE below.
  }
  return Math.max(1, Math.min(MAX_SESSIONS, Math.floor(soft / 4)));
}

export interface SessionClock {
  now(): number;
  at(when: number, fire: () => void): unknown;
  cancel(timer: unknown): void;
}

interface Entry<S> {
  socket: S;
  idleNs: number;
  lastNs: number;
}

/** Datagrams that wait for a session's socket to open, per session: more are dropped. */
const MAX_WAITING = 64;

/** Sessions by key, least recently used first (a Map keeps insertion order; use re-inserts). */
export class SessionTable<S extends { close(): void }> {
  private readonly sessions = new Map<string, Entry<S>>();
  /** Sessions whose socket is being opened, with what waits to be sent on it. */
  private readonly opening = new Map<string, Array<(socket: S) => void>>();
  /** Datagrams dropped: no room for their flow, or too many waiting for its socket. */
  dropped = 0;
  private timer: unknown = null;
  private timerAt = Infinity;
  expired = 0;
  evicted = 0;
  private warnedFull = false;

  constructor(
    private readonly clock: SessionClock,
    private readonly log: (line: string) => void,
    private capacity = sessionCap(),
  ) {}

  get cap(): number {
    return this.capacity;
  }

  get size(): number {
    return this.sessions.size;
  }

  /**
   * Hand `send` the socket of flow `key`: at once when it is open, else once `open()` has made it
   * (the socket is added and the waiting datagrams sent in one step, so nothing can close it in
   * between). Sockets being opened count towards the cap like open ones.
   */
  send(key: string, dstPort: number, open: () => Promise<S>, send: (socket: S) => void, failed: (e: unknown) => void): void {
    const live = this.use(key);
    if (live) return send(live);
    const waiting = this.opening.get(key);
    if (waiting) {
      if (waiting.length < MAX_WAITING) waiting.push(send);
      else this.dropped++;
      return;
    }
    while (this.sessions.size > 0 && this.sessions.size + this.opening.size >= this.cap) this.evictOldest();
    if (this.opening.size >= this.cap) {
      this.dropped++;
      return;
    }
    const queue = [send];
    this.opening.set(key, queue);
    open().then(
      (socket) => {
        this.opening.delete(key);
        this.add(key, socket, dstPort);
        for (const f of queue) f(socket);
      },
      (e: unknown) => {
        this.opening.delete(key);
        this.dropped += queue.length;
        failed(e);
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EMFILE' || code === 'ENFILE') this.shrink(code);
      },
    );
  }

  /** Out of fds all the same: keep half of what is open, and no more from now on. */
  private shrink(code: string): void {
    this.capacity = Math.max(1, Math.floor(this.sessions.size / 2));
    this.warnedFull = true; // the line below says it
    while (this.sessions.size > this.capacity) this.evictOldest();
    this.log(`uplink: out of file descriptors (${code}): at most ${this.capacity} UDP sessions from now on`);
  }

  private evictOldest(): void {
    const [oldest, e] = this.sessions.entries().next().value as [string, Entry<S>];
    this.sessions.delete(oldest);
    e.socket.close();
    this.evicted++;
    // Once per time the table fills, not once per flow: a port scan would flood the log.
    if (!this.warnedFull) this.log(`uplink: ${this.cap} UDP sessions open, the most there may be: closing the least recently used (${oldest})`);
    this.warnedFull = true;
  }

  /** The session's socket, its idle time starting again (a datagram went out or came in). */
  use(key: string): S | undefined {
    const e = this.sessions.get(key);
    if (!e) return undefined;
    e.lastNs = this.clock.now();
    this.sessions.delete(key);
    this.sessions.set(key, e);
    return e.socket;
  }

  add(key: string, socket: S, dstPort: number): void {
    this.sessions.get(key)?.socket.close();
    this.sessions.delete(key);
    if (this.sessions.size >= this.cap) this.evictOldest();
    this.sessions.set(key, { socket, idleNs: dstPort === 53 ? DNS_IDLE_NS : UDP_IDLE_NS, lastNs: this.clock.now() });
    this.arm();
  }

  /**
   * The timer fires when the first session could have expired (a use only postpones an expiry, so
   * it fires early at worst, and what is still busy waits again).
   */
  private arm(): void {
    let next = Infinity;
    for (const e of this.sessions.values()) next = Math.min(next, e.lastNs + e.idleNs);
    if (next >= this.timerAt) return;
    this.clock.cancel(this.timer);
    this.timerAt = next;
    this.timer = this.clock.at(next, () => {
      this.timer = null;
      this.timerAt = Infinity;
      this.sweep();
    });
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, e] of this.sessions) {
      if (e.lastNs + e.idleNs > now) continue;
      this.sessions.delete(key);
      e.socket.close();
      this.expired++;
    }
    if (this.sessions.size < this.cap) this.warnedFull = false;
    this.arm();
  }

  closeAll(): void {
    this.clock.cancel(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    for (const e of this.sessions.values()) e.socket.close();
    this.sessions.clear();
  }
}

/**
 * The local address the real routing table would send from towards `dst`: a UDP socket connected
 * there (which sends nothing) reports it.
 */
async function sourceAddressFor(host: HostPort, dst: string, port: number): Promise<string> {
  const probe = host.udpSocket();
  try {
    await probe.connect(port, dst);
    return probe.localAddress();
  } finally {
    probe.close();
  }
}

/** A real UDP socket for one outbound flow: bound to the address it needs, connected to `dst:port`. */
export async function openSessionSocket(host: HostPort, dst: string, port: number): Promise<RealUdpSocket> {
  // The loopback for 127.0.0.1, the outgoing interface's address for anywhere else.
  const local = await sourceAddressFor(host, dst, port);
  const socket = host.udpSocket();
  try {
    await socket.bind(0, local);
    await socket.connect(port, dst);
  } catch (e) {
    socket.close();
    throw e;
  }
  return socket;
}
