// ARP on the stack seam: what one interface answers, learns, asks and gives up on, frame by frame,
// with the clock moved by hand (Haiku's arp.cpp timings: requests a second apart, five of them, a
// failed neighbour held 20 s, an entry kept 30 min).

import { describe, expect, it } from 'vitest';
import { ARPOP_REPLY, ARPOP_REQUEST } from '../../../../kernel/abi/wire/arp.js';
import { BROADCAST_MAC } from '../../../../kernel/abi/wire/address.js';
import { ETHERTYPE_IPV4 } from '../../../../kernel/abi/wire/ethernet.js';
import { IPPROTO_UDP } from '../../../../kernel/abi/wire/ipv4.js';
import { ARP_FAILED_HOLD_NS, ARP_MAX_REQUESTS, ARP_QUEUE_LEN, ARP_REACHABLE_NS, ARP_RETRY_NS } from '../../../../kernel/net/iface/arp.js';
import { ipSend } from '../../../../kernel/net/iface/ipv4.js';
import { arpFrame, decode, echoRequest, ether, ip, MAC_OTHER, MAC_PEER, MAC_US, testStack } from '../../../helpers/stack.js';

const US = ip('192.168.1.10');
const PEER = ip('192.168.1.20');

function lan() {
  const t = testStack();
  const eth = t.port('eth0', 'ether', '192.168.1.10', 24);
  const send = (dst = PEER, payload = new Uint8Array(8)) => ipSend(t.stack, { dst, protocol: IPPROTO_UDP, payload });
  return { ...t, eth, send, arp: () => t.stack.arp(eth.iface)! };
}

describe('ARP requests for this host', () => {
  it('are answered with our MAC, to the asker, and the asker is learned', () => {
    const { eth, inject, arp } = lan();
    inject(eth, arpFrame('request', MAC_PEER, PEER, US));
    const [reply, ...rest] = eth.dev.take().map((f) => decode(f));
    expect(rest).toEqual([]);
    expect(reply!.dstMac).toBe(MAC_PEER);
    expect(reply!.arp).toEqual({ operation: ARPOP_REPLY, senderMac: MAC_US, senderIp: US, targetMac: MAC_PEER, targetIp: PEER });
    expect(arp().get(PEER)).toMatchObject({ state: 'reachable', mac: MAC_PEER });
  });

  it('for another address get no answer, and teach nothing (RFC 826: only a known sender is refreshed)', () => {
    const { eth, inject, arp } = lan();
    inject(eth, arpFrame('request', MAC_PEER, PEER, ip('192.168.1.99')));
    expect(eth.dev.take()).toEqual([]);
    expect(arp().get(PEER)).toBeUndefined();
  });

  it('from a known sender with a new MAC update the entry (the neighbour moved)', () => {
    const { eth, inject, arp } = lan();
    inject(eth, arpFrame('request', MAC_PEER, PEER, US));
    inject(eth, arpFrame('request', MAC_OTHER, PEER, ip('192.168.1.99')));
    expect(arp().get(PEER)?.mac).toBe(MAC_OTHER);
  });

  it('that are truncated are counted as receive errors and answered by nothing', () => {
    const { eth, inject } = lan();
    const frame = arpFrame('request', MAC_PEER, PEER, US).subarray(0, 14 + 20);
    inject(eth, frame);
    expect(eth.dev.take()).toEqual([]);
    expect(eth.iface.counters.rxErrors).toBe(1);
  });
});

describe('resolving a neighbour', () => {
  it('broadcasts a request and holds the packet until the reply, then sends it to the MAC learned', () => {
    const { eth, inject, send } = lan();
    expect(send()).toBeNull();
    const [req] = eth.dev.take().map((f) => decode(f));
    expect(req!.dstMac).toBe(BROADCAST_MAC);
    expect(req!.arp).toMatchObject({ operation: ARPOP_REQUEST, senderIp: US, targetIp: PEER, senderMac: MAC_US });
    inject(eth, arpFrame('reply', MAC_PEER, PEER, US, MAC_US));
    const [held] = eth.dev.take().map((f) => decode(f));
    expect(held!.dstMac).toBe(MAC_PEER);
    expect(held!.ip).toMatchObject({ src: US, dst: PEER, protocol: IPPROTO_UDP });
  });

  it('asks once: a second packet to the same neighbour waits in the same queue', () => {
    const { eth, send } = lan();
    send();
    send();
    expect(eth.dev.take()).toHaveLength(1);
  });

  it('repeats the request a second apart, five times in all, then fails the queued packets', () => {
    const { eth, send, timers, arp } = lan();
    send();
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      if (eth.dev.take().length) times.push(timers.now());
      timers.advance(ARP_RETRY_NS / 2);
    }
    expect(times).toEqual([0, 1e9, 2e9, 3e9, 4e9].slice(0, ARP_MAX_REQUESTS));
    expect(arp().get(PEER)?.state).toBe('failed');
  });

  it('answers a sender of queued packets with ICMP host unreachable when it gives up', () => {
    const { eth, stack, timers, inject } = lan();
    // A packet this host forwards for another: the error goes back to that other.
    inject(eth, arpFrame('request', MAC_OTHER, ip('192.168.1.30'), US));
    eth.dev.take();
    stack.forwarding = true;
    const from = ip('192.168.1.30');
    inject(eth, ether(MAC_US, MAC_OTHER, ETHERTYPE_IPV4, echoRequest(from, PEER)));
    eth.dev.take(); // the ARP request for PEER
    timers.advance(ARP_RETRY_NS * ARP_MAX_REQUESTS);
    const errors = eth.dev.take().map((f) => decode(f)).filter((d) => d.icmp);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.ip).toMatchObject({ src: US, dst: from });
    expect(errors[0]!.icmp).toMatchObject({ kind: 'dst-unreachable', code: 1 });
  });

  it('fails fast with EHOSTUNREACH while the neighbour is held as failed, and asks again after the hold', () => {
    const { eth, send, timers } = lan();
    send();
    timers.advance(ARP_RETRY_NS * ARP_MAX_REQUESTS);
    eth.dev.take();
    expect(send()).toBe('EHOSTUNREACH');
    expect(eth.dev.take()).toEqual([]);
    timers.advance(ARP_FAILED_HOLD_NS);
    expect(send()).toBeNull();
    expect(eth.dev.take().map((f) => decode(f).arp?.operation)).toEqual([ARPOP_REQUEST]);
  });

  it(`holds at most ${ARP_QUEUE_LEN} packets per neighbour: the oldest go first, counted as tx drops`, () => {
    const { eth, send, inject } = lan();
    for (let i = 0; i < ARP_QUEUE_LEN + 3; i++) send(PEER, new Uint8Array([i]));
    eth.dev.take();
    expect(eth.iface.counters.txDropped).toBe(3);
    inject(eth, arpFrame('reply', MAC_PEER, PEER, US, MAC_US));
    const sent = eth.dev.take().map((f) => decode(f).packet!);
    expect(sent).toHaveLength(ARP_QUEUE_LEN);
    // The first one left is the fourth sent: its UDP payload byte is 3.
    expect(sent[0]![20]).toBe(3);
  });

  it('forgets a resolved neighbour after its lifetime, and asks again', () => {
    const { eth, send, inject, timers, arp } = lan();
    inject(eth, arpFrame('request', MAC_PEER, PEER, US));
    eth.dev.take();
    timers.advance(ARP_REACHABLE_NS - 1);
    expect(arp().list().map((e) => e.ip)).toEqual([PEER]);
    timers.advance(1);
    expect(arp().list()).toEqual([]);
    send();
    expect(decode(eth.dev.take()[0]!).arp?.operation).toBe(ARPOP_REQUEST);
  });

  it('keeps a permanent entry through everything, and sends to it without asking', () => {
    const { eth, send, timers, arp } = lan();
    arp().setPermanent(PEER, MAC_OTHER);
    timers.advance(ARP_REACHABLE_NS * 2);
    send();
    expect(decode(eth.dev.take()[0]!).dstMac).toBe(MAC_OTHER);
  });

  it('flushes what it learned when the interface goes down', () => {
    const { eth, inject, stack, arp } = lan();
    inject(eth, arpFrame('request', MAC_PEER, PEER, US));
    arp().setPermanent(ip('192.168.1.21'), MAC_OTHER);
    stack.setUp(eth.iface, false);
    expect(arp().list().map((e) => e.state)).toEqual(['permanent']);
  });
});
