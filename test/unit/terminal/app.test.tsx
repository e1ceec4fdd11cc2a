// The ink terminal with a fake terminal port: typing, editing, history, completion, ^C and ^D.

import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { App } from '../../../userland/terminal/App.js';
import type { CompletionSource, HistoryStore } from '../../../userland/terminal/port.js';
import { fakePort } from './fake-port.js';

const completion: CompletionSource = {
  listDir: async (p) => (p.endsWith('/dev/') || p === '/dev/' ? ['misc/', 'null', 'tun/'] : ['notes.txt']),
  cwd: async () => '/boot/home',
  commands: async () => ['ifconfig', 'ping', 'route', 'tcpdump', 'tunreply'],
  interfaces: async () => ['loop', 'tun/0', '/dev/net/ipro1000/0'],
  hosts: async () => ['haiku', 'vpn'],
};

function memoryHistory(initial: string[] = []): HistoryStore & { saved: string[] } {
  const saved: string[] = [];
  return { saved, load: () => [...initial], append: (l) => void saved.push(l) };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

async function setup(history = memoryHistory()) {
  const f = fakePort();
  const ui = render(<App port={f.port} completion={completion} history={history} color={0} />);
  await tick();
  f.print('haiku:~> ');
  f.waiting(true);
  await tick();
  return { ...f, ui, history };
}

async function keys(ui: ReturnType<typeof render>, ...chunks: string[]) {
  for (const c of chunks) {
    ui.stdin.write(c);
    await tick();
  }
}

describe('the terminal front end', () => {
  it('gives the screen and every key to a program that turns canonical mode off, and takes them back after', async () => {
    const t = await setup();
    await keys(t.ui, 'journey -i ping', '\r');
    t.canonical(false);
    await tick();
    // The program owns the screen: no input line, its output as written, escapes and all.
    expect(t.ui.lastFrame()).toBe('');
    t.print('\x1b[?1049h\x1b[Hstep view');
    await tick();
    expect(t.ui.stdout.frames.join('')).toContain('\x1b[?1049h\x1b[Hstep view');
    await keys(t.ui, 'j', '\x1b[B', '\r');
    expect(t.typed).toEqual(['journey -i ping\n', 'j', '\x1b[B', '\r']);
    t.canonical(true);
    t.print('haiku:~> ');
    await tick();
    await keys(t.ui, 'ls');
    expect(t.ui.lastFrame()).toContain('haiku:~> ls');
    t.ui.unmount();
  });

  it('shows the prompt and what is typed, and hands a whole line over on Enter', async () => {
    const t = await setup();
    await keys(t.ui, 'ifconfig -a');
    expect(t.ui.lastFrame()).toContain('haiku:~> ifconfig -a');
    await keys(t.ui, '\r');
    expect(t.typed).toEqual(['ifconfig -a\n']);
    expect(t.history.saved).toEqual(['ifconfig -a']);
    t.ui.unmount();
  });

  it('edits: backspace, delete, arrows, home/end, word moves, ^U ^K ^W', async () => {
    const t = await setup();
    await keys(t.ui, 'ping 10.0.0.1', '\x7f', '2'); // backspace then 2
    await keys(t.ui, '\x1b[H', '\x1b[3~', 'k'); // home, delete, insert
    await keys(t.ui, '\x1b[F', ' -c 3'); // end
    await keys(t.ui, '\r');
    expect(t.typed.pop()).toBe('king 10.0.0.2 -c 3\n');
    await keys(t.ui, 'route add x', '\x1b[1;5D', '\x1b[1;5D', '\x0b', '\r'); // two words left, kill to end
    expect(t.typed.pop()).toBe('route \n');
    await keys(t.ui, 'a b c', '\x17', '\r'); // ^W
    expect(t.typed.pop()).toBe('a b \n');
    await keys(t.ui, 'junk', '\x15', 'ok', '\r'); // ^U
    expect(t.typed.pop()).toBe('ok\n');
    t.ui.unmount();
  });

  it('recalls history with up and down, keeping the line being typed', async () => {
    const t = await setup(memoryHistory(['ifconfig -a', 'ping -c 1 192.168.1.1']));
    await keys(t.ui, 'dra');
    await keys(t.ui, '\x1b[A');
    expect(t.ui.lastFrame()).toContain('haiku:~> ping -c 1 192.168.1.1');
    await keys(t.ui, '\x1b[A');
    expect(t.ui.lastFrame()).toContain('haiku:~> ifconfig -a');
    await keys(t.ui, '\x1b[B', '\x1b[B');
    expect(t.ui.lastFrame()).toContain('haiku:~> dra');
    t.ui.unmount();
  });

  it('completes commands, interface names and paths with Tab', async () => {
    const t = await setup();
    await keys(t.ui, 'ifc', '\t', 't', '\t', '\r');
    expect(t.typed.pop()).toBe('ifconfig tun/0 \n');
    await keys(t.ui, 'cat /dev/t', '\t', '\r');
    expect(t.typed.pop()).toBe('cat /dev/tun/\n');
    // Two candidates: the first Tab does nothing more, the second lists them in readline's
    // columns, under the line as it was; the line is still being edited below.
    await keys(t.ui, '\x15', 't', '\t');
    expect(t.ui.frames.join('')).not.toContain('tcpdump   tunreply');
    await keys(t.ui, '\t');
    expect(t.ui.frames.join('')).toContain('t\ntcpdump   tunreply\n');
    await keys(t.ui, 'c', '\t', '\r');
    expect(t.typed.pop()).toBe('tcpdump \n');
    t.ui.unmount();
  });

  it('sends ^C as an interrupt, ^Z as a suspend and ^D on an empty line as end-of-file', async () => {
    const t = await setup();
    await keys(t.ui, 'sleep 100', '\x03');
    expect(t.events).toEqual(['interrupt']);
    expect(t.ui.lastFrame()).not.toContain('sleep 100');
    await keys(t.ui, 'half a line', '\x1a');
    expect(t.events).toEqual(['interrupt', 'suspend']);
    expect(t.ui.lastFrame()).not.toContain('half a line');
    await keys(t.ui, '\x04');
    expect(t.events).toEqual(['interrupt', 'suspend', 'eof']);
    t.ui.unmount();
  });

  it('streams output line by line above the input line', async () => {
    const t = await setup();
    t.waiting(false);
    t.print('64 bytes from 127.0.0.1: icmp_seq=0\n64 bytes from 127.0.0.1: icmp_seq=1\npartial');
    await tick();
    expect(t.ui.frames.join('')).toContain('icmp_seq=1');
    expect(t.ui.lastFrame()).toContain('partial');
    t.ui.unmount();
  });
});
