// What is bigger than the screen (12.20): a line longer than the screen, a paste taller than it,
// and Tab over thousands of names. ink redraws its own area for every key, and once that area is
// as tall as the screen it clears the terminal and rewrites all it ever wrote each time: output
// scrolled away was lost, and a 100 000-character paste took minutes. The line is shown as the
// window around the cursor instead, and completions are listed above as bash lists them.

// ink reads CI and CONTINUOUS_INTEGRATION once, as it loads, and then draws only its last frame:
// on a CI machine these tests would see nothing while keys are typed. tunlab clears both before it
// loads ink on a real terminal (bin/tunlab.ts), and so does this file, before its imports run.
vi.hoisted(() => {
  delete process.env['CI'];
  delete process.env['CONTINUOUS_INTEGRATION'];
});

import { EventEmitter } from 'node:events';
import { render } from 'ink';
import { describe, expect, it, vi } from 'vitest';
import { App, listing } from '../../../userland/terminal/App.js';
import type { CompletionSource } from '../../../userland/terminal/port.js';
import { fakePort } from './fake-port.js';

/** A real terminal's shape: a TTY of 40 columns and 10 rows, everything written kept. */
class Screen extends EventEmitter {
  readonly isTTY = true;
  readonly columns = 40;
  readonly rows = 10;
  written = '';
  write = (s: string) => {
    this.written += s;
    return true;
  };
}

class Keyboard extends EventEmitter {
  readonly isTTY = true;
  private queue: string[] = [];
  setEncoding() {}
  setRawMode() {}
  ref() {}
  unref() {}
  read = () => this.queue.shift() ?? null;
  type(s: string) {
    this.queue.push(s);
    this.emit('readable');
  }
}

const tick = () => new Promise((r) => setTimeout(r, 10));
const CLEAR_TERMINAL = '\u001b[2J';

/** Until ink has drawn what a test waits for (it throttles its frames), for a few seconds at most. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await tick();
}

async function terminal(names: string[] = []) {
  const f = fakePort();
  const screen = new Screen();
  const keyboard = new Keyboard();
  const completion: CompletionSource = { listDir: async () => names, cwd: async () => '/', commands: async () => names, interfaces: async () => [], hosts: async () => [] };
  const ui = render(<App port={f.port} completion={completion} history={{ load: () => [], append: () => {} }} color={0} />, {
    stdout: screen as unknown as NodeJS.WriteStream,
    stdin: keyboard as unknown as NodeJS.ReadStream,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  await tick();
  f.print('haiku:~> ');
  f.waiting(true);
  await tick();
  const keys = async (...chunks: string[]) => {
    for (const c of chunks) {
      keyboard.type(c);
      await tick();
    }
  };
  return { ...f, screen, keys, ui };
}

describe('input bigger than the screen', () => {
  it('a line longer than the screen: a window around the cursor, nothing cleared, the whole line typed', async () => {
    const t = await terminal();
    t.print('first output line\n');
    await tick();
    const before = t.screen.written.length;
    for (let i = 0; i < 20; i++) await t.keys('x'.repeat(99) + String(i % 10));
    expect(t.screen.written).not.toContain(CLEAR_TERMINAL);
    // Each redraw is a screen at most, not the 2000 characters of the line.
    expect(t.screen.written.length - before).toBeLessThan(20 * 10 * 40 * 2);
    await until(() => t.screen.written.slice(-800).includes('<'));
    expect(t.screen.written.slice(-800)).toContain('<');
    await t.keys('\r');
    await until(() => t.typed.length > 0);
    expect(t.typed).toEqual([`${Array.from({ length: 20 }, (_, i) => 'x'.repeat(99) + String(i % 10)).join('')}\n`]);
    expect(t.screen.written).not.toContain(CLEAR_TERMINAL);
    t.ui.unmount();
  });

  it('Tab over more than 100 names asks first, as bash; n keeps the line, y lists them in columns', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `name${String(i).padStart(3, '0')}`);
    const t = await terminal(names);
    await t.keys('na', '\t', '\t');
    // The line stays above, the question below it.
    await until(() => t.screen.written.includes('Display all'));
    expect(t.screen.written).toContain('haiku:~> name\n');
    expect(t.screen.written).toContain('Display all 150 possibilities? (y or n)');
    await t.keys('q');
    expect(t.screen.written).not.toContain('name149');
    await t.keys('n');
    expect(t.screen.written).not.toContain('name149');
    await t.keys('\t', '\t', 'y');
    await until(() => t.screen.written.includes('name149'));
    expect(t.screen.written).toContain(listing(names, 40));
    expect(t.screen.written).not.toContain(CLEAR_TERMINAL);
    await t.keys('1', '\r');
    await until(() => t.typed.length > 0);
    expect(t.typed).toEqual(['name1\n']);
    t.ui.unmount();
  });

  it('lists candidates down then across, as readline', () => {
    expect(listing(['a', 'bb', 'c', 'dd', 'e'], 10)).toBe('a   c   e\nbb  dd\n');
    expect(listing(['one', 'two'], 80)).toBe('one  two\n');
  });
});
