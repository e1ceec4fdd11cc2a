// The real interactive terminal, driven through tmux as a person would use it: start, look at the
// interfaces, ping until ^C shows the statistics, recall a command with the up arrow, leave with
// ^D and status 0. It runs the built command, which `npm test` builds first.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TUNLAB_COMMAND } from '../helpers/command.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const session = `tunlab-e2e-${process.pid}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-e2e-'));
const statusFile = path.join(stateDir, 'status');

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-t', session, '-p', '-S', '-200');
}

async function waitFor(what: RegExp | (() => boolean), ms = 15_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (typeof what === 'function') {
      if (what()) return '';
    } else {
      const s = screen();
      if (what.test(s)) return s;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen was:\n${typeof what === 'function' ? '' : screen()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasTmux)('the interactive terminal (tmux)', () => {
  beforeAll(() => {
    // CI=true as CI runners set it: ink would then draw only its last frame, unless tunlab stops it.
    const cmd = `CI=true TUNLAB_STATE_DIR=${stateDir} node ${TUNLAB_COMMAND}; echo $? > ${statusFile}`;
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '40', cmd);
  });
  afterAll(() => {
    spawnSync('tmux', ['-L', session, 'kill-server']);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts at a Haiku-style prompt', async () => {
    await waitFor(/haiku:~>/);
  });

  it('lists the interfaces', async () => {
    tmux('send-keys', '-t', session, 'ifconfig -a', 'Enter');
    const s = await waitFor(/\/dev\/net\/ipro1000\/0[\s\S]*Collisions[\s\S]*haiku:~>/);
    expect(s).toMatch(/loop\tHardware type: Local Loopback|loop\s+Hardware type: Local Loopback/);
  });

  it('pings until ^C, then shows the statistics', async () => {
    tmux('send-keys', '-t', session, 'ping 127.0.0.1', 'Enter');
    await waitFor(/icmp_seq=1 ttl=64/);
    tmux('send-keys', '-t', session, 'C-c');
    const s = await waitFor(/--- 127\.0\.0\.1 ping statistics ---\n\d+ packets transmitted, \d+ packets received, 0\.0% packet loss[\s\S]*haiku:~>/);
    expect(s).toContain('^C');
  });

  it('recalls the last command with the up arrow', async () => {
    tmux('send-keys', '-t', session, 'Up');
    await waitFor(/haiku:~> ping 127\.0\.0\.1\s*$/m);
    tmux('send-keys', '-t', session, 'C-u');
    await waitFor(() => /haiku:~>\s*$/.test(screen().trimEnd().split('\n').pop() ?? ''));
  });

  it('gives a foreground program the terminal at once: cat reads the line typed, ^D ends it', async () => {
    tmux('send-keys', '-t', session, 'C-l');
    tmux('send-keys', '-t', session, 'cat', 'Enter');
    await waitFor(/haiku:~> cat\n/);
    tmux('send-keys', '-t', session, 'hello tunlab', 'Enter');
    await waitFor(/hello tunlab\nhello tunlab\n/);
    tmux('send-keys', '-t', session, 'C-d');
    await waitFor(() => /haiku:~>\s*$/.test(screen().trimEnd().split('\n').pop() ?? ''));
    expect(screen()).not.toContain('Stopped');
  });

  it('stops the foreground job on ^Z and brings it back with fg', async () => {
    tmux('send-keys', '-t', session, 'C-l');
    tmux('send-keys', '-t', session, 'ping 127.0.0.1', 'Enter');
    await waitFor(/icmp_seq=1 ttl=64/);
    tmux('send-keys', '-t', session, 'C-z');
    await waitFor(/\^Z\n\[1\]\+  Stopped {17}ping 127\.0\.0\.1\nhaiku:~>/);
    tmux('send-keys', '-t', session, 'fg', 'Enter');
    await waitFor(/haiku:~> fg\nping 127\.0\.0\.1\n64 bytes from 127\.0\.0\.1: icmp_seq=\d+/);
    tmux('send-keys', '-t', session, 'C-c');
    await waitFor(/packets transmitted[\s\S]*haiku:~>\s*$/);
  });

  it('leaves on ^D at an empty prompt with status 0', async () => {
    tmux('send-keys', '-t', session, 'C-d');
    await waitFor(() => fs.existsSync(statusFile) && fs.readFileSync(statusFile, 'utf8').trim() !== '');
    expect(fs.readFileSync(statusFile, 'utf8').trim()).toBe('0');
    // The history outlives the session.
    const hist = fs.readdirSync(stateDir).filter((f) => f.startsWith('history-'));
    expect(hist.length).toBe(1);
    expect(fs.readFileSync(path.join(stateDir, hist[0]!), 'utf8')).toBe('ifconfig -a\nping 127.0.0.1\ncat\nping 127.0.0.1\nfg\n');
  });
});
