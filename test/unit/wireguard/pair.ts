// Two WireGuard devices face to face, smoltcp-style: no kernel, no files, a hand-advanced clock.
// What one sends is queued for the other (or kept, when the test holds it back); what reaches a tun
// is recorded. Random bytes come from a counter through BLAKE2s, so every run is the same.

import { createHash } from 'node:crypto';
import { Device, type DeviceIo } from '../../../userland/bin/wireguard/device.js';
import { WgLog, LOG_VERBOSE } from '../../../userland/bin/wireguard/log.js';
import type { Endpoint } from '../../../userland/bin/wireguard/peer.js';
import { processHandshakes, receiveDatagram } from '../../../userland/bin/wireguard/receive.js';
import { fromTun } from '../../../userland/bin/wireguard/send.js';
import { runTimers } from '../../../userland/bin/wireguard/timer-handlers.js';
import { parsePrefix } from '../../../userland/lib/wireguard/prefix.js';
import { vectorKey } from './helpers.js';

export interface Wire {
  from: Endpoint;
  to: Endpoint;
  data: Uint8Array;
}

export class Side {
  readonly dev: Device;
  readonly tun: Uint8Array[] = [];
  readonly sent: Wire[] = [];
  /** What the device told the kernel it threw away (journey_drop), in order. */
  readonly dropped: string[] = [];
  private seq = 0;

  constructor(
    readonly name: string,
    readonly addr: Endpoint,
    private readonly clock: { now: number; wall: number },
  ) {
    const io: DeviceIo = {
      send: async (data, to) => {
        this.sent.push({ from: this.addr, to, data: data.slice() });
        return null;
      },
      writeTun: async (p) => void this.tun.push(p.slice()),
      random: async (n) => {
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i += 32) out.set(createHash('blake2s256').update(`${name}:${this.seq++}`).digest().subarray(0, Math.min(32, n - i)), i);
        return out;
      },
      bind: async (port) => port,
      dropped: async (reason) => void this.dropped.push(reason),
    };
    this.dev = new Device(io, new WgLog(null, LOG_VERBOSE, name, () => this.clock.wall));
  }

  async sync(): Promise<void> {
    this.dev.now = this.clock.now;
    this.dev.wallNow = this.clock.wall;
    await this.dev.refillRandom();
  }

  /** An IPv4 packet from `src` to `dst`, as the stack would put it in the tun. */
  async send(src: string, dst: string, payloadLen = 56): Promise<void> {
    await this.sync();
    await fromTun(this.dev, ipv4(src, dst, payloadLen));
  }

  async receive(w: Wire): Promise<void> {
    await this.sync();
    await receiveDatagram(this.dev, w.data, w.from);
    await processHandshakes(this.dev);
  }

  async timers(): Promise<void> {
    await this.sync();
    await runTimers(this.dev);
  }

  get log(): string[] {
    return this.dev.log.lines;
  }
}

/** A minimal IPv4 header (no checksum: the devices never look at it) and `len` bytes of payload. */
export function ipv4(src: string, dst: string, len: number): Uint8Array {
  const p = new Uint8Array(20 + len);
  p[0] = 0x45;
  p[2] = (20 + len) >> 8;
  p[3] = (20 + len) & 0xff;
  p[8] = 64;
  p[9] = 1;
  p.set(src.split('.').map(Number), 12);
  p.set(dst.split('.').map(Number), 16);
  for (let i = 0; i < len; i++) p[20 + i] = i & 0xff;
  return p;
}

export const A_ADDR: Endpoint = { addr: '192.0.2.1', port: 51820 };
export const B_ADDR: Endpoint = { addr: '192.0.2.2', port: 51821 };

/** A (10.9.0.1, the vectors' a.key) and B (10.9.0.2, b.key), each the other's peer; B knows A's endpoint only if asked. */
/** Both clocks, moved together by advance(). */
export class Clock {
  now = 1e9;
  wall = 1_767_225_600e9;

  advance(ns: number): void {
    this.now += ns;
    this.wall += ns;
  }
}

export function pair(opts: { bKnowsA?: boolean; keepalive?: number } = {}): { a: Side; b: Side; clock: Clock; deliver: () => Promise<number> } {
  const clock = new Clock();
  const a = new Side('A', A_ADDR, clock);
  const b = new Side('B', B_ADDR, clock);
  a.dev.setPrivateKey(vectorKey('a.key'));
  b.dev.setPrivateKey(vectorKey('b.key'));
  const pb = a.dev.addPeer(vectorKey('b.pub'));
  pb.endpoint = B_ADDR;
  a.dev.allowed.insert(parsePrefix('10.9.0.2/32')!, pb);
  const pa = b.dev.addPeer(vectorKey('a.pub'));
  if (opts.bKnowsA) pa.endpoint = A_ADDR;
  b.dev.allowed.insert(parsePrefix('10.9.0.1/32')!, pa);
  if (opts.keepalive) pb.timers.persistentKeepaliveInterval = opts.keepalive;
  /** Deliver everything in flight, both ways, until nothing is left; the number delivered. */
  const deliver = async () => {
    let n = 0;
    for (;;) {
      const w = a.sent.shift() ?? b.sent.shift();
      if (!w) return n;
      n++;
      await (w.to.addr === A_ADDR.addr ? a : b).receive(w);
    }
  };
  return { a, b, clock, deliver };
}
