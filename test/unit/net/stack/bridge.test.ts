// The Ethernet bridge on the stack seam: MAC learning, forwarding to the one port a MAC lives
// behind, flooding what it does not know, ageing, and local delivery of frames for the bridge or
// for a member's own MAC (Linux delivers those up the bridge device; flooding them was a bug).

import { describe, expect, it } from 'vitest';
import { IFF_UP } from '../../../../kernel/abi/if.js';
import { BROADCAST_MAC } from '../../../../kernel/abi/wire/address.js';
import { ETHERTYPE_IPV4 } from '../../../../kernel/abi/wire/ethernet.js';
import { installBridges } from '../../../../kernel/net/iface/bridge.js';
import * as config from '../../../../kernel/net/iface/config.js';
import { ipSend } from '../../../../kernel/net/iface/ipv4.js';
import { decode, echoRequest, ether, ip, type TestPort, TestDevice, testStack } from '../../../helpers/stack.js';

const A = 0x0200_0000_00aa;
const B = 0x0200_0000_00bb;
const C = 0x0200_0000_00cc;
const PORT_MAC = [0x0200_0000_0101, 0x0200_0000_0102, 0x0200_0000_0103];

function bridged() {
  const t = testStack();
  installBridges(t.stack);
  const ports: TestPort[] = PORT_MAC.map((mac, i) => {
    const dev = new TestDevice('ether', mac);
    const iface = t.stack.addInterface(`/dev/net/ipro1000/${i}`, dev);
    t.stack.setUp(iface, true);
    return { iface, dev };
  });
  const br = config.createInterface(t.stack, 'bridge/0');
  for (const p of ports) config.addBridgeMember(t.stack, 'bridge/0', p.iface);
  config.setAddress(t.stack, br, ip('192.168.50.1'));
  config.setNetmask(t.stack, br, 0xffff_ff00);
  config.setFlags(t.stack, br, IFF_UP);
  const frame = (dst: number, src: number, tag = 0) => ether(dst, src, 0x88b5, new Uint8Array([tag, ...new Uint8Array(45)]));
  const sentOn = () => ports.map((p) => p.dev.take().length);
  return { ...t, ports, br, frame, sentOn };
}

describe('a bridge', () => {
  it('floods a frame for an unknown MAC to every other port', () => {
    const { ports, inject, frame, sentOn } = bridged();
    inject(ports[0]!, frame(B, A));
    expect(sentOn()).toEqual([0, 1, 1]);
  });

  it('learns where a MAC lives and then sends frames for it out of that port only', () => {
    const { ports, inject, frame, sentOn } = bridged();
    inject(ports[1]!, frame(A, B));
    sentOn();
    inject(ports[0]!, frame(B, A));
    expect(sentOn()).toEqual([0, 1, 0]);
  });

  it('does not send a frame back out of the port it came in by', () => {
    const { ports, inject, frame, sentOn } = bridged();
    inject(ports[0]!, frame(C, B));
    sentOn();
    inject(ports[0]!, frame(B, A));
    expect(sentOn()).toEqual([0, 0, 0]);
  });

  it('forgets a MAC after five minutes of silence, and floods again', () => {
    const { ports, inject, frame, sentOn, timers } = bridged();
    inject(ports[1]!, frame(A, B));
    sentOn();
    timers.advance(300e9 + 1);
    inject(ports[0]!, frame(B, A));
    expect(sentOn()).toEqual([0, 1, 1]);
  });

  it('floods a broadcast to the other ports and delivers it to this host too', () => {
    const { ports, inject, sentOn, br } = bridged();
    inject(ports[0]!, ether(BROADCAST_MAC, A, ETHERTYPE_IPV4, echoRequest(ip('192.168.50.10'), ip('192.168.50.255'))));
    expect(sentOn()).toEqual([0, 1, 1]);
    expect(br.counters.rxPackets).toBe(1);
  });

  it("delivers a frame for the bridge's MAC to this host, forwarding it nowhere", () => {
    const { ports, inject, stack, br } = bridged();
    stack.arp(br)!.setPermanent(ip('192.168.50.10'), A);
    inject(ports[0]!, ether(br.device.mac!, A, ETHERTYPE_IPV4, echoRequest(ip('192.168.50.10'), ip('192.168.50.1'))));
    const sent = ports.map((p) => p.dev.take().map((f) => decode(f)));
    // The echo reply goes back out of the port alice is behind, and nothing else leaves.
    expect(sent.map((s) => s.length)).toEqual([1, 0, 0]);
    expect(sent[0]![0]!.icmp?.kind).toBe('echo-reply');
  });

  it("delivers a frame for a member port's own MAC to this host, as Linux does (it used to be flooded)", () => {
    const { ports, inject, stack, br } = bridged();
    stack.arp(br)!.setPermanent(ip('192.168.50.10'), A);
    inject(ports[1]!, ether(PORT_MAC[0]!, A, ETHERTYPE_IPV4, echoRequest(ip('192.168.50.10'), ip('192.168.50.1'))));
    const sent = ports.map((p) => p.dev.take().map((f) => decode(f)));
    expect(sent.map((s) => s.length)).toEqual([0, 1, 0]);
    expect(sent[1]![0]!.icmp?.kind).toBe('echo-reply');
  });

  it('sends what this host transmits on the bridge out of the port the destination lives behind', () => {
    const { ports, inject, frame, stack, br, sentOn } = bridged();
    inject(ports[2]!, frame(BROADCAST_MAC, C));
    sentOn();
    stack.arp(br)!.setPermanent(ip('192.168.50.30'), C);
    expect(ipSend(stack, { dst: ip('192.168.50.30'), protocol: 17, payload: new Uint8Array(8) })).toBeNull();
    expect(sentOn()).toEqual([0, 0, 1]);
  });

  it('refuses a port of another bridge (EBUSY), itself (ELOOP) and a point-to-point interface (EINVAL)', () => {
    const { stack, ports, br } = bridged();
    config.createInterface(stack, 'bridge/1');
    expect(() => config.addBridgeMember(stack, 'bridge/1', ports[0]!.iface)).toThrow(expect.objectContaining({ errno: 'EBUSY' }));
    expect(() => config.addBridgeMember(stack, 'bridge/0', br)).toThrow(expect.objectContaining({ errno: 'ELOOP' }));
    const tun = stack.addInterface('tun/0', new TestDevice('ip', null));
    expect(() => config.addBridgeMember(stack, 'bridge/1', tun)).toThrow(expect.objectContaining({ errno: 'EINVAL' }));
  });
});
