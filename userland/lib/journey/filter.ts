// journey -f: tcpdump's filter language (pcap-filter.ts) over journeys, plus two primitives of its
// own. A packet test (`icmp`, `host 10.10.0.10`, `udp port 1194`) holds for every event of a
// journey one of whose packets passes it (the packet itself or a datagram carrying it), so
// `-f icmp` keeps a ping's whole story, its tunnel included. `on HOST` holds for the events on that
// host (or segment), `layer NAME` for those at that layer: `-f 'icmp and on vpn'`.

import { JOURNEY_LAYERS, type JourneyEvent } from '../../../kernel/abi/journey.js';
import { compileExtendedFilter, FilterError, type PacketFilter } from '../pcap-filter.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import type { EventFilter } from './model.js';

interface Ctx {
  event: JourneyEvent;
  journey: readonly JourneyEvent[];
}

/**
 * @param places the names `on` accepts: the world's hosts and segments (an unknown one is an
 * error, as tcpdump's `host nosuch` is); undefined accepts any name.
 */
export function compileJourneyFilter(text: string, resolve: (name: string) => number | null, places?: ReadonlySet<string>): EventFilter {
  // Each packet test is asked once per journey, not once per event.
  const memo = new WeakMap<readonly JourneyEvent[], Map<PacketFilter, boolean>>();
  const primitives = new Map<string, (value: string) => (c: Ctx) => boolean>([
    [
      'on',
      (host) => {
        if (places && !places.has(host)) throw new FilterError(`unknown host '${host}' (hosts and segments: ${[...places].join(', ')})`);
        return (c) => c.event.host === host;
      },
    ],
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

/** What `on` may name: the world's hosts and the segments their NICs are plugged into. */
export async function worldPlaces(sys: Sys): Promise<Set<string>> {
  const places = new Set<string>();
  for (const h of (await sys.topology()).hosts) {
    places.add(h.name);
    for (const i of h.interfaces) if (i.segment !== undefined) places.add(i.segment);
  }
  return places;
}
