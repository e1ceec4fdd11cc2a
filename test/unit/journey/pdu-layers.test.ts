// The details pane's layers come from tcpdump's printers (userland/lib/dissect), the same that
// write tcpdump's lines and the journey list's summaries: a WireGuard message, a TCP segment and
// an ARP frame are decoded field by field, each layer where it lies in the bytes, and the step
// view shows them.

import { describe, expect, it } from 'vitest';
import type { JourneyEvent } from '../../../kernel/abi/journey.js';
import {
  buildArpPacket,
  buildEthernetFrame,
  buildIpv4Packet,
  buildTcpPacket,
  buildUdpPacket,
  buildWireGuardMessage,
  ETHERTYPE_ARP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_ACK,
  TCP_PSH,
  WG_TRANSPORT_DATA,
} from '../../../kernel/abi/wire/index.js';
import { dissect } from '../../../userland/lib/dissect/index.js';
import { pageData } from '../../../userland/lib/journey/html.js';
import { buildJourneys, eventLayers } from '../../../userland/lib/journey/model.js';
import { detailLines } from '../../../userland/lib/journey/step-view.js';

const ip = (s: string) => s.split('.').reduce((n, b) => n * 256 + Number(b), 0) >>> 0;
const hdr = { ttl: 64, ident: 0x1234, tos: 0, dontFragment: true, moreFragments: false, fragmentOffset: 0 };
const [A, B] = [ip('192.168.1.10'), ip('64.233.160.1')];
const transport = buildWireGuardMessage({ type: WG_TRANSPORT_DATA, receiver: 0xbbdac0aa, counter: 1n, encryptedPacket: new Uint8Array(112) });
const wg = buildIpv4Packet({ ...hdr, src: A, dst: B, protocol: IPPROTO_UDP }, buildUdpPacket({ srcPort: 49153, dstPort: 51820, payload: transport }, A, B));
const tcp = buildIpv4Packet(
  { ...hdr, src: A, dst: B, protocol: IPPROTO_TCP },
  buildTcpPacket({ srcPort: 40000, dstPort: 80, seq: 1000, ack: 2000, flags: TCP_ACK | TCP_PSH, window: 502, urgent: 0, options: [], payload: new Uint8Array(5) }, A, B),
);
const arp = buildEthernetFrame(
  { dst: 0xffffffffffff, src: 0x525400000001, ethertype: ETHERTYPE_ARP },
  buildArpPacket({ operation: 1, senderMac: 0x525400000001, senderIp: A, targetMac: 0, targetIp: ip('192.168.1.1') }),
);
const event = (bytes: Uint8Array, link: JourneyEvent['link']): JourneyEvent => ({ seq: 1, timeNs: 0, host: 'haiku', layer: 'ip', where: 'x', event: 'output', dir: 'out', id: 1, link, bytes });
const shape = (e: JourneyEvent) => eventLayers(e).map((l) => `${l.name}@${l.offset}+${l.length}`);
const fields = (e: JourneyEvent, name: string) => Object.fromEntries(eventLayers(e).find((l) => l.name === name)!.fields);

describe('the layers of a PDU', () => {
  it('decode WireGuard inside UDP in the words tcpdump prints it with', () => {
    const e = event(wg, 'ip');
    expect(shape(e)).toEqual(['IPv4@0+20', 'UDP@20+8', 'WireGuard@28+128']);
    expect(fields(e, 'WireGuard')).toEqual({ Type: 'Transport Data (4)', Reserved: '000000', Receiver: '0xBBDAC0AA', Counter: '1', 'Encrypted Packet': '112 bytes' });
    expect(fields(e, 'IPv4')).toMatchObject({ source: '192.168.1.10', destination: '64.233.160.1', protocol: 'UDP (17)', flags: 'DF', identification: '0x1234 (4660)' });
    expect(dissect(wg, { link: 'raw' }).text).toBe('IP 192.168.1.10.49153 > 64.233.160.1.51820: WireGuard Transport Data, receiver=0xBBDAC0AA, counter=1, datalen=96, length 128');
    expect(detailLines(e, true, 0)).toEqual(expect.arrayContaining(['WireGuard', '  Receiver          0xBBDAC0AA', '  Counter           1']));
    // The page's details are the same layers.
    expect(pageData(buildJourneys([e]), 0, 'ping', 0).packets[0]!.layers).toEqual(eventLayers(e));
  });

  it('decode TCP and ARP, and a payload as data', () => {
    const t = event(tcp, 'ip');
    expect(shape(t)).toEqual(['IPv4@0+20', 'TCP@20+20', 'Payload@40+5']);
    expect(fields(t, 'TCP')).toMatchObject({ 'source port': '40000', 'destination port': '80', 'sequence number': '1000', 'acknowledgment number': '2000', flags: '[P.]', window: '502' });
    const a = event(arp, 'ether');
    expect(shape(a)).toEqual(['Ethernet II@0+14', 'ARP@14+28']);
    expect(fields(a, 'Ethernet II')).toEqual({ destination: 'ff:ff:ff:ff:ff:ff', source: '52:54:00:00:00:01', type: '0x0806 (ARP)' });
    expect(fields(a, 'ARP')).toMatchObject({ operation: 'Request (1)', 'sender IP': '192.168.1.10', 'target IP': '192.168.1.1' });
    expect(shape(event(transport, 'data'))).toEqual(['Data@0+128']);
  });

  it('stop at the header the capture cuts short, and never throw', () => {
    expect(eventLayers(event(tcp.subarray(0, 30), 'ip')).map((l) => l.name)).toEqual(['IPv4']);
    expect(eventLayers(event(new Uint8Array([0x45, 0]), 'ip'))).toEqual([]);
  });
});
