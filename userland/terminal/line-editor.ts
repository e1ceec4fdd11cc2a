// The editable input line: text and cursor, and the editing operations a shell user expects from
// readline (characters, deletion, word moves, kill to start/end, history recall, completion).

export interface LineState {
  readonly text: string;
  /** 0..text.length, a code-unit index. */
  readonly cursor: number;
}

export const EMPTY_LINE: LineState = { text: '', cursor: 0 };

const isWordChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

/**
 * The window of a line that a screen with `room` cells shows: all of it when it fits (the cursor
 * may sit one past the end), else `room` positions around the cursor, the rest scrolled off as
 * readline's horizontal scrolling does. A 100 000-character paste then costs a screen per chunk
 * to draw, not the whole line each time.
 */
export function visibleWindow(s: LineState, room: number): { start: number; end: number } {
  const positions = s.text.length + 1;
  if (positions <= room) return { start: 0, end: positions };
  const start = Math.max(0, Math.min(s.cursor - Math.floor((room * 3) / 4), positions - room));
  return { start, end: start + room };
}

export function insert(s: LineState, chars: string): LineState {
  return { text: s.text.slice(0, s.cursor) + chars + s.text.slice(s.cursor), cursor: s.cursor + chars.length };
}

export function backspace(s: LineState): LineState {
  if (s.cursor === 0) return s;
  return { text: s.text.slice(0, s.cursor - 1) + s.text.slice(s.cursor), cursor: s.cursor - 1 };
}

export function deleteForward(s: LineState): LineState {
  if (s.cursor >= s.text.length) return s;
  return { text: s.text.slice(0, s.cursor) + s.text.slice(s.cursor + 1), cursor: s.cursor };
}

export function left(s: LineState): LineState {
  return { ...s, cursor: Math.max(0, s.cursor - 1) };
}

export function right(s: LineState): LineState {
  return { ...s, cursor: Math.min(s.text.length, s.cursor + 1) };
}

export function home(s: LineState): LineState {
  return { ...s, cursor: 0 };
}

export function end(s: LineState): LineState {
  return { ...s, cursor: s.text.length };
}

/** The start of the word before the cursor (readline's backward-word). */
function wordStartBefore(text: string, pos: number): number {
  let i = pos;
  while (i > 0 && !isWordChar(text[i - 1])) i--;
  while (i > 0 && isWordChar(text[i - 1])) i--;
  return i;
}

/** The end of the word after the cursor (readline's forward-word). */
function wordEndAfter(text: string, pos: number): number {
  let i = pos;
  while (i < text.length && !isWordChar(text[i])) i++;
  while (i < text.length && isWordChar(text[i])) i++;
  return i;
}

export function wordLeft(s: LineState): LineState {
  return { ...s, cursor: wordStartBefore(s.text, s.cursor) };
}

export function wordRight(s: LineState): LineState {
  return { ...s, cursor: wordEndAfter(s.text, s.cursor) };
}

/** ^W: delete the whitespace-separated word before the cursor, as a Unix terminal does. */
export function deleteWordBack(s: LineState): LineState {
  let i = s.cursor;
  while (i > 0 && s.text[i - 1] === ' ') i--;
  while (i > 0 && s.text[i - 1] !== ' ') i--;
  return { text: s.text.slice(0, i) + s.text.slice(s.cursor), cursor: i };
}

/** ^U */
export function killToStart(s: LineState): LineState {
  return { text: s.text.slice(s.cursor), cursor: 0 };
}

/** ^K */
export function killToEnd(s: LineState): LineState {
  return { text: s.text.slice(0, s.cursor), cursor: s.cursor };
}

export function replaceAll(text: string): LineState {
  return { text, cursor: text.length };
}
