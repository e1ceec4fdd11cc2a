// journey -i: step through the recorded events in the terminal. The terminal is taken out of
// canonical mode (TCSETS: keys come as typed) and onto the alternate screen; each key moves the
// cursor or changes the view, and the whole frame (userland/lib/journey/step-view.tsx) is drawn
// again. ^C or q leaves, and the terminal is given back as it was.

import { isSysError } from '../../../kernel/abi/errno.js';
import { ISIG, TCGETS, TCSETS, type Termios, TIOCGWINSZ } from '../../../kernel/abi/ioctl.js';
import { SIGINT, SIGWINCH } from '../../../kernel/abi/signal.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { parseIpv4 } from '../../../kernel/abi/wire/index.js';
import { writeAll } from '../../lib/io.js';
import { compileJourneyFilter, worldPlaces } from '../../lib/journey/filter.js';
import { buildJourneys, shownEvents } from '../../lib/journey/model.js';
import { placesOf, renderFrame, type StepKey, stepKey, type StepState } from '../../lib/journey/step-view.js';
import { FilterError } from '../../lib/pcap-filter.js';
import { hostsTable } from '../../lib/resolve.js';
import { decodeKeys, type KeyName } from '../../terminal/keys.js';
import type { Recording } from './recording.js';

const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l\x1b[2J';
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';
const TEXT_KEYS: ReadonlyMap<string, StepKey> = new Map([
  ['j', 'down'],
  ['k', 'up'],
  ['n', 'next-drop'],
  ['N', 'prev-drop'],
  ['p', 'prev-drop'],
  ['g', 'first'],
  ['G', 'last'],
  [' ', 'page-down'],
  ['b', 'page-up'],
  ['e', 'expand'],
  ['J', 'detail-down'],
  ['K', 'detail-up'],
  ['/', 'filter'],
  ['q', 'quit'],
]);

const NAMED_KEYS: ReadonlyMap<KeyName, StepKey[]> = new Map<KeyName, StepKey[]>([
  ['down', ['down']],
  ['up', ['up']],
  ['home', ['first']],
  ['end', ['last']],
  ['enter', ['expand']],
]);

/** Run the step view on the terminal of fds 0 and 1; an error message, or null. */
export async function stepThrough(sys: Sys, rec: Recording): Promise<string | null> {
  const saved: Termios = { c_lflag: 0 };
  try {
    await sys.ioctl(0, TCGETS, saved);
  } catch (e) {
    if (isSysError(e)) return '-i needs a terminal (standard input is not one)';
    throw e;
  }
  const hosts = await hostsTable(sys);
  const resolve = (name: string) => parseIpv4(name) ?? hosts.get(name) ?? null;
  const places = await worldPlaces(sys);
  // Colour only where wanted: the cursor line in inverse video.
  const inverse = sys.getenv('NO_COLOR') === undefined && sys.getenv('TERM') !== 'dumb';
  let s: StepState = {
    journeys: rec.journeys,
    events: shownEvents(rec.journeys),
    cursor: 0,
    expanded: false,
    filter: rec.filter ?? '',
    editing: null,
    message: '',
    places: placesOf(rec.events),
    title: rec.command,
    startNs: rec.startNs,
  };
  let quit = false;
  let size = await windowSize(sys);
  await sys.sigaction(SIGINT, () => {
    quit = true;
  });
  await sys.sigaction(SIGWINCH, () => {});
  await sys.ioctl(0, TCSETS, { c_lflag: ISIG } satisfies Termios);
  await writeAll(sys, 1, ENTER_SCREEN);
  try {
    while (!quit) {
      const f = renderFrame(s, size.cols, size.rows);
      s = { ...s, detailTop: f.detailTop };
      const lines = f.lines.map((l, i) => (inverse && i === f.cursorRow ? `\x1b[7m${l.padEnd(size.cols)}\x1b[27m` : `${l}\x1b[K`));
      await writeAll(sys, 1, `\x1b[H${lines.join('\r\n')}`);
      let chunk: Uint8Array;
      try {
        chunk = await sys.read(0, 256);
      } catch (e) {
        // A signal: ^C (quit) or a resize (draw again at the new size).
        if (!isSysError(e, 'EINTR')) throw e;
        size = await windowSize(sys);
        continue;
      }
      if (chunk.length === 0) break;
      for (const k of decodeKeys(new TextDecoder().decode(chunk))) {
        if (s.editing !== null) {
          s = editFilter(s, k, rec, resolve, places);
          continue;
        }
        const keys: StepKey[] = k.kind === 'text' ? [...k.text].flatMap((c) => TEXT_KEYS.get(c) ?? []) : (NAMED_KEYS.get(k.name) ?? []);
        for (const key of keys) {
          if (key === 'quit') quit = true;
          else if (key === 'filter') s = { ...s, editing: s.filter };
          else s = stepKey(s, key, Math.max(1, size.rows - 12));
        }
      }
    }
  } finally {
    await writeAll(sys, 1, LEAVE_SCREEN);
    await sys.ioctl(0, TCSETS, saved);
  }
  return null;
}

/** A key while the filter is being typed: letters, backspace, Enter applies it, Escape gives up. */
function editFilter(s: StepState, k: ReturnType<typeof decodeKeys>[number], rec: Recording, resolve: (n: string) => number | null, places: ReadonlySet<string>): StepState {
  const text = s.editing ?? '';
  if (k.kind === 'text') return { ...s, editing: text + k.text };
  if (k.name === 'backspace') return { ...s, editing: text.slice(0, -1) };
  if (k.name === 'escape' || k.name === 'interrupt') return { ...s, editing: null };
  if (k.name !== 'enter') return s;
  try {
    const journeys = buildJourneys(rec.events, text.trim() ? compileJourneyFilter(text, resolve, places) : undefined);
    const events = shownEvents(journeys);
    // Stay on the event the cursor was on if it is still shown.
    const was = s.events[s.cursor];
    const at = was ? events.indexOf(was) : -1;
    // Nothing shown: the detail pane says so, the status line need not say it again.
    return { ...s, journeys, events, cursor: Math.max(0, at), filter: text.trim(), editing: null, message: '' };
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    return { ...s, editing: null, message: `filter: ${e.message}` };
  }
}

async function windowSize(sys: Sys): Promise<{ cols: number; rows: number }> {
  const w: { ws_col?: number; ws_row?: number } = {};
  await sys.ioctl(1, TIOCGWINSZ, w);
  return { cols: Math.max(20, w.ws_col ?? 80), rows: Math.max(10, w.ws_row ?? 24) };
}
