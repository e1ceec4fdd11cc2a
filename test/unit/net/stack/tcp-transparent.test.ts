// A transparent TCP on the stack seam (TcpProtocol's `transparent`, Linux's IP_TRANSPARENT), as the
// uplink's gateway uses it: a socket binds to an address that is not the host's, takes a SYN to it
// and answers from that address; without it, bind says EADDRNOTAVAIL.

import { describe, expect, it } from 'vitest';
import { IPPROTO_TCP, Ipv4Packet, Ipv4Repr } from '../../../../kernel/abi/wire/ipv4.js';
import { isWireError } from '../../../../kernel/abi/wire/error.js';
import { buildTcpPacket, TCP_ACK, TCP_SYN, TcpPacket, TcpRepr } from '../../../../kernel/abi/wire/tcp.js';
import { TcpProtocol } from '../../../../kernel/net/socket/tcp-protocol.js';
import { decode, ip, ipPacket, MAC_PEER, testStack } from '../../../helpers/stack.js';

const PEER = ip('192.168.1.20');
const FAR = ip('198.51.100.7');

function gateway(transparent: boolean) {
  const t = testStack();
  const eth = t.port('eth0', 'ether', '192.168.1.1', 24);
  t.stack.arp(eth.iface)!.setPermanent(PEER, MAC_PEER);
  return { ...t, eth, tcp: new TcpProtocol(t.stack, { transparent }) };
}

describe('transparent TCP', () => {
  it('binds a foreign address only when transparent', () => {
    for (const transparent of [false, true]) {
      const { tcp } = gateway(transparent);
      const sk = tcp.engine.socket();
      expect(tcp.engine.bind(sk, FAR, 80)).toBe(transparent ? null : 'EADDRNOTAVAIL');
    }
  });

  it('answers a SYN to the foreign address it listens on with a SYN-ACK from that address, through the stack', () => {
    const { tcp, eth, stack, timers } = gateway(true);
    const ls = tcp.engine.socket();
    expect(tcp.engine.bind(ls, FAR, 80)).toBeNull();
    expect(tcp.engine.listen(ls, 4)).toBeNull();
    const syn = buildTcpPacket({ srcPort: 40000, dstPort: 80, seq: 1000, ack: 0, flags: TCP_SYN, window: 65535, urgent: 0, options: [], payload: new Uint8Array(0) }, PEER, FAR);
    const packet = ipPacket({ src: PEER, dst: FAR, protocol: IPPROTO_TCP }, syn);
    const repr = Ipv4Repr.parse(new Ipv4Packet(packet));
    if (isWireError(repr)) throw new Error(repr.reason);
    tcp.input(eth.iface, packet, repr, packet.subarray(20));
    timers.flush();
    const [out] = eth.dev.take().map((f) => decode(f));
    expect(out!.ip).toMatchObject({ src: FAR, dst: PEER, protocol: IPPROTO_TCP });
    const seg = TcpRepr.parse(new TcpPacket(out!.packet!.subarray(20)), FAR, PEER);
    if (isWireError(seg)) throw new Error(seg.reason);
    expect({ flags: seg.flags, ack: seg.ack, srcPort: seg.srcPort }).toEqual({ flags: TCP_SYN | TCP_ACK, ack: 1001, srcPort: 80 });
    expect(stack.ip.OutRequests).toBe(1);
  });
});
