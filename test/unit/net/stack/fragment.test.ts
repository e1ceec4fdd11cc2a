// Fragmentation and reassembly on the stack seam: what leaves for an MTU, and how arriving
// fragments are put back together, in any order, within bounds (overlaps refused, a datagram given
// up after 30 s with "fragment reassembly time exceeded", memory capped).

import { describe, expect, it } from 'vitest';
import { ETHERTYPE_IPV4 } from '../../../../kernel/abi/wire/ethernet.js';
import { IPPROTO_UDP, Ipv4Packet } from '../../../../kernel/abi/wire/ipv4.js';
import { fragment, REASM_TIMEOUT_NS } from '../../../../kernel/net/iface/fragment.js';
import { ipSend } from '../../../../kernel/net/iface/ipv4.js';
import { decode, echoRequest, ether, ip, ipPacket, MAC_PEER, MAC_US, testStack } from '../../../helpers/stack.js';

const HOST = ip('192.168.1.10');
const PEER = ip('192.168.1.20');

function host() {
  const t = testStack();
  const eth = t.port('eth0', 'ether', '192.168.1.10', 24);
  t.stack.arp(eth.iface)!.setPermanent(PEER, MAC_PEER);
  const delivered: Uint8Array[] = [];
  t.stack.register({ protocol: IPPROTO_UDP, input: (_i, packet) => void delivered.push(packet.slice()), icmpError: () => {} });
  return { ...t, eth, delivered, fromLan: (pkt: Uint8Array) => t.inject(eth, ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, pkt)) };
}

/** A copy of a packet with header fields changed, its checksum made right again. */
function edited(pkt: Uint8Array, edit: (v: Ipv4Packet) => void): Uint8Array {
  const copy = pkt.slice();
  const v = new Ipv4Packet(copy);
  edit(v);
  v.fillChecksum();
  return copy;
}

const bigPing = (len: number) => echoRequest(PEER, HOST, { data: new Uint8Array(len).map((_, i) => i & 0xff) });

describe('sending', () => {
  it('cuts a datagram over the MTU into pieces that share its ident and cover it exactly', () => {
    const { stack, eth } = host();
    const payload = new Uint8Array(3000).map((_, i) => i % 251);
    expect(ipSend(stack, { dst: PEER, protocol: IPPROTO_UDP, payload })).toBeNull();
    const frags = eth.dev.take().map((f) => decode(f));
    expect(frags.map((f) => f.packet!.length)).toEqual([1500, 1500, 60]);
    expect(new Set(frags.map((f) => f.ip!.ident)).size).toBe(1);
    const joined = new Uint8Array(3000);
    for (const f of frags) joined.set(f.packet!.subarray(20), f.ip!.fragmentOffset);
    expect(joined).toEqual(payload);
    expect([stack.ip.FragOKs, stack.ip.FragCreates]).toEqual([1, 3]);
  });

  it('refuses a DF datagram over the MTU with EMSGSIZE, sending nothing', () => {
    const { stack, eth } = host();
    expect(ipSend(stack, { dst: PEER, protocol: IPPROTO_UDP, payload: new Uint8Array(2000), dontFragment: true })).toBe('EMSGSIZE');
    expect(eth.dev.take()).toEqual([]);
    expect(stack.ip.FragFails).toBe(1);
  });

  it('refuses a datagram longer than an IPv4 packet can be with EMSGSIZE', () => {
    const { stack } = host();
    expect(ipSend(stack, { dst: PEER, protocol: IPPROTO_UDP, payload: new Uint8Array(65516) })).toBe('EMSGSIZE');
  });
});

describe('reassembly', () => {
  it('delivers the whole datagram once the last piece arrives, in any order', () => {
    const { fromLan, eth, stack } = host();
    const whole = bigPing(4000);
    const pieces = fragment(whole, 1500);
    expect(pieces).toHaveLength(3);
    for (const p of [pieces[2]!, pieces[0]!, pieces[1]!]) fromLan(p);
    const [reply] = eth.dev.take().map((f) => decode(f));
    // The echo reply to a 4000-byte ping is fragmented in turn: its first piece says so.
    expect(reply!.ip).toMatchObject({ src: HOST, dst: PEER, moreFragments: true, fragmentOffset: 0 });
    expect([stack.ipStats().ip.ReasmOKs, stack.reassembler.inFlight]).toEqual([1, 0]);
  });

  it('delivers a reassembled datagram byte for byte to its protocol', () => {
    const { fromLan, delivered } = host();
    const payload = new Uint8Array(2500).map((_, i) => (i * 7) & 0xff);
    const pkt = ipPacket({ src: PEER, dst: HOST, protocol: IPPROTO_UDP }, payload);
    for (const p of fragment(pkt, 1000).reverse()) fromLan(p);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.subarray(20)).toEqual(payload);
  });

  it('refuses overlapping pieces: the whole datagram is dropped and counted as a failure', () => {
    const { fromLan, stack, eth } = host();
    const pieces = fragment(bigPing(4000), 1500);
    const overlap = edited(pieces[1]!, (v) => (v.fragmentOffset = 256));
    fromLan(pieces[0]!);
    fromLan(overlap);
    expect(stack.reassembler.stats.fails).toBeGreaterThan(0);
    for (const p of pieces.slice(1)) fromLan(p);
    expect(eth.dev.take()).toEqual([]);
  });

  it('gives up after 30 s, answering "fragment reassembly time exceeded" when the first piece came', () => {
    const { fromLan, timers, eth, stack } = host();
    const pieces = fragment(bigPing(4000), 1500);
    fromLan(pieces[0]!);
    fromLan(pieces[1]!);
    timers.advance(REASM_TIMEOUT_NS - 1);
    expect(eth.dev.take()).toEqual([]);
    timers.advance(1);
    const [err] = eth.dev.take().map((f) => decode(f));
    expect(err!.icmp).toMatchObject({ kind: 'time-exceeded', code: 1 });
    expect(stack.ip.ReasmTimeout).toBe(1);
    expect(stack.reassembler.inFlight).toBe(0);
  });

  it('gives up silently when the first piece never came', () => {
    const { fromLan, timers, eth, stack } = host();
    const pieces = fragment(bigPing(4000), 1500);
    fromLan(pieces[1]!);
    timers.advance(REASM_TIMEOUT_NS);
    expect(eth.dev.take()).toEqual([]);
    expect(stack.ip.ReasmTimeout).toBe(1);
  });

  it('keeps separate datagrams apart by source, ident and protocol', () => {
    const { fromLan, eth } = host();
    const a = fragment(bigPing(3000), 1500);
    const other = edited(echoRequest(PEER, HOST, { data: new Uint8Array(3000) }), (v) => (v.ident = 0x77));
    const b = fragment(other, 1500);
    for (let i = 0; i < 3; i++) {
      fromLan(a[i]!);
      fromLan(b[i]!);
    }
    const replies = eth.dev.take().map((f) => decode(f)).filter((d) => d.ip!.fragmentOffset === 0);
    expect(replies).toHaveLength(2);
  });
});
