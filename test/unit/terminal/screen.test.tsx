// The terminal's screen controls: ^L clears the screen and keeps the line being typed, and colour
// appears only when asked for (tunlab turns it off for --no-color and NO_COLOR).

import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { App } from '../../../userland/terminal/App.js';
import { CLEAR_SCREEN } from '../../../userland/terminal/output.js';
import type { CompletionSource, HistoryStore } from '../../../userland/terminal/port.js';
import { fakePort } from './fake-port.js';

const ESC = '\u001b[';
const tick = () => new Promise((r) => setTimeout(r, 20));

async function mount(color: 0 | 1) {
  const { ui, keys, events } = await mountWithPrint(color);
  return { ui, keys, events };
}

async function mountWithPrint(color: 0 | 1) {
  const { port, events, print, waiting } = fakePort();
  const none = async () => [];
  const completion: CompletionSource = { listDir: async () => null, cwd: async () => '/', commands: none, interfaces: none, hosts: none };
  const history: HistoryStore = { load: () => [], append: () => {} };
  const ui = render(<App port={port} completion={completion} history={history} color={color} />);
  await tick();
  print('haiku:~> ');
  waiting(true);
  await tick();
  const keys = async (...chunks: string[]) => {
    for (const c of chunks) {
      ui.stdin.write(c);
      await tick();
    }
  };
  return { ui, keys, events, print };
}

describe('screen controls', () => {
  it('^L clears the screen and keeps what is being typed', async () => {
    const { ui, keys } = await mount(0);
    await keys('ifcon', '\u000c');
    const written = ui.stdout.frames.join('');
    expect(written).toContain(CLEAR_SCREEN);
    expect(ui.lastFrame()).toContain('haiku:~> ifcon');
    ui.unmount();
  });

  it('clears the screen as `clear` writes its sequence, not at the next Enter', async () => {
    const { ui, print } = await mountWithPrint(0);
    const before = ui.stdout.frames.join('').split(CLEAR_SCREEN).length;
    print('\u001b[H\u001b[2J');
    await tick();
    const written = ui.stdout.frames.join('');
    expect(written.split(CLEAR_SCREEN).length).toBe(before + 1);
    print('haiku:~> ');
    await tick();
    // The sequence is consumed, not left in the prompt's line for ink to draw again and again.
    const last = ui.stdout.frames[ui.stdout.frames.length - 1]!;
    expect(last).toContain('haiku:~> ');
    expect(last).not.toContain('\u001b[2J');
    ui.unmount();
  });

  it('draws ^C dimmed with colour, and without any escape sequence when colour is off', async () => {
    const coloured = await mount(1);
    await coloured.keys('ping', '\u0003');
    expect(coloured.events).toEqual(['interrupt']);
    // The committed line goes to the scrollback: look at everything written.
    expect(coloured.ui.stdout.frames.join('')).toMatch(/\u001b\[2m\^C/);
    coloured.ui.unmount();

    const plain = await mount(0);
    await plain.keys('ping', '\u0003');
    const written = plain.ui.stdout.frames.join('');
    expect(written).toContain('ping^C');
    // The cursor's inverse video is the one escape left: it is no colour.
    expect(written.replaceAll(`${ESC}7m`, '').replaceAll(`${ESC}27m`, '').includes(ESC)).toBe(false);
    plain.ui.unmount();
  });
});
