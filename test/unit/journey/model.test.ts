// The journey views' common model on hand-made events: a tunnel's datagram nested in the packet
// it carries, the filter's two levels (packet tests keep whole journeys; on/layer pick events),
// and the page's data counting exactly the events the text list shows.

import { describe, expect, it } from 'vitest';
import type { JourneyEvent } from '../../../kernel/abi/journey.js';
import { buildIcmpPacket, buildIpv4Packet, buildUdpPacket, IPPROTO_ICMP, IPPROTO_UDP } from '../../../kernel/abi/wire/index.js';
import { compileJourneyFilter } from '../../../userland/lib/journey/filter.js';
import { journeyPage, pageData } from '../../../userland/lib/journey/html.js';
import { buildJourneys, shownEvents } from '../../../userland/lib/journey/model.js';
import { formatJourneys } from '../../../userland/lib/journey/text.js';

const ip = (s: string) => s.split('.').reduce((n, b) => n * 256 + Number(b), 0) >>> 0;
const hdr = { ttl: 64, ident: 1, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0 };
const ping = buildIpv4Packet({ ...hdr, src: ip('10.8.0.2'), dst: ip('10.10.0.10'), protocol: IPPROTO_ICMP }, buildIcmpPacket({ kind: 'echo-request', ident: 7, seq: 1, data: new Uint8Array(8) }));
const udp = buildIpv4Packet(
  { ...hdr, src: ip('192.168.1.10'), dst: ip('64.233.160.1'), protocol: IPPROTO_UDP },
  buildUdpPacket({ srcPort: 1194, dstPort: 1194, payload: new Uint8Array(60) }, ip('192.168.1.10'), ip('64.233.160.1')),
);

let seq = 0;
function ev(id: number, host: string, layer: JourneyEvent['layer'], event: string, bytes: Uint8Array, more: Partial<JourneyEvent> = {}): JourneyEvent {
  seq++;
  return { seq, timeNs: seq * 1000, host, layer, where: 'x', event, dir: 'out', id, link: 'ip', bytes, ...more };
}

const events = [
  ev(1, 'haiku', 'ip', 'output', ping),
  ev(1, 'haiku', 'driver', 'read', ping),
  ev(2, 'haiku', 'syscall', 'sendto', new Uint8Array(60), { inner: 1, link: 'data' }),
  ev(2, 'haiku', 'ip', 'output', udp, { inner: 1 }),
  ev(3, 'haiku', 'ip', 'output', udp),
  ev(2, 'vpn', 'ip', 'input', udp, { inner: 1 }),
  ev(1, 'vpn', 'driver', 'write', ping, { outer: 2 }),
  ev(1, 'vpn', 'ip', 'forward', ping, { outer: 2, dir: 'drop', reason: 'ttl', counter: 'Ip InHdrErrors' }),
];

describe('journeys', () => {
  it('nest a carrier inside the packet it carries, and keep a keepalive on its own', () => {
    const js = buildJourneys(events);
    expect(js.map((j) => j.id)).toEqual([1, 3]);
    expect(js[0]!.rows.map((r) => (r.kind === 'carrier' ? `carrier #${r.id}` : `${r.depth} #${r.event.id} ${r.event.host} ${r.event.event}`))).toEqual([
      '0 #1 haiku output',
      '0 #1 haiku read',
      'carrier #2',
      '1 #2 haiku sendto',
      '1 #2 haiku output',
      '1 #2 vpn input',
      '0 #1 vpn write',
      '0 #1 vpn forward',
    ]);
    // Out of a datagram shown inside it: not news in the header.
    expect(js[0]!.outer).toBeUndefined();
    expect(formatJourneys(js, 0)).toBe(
      [
        '#1 IP 10.8.0.2 > 10.10.0.10: ICMP echo request, id 7, seq 1, length 16',
        '    0.000001 haiku ip      output     x',
        '    0.000002 haiku driver  read       x',
        '      #2 carries #1: IP 192.168.1.10.1194 > 64.233.160.1.1194: UDP, length 60',
        '        0.000003 haiku syscall sendto     x',
        '        0.000004 haiku ip      output     x',
        '        0.000006 vpn   ip      input      x',
        '    0.000007 vpn   driver  write      x',
        '    0.000008 vpn   ip      drop       x        DROPPED: TTL exceeded (Ip InHdrErrors)',
        '#3 IP 192.168.1.10.1194 > 64.233.160.1.1194: UDP, length 60',
        '    0.000005 haiku ip      output     x',
        '',
      ].join('\n'),
    );
  });

  it("nest only the later of two datagrams naming one packet: the first was an answered handshake", () => {
    const js = buildJourneys([
      ev(1, 'haiku', 'driver', 'read', ping),
      ev(2, 'haiku', 'syscall', 'sendto', new Uint8Array(148), { inner: 1, link: 'data' }),
      ev(3, 'vpn', 'syscall', 'sendto', new Uint8Array(92), { cause: 2, link: 'data' }),
      ev(4, 'haiku', 'syscall', 'sendto', new Uint8Array(128), { inner: 1, link: 'data' }),
      ev(1, 'vpn', 'driver', 'write', ping, { outer: 4 }),
    ]);
    expect(js.map((j) => [j.id, j.rows.map((r) => (r.kind === 'carrier' ? `carrier #${r.id}` : `#${r.event.id} ${r.event.event}`))])).toEqual([
      [1, ['#1 read', 'carrier #4', '#4 sendto', '#1 write']],
      [2, ['#2 sendto']],
      [3, ['#3 sendto']],
    ]);
    expect(js[2]!.cause).toBe(2);
  });

  it('filter: a packet test keeps whole journeys (the tunnel too), on and layer pick events', () => {
    const f = (text: string) => shownEvents(buildJourneys(events, compileJourneyFilter(text, (n) => (/^[\d.]+$/.test(n) ? ip(n) : null)))).map((e) => `#${e.id} ${e.host} ${e.event}`);
    expect(f('icmp')).toEqual(['#1 haiku output', '#1 haiku read', '#2 haiku sendto', '#2 haiku output', '#2 vpn input', '#1 vpn write', '#1 vpn forward']);
    expect(f('udp and not icmp')).toEqual(['#3 haiku output']);
    expect(f('icmp and on vpn')).toEqual(['#2 vpn input', '#1 vpn write', '#1 vpn forward']);
    expect(f('layer driver or layer syscall')).toEqual(['#1 haiku read', '#2 haiku sendto', '#1 vpn write']);
    expect(f('host 64.233.160.1 and layer ip')).toEqual(['#1 haiku output', '#2 haiku output', '#2 vpn input', '#1 vpn forward', '#3 haiku output']);
  });

  it('make a page with the same events as the list, whose data cannot end its script early', () => {
    const js = buildJourneys(events);
    const d = pageData(js, 0, 'ping </script><script>alert(1)</script>', 0);
    expect(d.events).toHaveLength(shownEvents(js).length);
    expect(d.lanes).toEqual([
      { host: 'haiku', layers: ['syscall', 'ip', 'driver'] },
      { host: 'vpn', layers: ['ip', 'driver'] },
    ]);
    expect(d.events.filter((e) => e.carrier)).toHaveLength(3);
    expect(d.packets[d.events.at(-2)!.p]!.layers.map((l) => l.name)).toEqual(['IPv4', 'ICMP']);
    // Each distinct packet is kept once, however many events saw it.
    const distinct = new Set(shownEvents(js).map((e) => `${e.link}:${Array.from(e.bytes).join(',')}`));
    expect(d.packets).toHaveLength(distinct.size);
    expect(d.packets.length).toBeLessThan(d.events.length);
    const html = journeyPage(d);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toMatch(/(src|href)=["']?https?:|url\(|@import|fetch\(|XMLHttpRequest/);
  });
});
