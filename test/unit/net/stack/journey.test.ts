// Packet journeys on the stack seam: a packet keeps one identity through every layer it crosses
// (and through the copies the stack makes of it), every crossing is an event with the decision
// taken, every drop an event with its reason and counter, and nothing is tagged or built while
// nobody records. Also the per-task bookkeeping that links a tunnel's datagrams to the packets
// inside them (kernel/obs/journey.ts).

import { describe, expect, it } from 'vitest';
import { ETHERTYPE_IPV4 } from '../../../../kernel/abi/wire/ethernet.js';
import type { PacketEvent } from '../../../../kernel/obs/events.js';
import { PacketJourneys, PENDING_MAX } from '../../../../kernel/obs/journey.js';
import { ipSend } from '../../../../kernel/net/iface/ipv4.js';
import { IPPROTO_ICMP } from '../../../../kernel/abi/wire/ipv4.js';
import { buildIcmpPacket } from '../../../../kernel/abi/wire/icmp.js';
import { echoRequest, ether, ip, MAC_OTHER, MAC_PEER, MAC_US, testStack } from '../../../helpers/stack.js';

const HOST = ip('192.168.1.10');
const PEER = ip('192.168.1.20');

function recorded() {
  const t = testStack();
  const events: PacketEvent[] = [];
  t.events.on('packet', (e) => void events.push(e));
  const eth = t.port('eth0', 'ether', '192.168.1.10', 24);
  /** "layer event [reason]" of each event of packet `id`. */
  const path = (id: number) => events.filter((e) => e.id === id).map((e) => `${e.layer} ${e.event}${e.reason ? ` ${e.reason}` : ''}`);
  return { t, eth, events, path };
}

describe('a packet through one stack', () => {
  it('keeps its identity from the wire to ICMP, and the echo reply it earns is a new packet that answers it', () => {
    const { t, eth, events, path } = recorded();
    t.stack.arp(eth.iface)!.setPermanent(PEER, MAC_PEER);
    t.inject(eth, ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, echoRequest(PEER, HOST)));
    const request = events[0]!.id;
    expect(request).toBeGreaterThan(0);
    expect(path(request)).toEqual(['nic in', 'ip input', 'ip icmp']);
    expect(events.find((e) => e.event === 'input')!.decision).toBe('local');
    const reply = events.find((e) => e.cause === request)!;
    expect(reply.id).not.toBe(request);
    expect(path(reply.id)).toEqual(['ip output', 'arp hit', 'nic out']);
    expect(events.filter((e) => e.id === reply.id).map((e) => e.decision)).toEqual([
      'route 192.168.1.0/24 dev eth0',
      '192.168.1.20 is-at 02:00:00:00:00:02',
      undefined,
    ]);
    // Every event is on this host, in time order, with its bytes as they were there.
    expect(new Set(events.map((e) => e.host))).toEqual(new Set(['test']));
    expect(events.find((e) => e.layer === 'nic' && e.dir === 'out')!.link).toBe('ether');
  });

  it('is the same packet after forwarding (a copy with TTL one less), with the route taken', () => {
    const { t, eth, path, events } = recorded();
    const wan = t.port('eth1', 'ether', '10.0.0.1', 24, { mac: MAC_OTHER });
    t.stack.forwarding = true;
    t.stack.arp(wan.iface)!.setPermanent(ip('10.0.0.2'), MAC_PEER);
    t.inject(eth, ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, echoRequest(PEER, ip('10.0.0.2'))));
    const id = events[0]!.id;
    expect(path(id)).toEqual(['nic in', 'ip input', 'ip forward', 'arp hit', 'nic out']);
    expect(events.find((e) => e.event === 'forward')!.decision).toBe('10.0.0.0/24 dev eth1, TTL 64->63');
    expect(events.filter((e) => e.id === id && e.layer === 'nic').map((e) => e.where)).toEqual(['eth0', 'eth1']);
  });

  it('waits for ARP: a miss queues it and sends who-has, the reply sends it on as the same packet', () => {
    const { t, eth, path, events } = recorded();
    const payload = buildIcmpPacket({ kind: 'echo-request', ident: 1, seq: 1, data: new Uint8Array(8) });
    expect(ipSend(t.stack, { dst: PEER, protocol: IPPROTO_ICMP, payload })).toBeNull();
    const id = events[0]!.id;
    expect(path(id)).toEqual(['ip output', 'arp miss']);
    expect(events.find((e) => e.event === 'miss')!.decision).toBe('queued: who-has 192.168.1.20 sent');
    // The request is a packet of its own.
    const who = events.find((e) => e.layer === 'nic' && e.id !== id)!;
    expect(who.bytes[12]).toBe(0x08);
    expect(who.bytes[13]).toBe(0x06);
    t.inject(eth, ether(MAC_US, MAC_PEER, 0x0806, arpReply()));
    expect(path(id)).toEqual(['ip output', 'arp miss', 'arp resolved', 'nic out']);
  });
});

/** 192.168.1.20 is-at MAC_PEER, for us. */
function arpReply(): Uint8Array {
  const b = new Uint8Array(28);
  const v = new DataView(b.buffer);
  v.setUint16(0, 1);
  v.setUint16(2, 0x0800);
  b[4] = 6;
  b[5] = 4;
  v.setUint16(6, 2);
  for (let i = 0; i < 6; i++) b[8 + i] = Math.floor(MAC_PEER / 256 ** (5 - i)) % 256;
  v.setUint32(14, PEER);
  for (let i = 0; i < 6; i++) b[18 + i] = Math.floor(MAC_US / 256 ** (5 - i)) % 256;
  v.setUint32(24, HOST);
  return b;
}

describe('drops', () => {
  const drop = (events: PacketEvent[]) => events.filter((e) => e.dir === 'drop').map((e) => [e.layer, e.reason, e.counter]);

  it('name their reason and counter: TTL, no route, not for us', () => {
    const { t, eth, events } = recorded();
    t.stack.forwarding = true;
    // The TTL runs out on the way to a network the router has a route for; 10.9.9.9 has none.
    t.inject(eth, ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, echoRequest(PEER, ip('192.168.1.30'), { ttl: 1 })));
    t.inject(eth, ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, echoRequest(PEER, ip('10.9.9.9'))));
    t.stack.forwarding = false;
    t.inject(eth, ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, echoRequest(PEER, ip('10.9.9.9'))));
    expect(drop(events)).toEqual([
      ['ip', 'ttl', 'Ip InHdrErrors'],
      // A forwarded packet: Linux's ip_error() counts it in IpExt, not in Ip OutNoRoutes.
      ['ip', 'no-route', 'IpExt InNoRoutes'],
      ['ip', 'not-for-us', 'Ip InAddrErrors'],
    ]);
    expect(t.stack.ip.InHdrErrors).toBe(1);
    expect(t.stack.ip.InNoRoutes).toBe(1);
    expect(t.stack.ip.OutNoRoutes).toBe(0);
    expect(t.stack.ip.InAddrErrors).toBe(1);
  });

  it('name a bad checksum, a frame for another MAC, and an interface that is down', () => {
    const { t, eth, events } = recorded();
    const bad = echoRequest(PEER, HOST);
    bad[10] ^= 0xff;
    t.inject(eth, ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, bad));
    t.inject(eth, ether(MAC_OTHER, MAC_PEER, ETHERTYPE_IPV4, echoRequest(PEER, HOST)));
    t.stack.setUp(eth.iface, false);
    const payload = buildIcmpPacket({ kind: 'echo-request', ident: 1, seq: 1, data: new Uint8Array(8) });
    expect(ipSend(t.stack, { dst: PEER, protocol: IPPROTO_ICMP, payload })).toBe('ENETUNREACH');
    t.stack.setUp(eth.iface, true);
    expect(drop(events)).toEqual([
      ['ip', 'bad-checksum', 'Ip InHdrErrors'],
      ['nic', 'not-for-us', 'eth0 rx_otherhost_dropped'],
      // Down, eth0's routes are not used: the packet has no route.
      ['ip', 'no-route', 'Ip OutNoRoutes'],
    ]);
  });
});

describe('nothing recorded', () => {
  it('builds no event and tags no packet while nobody listens', () => {
    const t = testStack();
    const eth = t.port('eth0', 'ether', '192.168.1.10', 24);
    t.stack.arp(eth.iface)!.setPermanent(PEER, MAC_PEER);
    const req = echoRequest(PEER, HOST);
    expect(t.stack.tracing).toBe(false);
    t.inject(eth, ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, req));
    expect(eth.dev.sent).toHaveLength(1);
    expect(t.stack.journeys.idOf(req)).toBe(0);
  });

  it('tags packets without events for a capture that asks for identities', () => {
    const t = testStack();
    const release = t.stack.journeys.want();
    expect(t.stack.tracing).toBe(true);
    const eth = t.port('eth0', 'ether', '192.168.1.10', 24);
    t.stack.arp(eth.iface)!.setPermanent(PEER, MAC_PEER);
    const frame = ether(MAC_US, MAC_PEER, ETHERTYPE_IPV4, echoRequest(PEER, HOST));
    t.inject(eth, frame);
    expect(t.events.listening('packet')).toBe(false);
    // The request is tagged when its reply is made because of it.
    expect(t.stack.journeys.idOf(frame)).toBeGreaterThan(0);
    release();
    release();
    expect(t.stack.tracing).toBe(false);
  });
});

describe('the tunnel bookkeeping of a task', () => {
  it('links only what could have carried what: encapsulation never makes a packet shorter', () => {
    const j = new PacketJourneys(() => true);
    const vpn = {};
    const packet = new Uint8Array(84);
    const id = j.readFromTun(vpn, packet).id;
    // A 32-byte keepalive sent while the packet waits carries nothing; the packet still waits.
    expect(j.sending(vpn, new Uint8Array(32)).inner).toBeUndefined();
    expect(j.sending(vpn, new Uint8Array(144)).inner).toBe(id);
    // Received: the peer's keepalive (kept by the program), then the data datagram.
    const keepalive = new Uint8Array(32);
    const data = new Uint8Array(144);
    j.readFromSocket(vpn, keepalive);
    j.readFromSocket(vpn, data);
    expect(j.writingToTun(vpn, new Uint8Array(84)).outer).toBe(j.idOf(data));
    // The keepalive was passed over and forgotten.
    expect(j.writingToTun(vpn, new Uint8Array(20)).outer).toBeUndefined();
  });

  const bytes = () => new Uint8Array(20);

  it('links each datagram sent to the oldest packet read from a tun, however many wait; with none waiting, a keepalive', () => {
    const j = new PacketJourneys(() => true);
    const vpn = {};
    const a = bytes();
    const b = bytes();
    const idA = j.readFromTun(vpn, a).id;
    const idB = j.readFromTun(vpn, b).id;
    const d1 = j.sending(vpn, bytes());
    const d2 = j.sending(vpn, bytes());
    const keepalive = j.sending(vpn, bytes());
    expect([d1.inner, d2.inner, keepalive.inner]).toEqual([idA, idB, undefined]);
    expect(new Set([idA, idB, d1.id, d2.id, keepalive.id]).size).toBe(5);
  });

  it('continues the inner packet on the far side, and starts a new one when the datagram carried none', () => {
    const j = new PacketJourneys(() => true);
    const near = {};
    const far = {};
    const packet = bytes();
    const id = j.readFromTun(near, packet).id;
    const datagram = bytes();
    const sent = j.sending(near, datagram);
    // The stack carries the datagram's tag to the copy the far socket queues.
    const queued = bytes();
    j.carry(datagram, queued);
    j.readFromSocket(far, queued);
    const written = j.writingToTun(far, bytes());
    expect(written).toEqual({ id, outer: sent.id });
    // A keepalive carried nothing: what comes out of it is a packet of its own.
    const keepalive = bytes();
    j.sending(near, keepalive);
    const k = bytes();
    j.carry(keepalive, k);
    j.readFromSocket(far, k);
    const lone = j.writingToTun(far, bytes());
    expect(lone.id).not.toBe(id);
    expect(lone.outer).toBe(j.idOf(k));
  });

  it("gives a packet back when the datagram that took it is answered: a handshake is no carrier, the transport message after it is", () => {
    const j = new PacketJourneys(() => true);
    const near = {};
    const far = {};
    /** What one task sends reaches the other as the stack delivers it: a copy with the same tag. */
    const deliver = (to: object, sent: Uint8Array) => {
      const got = sent.slice();
      j.carry(sent, got);
      j.readFromSocket(to, got);
    };
    const ping = new Uint8Array(84);
    const id = j.readFromTun(near, ping).id;
    // No session: WireGuard's initiation (148 bytes) goes while the ping waits, and takes it.
    const init = new Uint8Array(148);
    expect(j.sending(near, init).inner).toBe(id);
    deliver(far, init);
    // The far side answers it itself, with nothing from its tun: the response answers the initiation.
    const response = new Uint8Array(92);
    expect(j.sending(far, response)).toEqual({ id: j.idOf(response), cause: j.idOf(init) });
    deliver(near, response);
    // The answer gave the ping back: a keepalive (32) is too short for it, the transport message carries it.
    const keepalive = new Uint8Array(32);
    expect(j.sending(near, keepalive).inner).toBeUndefined();
    const transport = new Uint8Array(128);
    expect(j.sending(near, transport).inner).toBe(id);
    deliver(far, keepalive);
    deliver(far, transport);
    // Out of the far tun: the ping's journey goes on out of the transport message, not the initiation.
    expect(j.writingToTun(far, new Uint8Array(84))).toEqual({ id, outer: j.idOf(transport) });
    // A program's own exchange (a request it sent carrying nothing) answers nothing and gives nothing back.
    const other = {};
    j.readFromSocket(other, new Uint8Array(100));
    expect(j.sending(other, new Uint8Array(100)).cause).toBeUndefined();
  });

  it("passes over the control messages a VPN kept (an ack longer than the packet) for the datagram that carried it", () => {
    const j = new PacketJourneys(() => true);
    const client = {};
    const server = {};
    // An OpenVPN TLS control packet, sent with nothing waiting: it carries nothing, and the server keeps it.
    const ack = new Uint8Array(86);
    j.sending(client, ack);
    const ackIn = ack.slice();
    j.carry(ack, ackIn);
    j.readFromSocket(server, ackIn);
    const id = j.readFromTun(client, new Uint8Array(84)).id;
    const data = new Uint8Array(108);
    j.sending(client, data);
    const dataIn = data.slice();
    j.carry(data, dataIn);
    j.readFromSocket(server, dataIn);
    expect(j.writingToTun(server, new Uint8Array(84))).toEqual({ id, outer: j.idOf(data) });
    // From a peer outside the world (no identities), the oldest datagram long enough is all there is to go by.
    const lone = {};
    const short = new Uint8Array(40);
    const long = new Uint8Array(120);
    j.readFromSocket(lone, short);
    j.readFromSocket(lone, long);
    expect(j.writingToTun(lone, new Uint8Array(84)).outer).toBe(j.idOf(long));
  });

  it('takes a packet written back to a tun after one was read from it, no datagram between, as an answer', () => {
    const j = new PacketJourneys(() => true);
    const replier = {};
    const asked = j.readFromTun(replier, bytes());
    expect(j.writingToTun(replier, bytes()).cause).toBe(asked.id);
    expect(j.writingToTun(replier, bytes()).cause).toBeUndefined();
  });

  it('keeps the two directions apart, forgets a datagram the program dropped, and bounds what it remembers', () => {
    const j = new PacketJourneys(() => true);
    const ping = {};
    // A program that receives replies and sends requests links nothing.
    j.readFromSocket(ping, bytes());
    expect(j.sending(ping, bytes()).inner).toBeUndefined();
    const vpn = {};
    const good = bytes();
    j.readFromSocket(vpn, good);
    const bad = bytes();
    j.readFromSocket(vpn, bad);
    expect(j.droppedBy(vpn)).toBe(bad);
    expect(j.writingToTun(vpn, bytes()).outer).toBe(j.idOf(good));
    const many = {};
    const first = bytes();
    j.readFromTun(many, first);
    for (let i = 0; i < PENDING_MAX; i++) j.readFromTun(many, bytes());
    expect(j.sending(many, bytes()).inner).not.toBe(j.idOf(first));
  });
});
