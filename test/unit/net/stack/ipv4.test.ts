// IPv4 input and forwarding on the stack seam: which packets a host takes, which it drops and in
// which counter, what a router does to a packet it passes on (TTL, checksum, fragmentation) and the
// ICMP errors it sends back, within RFC 1122's rules.

import { describe, expect, it } from 'vitest';
import { internetChecksum } from '../../../../kernel/abi/wire/checksum.js';
import { ETHERTYPE_IPV4 } from '../../../../kernel/abi/wire/ethernet.js';
import { IPPROTO_ICMP, IPPROTO_UDP, Ipv4Packet } from '../../../../kernel/abi/wire/ipv4.js';
import { fragment, REASM_TIMEOUT_NS } from '../../../../kernel/net/iface/fragment.js';
import { linkOutput } from '../../../../kernel/net/iface/ipv4.js';
import { decode, echoRequest, ether, ip, ipPacket, MAC_OTHER, MAC_PEER, MAC_US, testStack } from '../../../helpers/stack.js';

const HOST = ip('192.168.1.10');
const PEER = ip('192.168.1.20');
const FAR = ip('10.0.0.5');

/** A router: eth0 on 192.168.1.0/24, tun0 point-to-point towards 10.0.0.0/24, forwarding on. */
function router() {
  const t = testStack();
  const eth = t.port('eth0', 'ether', '192.168.1.1', 24);
  const tun = t.port('tun0', 'ip', '10.9.0.1', 32, { peer: '10.9.0.2' });
  t.stack.routes.add({ dest: ip('10.0.0.0'), mask: 0xffff_ff00, gateway: null, iface: tun.iface });
  t.stack.forwarding = true;
  // The LAN peer is known, so replies need no ARP round.
  t.stack.arp(eth.iface)!.setPermanent(PEER, MAC_PEER);
  return { ...t, eth, tun, fromLan: (pkt: Uint8Array) => t.inject(eth, ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, pkt)) };
}

function host() {
  const t = testStack();
  const eth = t.port('eth0', 'ether', '192.168.1.10', 24);
  t.stack.arp(eth.iface)!.setPermanent(PEER, MAC_PEER);
  return { ...t, eth, fromLan: (pkt: Uint8Array, dstMac = MAC_US) => t.inject(eth, ether(dstMac, MAC_PEER, ETHERTYPE_IPV4, pkt)) };
}

describe('IPv4 input', () => {
  it('takes a packet for this host and counts it received and delivered', () => {
    const { fromLan, stack } = host();
    fromLan(echoRequest(PEER, HOST));
    expect(stack.ip.InReceives).toBe(1);
    expect(stack.ip.InDelivers).toBe(1);
  });

  it('drops a header with a bad checksum, counted in InHdrErrors, and answers nothing', () => {
    const { fromLan, stack, eth } = host();
    const pkt = echoRequest(PEER, HOST);
    pkt[10]! ^= 0xff;
    fromLan(pkt);
    expect(stack.ip.InHdrErrors).toBe(1);
    expect(stack.ip.InDelivers).toBe(0);
    expect(eth.dev.take()).toEqual([]);
  });

  it('drops a version other than 4, a header length under 20, and a total length past the frame', () => {
    const { fromLan, stack } = host();
    const v6 = echoRequest(PEER, HOST);
    v6[0] = 0x65;
    const shortHdr = echoRequest(PEER, HOST);
    shortHdr[0] = 0x44;
    const longTotal = echoRequest(PEER, HOST);
    new Ipv4Packet(longTotal).totalLen = longTotal.length + 10;
    new Ipv4Packet(longTotal).fillChecksum();
    for (const p of [v6, shortHdr, longTotal]) fromLan(p);
    expect(stack.ip.InHdrErrors).toBe(3);
    expect(stack.ip.InDelivers).toBe(0);
  });

  it('ignores the Ethernet padding after the datagram (a short frame is padded to 60 bytes)', () => {
    const { fromLan, eth } = host();
    const req = echoRequest(PEER, HOST, { data: new Uint8Array(0) });
    const padded = new Uint8Array(req.length + 18);
    padded.set(req);
    fromLan(padded);
    const [reply] = eth.dev.take().map((f) => decode(f));
    expect(reply!.icmp).toMatchObject({ kind: 'echo-reply', data: new Uint8Array(0) });
  });

  it('on a host (forwarding off) drops a packet for another address, counted in InAddrErrors', () => {
    const { fromLan, stack, eth } = host();
    fromLan(echoRequest(PEER, FAR));
    expect(stack.ip.InAddrErrors).toBe(1);
    expect(eth.dev.take()).toEqual([]);
  });

  it('counts an unknown protocol and answers it with ICMP protocol unreachable', () => {
    const { fromLan, stack, eth } = host();
    fromLan(ipPacket({ src: PEER, dst: HOST, protocol: 99 }, new Uint8Array(8)));
    expect(stack.ip.InUnknownProtos).toBe(1);
    const [err] = eth.dev.take().map((f) => decode(f));
    expect(err!.icmp).toMatchObject({ kind: 'dst-unreachable', code: 2 });
    expect(err!.ip).toMatchObject({ src: HOST, dst: PEER });
  });

  it('says nothing about an unknown protocol a raw socket takes', () => {
    const { fromLan, stack, eth } = host();
    const got: number[] = [];
    stack.raw = { deliver: (p) => void got.push(p), has: (p) => p === 99, echoReply: () => {} };
    fromLan(ipPacket({ src: PEER, dst: HOST, protocol: 99 }, new Uint8Array(8)));
    expect(got).toEqual([99]);
    expect(eth.dev.take()).toEqual([]);
    expect(stack.ip.InUnknownProtos).toBe(0);
  });

  it('hands a transport packet to the protocol registered for it', () => {
    const { fromLan, stack } = host();
    const seen: Array<[string, number]> = [];
    stack.register({ protocol: IPPROTO_UDP, input: (iface, _p, r) => void seen.push([iface.name, r.src]), icmpError: () => {} });
    fromLan(ipPacket({ src: PEER, dst: HOST, protocol: IPPROTO_UDP }, new Uint8Array(8)));
    expect(seen).toEqual([['eth0', PEER]]);
  });

  it('takes the subnet broadcast and the limited broadcast, and ignores a frame for another MAC', () => {
    const { fromLan, stack } = host();
    fromLan(echoRequest(PEER, ip('192.168.1.255')), 0xffff_ffff_ffff);
    fromLan(echoRequest(PEER, 0xffff_ffff), 0xffff_ffff_ffff);
    fromLan(echoRequest(PEER, HOST), MAC_OTHER);
    expect(stack.ip.InDelivers).toBe(2);
    expect(stack.ip.InReceives).toBe(2);
  });
});

describe('forwarding', () => {
  it('passes a packet on with its TTL one less and a correct checksum', () => {
    const { fromLan, tun, stack } = router();
    fromLan(echoRequest(PEER, FAR, { ttl: 9 }));
    const [out] = tun.dev.take().map((p) => decode(p, 'ip'));
    expect(out!.ip).toMatchObject({ src: PEER, dst: FAR, ttl: 8 });
    expect(stack.ip.ForwDatagrams).toBe(1);
  });

  it('sends back "time exceeded in transit" for a TTL of 1, quoting the header and 8 bytes', () => {
    const { fromLan, tun, eth, stack } = router();
    const pkt = echoRequest(PEER, FAR, { ttl: 1 });
    fromLan(pkt);
    expect(tun.dev.take()).toEqual([]);
    const [err] = eth.dev.take().map((f) => decode(f));
    expect(err!.ip).toMatchObject({ src: ip('192.168.1.1'), dst: PEER });
    expect(err!.icmp).toMatchObject({ kind: 'time-exceeded', code: 0 });
    expect((err!.icmp as { original: Uint8Array }).original).toEqual(pkt.subarray(0, 28));
    expect(stack.ip.InHdrErrors).toBe(1);
    expect(stack.icmp.OutTimeExcds).toBe(1);
  });

  it('sends back "net unreachable" for a destination no route covers', () => {
    const { fromLan, eth, stack } = router();
    fromLan(echoRequest(PEER, ip('172.16.0.1')));
    const [err] = eth.dev.take().map((f) => decode(f));
    expect(err!.icmp).toMatchObject({ kind: 'dst-unreachable', code: 0 });
    // A forwarded packet: IpExt InNoRoutes (ip_error()), not the OutNoRoutes of this host's own.
    expect([stack.ip.InNoRoutes, stack.ip.OutNoRoutes]).toEqual([1, 0]);
  });

  it('sends back "fragmentation needed" with the next hop MTU for a DF packet too big for it', () => {
    const { fromLan, tun, eth, stack } = router();
    tun.iface.mtu = 576;
    fromLan(echoRequest(PEER, FAR, { df: true, data: new Uint8Array(1000) }));
    expect(tun.dev.take()).toEqual([]);
    const [err] = eth.dev.take().map((f) => decode(f));
    expect(err!.icmp).toMatchObject({ kind: 'dst-unreachable', code: 4, nextHopMtu: 576 });
    expect(stack.ip.FragFails).toBe(1);
  });

  it('fragments a packet without DF for a smaller MTU, into 8-byte-aligned pieces', () => {
    const { fromLan, tun, stack } = router();
    tun.iface.mtu = 576;
    fromLan(echoRequest(PEER, FAR, { data: new Uint8Array(1200) }));
    const frags = tun.dev.take().map((p) => decode(p, 'ip').ip!);
    expect(frags.map((f) => [f.fragmentOffset, f.moreFragments, f.payloadLen])).toEqual([
      [0, true, 552],
      [552, true, 552],
      [1104, false, 104],
    ]);
    expect(stack.ip.FragCreates).toBe(3);
  });

  it('never sends an ICMP error about an ICMP error, a broadcast or a non-first fragment', () => {
    const { fromLan, eth } = router();
    const errorPkt = ipPacket({ src: PEER, dst: ip('172.16.0.1'), protocol: IPPROTO_ICMP }, new Uint8Array([3, 1, 0xfc, 0xfe, 0, 0, 0, 0]));
    fromLan(errorPkt);
    fromLan(echoRequest(PEER, ip('172.16.0.1'), { ttl: 1 }).map((b, i) => (i === 6 ? 0x00 : i === 7 ? 0x10 : b)));
    expect(eth.dev.take().filter((f) => decode(f).icmp)).toEqual([]);
  });

  it('passes fragments on one by one, as a router does', () => {
    const { fromLan, tun, stack } = router();
    for (const p of fragment(echoRequest(PEER, FAR, { data: new Uint8Array(3000) }), 1500)) fromLan(p);
    expect(tun.dev.take().map((p) => decode(p, 'ip').ip!.fragmentOffset)).toEqual([0, 1480, 2960]);
    expect(stack.ip.ForwDatagrams).toBe(3);
  });

  it('with defragBeforeForward (a NAT, as under conntrack) forwards the reassembled datagram once, then counts a lost fragment as a timeout', () => {
    const { fromLan, tun, eth, stack, timers } = router();
    stack.defragBeforeForward = true;
    // A link that takes the whole datagram (the uplink's does), so it leaves as one.
    tun.iface.mtu = 65535;
    const whole = echoRequest(PEER, FAR, { data: new Uint8Array(3000), ttl: 9 });
    const pieces = fragment(whole, 1500);
    for (const p of pieces) fromLan(p);
    const [out] = tun.dev.take().map((p) => decode(p, 'ip'));
    expect(out!.ip).toMatchObject({ src: PEER, dst: FAR, ttl: 8, moreFragments: false, fragmentOffset: 0, payloadLen: 3008 });
    expect(stack.ip.ForwDatagrams).toBe(1);
    expect(stack.ipStats().ip).toMatchObject({ ReasmReqds: 3, ReasmOKs: 1 });
    // The first fragment alone never leaves: time exceeded (reassembly) goes back to the sender.
    fromLan(pieces[0]!);
    timers.advance(REASM_TIMEOUT_NS);
    expect(tun.dev.take()).toEqual([]);
    const errs = eth.dev.take().map((f) => decode(f)).filter((d) => d.icmp);
    expect(errs.map((d) => d.icmp)).toMatchObject([{ kind: 'time-exceeded', code: 1 }]);
  });

  it('answers for the router itself on any of its addresses, from that address', () => {
    const { fromLan, eth } = router();
    fromLan(echoRequest(PEER, ip('10.9.0.1')));
    const [reply] = eth.dev.take().map((f) => decode(f));
    expect(reply!.ip).toMatchObject({ src: ip('10.9.0.1'), dst: PEER });
    expect(reply!.icmp?.kind).toBe('echo-reply');
  });
});

describe('ICMP', () => {
  it('answers an echo request with the same identifier, sequence and data, and counts both', () => {
    const { fromLan, eth, stack } = host();
    const data = new Uint8Array(56).map((_, i) => i);
    fromLan(echoRequest(PEER, HOST, { ident: 77, seq: 5, data }));
    const [reply] = eth.dev.take().map((f) => decode(f));
    expect(reply!.dstMac).toBe(MAC_PEER);
    expect(reply!.icmp).toEqual({ kind: 'echo-reply', ident: 77, seq: 5, data });
    expect([stack.icmp.InEchos, stack.icmp.OutEchoReps]).toEqual([1, 1]);
  });

  it('does not answer an echo request sent to a broadcast address (icmp_echo_ignore_broadcasts)', () => {
    const { fromLan, eth, stack } = host();
    fromLan(echoRequest(PEER, ip('192.168.1.255')), 0xffff_ffff_ffff);
    expect(eth.dev.take()).toEqual([]);
    expect(stack.icmp.InEchos).toBe(1);
  });

  it('counts an ICMP message with a bad checksum in InErrors and answers nothing', () => {
    const { fromLan, eth, stack } = host();
    const pkt = echoRequest(PEER, HOST);
    pkt[22]! ^= 1;
    fromLan(pkt);
    expect(stack.icmp.InErrors).toBe(1);
    expect(eth.dev.take()).toEqual([]);
  });

  it('hands a destination-unreachable to the protocol of the packet it quotes, with the MTU', () => {
    const { fromLan, stack } = host();
    const seen: Array<[number, number, number | undefined]> = [];
    stack.register({ protocol: IPPROTO_UDP, input: () => {}, icmpError: (type, code, _o, mtu) => void seen.push([type, code, mtu]) });
    const quoted = ipPacket({ src: HOST, dst: FAR, protocol: IPPROTO_UDP }, new Uint8Array(8)).subarray(0, 28);
    const body = new Uint8Array(8 + quoted.length);
    body.set([3, 4, 0, 0, 0, 0, 0x05, 0xdc]);
    body.set(quoted, 8);
    const sum = internetChecksum(body);
    body[2] = sum >> 8;
    body[3] = sum & 0xff;
    fromLan(ipPacket({ src: PEER, dst: HOST, protocol: IPPROTO_ICMP }, body));
    expect(seen).toEqual([[3, 4, 1500]]);
    expect(stack.icmp.InDestUnreachs).toBe(1);
  });
});

describe('the link layer', () => {
  it('counts a frame for another MAC in rx_otherhost and an unknown EtherType in rx_nohandler', () => {
    const { eth, inject } = host();
    inject(eth, ether(MAC_OTHER, MAC_PEER, ETHERTYPE_IPV4, echoRequest(PEER, HOST)));
    inject(eth, ether(MAC_US, MAC_PEER, 0x88b5, new Uint8Array(46)));
    expect(eth.iface.counters.rxOtherHost).toBe(1);
    expect(eth.iface.counters.rxNoHandler).toBe(1);
  });

  it('sends nothing on an interface that is down: ENETDOWN, counted in OutDiscards', () => {
    const { eth, stack } = host();
    stack.setUp(eth.iface, false);
    expect(linkOutput(stack, eth.iface, PEER, echoRequest(HOST, PEER))).toBe('ENETDOWN');
    expect(stack.ip.OutDiscards).toBe(1);
    expect(eth.dev.take()).toEqual([]);
  });
});

