// From the kernel's recorded events to journeys: one per packet, in the order each began, each a
// list of rows in time order. A tunnel's datagram is drawn inside the packet it carries (its rows
// one level deeper, under a row that names it), so a ping through a VPN reads as one story from
// ping's sendto to its recvfrom. The text list, the step view and the HTML page all show these
// rows, so they count the same events.

import type { JourneyEvent } from '../../../kernel/abi/journey.js';
import { dissect, dissectLayers, type PduLayer } from '../dissect/index.js';

export interface EventRow {
  kind: 'event';
  depth: number;
  event: JourneyEvent;
}

/** The start of a carrier inside the packet it carries: "#2 carries #1: IP ... UDP". */
export interface CarrierRow {
  kind: 'carrier';
  depth: number;
  id: number;
  inner: number;
  summary: string;
}

export type Row = EventRow | CarrierRow;

export interface Journey {
  id: number;
  /** The packet as tcpdump would summarise it where it was first a whole packet. */
  summary: string;
  /** The packet this one answers (an echo reply's request, an ICMP error's offender). */
  cause?: number;
  /** The datagram it came out of, when it began on the far side of a tunnel. */
  outer?: number;
  rows: Row[];
}

/** Whether an event is shown (journey -f); given the events of its journey for packet tests. */
export type EventFilter = (e: JourneyEvent, journey: readonly JourneyEvent[]) => boolean;

/** The tcpdump line of a packet: from its first event that holds a whole packet. */
export function packetSummary(events: readonly JourneyEvent[]): string {
  const e = events.find((x) => x.link === 'ip') ?? events.find((x) => x.link === 'ether');
  if (!e) return `${events[0]?.bytes.length ?? 0} bytes of data`;
  return dissect(e.bytes, { link: e.link === 'ip' ? 'raw' : 'ether' }).text.split('\n')[0]!;
}

/**
 * The PDU at an event, layer by layer (fields and where in the bytes), for the step view's detail
 * pane and the page: decoded by tcpdump's printers, so both say what tcpdump says. What a program
 * handed over (a sendto's payload) is data, not yet a packet.
 */
export function eventLayers(e: JourneyEvent): PduLayer[] {
  if (e.link === 'data') return [{ name: 'Data', fields: [['length', `${e.bytes.length} bytes`]], offset: 0, length: e.bytes.length }];
  return dissectLayers(e.bytes, e.link === 'ip' ? 'raw' : 'ether');
}

export function buildJourneys(events: readonly JourneyEvent[], filter?: EventFilter): Journey[] {
  const byId = new Map<number, JourneyEvent[]>();
  for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
    let list = byId.get(e.id);
    if (!list) byId.set(e.id, (list = []));
    list.push(e);
  }
  // Carriers by the packet they carry: a carrier's events all name its inner packet. A packet is
  // carried by one datagram; when two name it, the first was a handshake that the peer answered
  // and the kernel gave the packet back (kernel/obs/journey.ts): the later claim holds, and the
  // handshake is a journey of its own.
  const claims = new Map<number, number>();
  for (const [id, list] of byId) {
    const inner = list.find((e) => e.inner !== undefined)?.inner;
    if (inner !== undefined && byId.has(inner)) claims.set(inner, id);
  }
  const carriers = new Map<number, number[]>();
  for (const [inner, id] of claims) carriers.set(inner, [id]);
  const nested = new Set<number>();
  for (const c of carriers.values()) for (const id of c) nested.add(id);

  const journeys: Journey[] = [];
  for (const [id, list] of byId) {
    if (nested.has(id)) continue;
    const all = collect(id, 0);
    const everyEvent = all.map((x) => x.event);
    const shown = filter ? all.filter((x) => filter(x.event, everyEvent)) : all;
    if (shown.length === 0) continue;
    const rows: Row[] = [];
    const opened = new Set<number>();
    for (const r of shown) {
      const e = r.event;
      if (e.id !== id && !opened.has(e.id)) {
        opened.add(e.id);
        rows.push({ kind: 'carrier', depth: r.depth, id: e.id, inner: e.inner ?? 0, summary: packetSummary(byId.get(e.id)!) });
      }
      rows.push({ kind: 'event', depth: r.depth, event: e });
    }
    const j: Journey = { id, summary: packetSummary(list), rows };
    const cause = list.find((e) => e.cause !== undefined)?.cause;
    if (cause !== undefined) j.cause = cause;
    // Out of a datagram shown inside it (a continuation past the tunnel) is no news; one not shown is.
    const outer = list.find((e) => e.outer !== undefined)?.outer;
    if (outer !== undefined && !rows.some((r) => r.kind === 'carrier' && r.id === outer)) j.outer = outer;
    journeys.push(j);
  }
  return journeys;

  /** A packet's events and, one level deeper, those of the datagrams that carried it, by time. */
  function collect(id: number, depth: number): Array<{ depth: number; event: JourneyEvent }> {
    const out = (byId.get(id) ?? []).map((event) => ({ depth, event }));
    for (const c of carriers.get(id) ?? []) if (c !== id) out.push(...collect(c, depth + 1));
    return out.sort((a, b) => a.event.seq - b.event.seq);
  }
}

/** Every shown event, in the order of the rows. */
export function shownEvents(journeys: readonly Journey[]): JourneyEvent[] {
  const out: JourneyEvent[] = [];
  for (const j of journeys) for (const r of j.rows) if (r.kind === 'event') out.push(r.event);
  return out;
}
