// Floods: packets the stack sends towards a TUN nobody reads, datagrams to a UDP socket nobody
// reads, echo requests written into a TUN whose answers nobody reads. The queues are fixed-size (a
// TUN queues 500 packets, a socket its SO_RCVBUF in bytes), so memory stays bounded, the drop
// counters account for exactly what was not queued, and the host still answers a ping at once.
//
// 100 000 packets per flood by default (about a second each on 2 cores); the long run
// (FUZZ_RUNS >= 20000, e.g. FUZZ_RUNS=200000 npm test) sends 1 000 000.

import { describe, expect, it } from 'vitest';
import { isSysError } from '../../kernel/abi/errno.js';
import { IFF_NO_PI, IFF_TUN } from '../../kernel/abi/ioctl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { AF_INET, MSG_DONTWAIT, SO_RCVBUF, SOCK_DGRAM, SOL_SOCKET, sockaddrIn } from '../../kernel/abi/socket.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { UdpSocket } from '../../kernel/net/socket/udp.js';
import type { World } from '../../kernel/world/world.js';
import { echoRequest, ifup, tunAlloc } from '../helpers/tun.js';
import { crashes, gc, heapUsed, killAll, longRun, runBounded, userlandWorld } from './harness.js';

/** A million packets take ~8 s on 2 cores; leave room for a slower machine. */
const TIMEOUT = longRun ? 300_000 : 30_000;

const N = longRun ? 1_000_000 : 100_000;
/** A flood that buffered its packets would hold N of them: 100 000 × (16 B + ~100 B per object). */
const HEAP_BOUND = 8 * 1024 * 1024;

/** `tunhold`: tun/0 10.8.0.2 <-> 10.8.0.1, up, held open and never read. */
const tunhold = defineProgram({
  name: 'tunhold',
  summary: '',
  async main(_a, sys) {
    const { name } = await tunAlloc(sys, 'tun/0', IFF_TUN | IFF_NO_PI);
    await ifup(sys, name, '10.8.0.2', { peer: '10.8.0.1' });
    await sys.nanosleep(1e15);
  },
});

/** `udpflood ADDR PORT COUNT`: COUNT datagrams of 16 bytes from one socket. */
const udpflood = defineProgram({
  name: 'udpflood',
  summary: '',
  async main(argv, sys) {
    const to = sockaddrIn(argv[1]!, Number(argv[2]));
    const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    const data = new Uint8Array(16);
    for (let i = 0, n = Number(argv[3]); i < n; i++) await sys.sendto(s, data, 0, to);
  },
});

/** `tunflood COUNT`: COUNT echo requests from 10.8.0.1 written into a fresh tun/1 (10.8.1.2), never read. */
const tunflood = defineProgram({
  name: 'tunflood',
  summary: '',
  async main(argv, sys) {
    const { fd, name } = await tunAlloc(sys, 'tun/1', IFF_TUN | IFF_NO_PI);
    await ifup(sys, name, '10.8.1.2', { peer: '10.8.1.1' });
    const pkt = echoRequest('10.8.1.1', '10.8.1.2', 1, 1);
    for (let i = 0, n = Number(argv[1]); i < n; i++) await sys.write(fd, pkt);
    // Hold the fd (and the queue) until killed.
    await sys.nanosleep(1e15);
  },
});

/** `sink PORT [RCVBUF]`: a bound UDP socket that reads nothing until told to (flag `drainNow`). */
let drainNow = false;
let drained = -1;
const sink = defineProgram({
  name: 'sink',
  summary: '',
  async main(argv, sys) {
    const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    if (argv[2]) await sys.setsockopt(s, SOL_SOCKET, SO_RCVBUF, Number(argv[2]));
    await sys.bind(s, sockaddrIn('0.0.0.0', Number(argv[1])));
    while (!drainNow) await sys.nanosleep(1e9);
    drained = 0;
    for (;;) {
      try {
        await sys.recvfrom(s, 64, MSG_DONTWAIT);
        drained++;
      } catch (e) {
        if (isSysError(e, 'EAGAIN')) return;
        throw e;
      }
    }
  },
});

async function startOn(w: World, k: Kernel, argv: string[]) {
  const p = await k.spawn(null, `/bin/${argv[0]}`, argv, { files: [] });
  return p;
}

/** Run a flood program to its end; wall milliseconds. */
async function flood(w: World, k: Kernel, argv: string[]): Promise<number> {
  const t0 = performance.now();
  const p = await startOn(w, k, argv);
  await w.run({ until: () => !p.alive });
  expect(p.status).toBe(0);
  return performance.now() - t0;
}

async function pingsBack(w: World, target: string): Promise<void> {
  const r = await runBounded(w, 'a', ['ping', '-c', '1', '-W', '1000', target], { limitNs: 5e9 });
  expect(r.out).toContain('1 packets transmitted, 1 packets received');
  expect(r.code).toBe(0);
}

describe(`floods of ${N.toLocaleString('en')} packets`, () => {
  it('has a real garbage collector to measure with', () => {
    expect(gc()).not.toBeNull();
  });

  it(`UDP sendto towards a TUN nobody reads: 500 queued, the rest tx_dropped, memory bounded`, async () => {
    const { w, panics } = userlandWorld([tunhold, udpflood]);
    const k = w.mustHost('a');
    await startOn(w, k, ['tunhold']);
    await w.run({ until: () => !!k.net.byName('tun/0')?.up });
    const iface = k.net.byName('tun/0')!;
    const before = heapUsed();
    const ms = await flood(w, k, ['udpflood', '10.8.0.1', '9', String(N)]);
    const grown = heapUsed() - before;
    const q = k.tun.devices.get('tun/0')!.queues[0]!;
    expect(q.queue.length).toBe(500);
    expect(iface.counters.txDropped).toBe(N - 500);
    expect(iface.counters.txPackets).toBe(0); // nobody read
    expect(k.sockets.udp.counters.OutDatagrams).toBe(N);
    expect(k.net.ip.OutRequests).toBe(N);
    expect(grown).toBeLessThan(HEAP_BOUND);
    await pingsBack(w, '10.8.0.2');
    console.log(`udp -> unread tun: ${N} datagrams in ${ms.toFixed(0)} ms, heap +${(grown / 1024).toFixed(0)} KiB`);
    await killAll(w, k);
    expect(panics).toEqual([]);
    expect(crashes(w)).toEqual([]);
  }, TIMEOUT);

  it.each([
    ['the default SO_RCVBUF', undefined],
    ['SO_RCVBUF 4096', 4096],
  ])(`UDP datagrams to a socket nobody reads, %s: the buffer bounds the queue, drops are counted`, async (_label, rcvbuf) => {
    const { w, panics } = userlandWorld([sink, udpflood]);
    const k = w.mustHost('a');
    drainNow = false;
    drained = -1;
    const sinkProc = await startOn(w, k, ['sink', '7000', ...(rcvbuf ? [String(rcvbuf)] : [])]);
    await w.run({ until: () => k.sockets.udp.ports.has(7000) });
    const sock = k.sockets.udp.ports.get(7000)![0] as UdpSocket;
    const before = heapUsed();
    const ms = await flood(w, k, ['udpflood', '127.0.0.1', '7000', String(N)]);
    const grown = heapUsed() - before;
    // Each queued datagram costs its 16 bytes plus 256 of bookkeeping (skb truesize).
    const fits = Math.floor(sock.rcvbuf / (16 + 256));
    expect(sock.received).toBe(fits);
    expect(sock.drops).toBe(N - fits);
    expect(k.sockets.udp.counters.InDatagrams).toBe(fits);
    expect(k.sockets.udp.counters.RcvbufErrors).toBe(N - fits);
    expect(k.sockets.udp.counters.InErrors).toBe(N - fits);
    expect(k.net.backlogDrops).toBe(0);
    expect(k.sockets.udp.counters.InDatagrams + k.sockets.udp.counters.RcvbufErrors + k.net.backlogDrops).toBe(N);
    expect(grown).toBeLessThan(HEAP_BOUND);
    await pingsBack(w, '127.0.0.1');
    // What the reader finally gets is exactly what was counted as delivered.
    drainNow = true;
    await w.run({ until: () => !sinkProc.alive });
    expect(drained).toBe(fits);
    console.log(`udp -> unread socket (rcvbuf ${sock.rcvbuf}): ${N} datagrams in ${ms.toFixed(0)} ms, ${fits} queued, heap +${(grown / 1024).toFixed(0)} KiB`);
    await killAll(w, k);
    expect(panics).toEqual([]);
    expect(crashes(w)).toEqual([]);
  }, TIMEOUT);

  it('echo requests written into a TUN whose replies nobody reads: every one answered or dropped, counted', async () => {
    const { w, panics } = userlandWorld([tunflood]);
    const k = w.mustHost('a');
    const before = heapUsed();
    const t0 = performance.now();
    await startOn(w, k, ['tunflood', String(N)]);
    await w.run({ until: () => (k.net.byName('tun/1')?.counters.rxPackets ?? 0) === N && k.net.icmp.OutEchoReps === N });
    const ms = performance.now() - t0;
    const grown = heapUsed() - before;
    const iface = k.net.byName('tun/1')!;
    expect(iface.counters.rxPackets).toBe(N);
    expect(k.net.icmp.InEchos).toBe(N);
    expect(k.net.icmp.OutEchoReps).toBe(N);
    expect(k.tun.devices.get('tun/1')!.queues[0]!.queue.length).toBe(500);
    expect(iface.counters.txDropped).toBe(N - 500);
    expect(grown).toBeLessThan(HEAP_BOUND);
    await pingsBack(w, '10.8.1.2');
    console.log(`echo requests into an unread tun: ${N} in ${ms.toFixed(0)} ms, heap +${(grown / 1024).toFixed(0)} KiB`);
    await killAll(w, k);
    expect(panics).toEqual([]);
    expect(crashes(w)).toEqual([]);
  }, TIMEOUT);
});
