// A segment hands a broadcast ARP frame only to the NICs it can change and counts it for the rest
// (kernel/world/lazy-broadcast.ts). Each run here is made twice from one random script, once that
// way and once with the frame handed to every port, and every host must end the same: interface
// counters, ARP entries, requests and replies sent, backlog drops, IP counters. The scripts mix
// requests, replies, gratuitous and malformed ARP, resolutions with their retries, interfaces going
// down and up, addresses changing, and bursts larger than a backlog holds in one instant.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IFF_UP } from '../../../kernel/abi/if.js';
import { ArpPacket, ArpRepr } from '../../../kernel/abi/wire/arp.js';
import { BROADCAST_MAC } from '../../../kernel/abi/wire/address.js';
import { ETHERTYPE_ARP, EthernetFrame, EthernetRepr } from '../../../kernel/abi/wire/ethernet.js';
import type { Nic } from '../../../kernel/drivers/ethernet/nic.js';
import type { Kernel } from '../../../kernel/kernel.js';
import * as config from '../../../kernel/net/iface/config.js';
import type { NetInterface } from '../../../kernel/net/iface/interface.js';
import { BACKLOG_LEN } from '../../../kernel/net/iface/stack.js';
import { buildWorld, type BuiltWorld } from '../../../kernel/world/build.js';
import { parseWorldFile } from '../../../kernel/world/world-file.js';
import tcpdump from '../../../userland/bin/tcpdump.js';
import { programsOf, start } from '../../helpers/world.js';

/** Addresses the scripts draw from: few, so that owners, holders and duplicates meet. */
const POOL = [0x0a00_0001, 0x0a00_0002, 0x0a00_0003, 0x0a00_0004, 0];

type Action =
  | { kind: 'frame'; from: number; op: 1 | 2; sender: number; target: number; pad: number; count: number }
  | { kind: 'malformed'; from: number }
  | { kind: 'resolve'; host: number; ip: number }
  | { kind: 'updown'; host: number; up: boolean }
  | { kind: 'address'; host: number; ip: number }
  | { kind: 'wait'; ns: number }
  | { kind: 'read'; host: number };

const action = (hosts: number): fc.Arbitrary<Action> => {
  const host = fc.nat(hosts - 1);
  const ip = fc.constantFrom(...POOL);
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('frame' as const), from: host, op: fc.constantFrom(1 as const, 2 as const), sender: ip, target: ip, pad: fc.nat(20), count: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: BACKLOG_LEN - 5, max: BACKLOG_LEN + 30 }) }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('malformed' as const), from: host }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('resolve' as const), host, ip }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('updown' as const), host, up: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('address' as const), host, ip }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('wait' as const), ns: fc.constantFrom(0, 50_000, 100_000, 1e9, 30e9) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('read' as const), host }) },
  );
};

function world(hosts: number, addrs: number[], lazy: boolean): BuiltWorld {
  const spec = { segments: { lan: { delay: '0.1ms' } }, hosts: {} as Record<string, object> };
  for (let i = 0; i < hosts; i++) {
    const a = addrs[i]!;
    spec.hosts[`h${i}`] = { nics: [{ segment: 'lan', ...(a ? { address: `10.0.0.${a & 0xff}/24` } : {}) }] };
  }
  const built = buildWorld(parseWorldFile(JSON.stringify(spec)), { programs: programsOf([tcpdump]), seed: 7 }, '.');
  built.segments.get('lan')!.lazyArp = lazy;
  return built;
}

const ether = (k: Kernel): NetInterface => [...k.net.interfaces.values()].find((i) => i.device.link === 'ether')!;

function arpFrame(nic: Nic, op: 1 | 2, sender: number, target: number, pad: number): Uint8Array {
  const repr: ArpRepr = { operation: op, senderMac: nic.mac, senderIp: sender, targetMac: 0, targetIp: target };
  const arp = new Uint8Array(ArpRepr.bufferLen(repr) + pad);
  ArpRepr.emit(repr, new ArpPacket(arp));
  const frame = new Uint8Array(14 + arp.length);
  EthernetRepr.emit({ dst: BROADCAST_MAC, src: nic.mac, ethertype: ETHERTYPE_ARP }, new EthernetFrame(frame));
  frame.set(arp, 14);
  return frame;
}

/** A 20-byte IPv4 header, enough to wait in an ARP queue. */
const PACKET = Uint8Array.from([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 9, 10, 0, 0, 1]);

async function play(b: BuiltWorld, hosts: number, script: readonly Action[]): Promise<unknown> {
  const k = (i: number) => b.world.mustHost(`h${i}`);
  const reads: unknown[] = [];
  for (const a of script) {
    switch (a.kind) {
      case 'frame': {
        const i = ether(k(a.from));
        const f = arpFrame(i.device as Nic, a.op, a.sender, a.target, a.pad);
        for (let n = 0; n < a.count; n++) i.device.transmit(i, f);
        break;
      }
      case 'malformed': {
        const i = ether(k(a.from));
        const f = arpFrame(i.device as Nic, 1, 1, 2, 0).subarray(0, 30);
        i.device.transmit(i, f);
        break;
      }
      case 'resolve': {
        const i = ether(k(a.host));
        k(a.host).net.arp(i)!.send(a.ip, PACKET, () => {});
        break;
      }
      case 'updown': {
        const i = ether(k(a.host));
        config.setFlags(k(a.host).net, i, a.up ? i.flags | IFF_UP : i.flags & ~IFF_UP);
        break;
      }
      case 'address': {
        const i = ether(k(a.host));
        if (a.ip === 0) k(a.host).net.removeAddress(i, i.primary?.addr ?? 0);
        else config.setAddress(k(a.host).net, i, a.ip);
        break;
      }
      case 'wait':
        await b.world.run({ until: () => false, timeLimitNs: b.world.sched.now() + a.ns });
        break;
      case 'read':
        reads.push(ether(k(a.host)).counters.toStats());
        break;
    }
  }
  await b.world.run({ until: () => false, timeLimitNs: b.world.sched.now() + 60e9 });
  return { reads, hosts: Array.from({ length: hosts }, (_, n) => state(k(n))) };
}

function state(k: Kernel): unknown {
  const i = ether(k);
  const arp = k.net.arp(i)!;
  return {
    counters: i.counters.toStats(),
    arp: arp.list().map((e) => ({ ip: e.ip, mac: e.mac, state: e.state, deadline: e.deadline, queued: e.queue.length })),
    sent: [arp.requestsSent, arp.repliesSent],
    backlogDrops: k.net.backlogDrops,
    ip: k.net.ipStats(),
  };
}

describe('broadcast ARP handed only to the NICs it concerns', () => {
  it('leaves every host as handing it to every NIC does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 6 }).chain((hosts) =>
          fc.tuple(fc.constant(hosts), fc.array(fc.constantFrom(...POOL), { minLength: hosts, maxLength: hosts }), fc.array(action(hosts), { maxLength: 25 })),
        ),
        async ([hosts, addrs, script]) => {
          const lazy = await play(world(hosts, addrs, true), hosts, script);
          const full = await play(world(hosts, addrs, false), hosts, script);
          expect(lazy).toEqual(full);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it('counts a request for the router on every host, and only the router answers', async () => {
    const b = world(5, [1, 2, 3, 4, 0], true);
    const h0 = b.world.mustHost('h0');
    h0.net.arp(ether(h0))!.send(0x0a00_0002, PACKET, () => {});
    await b.world.run({ until: () => false, timeLimitNs: 1e9 });
    const rx = [1, 2, 3, 4].map((n) => ether(b.world.mustHost(`h${n}`)).counters.toStats().receive);
    // The request (42 bytes) reached h1..h4, then the packet it held (34 bytes) h1; the reply went to h0 alone.
    expect(rx.map((r) => [r.packets, r.bytes])).toEqual([[2, 76], [1, 42], [1, 42], [1, 42]]);
    expect(b.world.mustHost('h1').net.arp(ether(b.world.mustHost('h1')))!.repliesSent).toBe(1);
    expect(ether(h0).counters.toStats().receive.packets).toBe(1);
    // h3 learned nothing: it had no entry for h0 and was not asked.
    expect(b.world.mustHost('h3').net.arp(ether(b.world.mustHost('h3')))!.get(0x0a00_0001)).toBeUndefined();
  });

  it('still shows every broadcast to a capture on a host it does not concern', async () => {
    const b = world(3, [1, 2, 3], true);
    const h2 = b.world.mustHost('h2');
    const dump = await start(h2, ['tcpdump', '-n', '-l', '-c', '1', '-i', ether(h2).name]);
    await b.world.run({ until: () => false, timeLimitNs: 1e6 });
    const h0 = b.world.mustHost('h0');
    h0.net.arp(ether(h0))!.send(0x0a00_0002, PACKET, () => {});
    await b.world.run({ until: () => !dump.proc.alive, timeLimitNs: 2e9 });
    expect(dump.output()).toContain('ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28');
  });
});
