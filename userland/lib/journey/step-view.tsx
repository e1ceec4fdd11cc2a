// journey -i: Packet Tracer's simulation mode in the terminal. The state of the view (which event
// the cursor is on, the filter, whether the detail pane is expanded) and one frame of it, laid out
// with ink and rendered to a string of exactly the terminal's size: a title bar, a strip of the
// topology with the host the packet is on marked, the event list with the cursor, the packet at
// that point layer by layer, and the keys. The program (userland/bin/journey/step.ts) reads keys
// and writes frames; everything here is pure, so a test renders any frame it likes.

import { Box, renderToString, Text } from 'ink';
import type { JourneyEvent } from '../../../kernel/abi/journey.js';
import { hexDump } from '../dissect/index.js';
import { eventLayers, type Journey, type Row } from './model.js';
import { carrierHeader, eventDecision, eventPlace, formatSeconds, journeyHeader } from './text.js';

export interface StepState {
  journeys: Journey[];
  /** Every event row, in list order: where the cursor can be. */
  events: JourneyEvent[];
  cursor: number;
  expanded: boolean;
  /** The filter in force ('' for none). */
  filter: string;
  /** The filter being typed after '/', or null. */
  editing: string | null;
  /** One line for the status bar: an error, "no more drops". */
  message: string;
  /** Hosts and segments in the order the packets met them. */
  places: string[];
  title: string;
  startNs: number;
  /** The first line of the detail pane shown, when it is longer than the pane (J/K scroll it). */
  detailTop?: number;
}

/** The list's lines: headers and events, each event knowing its place in `events`. */
function listLines(journeys: readonly Journey[]): Array<{ text: string; event: number | null; depth: number }> {
  const out: Array<{ text: string; event: number | null; depth: number }> = [];
  let n = 0;
  for (const j of journeys) {
    out.push({ text: journeyHeader(j), event: null, depth: 0 });
    for (const r of j.rows) {
      if (r.kind === 'carrier') out.push({ text: carrierHeader(r as Extract<Row, { kind: 'carrier' }>), event: null, depth: r.depth });
      else out.push({ text: '', event: n++, depth: r.depth });
    }
  }
  return out;
}

export function eventLine(e: JourneyEvent, startNs: number): string {
  const what = e.dir === 'drop' ? 'DROP' : e.event;
  return `${formatSeconds(e.timeNs - startNs)} ${e.host.padEnd(8)} ${e.layer.padEnd(7)} ${what.padEnd(9)} ${eventPlace(e)}`;
}

/** The places (hosts, segments) in the order the recorded packets first met them. */
export function placesOf(events: readonly JourneyEvent[]): string[] {
  const seen: string[] = [];
  for (const e of [...events].sort((a, b) => a.seq - b.seq)) if (!seen.includes(e.host)) seen.push(e.host);
  return seen;
}

const clip = (s: string, w: number) => (s.length > w ? `${s.slice(0, Math.max(0, w - 1))}…` : s);

/** The topology strip, the current place marked [like this], cut to fit around it. */
export function topologyStrip(places: readonly string[], current: string | undefined, width: number): string {
  const parts = places.map((p) => (p === current ? `[${p}]` : p));
  let s = parts.join(' - ');
  if (s.length <= width) return s;
  const at = Math.max(0, parts.findIndex((p) => p.startsWith('[')));
  const window = (from: number, to: number) => `${from > 0 ? '... ' : ''}${parts.slice(from, to).join(' - ')}${to < parts.length ? ' ...' : ''}`;
  let [from, to] = [at, at + 1];
  // Widen the window around the current place, right first, as long as it fits.
  for (;;) {
    if (to < parts.length && window(from, to + 1).length <= width) to++;
    else if (from > 0 && window(from - 1, to).length <= width) from--;
    else break;
  }
  s = window(from, to);
  return clip(s, width);
}

/** The detail pane's lines for an event: what happened, then each layer, then (expanded) the bytes. */
export function detailLines(e: JourneyEvent, expanded: boolean, startNs: number): string[] {
  const out = [`#${e.id} ${e.host} ${e.layer} ${e.dir === 'drop' ? 'drop' : e.event} at ${eventPlace(e)}, ${formatSeconds(e.timeNs - startNs)} s`];
  const d = eventDecision(e);
  if (d) out.push(`  ${d}`);
  for (const l of eventLayers(e)) {
    if (expanded) {
      out.push(`${l.name}`);
      for (const [k, v] of l.fields) out.push(`  ${k.padEnd(17)} ${v}`);
    } else out.push(`${l.name}: ${l.fields.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  if (expanded) out.push('bytes', ...hexDump(e.bytes, true).split('\n').filter(Boolean).map((l) => `  ${l.replace('\t', '')}`));
  return out;
}

export const KEYS_HELP = 'j/k: step  n/N: drop  /: filter  e: expand  J/K: scroll  g/G: ends  q: quit';

/** One frame, exactly `rows` lines of at most `cols` characters; the cursor line is `cursorRow`. */
export function renderFrame(s: StepState, cols: number, rows: number): { lines: string[]; cursorRow: number; detailTop: number } {
  const current = s.events[s.cursor];
  const detail = current ? detailLines(current, s.expanded, s.startNs) : ['no event matches the filter'];
  const detailHeight = Math.min(detail.length, s.expanded ? Math.max(3, rows - 9) : Math.max(3, Math.floor((rows - 6) / 2)));
  // Longer than its pane (all the fields and bytes of a big packet at 80x24): a window on it that
  // J/K move, its last line saying which lines are shown.
  let shownDetail = detail;
  let detailTop = 0;
  if (detail.length > detailHeight) {
    const room = detailHeight - 1;
    detailTop = Math.max(0, Math.min(s.detailTop ?? 0, detail.length - room));
    shownDetail = [...detail.slice(detailTop, detailTop + room), `-- lines ${detailTop + 1}-${detailTop + room} of ${detail.length}, J/K: scroll --`];
  }
  const listHeight = Math.max(1, rows - 5 - detailHeight);
  const all = listLines(s.journeys);
  const at = all.findIndex((l) => l.event === s.cursor);
  const top = Math.max(0, Math.min(at - Math.floor(listHeight / 2), all.length - listHeight));
  const visible = all.slice(top, top + listHeight);
  // A short list leaves blank lines, so the detail pane and the keys keep their place.
  while (visible.length < listHeight) visible.push({ text: '', event: null, depth: 0 });
  const status =
    s.editing !== null ? `filter: ${s.editing}_` : s.message || `${s.filter ? `filter: ${s.filter}  ` : ''}${KEYS_HELP}`;
  const position = s.events.length ? `event ${s.cursor + 1}/${s.events.length}` : 'no events';
  const frame = renderToString(
    <Box flexDirection="column" width={cols}>
      <Text wrap="truncate">{clip(`journey: ${s.title}`, Math.max(1, cols - position.length - 1)).padEnd(Math.max(1, cols - position.length))}{position}</Text>
      <Text wrap="truncate">{topologyStrip(s.places, current?.host, cols)}</Text>
      <Text wrap="truncate">{'─'.repeat(cols)}</Text>
      {visible.map((l, i) => {
        const indent = ' '.repeat(l.depth * 2);
        const text = l.event === null ? `${indent}${l.text}` : `${l.event === s.cursor ? '>' : ' '} ${indent}${eventLine(s.events[l.event]!, s.startNs)}`;
        return (
          <Text key={i} wrap="truncate">
            {clip(text, cols)}
          </Text>
        );
      })}
      <Text wrap="truncate">{'─'.repeat(cols)}</Text>
      {shownDetail.map((l, i) => (
        <Text key={`d${i}`} wrap="truncate">
          {clip(l, cols)}
        </Text>
      ))}
      <Text wrap="truncate">{clip(status, cols)}</Text>
    </Box>,
    { columns: cols },
  );
  const lines = frame.split('\n').slice(0, rows);
  while (lines.length < rows) lines.push('');
  // The window's top as shown: the caller keeps it, so K moves from where the pane really is.
  return { lines, cursorRow: 3 + visible.findIndex((l) => l.event === s.cursor), detailTop };
}

export type StepKey = 'down' | 'up' | 'next-drop' | 'prev-drop' | 'first' | 'last' | 'page-down' | 'page-up' | 'expand' | 'detail-down' | 'detail-up' | 'filter' | 'quit';

/** Move the cursor or change the view; 'filter' and 'quit' are the program's to handle. */
export function stepKey(s: StepState, k: StepKey, page = 10): StepState {
  const last = s.events.length - 1;
  // Another event's detail starts at its top.
  const to = (c: number) => ({ ...s, cursor: Math.max(0, Math.min(last, c)), message: '', detailTop: 0 });
  switch (k) {
    case 'down':
      return to(s.cursor + 1);
    case 'up':
      return to(s.cursor - 1);
    case 'page-down':
      return to(s.cursor + page);
    case 'page-up':
      return to(s.cursor - page);
    case 'first':
      return to(0);
    case 'last':
      return to(last);
    case 'expand':
      return { ...s, expanded: !s.expanded, message: '', detailTop: 0 };
    case 'detail-down': {
      // Bounded here by the detail's length, and by the frame, which keeps the window full.
      const e = s.events[s.cursor];
      const n = e ? detailLines(e, s.expanded, s.startNs).length : 0;
      return { ...s, detailTop: Math.min(Math.max(0, n - 1), (s.detailTop ?? 0) + 1) };
    }
    case 'detail-up':
      return { ...s, detailTop: Math.max(0, (s.detailTop ?? 0) - 1) };
    case 'next-drop':
    case 'prev-drop': {
      const dir = k === 'next-drop' ? 1 : -1;
      for (let i = s.cursor + dir; i >= 0 && i <= last; i += dir) if (s.events[i]!.dir === 'drop') return to(i);
      return { ...s, message: k === 'next-drop' ? 'no drop after this event' : 'no drop before this event' };
    }
    default:
      return s;
  }
}
