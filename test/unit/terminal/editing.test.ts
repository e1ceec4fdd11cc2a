import { describe, expect, it } from 'vitest';
import { complete, commonPrefix } from '../../../userland/terminal/completion.js';
import { History } from '../../../userland/terminal/history.js';
import { decodeKeys } from '../../../userland/terminal/keys.js';
import * as ed from '../../../userland/terminal/line-editor.js';
import { OutputBuffer } from '../../../userland/terminal/output.js';
import type { CompletionSource } from '../../../userland/terminal/port.js';

describe('key decoding', () => {
  it('splits a chunk into text and keys, whatever the terminal sends', () => {
    expect(decodeKeys('ab\x7fc\r')).toEqual([
      { kind: 'text', text: 'ab' },
      { kind: 'key', name: 'backspace' },
      { kind: 'text', text: 'c' },
      { kind: 'key', name: 'enter' },
    ]);
    expect(decodeKeys('\x1b[A\x1bOB\x1b[1;5C\x1bb\x1b[3~\x1b[H\x1bOF').map((k) => (k.kind === 'key' ? k.name : k.text))).toEqual([
      'up', 'down', 'word-right', 'word-left', 'delete', 'home', 'end',
    ]);
    expect(decodeKeys('line one\r\nline two\r')).toHaveLength(4);
    // An unknown escape sequence is swallowed whole, never typed.
    expect(decodeKeys('\x1b[99~x')).toEqual([{ kind: 'text', text: 'x' }]);
  });
});

describe('line editing', () => {
  it('moves by words like readline and deletes like a terminal', () => {
    let s = ed.replaceAll('route add tun/0 default');
    s = ed.wordLeft(s);
    expect(s.cursor).toBe(16);
    s = ed.wordLeft(ed.wordLeft(s));
    expect(s.text.slice(s.cursor)).toBe('tun/0 default');
    s = ed.wordRight(s);
    expect(s.text.slice(0, s.cursor)).toBe('route add tun');
    expect(ed.deleteWordBack(ed.replaceAll('a bb ccc')).text).toBe('a bb ');
    expect(ed.backspace(ed.home(ed.replaceAll('x')))).toEqual({ text: 'x', cursor: 0 });
    expect(ed.deleteForward(ed.end(ed.replaceAll('x')))).toEqual({ text: 'x', cursor: 1 });
  });
});

describe('history', () => {
  it('skips blanks and repeats, bounds itself, and restores the draft', () => {
    const saved: string[] = [];
    const h = new History(['a'], (l) => saved.push(l));
    h.add('b');
    h.add('b');
    h.add('  ');
    expect(h.all).toEqual(['a', 'b']);
    expect(saved).toEqual(['b']);
    expect(h.previous('draft')).toBe('b');
    expect(h.previous('b')).toBe('a');
    expect(h.previous('a')).toBeNull();
    expect(h.next()).toBe('b');
    expect(h.next()).toBe('draft');
    expect(h.next()).toBeNull();
    const big = new History(Array.from({ length: 1500 }, (_, i) => `c${i}`));
    expect(big.all.length).toBe(1000);
  });
});

describe('completion', () => {
  const src: CompletionSource = {
    listDir: async (p) => (p === '/boot/home/' ? ['Desktop/', 'notes.txt', '.hidden'] : p === '/dev/' ? ['misc/', 'tun/'] : null),
    cwd: async () => '/boot/home',
    commands: async () => ['ifconfig', 'ping', 'route'],
    interfaces: async () => ['loop', 'tun/0'],
    hosts: async () => ['haiku', 'vpn'],
  };
  it('knows commands, interfaces, hosts and paths by position', async () => {
    expect((await complete('pi', 2, src)).candidates).toEqual(['ping']);
    expect((await complete('echo hi; ro', 11, src)).candidates).toEqual(['route']);
    expect((await complete('ifconfig t', 10, src)).candidates).toEqual(['tun/0']);
    expect((await complete('route add ', 10, src)).candidates).toEqual(['loop', 'tun/0']);
    expect((await complete('on v', 4, src)).candidates).toEqual(['vpn']);
    expect((await complete('on vpn if', 9, src)).candidates).toEqual(['ifconfig']);
    const d = await complete('cat De', 6, src);
    expect(d.candidates).toEqual(['Desktop/']);
    expect(d.complete).toBe(false);
    expect((await complete('cat /dev/', 9, src)).candidates).toEqual(['/dev/misc/', '/dev/tun/']);
    expect((await complete('cat ', 4, src)).candidates).toEqual(['Desktop/', 'notes.txt']);
    expect(commonPrefix(['tcpdump', 'tunreply'])).toBe('t');
  });
});

describe('output buffering', () => {
  it('splits lines across chunk and UTF-8 boundaries', () => {
    const o = new OutputBuffer();
    const bytes = new TextEncoder().encode('héllo\nwor');
    expect(o.push(bytes.subarray(0, 2))).toEqual([]);
    expect(o.push(bytes.subarray(2))).toEqual(['héllo']);
    expect(o.pending).toBe('wor');
    expect(o.push(new TextEncoder().encode('ld\r\n'))).toEqual(['world']);
  });
});
