// Routing on the stack seam: the routes addresses bring and take away, longest prefix, metrics,
// interfaces that are down, reject and local routes, and the source address a packet leaves with.

import { describe, expect, it } from 'vitest';
import { RTF_HOST, RTF_LOCAL, RTF_REJECT } from '../../../../kernel/abi/route.js';
import { IPPROTO_UDP } from '../../../../kernel/abi/wire/ipv4.js';
import { chooseSource, ipSend, routeFor } from '../../../../kernel/net/iface/ipv4.js';
import { decode, ip, MAC_PEER, testStack } from '../../../helpers/stack.js';

function twoNets() {
  const t = testStack();
  const lan = t.port('eth0', 'ether', '192.168.1.10', 24);
  const wan = t.port('eth1', 'ether', '172.16.0.10', 16, { mac: 0x0200_0000_0010 });
  for (const [port, gw] of [[lan, '192.168.1.1'], [wan, '172.16.0.1']] as const) t.stack.arp(port.iface)!.setPermanent(ip(gw), MAC_PEER);
  const where = (dst: string) => {
    const w = routeFor(t.stack, ip(dst));
    return typeof w === 'string' ? w : { iface: w.iface.name, nextHop: w.nextHop };
  };
  return { ...t, lan, wan, where };
}

describe('addresses and their routes', () => {
  it('an address brings its network route and a local host route (Haiku AddDefaultRoutes)', () => {
    const t = testStack();
    t.port('eth0', 'ether', '192.168.1.10', 24);
    const mine = t.stack.routes.list().filter((r) => r.iface.name === 'eth0');
    expect(mine.map((r) => [r.dest, r.mask, r.flags & (RTF_LOCAL | RTF_HOST)])).toEqual([
      [ip('192.168.1.10'), 0xffff_ffff, RTF_LOCAL | RTF_HOST],
      [ip('192.168.1.0'), 0xffff_ff00, 0],
    ]);
  });

  it('a point-to-point address brings a host route to its peer', () => {
    const t = testStack();
    const tun = t.port('tun0', 'ip', '10.8.0.2', 32, { peer: '10.8.0.1' });
    const w = routeFor(t.stack, ip('10.8.0.1'));
    expect(typeof w !== 'string' && w.iface).toBe(tun.iface);
  });

  it('a removed address takes its routes with it', () => {
    const { stack, lan, where } = twoNets();
    stack.removeAddress(lan.iface, ip('192.168.1.10'));
    expect(where('192.168.1.20')).toBe('ENETUNREACH');
    expect(stack.isLocal(ip('192.168.1.10'))).toBe(false);
  });

  it('a deleted interface takes every route through it', () => {
    const { stack, wan, where } = twoNets();
    stack.routes.add({ dest: 0, mask: 0, gateway: ip('172.16.0.1'), iface: wan.iface });
    stack.removeInterface(wan.iface);
    expect(where('8.8.8.8')).toBe('ENETUNREACH');
    expect(stack.routes.list().some((r) => r.iface === wan.iface)).toBe(false);
  });
});

describe('the routing decision', () => {
  it('sends an on-link destination straight to it, and the rest to the default gateway', () => {
    const { stack, lan, where } = twoNets();
    stack.routes.add({ dest: 0, mask: 0, gateway: ip('192.168.1.1'), iface: lan.iface });
    expect(where('192.168.1.20')).toEqual({ iface: 'eth0', nextHop: ip('192.168.1.20') });
    expect(where('172.16.3.3')).toEqual({ iface: 'eth1', nextHop: ip('172.16.3.3') });
    expect(where('8.8.8.8')).toEqual({ iface: 'eth0', nextHop: ip('192.168.1.1') });
  });

  it('takes the longest prefix: a host route over a network route over the default', () => {
    const { stack, lan, wan, where } = twoNets();
    stack.routes.add({ dest: 0, mask: 0, gateway: ip('192.168.1.1'), iface: lan.iface });
    stack.routes.add({ dest: ip('10.0.0.0'), mask: 0xff00_0000, gateway: ip('172.16.0.1'), iface: wan.iface });
    stack.routes.add({ dest: ip('10.1.2.3'), mask: 0xffff_ffff, gateway: ip('192.168.1.1'), iface: lan.iface });
    expect(where('10.9.9.9')).toEqual({ iface: 'eth1', nextHop: ip('172.16.0.1') });
    expect(where('10.1.2.3')).toEqual({ iface: 'eth0', nextHop: ip('192.168.1.1') });
  });

  it('among routes of one prefix takes the lowest metric; a higher metric never beats a longer prefix', () => {
    const { stack, lan, wan, where } = twoNets();
    stack.routes.add({ dest: ip('10.0.0.0'), mask: 0xff00_0000, gateway: ip('192.168.1.1'), iface: lan.iface, metric: 5 });
    stack.routes.add({ dest: ip('10.0.0.0'), mask: 0xff00_0000, gateway: ip('172.16.0.1'), iface: wan.iface, metric: 1 });
    stack.routes.add({ dest: ip('10.5.0.0'), mask: 0xffff_0000, gateway: ip('192.168.1.1'), iface: lan.iface, metric: 100 });
    expect(where('10.1.1.1')).toEqual({ iface: 'eth1', nextHop: ip('172.16.0.1') });
    expect(where('10.5.1.1')).toEqual({ iface: 'eth0', nextHop: ip('192.168.1.1') });
  });

  it('skips routes whose interface is down', () => {
    const { stack, lan, wan, where } = twoNets();
    stack.routes.add({ dest: 0, mask: 0, gateway: ip('192.168.1.1'), iface: lan.iface, metric: 1 });
    stack.routes.add({ dest: 0, mask: 0, gateway: ip('172.16.0.1'), iface: wan.iface, metric: 9 });
    stack.setUp(lan.iface, false);
    expect(where('8.8.8.8')).toEqual({ iface: 'eth1', nextHop: ip('172.16.0.1') });
  });

  it('refuses through reject routes: ENETUNREACH for a network, EHOSTUNREACH for a host', () => {
    const { stack, lan, where } = twoNets();
    stack.routes.add({ dest: ip('10.0.0.0'), mask: 0xff00_0000, gateway: null, iface: lan.iface, flags: RTF_REJECT });
    stack.routes.add({ dest: ip('10.0.0.1'), mask: 0xffff_ffff, gateway: null, iface: lan.iface, flags: RTF_REJECT });
    expect(where('10.2.2.2')).toBe('ENETUNREACH');
    expect(where('10.0.0.1')).toBe('EHOSTUNREACH');
  });

  it('sends to this host\'s own addresses through the loopback', () => {
    const { where } = twoNets();
    expect(where('172.16.0.10')).toEqual({ iface: 'loop', nextHop: ip('172.16.0.10') });
    expect(where('127.0.0.1')).toEqual({ iface: 'loop', nextHop: ip('127.0.0.1') });
  });

  it('refuses a duplicate route with EEXIST, and a route removed twice with ESRCH', () => {
    const { stack, lan } = twoNets();
    const r = { dest: ip('10.0.0.0'), mask: 0xff00_0000, gateway: ip('192.168.1.1'), iface: lan.iface };
    stack.routes.add(r);
    expect(() => stack.routes.add(r)).toThrow(expect.objectContaining({ errno: 'EEXIST' }));
    stack.routes.delete(r);
    expect(() => stack.routes.delete(r)).toThrow(expect.objectContaining({ errno: 'ESRCH' }));
  });
});

describe('the source address', () => {
  it('is the outgoing interface\'s address on the destination\'s network, else its first', () => {
    const { stack, lan } = twoNets();
    stack.addAddress(lan.iface, { addr: ip('10.0.0.10'), mask: 0xff00_0000, broadcast: null, peer: null });
    expect(chooseSource(stack, lan.iface, ip('10.3.3.3'))).toBe(ip('10.0.0.10'));
    expect(chooseSource(stack, lan.iface, ip('8.8.8.8'))).toBe(ip('192.168.1.10'));
  });

  it('is what a packet sent with no source leaves with, through the gateway\'s MAC', () => {
    const { stack, lan, wan } = twoNets();
    stack.routes.add({ dest: 0, mask: 0, gateway: ip('172.16.0.1'), iface: wan.iface });
    expect(ipSend(stack, { dst: ip('8.8.8.8'), protocol: IPPROTO_UDP, payload: new Uint8Array(8) })).toBeNull();
    expect(lan.dev.take()).toEqual([]);
    const [out] = wan.dev.take().map((f) => decode(f));
    expect(out!.dstMac).toBe(MAC_PEER);
    expect(out!.ip).toMatchObject({ src: ip('172.16.0.10'), dst: ip('8.8.8.8'), ttl: 64 });
  });

  it('refuses a broadcast destination unless asked for (SO_BROADCAST): EACCES', () => {
    const { stack } = twoNets();
    expect(ipSend(stack, { dst: ip('192.168.1.255'), protocol: IPPROTO_UDP, payload: new Uint8Array(8) })).toBe('EACCES');
    expect(ipSend(stack, { dst: ip('192.168.1.255'), protocol: IPPROTO_UDP, payload: new Uint8Array(8), broadcast: true })).toBeNull();
  });

  it('counts a packet no route covers in OutNoRoutes', () => {
    const { stack } = twoNets();
    expect(ipSend(stack, { dst: ip('8.8.8.8'), protocol: IPPROTO_UDP, payload: new Uint8Array(8) })).toBe('ENETUNREACH');
    expect(stack.ip.OutNoRoutes).toBe(1);
  });
});
