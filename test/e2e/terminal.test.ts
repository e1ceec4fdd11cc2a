// The real interactive terminal, driven through tmux as a person would use it: start, look at the
// interfaces, ping until ^C shows the statistics, recall a command with the up arrow, leave with
// ^D and status 0. It runs the built command, which `npm test` builds first. Each test has a tmux
// (and a tunlab) of its own, so that a wait can only match what that test's own typing printed.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TUNLAB_COMMAND } from '../helpers/command.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * One tunlab in a tmux of its own (its own server, socket and state directory), so that no test
 * can see another's screen: each test starts at a fresh prompt.
 */
class Terminal {
  private static count = 0;
  readonly name = `tunlab-e2e-${process.pid}-${++Terminal.count}`;
  readonly stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-e2e-'));
  readonly statusFile = path.join(this.stateDir, 'status');

  constructor() {
    // CI=true as CI runners set it: ink would then draw only its last frame, unless tunlab stops it.
    const cmd = `CI=true TUNLAB_STATE_DIR=${this.stateDir} node ${TUNLAB_COMMAND}; echo $? > ${this.statusFile}`;
    this.tmux('new-session', '-d', '-s', this.name, '-x', '100', '-y', '40', cmd);
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.name, ...args], { encoding: 'utf8' });
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  screen(): string {
    return this.tmux('capture-pane', '-t', this.name, '-p', '-S', '-200');
  }

  /** The last line on the screen is an empty prompt. */
  atPrompt(): boolean {
    return /haiku:~>\s*$/.test(this.screen().trimEnd().split('\n').pop() ?? '');
  }

  async waitFor(what: RegExp | (() => boolean), ms = 15_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (typeof what === 'function') {
        if (what()) return '';
      } else {
        const s = this.screen();
        if (what.test(s)) return s;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen was:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  close(): void {
    spawnSync('tmux', ['-L', this.name, 'kill-server']);
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasTmux)('the interactive terminal (tmux)', () => {
  const open: Terminal[] = [];
  afterEach(() => {
    for (const t of open.splice(0)) t.close();
  });
  /** A fresh tunlab at its first prompt. */
  async function terminal(): Promise<Terminal> {
    const t = new Terminal();
    open.push(t);
    await t.waitFor(/haiku:~>/);
    return t;
  }

  it('starts at a Haiku-style prompt', async () => {
    await terminal();
  });

  it('lists the interfaces', async () => {
    const t = await terminal();
    t.keys('ifconfig -a', 'Enter');
    const s = await t.waitFor(/\/dev\/net\/ipro1000\/0[\s\S]*Collisions[\s\S]*haiku:~>/);
    expect(s).toMatch(/loop\tHardware type: Local Loopback|loop\s+Hardware type: Local Loopback/);
  });

  it('pings until ^C, then shows the statistics', async () => {
    const t = await terminal();
    t.keys('ping 127.0.0.1', 'Enter');
    await t.waitFor(/icmp_seq=1 ttl=64/);
    t.keys('C-c');
    const s = await t.waitFor(/--- 127\.0\.0\.1 ping statistics ---\n\d+ packets transmitted, \d+ packets received, 0\.0% packet loss[\s\S]*haiku:~>/);
    expect(s).toContain('^C');
  });

  it('recalls the last command with the up arrow', async () => {
    const t = await terminal();
    t.keys('echo recalled', 'Enter');
    await t.waitFor(/^recalled$/m);
    t.keys('Up');
    await t.waitFor(/haiku:~> echo recalled\s*$/);
    t.keys('C-u');
    await t.waitFor(() => t.atPrompt());
  });

  it('gives a foreground program the terminal at once: cat reads the line typed, ^D ends it', async () => {
    const t = await terminal();
    t.keys('cat', 'Enter');
    await t.waitFor(/haiku:~> cat\n/);
    t.keys('hello tunlab', 'Enter');
    await t.waitFor(/hello tunlab\nhello tunlab\n/);
    t.keys('C-d');
    await t.waitFor(() => t.atPrompt());
    expect(t.screen()).not.toContain('Stopped');
  });

  it('stops the foreground job on ^Z and brings it back with fg', async () => {
    const t = await terminal();
    t.keys('ping 127.0.0.1', 'Enter');
    await t.waitFor(/icmp_seq=1 ttl=64/);
    t.keys('C-z');
    await t.waitFor(/\^Z\n\[1\]\+  Stopped {17}ping 127\.0\.0\.1\nhaiku:~>/);
    t.keys('fg', 'Enter');
    await t.waitFor(/haiku:~> fg\nping 127\.0\.0\.1\n64 bytes from 127\.0\.0\.1: icmp_seq=\d+/);
    t.keys('C-c');
    await t.waitFor(/packets transmitted[\s\S]*haiku:~>\s*$/);
  });

  it('leaves on ^D at an empty prompt with status 0, the history kept', async () => {
    const t = await terminal();
    t.keys('ifconfig -a', 'Enter');
    await t.waitFor(/Collisions[\s\S]*haiku:~>\s*$/);
    t.keys('true', 'Enter');
    await t.waitFor(/haiku:~> true\nhaiku:~>/);
    t.keys('C-d');
    await t.waitFor(() => fs.existsSync(t.statusFile) && fs.readFileSync(t.statusFile, 'utf8').trim() !== '');
    expect(fs.readFileSync(t.statusFile, 'utf8').trim()).toBe('0');
    // The history outlives the session.
    const hist = fs.readdirSync(t.stateDir).filter((f) => f.startsWith('history-'));
    expect(hist.length).toBe(1);
    expect(fs.readFileSync(path.join(t.stateDir, hist[0]!), 'utf8')).toBe('ifconfig -a\ntrue\n');
  });
});
