// journey -o: the journeys as one self-contained HTML page (no network, no CDN: its style, script
// and data are inline). An SVG sequence diagram: each host a band of lanes, one per layer it used,
// time going down, one row per event; a packet's path joins its events; a tunnel's datagram is an
// envelope with the packet it carries drawn inside; drops are red crosses. Click an event for its
// layers (fields and hex); Step, Back, Play and Next drop walk the list.

import { JOURNEY_LAYERS, type JourneyEvent } from '../../../kernel/abi/journey.js';
import { hexDump, type PduLayer } from '../dissect/index.js';
import { eventLayers, type Journey } from './model.js';
import { carrierHeader, eventDecision, eventPlace, formatSeconds, journeyHeader } from './text.js';

interface PageEvent {
  t: string;
  host: string;
  layer: string;
  event: string;
  place: string;
  decision: string;
  drop: boolean;
  id: number;
  /** Carried inside a datagram here: the envelope's inner packet. */
  carrier: boolean;
  /** Its bytes here: an index into `packets`. */
  p: number;
}

/** The bytes of a packet at some point, decoded: kept once for every event that saw the same bytes. */
interface PagePacket {
  layers: PduLayer[];
  hex: string;
}

type PageRow = { k: 'j'; text: string } | { k: 'c'; text: string; depth: number } | { k: 'e'; e: number; depth: number };

export interface PageData {
  title: string;
  lanes: Array<{ host: string; layers: string[] }>;
  rows: PageRow[];
  events: PageEvent[];
  packets: PagePacket[];
  lost: number;
}

/**
 * The largest page journey writes, in characters: past it a browser struggles (and a string that
 * long is near what a JavaScript engine can hold at all); a recording that needs more is refused.
 */
export const PAGE_MAX_CHARS = 256 << 20;

/** A page that would be over PAGE_MAX_CHARS. */
export class PageTooLarge extends Error {}

export function pageData(journeys: readonly Journey[], startNs: number, title: string, lost: number): PageData {
  const used = new Map<string, Set<string>>();
  const events: PageEvent[] = [];
  const rows: PageRow[] = [];
  // A packet crosses a dozen layers unchanged (or with only a header more): its bytes, decoded and
  // in hex, are kept once, so a page grows with the packets, not with packets times layers.
  const packets: PagePacket[] = [];
  const known = new Map<string, number>();
  let chars = 0;
  const packetOf = (e: JourneyEvent): number => {
    const key = `${e.link}:${latin1(e.bytes)}`;
    let i = known.get(key);
    if (i === undefined) {
      const p = { layers: eventLayers(e), hex: hexDump(e.bytes, true).replace(/^\n/, '').replace(/\t/g, '') };
      chars += p.hex.length + JSON.stringify(p.layers).length;
      if (chars > PAGE_MAX_CHARS) throw new PageTooLarge(`the packets are too many for one page (over ${PAGE_MAX_CHARS >> 20} MiB): keep fewer with -f`);
      known.set(key, (i = packets.length));
      packets.push(p);
    }
    return i;
  };
  const pageEvent = (e: JourneyEvent, depth: number): PageEvent => ({
    t: formatSeconds(e.timeNs - startNs),
    host: e.host,
    layer: e.layer,
    event: e.dir === 'drop' ? 'drop' : e.event,
    place: eventPlace(e),
    decision: eventDecision(e),
    drop: e.dir === 'drop',
    id: e.id,
    carrier: depth > 0,
    p: packetOf(e),
  });
  for (const j of journeys) {
    rows.push({ k: 'j', text: journeyHeader(j) });
    for (const r of j.rows) {
      if (r.kind === 'carrier') {
        rows.push({ k: 'c', text: carrierHeader(r), depth: r.depth });
        continue;
      }
      let s = used.get(r.event.host);
      if (!s) used.set(r.event.host, (s = new Set()));
      s.add(r.event.layer);
      rows.push({ k: 'e', e: events.length, depth: r.depth });
      events.push(pageEvent(r.event, r.depth));
    }
  }
  const lanes = [...used].map(([host, layers]) => ({ host, layers: JOURNEY_LAYERS.filter((l) => layers.has(l)) }));
  return { title, lanes, rows, events, packets, lost };
}

/** The bytes as a string of one char each: a Map key for their content. */
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

/** The data as a script element may hold it: no "</script>" or "<!--" can end it early. */
function embed(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function journeyPage(data: PageData): string {
  let json: string;
  try {
    json = embed(data);
  } catch (e) {
    // Past what a string can hold: refused like any page over the limit.
    if (e instanceof RangeError) throw new PageTooLarge(`the journeys are too many for one page: keep fewer with -f`);
    throw e;
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>journey: ${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>journey: <code>${escapeHtml(data.title)}</code></h1>
  <div id="controls">
    <button id="back" title="previous event (k)">&#9664; Back</button>
    <button id="step" title="next event (j)">Step &#9654;</button>
    <button id="play" title="play (space)">Play</button>
    <button id="drop" title="next drop (n)">Next drop</button>
    <span id="summary"><span id="event-count">0</span> events, <span id="packet-count">0</span> packets${data.lost ? `, ${data.lost} lost (the recording was full)` : ''}</span>
  </div>
</header>
<main>
  <div id="diagram"></div>
  <aside id="details"><p class="hint">Click an event, or Step, to see the packet at that point, layer by layer.</p></aside>
</main>
<script type="application/json" id="journey-data">${json}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
body { margin: 0; font: 13px/1.35 system-ui, sans-serif; color: #222; background: #fafafa; }
header { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid #ccc; padding: 6px 12px; }
h1 { font-size: 15px; margin: 0 0 4px; }
#controls button { font: inherit; margin-right: 4px; }
#summary { margin-left: 12px; color: #555; }
main { display: flex; align-items: flex-start; }
#diagram { flex: 1 1 auto; overflow: auto; padding: 8px; }
#details { flex: 0 0 360px; position: sticky; top: 56px; max-height: calc(100vh - 70px); overflow: auto; background: #fff; border-left: 1px solid #ccc; padding: 8px 12px; }
#details h2 { font-size: 14px; margin: 4px 0; }
#details h3 { font-size: 13px; margin: 10px 0 2px; }
#details table { border-collapse: collapse; width: 100%; }
#details td { padding: 1px 4px; vertical-align: top; }
#details td:first-child { color: #666; white-space: nowrap; }
#details pre { font-size: 11px; background: #f3f3f3; padding: 4px; overflow-x: auto; }
.hint { color: #777; }
.dropped { color: #b00; font-weight: 600; }
svg text { font: 11px system-ui, sans-serif; }
.lane { stroke: #ddd; }
.host-band { fill: #eef3f8; }
.host-band.alt { fill: #f6f1ea; }
.journey-title { font-weight: 600; fill: #123; }
.carrier-title { fill: #555; font-style: italic; }
.path { fill: none; stroke: #4a7ab5; stroke-width: 1.5; }
.event { cursor: pointer; }
.event circle { fill: #4a7ab5; }
.event .envelope { fill: #f1d483; stroke: #a3832a; }
.event .inner { fill: #4a7ab5; }
.event .cross { stroke: #c00; stroke-width: 3; }
.event.current circle, .event.current .envelope { stroke: #000; stroke-width: 2; }
.row-bg.current { fill: #fff2b3; }
.row-bg { fill: transparent; }
.time { fill: #777; }
`;

// The page's own script: plain DOM and SVG, nothing fetched. It reads the data element, draws the
// diagram, and keeps a cursor over the events.
const SCRIPT = `
(() => {
  const data = JSON.parse(document.getElementById('journey-data').textContent);
  const NS = 'http://www.w3.org/2000/svg';
  const LANE = 64, GAP = 16, LEFT = 70, TOP = 44, ROW = 22;
  const x = new Map();
  let cx = LEFT;
  const bands = [];
  for (const lane of data.lanes) {
    const start = cx;
    for (const l of lane.layers) { x.set(lane.host + '/' + l, cx + LANE / 2); cx += LANE; }
    bands.push({ host: lane.host, layers: lane.layers, start, end: cx });
    cx += GAP;
  }
  const width = Math.max(cx, 400), height = TOP + data.rows.length * ROW + 10;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('width', width); svg.setAttribute('height', height);
  const el = (name, attrs, parent) => {
    const n = document.createElementNS(NS, name);
    for (const k in attrs) n.setAttribute(k, attrs[k]);
    (parent || svg).appendChild(n);
    return n;
  };
  const text = (s, attrs, parent) => { const t = el('text', attrs, parent); t.textContent = s; return t; };
  bands.forEach((b, i) => {
    el('rect', { class: 'host-band' + (i % 2 ? ' alt' : ''), x: b.start, y: 0, width: b.end - b.start, height });
    text(b.host, { x: (b.start + b.end) / 2, y: 14, 'text-anchor': 'middle', 'font-weight': 'bold' });
    b.layers.forEach((l, j) => {
      const lx = b.start + j * LANE + LANE / 2;
      text(l, { x: lx, y: 30, 'text-anchor': 'middle' });
      el('line', { class: 'lane', x1: lx, x2: lx, y1: 36, y2: height });
    });
  });
  const rowsBg = [];
  const markers = [];
  const order = [];
  let path = null, points = [];
  const flush = () => { if (path && points.length > 1) path.setAttribute('points', points.join(' ')); points = []; };
  data.rows.forEach((r, i) => {
    const y = TOP + i * ROW + ROW / 2;
    const bg = el('rect', { class: 'row-bg', x: 0, y: y - ROW / 2, width, height: ROW });
    if (r.k === 'j') {
      flush();
      path = el('polyline', { class: 'path' });
      text(r.text, { class: 'journey-title', x: 4, y: y + 4 });
      return;
    }
    if (r.k === 'c') { text(r.text, { class: 'carrier-title', x: 4 + r.depth * 16, y: y + 4 }); return; }
    const e = data.events[r.e];
    const px = x.get(e.host + '/' + e.layer);
    points.push(px + ',' + y);
    text(e.t, { class: 'time', x: 4, y: y + 4 });
    const g = el('g', { class: 'event', 'data-index': String(r.e) });
    const title = el('title', {}, g);
    title.textContent = e.host + ' ' + e.layer + ' ' + e.event + ' ' + e.place + (e.decision ? ': ' + e.decision : '');
    if (e.carrier) {
      el('rect', { class: 'envelope', x: px - 12, y: y - 7, width: 24, height: 14, rx: 3 }, g);
      el('circle', { class: 'inner', cx: px, cy: y, r: 3.5 }, g);
    } else el('circle', { cx: px, cy: y, r: 5 }, g);
    if (e.drop) {
      el('line', { class: 'cross', x1: px - 7, y1: y - 7, x2: px + 7, y2: y + 7 }, g);
      el('line', { class: 'cross', x1: px + 7, y1: y - 7, x2: px - 7, y2: y + 7 }, g);
    }
    g.addEventListener('click', () => show(order.indexOf(r.e)));
    rowsBg[r.e] = bg;
    markers[r.e] = g;
    order.push(r.e);
  });
  flush();
  document.getElementById('diagram').appendChild(svg);
  document.getElementById('event-count').textContent = String(svg.querySelectorAll('.event').length);
  document.getElementById('packet-count').textContent = String(data.rows.filter((r) => r.k === 'j').length);

  const details = document.getElementById('details');
  const h = (tag, s, cls) => { const n = document.createElement(tag); n.textContent = s; if (cls) n.className = cls; return n; };
  let cur = -1;
  function show(k) {
    if (k < 0 || k >= order.length) return;
    if (cur >= 0) { markers[order[cur]].classList.remove('current'); rowsBg[order[cur]].classList.remove('current'); }
    cur = k;
    const i = order[k], e = data.events[i];
    markers[i].classList.add('current'); rowsBg[i].classList.add('current');
    markers[i].scrollIntoView({ block: 'nearest', inline: 'nearest' });
    details.replaceChildren();
    details.appendChild(h('h2', '#' + e.id + ' ' + e.host + ' ' + e.layer + ' ' + e.event));
    const t = document.createElement('table');
    const row = (a, b, cls) => { const tr = t.insertRow(); tr.insertCell().textContent = a; const c = tr.insertCell(); c.textContent = b; if (cls) c.className = cls; };
    row('time', e.t + ' s'); row('where', e.place);
    if (e.decision) row(e.drop ? 'dropped' : 'decision', e.decision, e.drop ? 'dropped' : '');
    details.appendChild(t);
    const pk = data.packets[e.p];
    for (const l of pk.layers) {
      details.appendChild(h('h3', l.name));
      const lt = document.createElement('table');
      for (const [k2, v] of l.fields) { const tr = lt.insertRow(); tr.insertCell().textContent = k2; tr.insertCell().textContent = v; }
      details.appendChild(lt);
    }
    details.appendChild(h('h3', 'bytes'));
    details.appendChild(h('pre', pk.hex));
  }
  let timer = null;
  const play = document.getElementById('play');
  function stop() { if (timer !== null) { clearInterval(timer); timer = null; play.textContent = 'Play'; } }
  document.getElementById('step').addEventListener('click', () => show(cur + 1));
  document.getElementById('back').addEventListener('click', () => show(cur - 1));
  document.getElementById('drop').addEventListener('click', () => {
    for (let k = cur + 1; k < order.length; k++) if (data.events[order[k]].drop) return show(k);
  });
  play.addEventListener('click', () => {
    if (timer !== null) return stop();
    play.textContent = 'Pause';
    timer = setInterval(() => { if (cur + 1 >= order.length) stop(); else show(cur + 1); }, 500);
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'j' || ev.key === 'ArrowDown') show(cur + 1);
    else if (ev.key === 'k' || ev.key === 'ArrowUp') show(cur - 1);
    else if (ev.key === 'n') document.getElementById('drop').click();
    else if (ev.key === ' ') { ev.preventDefault(); play.click(); }
  });
})();
`;
