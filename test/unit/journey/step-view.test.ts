// The step view's frames and keys, rendered with ink to strings: an 80x24 frame is exactly 24
// lines of at most 80 columns, the cursor is marked and kept in view, n finds the next drop, e
// expands the packet's layers into fields and bytes, the topology strip marks where the packet is.

import { describe, expect, it } from 'vitest';
import type { JourneyEvent } from '../../../kernel/abi/journey.js';
import { buildIcmpPacket, buildIpv4Packet, IPPROTO_ICMP } from '../../../kernel/abi/wire/index.js';
import { buildJourneys, shownEvents } from '../../../userland/lib/journey/model.js';
import { detailLines, placesOf, renderFrame, type StepState, stepKey, topologyStrip } from '../../../userland/lib/journey/step-view.js';

const ip = (s: string) => s.split('.').reduce((n, b) => n * 256 + Number(b), 0) >>> 0;
const ping = buildIpv4Packet(
  { ttl: 64, ident: 1, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0, src: ip('192.168.1.10'), dst: ip('10.99.0.1'), protocol: IPPROTO_ICMP },
  buildIcmpPacket({ kind: 'echo-request', ident: 7, seq: 1, data: new Uint8Array(8) }),
);

const hosts = ['haiku', 'haiku', 'lan', 'router', 'router', 'router'];
const events: JourneyEvent[] = Array.from({ length: 40 }, (_, i) => ({
  seq: i + 1,
  timeNs: i * 1000,
  host: hosts[i % hosts.length]!,
  layer: 'ip',
  where: `place ${i}`,
  event: 'input',
  dir: i === 29 ? 'drop' : 'in',
  ...(i === 29 ? { reason: 'no-route' as const, counter: 'Ip OutNoRoutes' } : {}),
  id: 1 + Math.floor(i / 10),
  link: 'ip',
  bytes: ping,
}));

function state(): StepState {
  const journeys = buildJourneys(events);
  return { journeys, events: shownEvents(journeys), cursor: 0, expanded: false, filter: '', editing: null, message: '', places: placesOf(events), title: 'ping -c 1 10.99.0.1', startNs: 0 };
}

describe('the step view', () => {
  it('fills an 80x24 terminal exactly, with the cursor marked and the keys at the bottom', () => {
    const f = renderFrame(state(), 80, 24);
    expect(f.lines).toHaveLength(24);
    for (const l of f.lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(f.lines[0]).toMatch(/^journey: ping -c 1 10\.99\.0\.1 +event 1\/40$/);
    expect(f.lines[1]).toBe('[haiku] - lan - router');
    expect(f.lines[f.cursorRow]).toMatch(/^> 0\.000000 haiku +ip +input +place 0$/);
    expect(f.lines[23]).toBe('j/k: step  n/N: drop  /: filter  e: expand  J/K: scroll  g/G: ends  q: quit');
  });

  it('finds the next drop, keeps the cursor in view, and says so when there is none', () => {
    let s = stepKey(state(), 'next-drop');
    expect(s.cursor).toBe(29);
    const f = renderFrame(s, 80, 24);
    expect(f.lines[f.cursorRow]).toMatch(/^> 0\.000029 router +ip +DROP +place 29$/);
    expect(f.lines.join('\n')).toContain('DROPPED: no route to the destination (Ip OutNoRoutes)');
    expect(f.lines[1]).toBe('haiku - lan - [router]');
    s = stepKey(s, 'next-drop');
    expect(s.cursor).toBe(29);
    expect(renderFrame(s, 80, 24).lines[23]).toBe('no drop after this event');
    expect(stepKey(stepKey(s, 'last'), 'down').cursor).toBe(39);
    expect(stepKey(s, 'first').cursor).toBe(0);
  });

  it('expands the packet into its fields and bytes', () => {
    const f = renderFrame(stepKey(state(), 'expand'), 80, 24);
    expect(f.lines.join('\n')).toContain('IPv4\n  source            192.168.1.10\n  destination       10.99.0.1');
    expect(f.lines).toHaveLength(24);
    // A taller terminal has room for the bytes too.
    expect(renderFrame(stepKey(state(), 'expand'), 80, 50).lines.join('\n')).toMatch(/bytes\n {2}0x0000: {2}4500 0024/);
  });

  it('scrolls a detail longer than its pane at 80x24, down to the last byte and back', () => {
    let s = stepKey(state(), 'expand');
    const all = detailLines(s.events[0]!, true, 0);
    let f = renderFrame(s, 80, 24);
    expect(f.lines).toHaveLength(24);
    expect(f.lines[22]).toMatch(/^-- lines 1-\d+ of \d+, J\/K: scroll --$/);
    expect(f.lines.join('\n')).not.toContain(all.at(-1)!);
    for (let i = 0; i < 100; i++) s = stepKey(s, 'detail-down');
    f = renderFrame(s, 80, 24);
    s = { ...s, detailTop: f.detailTop };
    expect(f.lines).toHaveLength(24);
    expect(f.lines[21]).toBe(all.at(-1));
    expect(f.lines[22]).toBe(`-- lines ${all.length - 14 + 1}-${all.length} of ${all.length}, J/K: scroll --`);
    s = stepKey(s, 'detail-up');
    expect(renderFrame(s, 80, 24).lines[21]).toBe(all.at(-2));
    // Another event starts at the top of its detail.
    expect(renderFrame(stepKey(s, 'down'), 80, 24).lines[22]).toMatch(/^-- lines 1-/);
  });

  it('cuts the topology strip to fit around where the packet is', () => {
    const places = ['haiku', 'lan', 'router', 'internet', 'vpn', 'private', 'intranet'];
    expect(topologyStrip(places, 'vpn', 80)).toBe('haiku - lan - router - internet - [vpn] - private - intranet');
    expect(topologyStrip(places, 'vpn', 30)).toBe('... [vpn] - private - intranet');
    expect(topologyStrip(places, 'lan', 30)).toBe('haiku - [lan] - router ...');
  });
});
