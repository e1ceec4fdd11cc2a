// The interactive terminal: finished output lines scroll above, and the last unfinished line (the
// shell's prompt, usually) carries the line being edited. Keys are decoded from raw input here, so
// that Backspace and Delete, Home and End, and word moves all work whatever the terminal sends.

import { Chalk, type ChalkInstance } from 'chalk';
import { Box, Text, useApp, useStdin, useStdout } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import { commonPrefix, complete } from './completion.js';
import { History } from './history.js';
import { decodeKeys, type Key } from './keys.js';
import * as ed from './line-editor.js';
import { CLEAR_SCREEN, OutputBuffer } from './output.js';
import type { CompletionSource, HistoryStore, TerminalPort } from './port.js';

export interface AppProps {
  port: TerminalPort;
  completion: CompletionSource;
  history: HistoryStore;
  /** chalk's colour level for the screen (0: none); the front end decides it (bin/color.ts). */
  color: 0 | 1 | 2 | 3;
  /** Called once the session is over (the shell exited). */
  done?: Promise<unknown>;
}

/**
 * The cursor: the character under it in inverse video, written as the escape itself rather than
 * ink's `inverse`, which goes through ink's own chalk and vanishes with its colours (FORCE_COLOR=0,
 * TERM=dumb): inverse video is no colour, and a line editor without a cursor is lost.
 */
const CURSOR_ON = '\x1b[7m';
const CURSOR_OFF = '\x1b[27m';

/** "haiku:~> " (or "bob@haiku:~> ") in colour: user and host, working directory, the Haiku-style arrow. */
export function colorPrompt(text: string, c: ChalkInstance): string {
  const m = /^((?:[\w.-]+@)?[\w.-]+):(.*)([>#]) $/.exec(text);
  return m ? `${c.green(m[1])}:${c.cyan(m[2])}${c.bold(m[3])} ` : text;
}

/** bash's completion-query-items: from this many candidates on, it asks before listing them. */
const QUERY_ITEMS = 100;

const queryText = (n: number) => `Display all ${n} possibilities? (y or n)`;

/** Completion candidates as readline lists them: in columns, down then across, sorted. */
export function listing(names: readonly string[], width: number): string {
  const col = names.reduce((m, n) => Math.max(m, n.length), 0) + 2;
  const perLine = Math.max(1, Math.floor((width + 2) / col));
  const lines = Math.ceil(names.length / perLine);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const row: string[] = [];
    for (let j = i; j < names.length; j += lines) row.push(names[j]!);
    out.push(row.map((n, x) => (x === row.length - 1 ? n : n.padEnd(col))).join(''));
  }
  return out.join('\n') + '\n';
}

export function App({ port, completion, history: store, color, done }: AppProps) {
  const { exit } = useApp();
  const { write, stdout } = useStdout();
  const { internal_eventEmitter: events, setRawMode, isRawModeSupported } = useStdin();
  const c = useMemo(() => new Chalk({ level: color }), [color]);
  const history = useMemo(() => new History(store.load(), (l) => store.append(l)), [store]);
  const output = useMemo(() => new OutputBuffer(), []);
  const [pending, setPending] = useState('');
  const [line, setLine] = useState<ed.LineState>(ed.EMPTY_LINE);
  const [waiting, setWaiting] = useState(false);
  // Candidates past bash's completion-query-items, waiting for "Display all N possibilities?".
  const [query, setQueryState] = useState<string[] | null>(null);
  const queryRef = useRef<string[] | null>(null);
  const setQuery = (q: string[] | null) => {
    queryRef.current = q;
    setQueryState(q);
  };
  const waitingRef = useRef(false);
  waitingRef.current = waiting;
  const lineRef = useRef(line);
  lineRef.current = line;
  const lastTab = useRef(false);
  // A full-screen program (the terminal out of canonical mode) owns the screen and the keys.
  const [raw, setRaw] = useState(false);
  const rawRef = useRef(false);
  const rawDecoder = useMemo(() => new TextDecoder(), []);

  // Output from programs: whole lines go above, the rest waits in `pending`; in raw mode, all of
  // it goes to the screen as written.
  useEffect(() => {
    port.onOutput((data) => {
      if (rawRef.current) {
        stdout.write(rawDecoder.decode(data, { stream: true }));
        return;
      }
      const lines = output.push(data);
      // `clear`: the screen goes now, as ^L clears it, then whatever followed the sequence.
      if (output.takeClear()) stdout.write(CLEAR_SCREEN);
      if (lines.length) write(lines.map((l) => l + '\n').join(''));
      setPending(output.pending);
    });
    port.onReadStateChange(setWaiting);
    port.onShellLine((l) => history.add(l));
    port.onModeChange((canonical) => {
      if (!canonical && !rawRef.current) {
        // What was written before the program took the screen stays above it.
        const before = output.takePending();
        if (before) write(before + '\n');
        setPending('');
      }
      rawRef.current = !canonical;
      setRaw(!canonical);
    });
  }, [port, output, write, history, stdout, rawDecoder]);

  useEffect(() => {
    const resize = () => port.resize({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
    resize();
    stdout.on('resize', resize);
    return () => void stdout.off('resize', resize);
  }, [port, stdout]);

  // When the shell is gone, render nothing before leaving: ink leaves its last frame on the
  // screen, and a prompt there would invite typing into a terminal that has ended.
  const [finished, setFinished] = useState(false);
  useEffect(() => {
    done?.then(() => setFinished(true));
  }, [done]);
  useEffect(() => {
    if (finished) exit();
  }, [finished, exit]);

  useEffect(() => {
    if (!isRawModeSupported) return;
    setRawMode(true);
    const onInput = (chunk: string | Buffer) => {
      if (rawRef.current) return port.type(String(chunk));
      for (const k of decodeKeys(String(chunk))) void handle(k);
    };
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
      setRawMode(false);
    };
    // handle reads refs, so it can stay out of the dependencies
  }, [events, setRawMode, isRawModeSupported, port]);

  function commit(suffix: string) {
    const shown = output.takePending() + lineRef.current.text + suffix;
    write(shown + '\n');
    setPending('');
  }

  async function handle(k: Key): Promise<void> {
    const s = lineRef.current;
    const set = (n: ed.LineState) => {
      lineRef.current = n;
      setLine(n);
    };
    const asked = queryRef.current;
    if (asked) {
      // readline's answer: y, Y or space lists them, n, N, Backspace or ^C does not, others wait.
      const yes = k.kind === 'text' && /^[yY ]/.test(k.text);
      const no = (k.kind === 'text' && /^[nN]/.test(k.text)) || (k.kind === 'key' && (k.name === 'backspace' || k.name === 'interrupt'));
      if (!yes && !no) return;
      setQuery(null);
      write(`${queryText(asked.length)}\n${yes ? listing(asked, stdout.columns || 80) : ''}`);
      return;
    }
    const isTab = k.kind === 'key' && k.name === 'tab';
    if (!isTab) lastTab.current = false;
    if (k.kind === 'text') return set(ed.insert(s, k.text));
    switch (k.name) {
      case 'enter':
        commit('');
        history.reset();
        set(ed.EMPTY_LINE);
        port.type(s.text + '\n');
        return;
      case 'interrupt':
      case 'suspend':
        // What was typed is dropped, shown as ^C or ^Z; the foreground job gets SIGINT or SIGTSTP.
        commit(c.dim(k.name === 'interrupt' ? '^C' : '^Z'));
        history.reset();
        set(ed.EMPTY_LINE);
        if (k.name === 'interrupt') port.interrupt();
        else port.suspend();
        return;
      case 'eof':
        // As on a real terminal ^D echoes nothing: the shell's "exit" lands after its prompt.
        if (s.text === '') port.endOfFile();
        else set(ed.deleteForward(s));
        return;
      case 'clear':
        stdout.write(CLEAR_SCREEN);
        set({ ...s });
        return;
      case 'backspace':
        return set(ed.backspace(s));
      case 'delete':
        return set(ed.deleteForward(s));
      case 'left':
        return set(ed.left(s));
      case 'right':
        return set(ed.right(s));
      case 'home':
        return set(ed.home(s));
      case 'end':
        return set(ed.end(s));
      case 'word-left':
        return set(ed.wordLeft(s));
      case 'word-right':
        return set(ed.wordRight(s));
      case 'kill-start':
        return set(ed.killToStart(s));
      case 'kill-end':
        return set(ed.killToEnd(s));
      case 'delete-word':
        return set(ed.deleteWordBack(s));
      case 'up': {
        const prev = history.previous(s.text);
        if (prev !== null) set(ed.replaceAll(prev));
        return;
      }
      case 'down': {
        const next = history.next();
        if (next !== null) set(ed.replaceAll(next));
        return;
      }
      case 'tab': {
        const r = await complete(s.text, s.cursor, completion);
        const cur = lineRef.current;
        if (cur !== s) return;
        if (r.candidates.length === 1) {
          const word = r.candidates[0]! + (r.complete ? ' ' : '');
          set({ text: s.text.slice(0, r.start) + word + s.text.slice(r.end), cursor: r.start + word.length });
        } else if (r.candidates.length > 1) {
          const prefix = commonPrefix(r.candidates);
          if (prefix.length > r.end - r.start) {
            set({ text: s.text.slice(0, r.start) + prefix + s.text.slice(r.end), cursor: r.start + prefix.length });
          } else if (lastTab.current) {
            // As bash: the line stays above the list, and the prompt comes again below it.
            write(`${waitingRef.current ? colorPrompt(output.pending, c) : output.pending}${s.text}\n`);
            if (r.candidates.length >= QUERY_ITEMS) setQuery(r.candidates);
            else write(listing(r.candidates, stdout.columns || 80));
          }
        }
        lastTab.current = true;
        return;
      }
      case 'escape':
        return;
    }
  }

  // A line longer than the screen is shown as the window around the cursor, '<' marking the
  // part scrolled off to the left (the prompt with it). ink's own area must stay shorter than the
  // screen: at its height ink clears the terminal and redraws all it ever wrote, for every key.
  const room = Math.max(8, ((stdout.rows || 24) - 1) * (stdout.columns || 80) - pending.length - 1);
  const win = ed.visibleWindow(line, room);
  const before = (win.start > 0 ? '<' : '') + line.text.slice(win.start + (win.start > 0 ? 1 : 0), line.cursor);
  const at = line.text[line.cursor] ?? ' ';
  const after = line.text.slice(line.cursor + 1, win.end);
  const shownPending = win.start > 0 ? '' : waiting ? colorPrompt(pending, c) : pending;
  if (finished || raw) return null;
  if (query) return <Text>{queryText(query.length)}</Text>;
  return (
    <Box flexDirection="column">
      <Text>
        {shownPending}
        {before}
        {CURSOR_ON + at + CURSOR_OFF}
        {after}
      </Text>
    </Box>
  );
}
