// The UDP engine on the stack seam, with endpoints of the test's own: binding (ephemeral ports,
// address in use, SO_REUSEADDR), demultiplexing (connected first, then bound address, then
// wildcard), what it drops and counts, port unreachable, and ICMP errors back to a connected
// endpoint. Also the loopback: what a host sends itself comes back one soft interrupt later.

import { describe, expect, it } from 'vitest';
import type { ErrnoName } from '../../../../kernel/abi/errno.js';
import { internetChecksum } from '../../../../kernel/abi/wire/checksum.js';
import { ETHERTYPE_IPV4 } from '../../../../kernel/abi/wire/ethernet.js';
import { buildUdpPacket } from '../../../../kernel/abi/wire/udp.js';
import { IPPROTO_UDP } from '../../../../kernel/abi/wire/ipv4.js';
import { ipSend, withIpHeadroom } from '../../../../kernel/net/iface/ipv4.js';
import { EPHEMERAL_LOW, type UdpEndpoint, UdpProtocol } from '../../../../kernel/net/udp/udp.js';
import { decode, ether, ip, ipPacket, MAC_PEER, MAC_US, testStack } from '../../../helpers/stack.js';

const HOST = ip('192.168.1.10');
const PEER = ip('192.168.1.20');

class Endpoint implements UdpEndpoint {
  localAddr = 0;
  localPort = 0;
  remoteAddr = 0;
  remotePort = 0;
  reuseAddr = false;
  readonly got: Array<[string, number, number]> = [];
  error: ErrnoName | null = null;
  full = false;
  constructor(readonly name: string) {}
  get connected(): boolean {
    return this.remotePort !== 0;
  }
  receive(data: Uint8Array, addr: number, port: number): boolean {
    if (this.full) return false;
    this.got.push([new TextDecoder().decode(data), addr, port]);
    return true;
  }
  setError(errno: ErrnoName): void {
    this.error = errno;
  }
  describe(): string {
    return this.name;
  }
}

function host() {
  const t = testStack();
  const eth = t.port('eth0', 'ether', '192.168.1.10', 24);
  t.stack.arp(eth.iface)!.setPermanent(PEER, MAC_PEER);
  const udp = new UdpProtocol(t.stack);
  const datagram = (sport: number, dport: number, text: string, dst = HOST) =>
    t.inject(eth, ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, ipPacket({ src: PEER, dst, protocol: IPPROTO_UDP }, buildUdpPacket({ srcPort: sport, dstPort: dport, payload: new TextEncoder().encode(text) }, PEER, dst))));
  return { ...t, eth, udp, datagram };
}

describe('binding', () => {
  it('hands out ephemeral ports from 49152 up, skipping those in use', () => {
    const { udp } = host();
    const a = new Endpoint('a');
    const b = new Endpoint('b');
    udp.bind(a, 0, EPHEMERAL_LOW + 1);
    udp.bind(b, 0, 0);
    const c = new Endpoint('c');
    udp.bind(c, 0, 0);
    expect([b.localPort, c.localPort]).toEqual([EPHEMERAL_LOW, EPHEMERAL_LOW + 2]);
  });

  it('refuses a port in use with EADDRINUSE unless both ends asked for SO_REUSEADDR', () => {
    const { udp } = host();
    const a = new Endpoint('a');
    udp.bind(a, 0, 5000);
    expect(() => udp.bind(new Endpoint('b'), HOST, 5000)).toThrow(expect.objectContaining({ errno: 'EADDRINUSE' }));
    a.reuseAddr = true;
    const c = new Endpoint('c');
    c.reuseAddr = true;
    udp.bind(c, HOST, 5000);
    expect(c.localPort).toBe(5000);
  });
});

describe('receiving', () => {
  it('gives a datagram to the connected endpoint first, then the one bound to the address, then the wildcard', () => {
    const { udp, datagram } = host();
    const any = new Endpoint('any');
    const bound = new Endpoint('bound');
    const conn = new Endpoint('conn');
    any.reuseAddr = bound.reuseAddr = conn.reuseAddr = true;
    udp.bind(any, 0, 7000);
    udp.bind(bound, HOST, 7000);
    udp.bind(conn, HOST, 7000);
    conn.remoteAddr = PEER;
    conn.remotePort = 9;
    datagram(9, 7000, 'to-conn');
    datagram(10, 7000, 'to-bound');
    expect(conn.got.map((g) => g[0])).toEqual(['to-conn']);
    expect(bound.got.map((g) => g[0])).toEqual(['to-bound']);
    expect(any.got).toEqual([]);
  });

  it('answers a datagram no endpoint wants with ICMP port unreachable, counted in NoPorts', () => {
    const { udp, datagram, eth } = host();
    datagram(9, 7001, 'nobody');
    expect(udp.counters.NoPorts).toBe(1);
    const [err] = eth.dev.take().map((f) => decode(f));
    expect(err!.icmp).toMatchObject({ kind: 'dst-unreachable', code: 3 });
  });

  it('says nothing about a broadcast datagram no endpoint wants', () => {
    const { datagram, eth } = host();
    datagram(9, 7001, 'anyone?', ip('192.168.1.255'));
    expect(eth.dev.take()).toEqual([]);
  });

  it('drops a datagram with a bad checksum, counted in InCsumErrors and InErrors', () => {
    const { udp, eth, inject } = host();
    const seg = buildUdpPacket({ srcPort: 9, dstPort: 7000, payload: new Uint8Array(4) }, PEER, HOST);
    seg[6]! ^= 0x55;
    udp.bind(new Endpoint('e'), 0, 7000);
    inject(eth, ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, ipPacket({ src: PEER, dst: HOST, protocol: IPPROTO_UDP }, seg)));
    expect([udp.counters.InCsumErrors, udp.counters.InErrors, udp.counters.InDatagrams]).toEqual([1, 1, 0]);
  });

  it('counts a datagram an endpoint had no room for in RcvbufErrors', () => {
    const { udp, datagram } = host();
    const e = new Endpoint('e');
    e.full = true;
    udp.bind(e, 0, 7000);
    datagram(9, 7000, 'x');
    expect([udp.counters.RcvbufErrors, udp.counters.InDatagrams]).toEqual([1, 0]);
  });
});

describe('sending', () => {
  it('builds the datagram with a correct checksum from the endpoint\'s port', () => {
    const { udp, eth } = host();
    const e = new Endpoint('e');
    udp.bind(e, 0, 4444);
    udp.send(e, PEER, 53, new TextEncoder().encode('q'), { ttl: 17, tos: 0, broadcast: false });
    const [out] = eth.dev.take().map((f) => decode(f));
    expect(out!.ip).toMatchObject({ src: HOST, dst: PEER, ttl: 17, protocol: IPPROTO_UDP });
    const p = out!.packet!;
    expect([(p[20]! << 8) | p[21]!, (p[22]! << 8) | p[23]!]).toEqual([4444, 53]);
    expect(udp.counters.OutDatagrams).toBe(1);
  });

  it('frames a packet made with withIpHeadroom in its own buffer, without a copy; a fragment is framed as a copy', () => {
    const { stack, eth } = host();
    const frames: Uint8Array[] = [];
    const transmit = eth.dev.transmit.bind(eth.dev);
    eth.dev.transmit = (iface, data) => {
      frames.push(data);
      transmit(iface, data);
    };
    const small = withIpHeadroom(1000);
    const big = withIpHeadroom(1600);
    expect(ipSend(stack, { dst: PEER, protocol: IPPROTO_UDP, payload: small, inPlace: true })).toBeNull();
    expect(ipSend(stack, { dst: PEER, protocol: IPPROTO_UDP, payload: big, inPlace: true })).toBeNull();
    const [one, ...frags] = frames;
    expect(one!.buffer).toBe(small.buffer);
    expect([one!.byteOffset, one!.length]).toEqual([0, 14 + 20 + 1000]);
    expect(decode(one!).ip).toMatchObject({ src: HOST, dst: PEER, payloadLen: 1000 });
    expect(frags.map((f) => [f.buffer === big.buffer, decode(f).ip!.payloadLen])).toEqual([[false, 1480], [false, 120]]);
  });

  it('sets DF on a datagram that fits the path MTU and fragments a bigger one without it (IP_PMTUDISC_WANT)', () => {
    const { udp, eth } = host();
    const e = new Endpoint('e');
    udp.bind(e, 0, 4444);
    const opts = { ttl: 64, tos: 0, broadcast: false };
    udp.send(e, PEER, 53, new Uint8Array(1472), opts);
    udp.send(e, PEER, 53, new Uint8Array(1473), opts);
    const [fits, ...frags] = eth.dev.take().map((f) => decode(f).ip!);
    expect(fits).toMatchObject({ dontFragment: true, moreFragments: false, payloadLen: 1480 });
    expect(frags.map((f) => [f.dontFragment, f.moreFragments])).toEqual([[false, true], [false, false]]);
  });

  it('with IP_DONTFRAG refuses a datagram over the path MTU with EMSGSIZE', () => {
    const { udp, eth } = host();
    const e = new Endpoint('e');
    udp.bind(e, 0, 4444);
    expect(() => udp.send(e, PEER, 53, new Uint8Array(1473), { ttl: 64, tos: 0, broadcast: false, dontFragment: true })).toThrow(expect.objectContaining({ errno: 'EMSGSIZE' }));
    expect(eth.dev.take()).toEqual([]);
  });

  it('reports an ICMP port unreachable for its datagram to the connected endpoint as ECONNREFUSED', () => {
    const { udp, eth, inject } = host();
    const e = new Endpoint('e');
    udp.bind(e, 0, 4444);
    e.remoteAddr = PEER;
    e.remotePort = 53;
    udp.send(e, PEER, 53, new Uint8Array(4), { ttl: 64, tos: 0, broadcast: false });
    const [sent] = eth.dev.take().map((f) => decode(f));
    const quoted = sent!.packet!.subarray(0, 28);
    const body = new Uint8Array(8 + 28);
    body.set([3, 3]);
    body.set(quoted, 8);
    const sum = internetChecksum(body);
    body[2] = sum >> 8;
    body[3] = sum & 0xff;
    inject(eth, ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, ipPacket({ src: PEER, dst: HOST, protocol: 1 }, body)));
    expect(e.error).toBe('ECONNREFUSED');
  });
});

describe('the loopback', () => {
  it('brings back what a host sends to itself, one soft interrupt later', () => {
    const { udp, timers, stack } = host();
    const a = new Endpoint('a');
    const b = new Endpoint('b');
    udp.bind(a, 0, 1111);
    udp.bind(b, 0, 2222);
    udp.send(a, ip('127.0.0.1'), 2222, new TextEncoder().encode('self'), { ttl: 64, tos: 0, broadcast: false });
    expect(b.got).toEqual([]);
    timers.flush();
    expect(b.got).toEqual([['self', ip('127.0.0.1'), 1111]]);
    expect(stack.loop.counters.rxPackets).toBe(1);
  });
});
