// The journey list as text: one block per packet, its header the packet as tcpdump would print it,
// then one line per event: virtual time (seconds since the recording began), host, layer, event,
// where it happened, and the decision taken (or, for a drop, its reason and counter). A tunnel's
// datagram is listed inside the packet it carries, indented.

import { DROP_REASONS, type JourneyEvent } from '../../../kernel/abi/journey.js';
import type { Journey, Row } from './model.js';

/** Where an event happened, as its line says it: the program for a syscall, else the place. */
export function eventPlace(e: JourneyEvent): string {
  return e.command !== undefined && e.pid !== undefined ? `${e.command}[${e.pid}] ${e.where}` : e.where;
}

/** The decision column: what was decided there, or why the packet died. */
export function eventDecision(e: JourneyEvent): string {
  if (e.dir !== 'drop') return e.decision ?? '';
  const why = e.reason ? `DROPPED: ${DROP_REASONS[e.reason]}` : 'DROPPED';
  return `${why}${e.counter ? ` (${e.counter})` : ''}${e.decision ? `; ${e.decision}` : ''}`;
}

export function formatSeconds(ns: number): string {
  return (Math.max(0, ns) / 1e9).toFixed(6);
}

export function journeyHeader(j: Journey): string {
  const notes = [j.cause !== undefined ? `answers #${j.cause}` : '', j.outer !== undefined ? `out of #${j.outer}` : ''].filter(Boolean);
  return `#${j.id} ${j.summary}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

export function carrierHeader(r: Extract<Row, { kind: 'carrier' }>): string {
  return `#${r.id} carries #${r.inner}: ${r.summary}`;
}

export function formatJourneys(journeys: readonly Journey[], startNs: number): string {
  let hostWidth = 4;
  let placeWidth = 8;
  for (const j of journeys)
    for (const r of j.rows)
      if (r.kind === 'event') {
        hostWidth = Math.max(hostWidth, r.event.host.length);
        placeWidth = Math.max(placeWidth, Math.min(32, eventPlace(r.event).length));
      }
  const lines: string[] = [];
  for (const j of journeys) {
    lines.push(journeyHeader(j));
    for (const r of j.rows) {
      const indent = ' '.repeat(2 + r.depth * 4);
      if (r.kind === 'carrier') {
        lines.push(`${indent}${carrierHeader(r)}`);
        continue;
      }
      const e = r.event;
      const cols = [
        formatSeconds(e.timeNs - startNs).padStart(10),
        e.host.padEnd(hostWidth),
        e.layer.padEnd(7),
        (e.dir === 'drop' ? 'drop' : e.event).padEnd(10),
        eventPlace(e).padEnd(placeWidth),
        eventDecision(e),
      ];
      lines.push(`${indent}${cols.join(' ')}`.trimEnd());
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
