// The observable events of a world: syscalls, packets crossing layers, processes, log lines.
// Emitters check `listening(type)` first, so nothing is built when nobody watches.

import type { ErrnoName } from '../abi/errno.js';

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
export type PacketLayer = 'socket' | 'ip' | 'queue' | 'driver' | 'nic' | 'segment' | 'uplink';

export interface PacketEvent {
  host: string;
  layer: PacketLayer;
  /** Interface, socket, segment or device this happened at. */
  where: string;
  dir: 'in' | 'out' | 'drop' | 'deliver';
  /** What the bytes start with: an Ethernet frame or an IP packet. */
  link: 'ether' | 'ip';
  bytes: Uint8Array;
  timeNs: number;
  note?: string;
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
}
