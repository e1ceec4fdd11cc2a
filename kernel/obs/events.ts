// The observable events of a world: syscalls, packets crossing layers, processes, log lines.
// Emitters check `listening(type)` first, so nothing is built when nobody watches.

import type { ErrnoName } from '../abi/errno.js';
import type { DropReason, JourneyEvent, JourneyLayer } from '../abi/journey.js';
import { PacketJourneys } from './journey.js';

export interface SyscallEvent {
  host: string;
  pid: number;
  command: string;
  name: string;
  args: readonly unknown[];
  /** Set on success. */
  result?: unknown;
  /** Set on failure. */
  errno?: ErrnoName;
  startNs: number;
  endNs: number;
}

/** Where a packet was seen: the layers of DESIGN.md, in the order a packet crosses them. */
export type PacketLayer = JourneyLayer;

/** A packet crossing a layer, or dropped there (kernel/abi/journey.ts says what each field means). */
export type PacketEvent = Omit<JourneyEvent, 'seq'>;

/** What a layer says about a crossing besides where and which bytes. */
export interface TraceDetail {
  /** What happened, in a word (the direction when absent). */
  event?: string;
  decision?: string;
  reason?: DropReason;
  counter?: string;
  pid?: number;
  command?: string;
}

export interface ProcessEvent {
  host: string;
  pid: number;
  command: string;
  what: 'spawn' | 'exit';
  status?: number;
}

export interface LogEvent {
  host: string;
  line: string;
  timeNs: number;
}

export interface EventMap {
  syscall: SyscallEvent;
  packet: PacketEvent;
  process: ProcessEvent;
  log: LogEvent;
}

export class EventBus {
  /** Packet identities, world-wide like the bus: the same packet has one id on every host. */
  readonly journeys = new PacketJourneys(() => this.listening('packet'));

  private readonly listeners: { [K in keyof EventMap]: Set<(e: EventMap[K]) => void> } = {
    syscall: new Set(),
    packet: new Set(),
    process: new Set(),
    log: new Set(),
  };

  listening<K extends keyof EventMap>(type: K): boolean {
    return this.listeners[type].size > 0;
  }

  on<K extends keyof EventMap>(type: K, fn: (e: EventMap[K]) => void): () => void {
    this.listeners[type].add(fn);
    return () => this.listeners[type].delete(fn);
  }

  emit<K extends keyof EventMap>(type: K, e: EventMap[K]): void {
    for (const fn of this.listeners[type]) fn(e);
  }

  /**
   * A packet crossed a layer (or was dropped there): the event, with the packet's identity and a
   * copy of its bytes as they are now. Free when nobody listens.
   */
  packet(host: string, layer: PacketLayer, where: string, dir: PacketEvent['dir'], link: PacketEvent['link'], bytes: Uint8Array, timeNs: number, d?: TraceDetail): void {
    if (!this.listening('packet')) return;
    const t = this.journeys.tag(bytes);
    const e: PacketEvent = { host, layer, where, dir, event: d?.event ?? dir, id: t.id, link, bytes: bytes.slice(), timeNs };
    if (t.inner) e.inner = t.inner;
    if (t.outer) e.outer = t.outer;
    if (t.cause) e.cause = t.cause;
    if (d) {
      if (d.decision !== undefined) e.decision = d.decision;
      if (d.reason !== undefined) e.reason = d.reason;
      if (d.counter !== undefined) e.counter = d.counter;
      if (d.pid !== undefined) e.pid = d.pid;
      if (d.command !== undefined) e.command = d.command;
    }
    this.emit('packet', e);
  }
}
