// journey -f: tcpdump's filter language (pcap-filter.ts) over journeys, plus two primitives of its
// own. A packet test (`icmp`, `host 10.10.0.10`, `udp port 1194`) holds for every event of a
// journey one of whose packets passes it (the packet itself or a datagram carrying it), so
// `-f icmp` keeps a ping's whole story, its tunnel included. `on HOST` holds for the events on that
// host (or segment), `layer NAME` for those at that layer: `-f 'icmp and on vpn'`.

import { JOURNEY_LAYERS, type JourneyEvent } from '../../../kernel/abi/journey.js';
import { compileExtendedFilter, FilterError, type PacketFilter } from '../pcap-filter.js';
import type { EventFilter } from './model.js';

interface Ctx {
  event: JourneyEvent;
  journey: readonly JourneyEvent[];
}

export function compileJourneyFilter(text: string, resolve: (name: string) => number | null): EventFilter {
  // Each packet test is asked once per journey, not once per event.
  const memo = new WeakMap<readonly JourneyEvent[], Map<PacketFilter, boolean>>();
  const primitives = new Map<string, (value: string) => (c: Ctx) => boolean>([
    ['on', (host) => (c) => c.event.host === host],
    [
      'layer',
      (name) => {
        if (!(JOURNEY_LAYERS as readonly string[]).includes(name)) throw new FilterError(`unknown layer '${name}' (layers: ${JOURNEY_LAYERS.join(', ')})`);
        return (c) => c.event.layer === name;
      },
    ],
  ]);
  const test = compileExtendedFilter<Ctx>(text, resolve, {
    primitives,
    packets(c, t) {
      let m = memo.get(c.journey);
      if (!m) memo.set(c.journey, (m = new Map()));
      let v = m.get(t);
      if (v === undefined) {
        v = c.journey.some((e) => e.link !== 'data' && t(e.link === 'ip' ? 'raw' : 'ether', e.bytes, e.bytes.length));
        m.set(t, v);
      }
      return v;
    },
  });
  return (event, journey) => test({ event, journey });
}
