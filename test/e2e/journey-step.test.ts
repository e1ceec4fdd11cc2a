// journey -i in the real interactive terminal, driven through tmux at 80x24 in a session of its
// own: the step view takes the screen, j steps, n jumps to the drop (a ping into a tun that no
// program has open: nobody reads it), e expands the packet, / filters, q gives the prompt back.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, TUNLAB_COMMAND } from '../helpers/command.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const session = `tunlab-journey-${process.pid}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-journey-e2e-'));

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-t', session, '-p');
const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);

async function waitFor(what: RegExp, ms = 15_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = screen();
    if (what.test(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen was:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasTmux)('journey -i in the interactive terminal (tmux, 80x24)', () => {
  beforeAll(() => {
    ensureBuilt();
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', `TUNLAB_STATE_DIR=${stateDir} node ${TUNLAB_COMMAND}`);
  });
  afterAll(() => {
    spawnSync('tmux', ['-L', session, 'kill-server']);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('steps through a ping that dies in a tun nobody reads, then gives the prompt back', async () => {
    await waitFor(/haiku:~>/);
    keys('ifconfig tun/0 10.8.0.2 peer 10.8.0.1 up', 'Enter');
    keys('journey -i ping -c 1 -W 1 10.8.0.1', 'Enter');
    let s = await waitFor(/^journey: ping -c 1 -W 1 10\.8\.0\.1 +event 1\/4$/m);
    const lines = s.split('\n');
    expect(lines[1]).toBe('[haiku]');
    expect(s).toMatch(/^> [\d.]+ haiku +syscall sendto +ping\[\d+\] raw proto 1/m);
    expect(s).toMatch(/^j\/k: step {2}n\/N: drop {2}\/: filter {2}e: expand {2}J\/K: scroll {2}g\/G: ends {2}q: quit$/m);
    keys('j');
    s = await waitFor(/event 2\//);
    expect(s).toMatch(/^> [\d.]+ haiku +ip +output/m);
    keys('n');
    s = await waitFor(/^> [\d.]+ haiku +queue +DROP +\/dev\/tun\/0/m);
    expect(s).toContain('DROPPED: no reader: no fd is attached to the interface (tun/0 tx_dropped)');
    keys('e');
    s = await waitFor(/^ {2}destination {7}10\.8\.0\.1$/m);
    expect(s.split('\n')).toHaveLength(25);
    keys('/');
    await waitFor(/^filter: _?$/m);
    keys('layer syscall', 'Enter');
    s = await waitFor(/event 1\/1 *$/m);
    expect(s).toMatch(/^> [\d.]+ haiku +syscall sendto/m);
    keys('q');
    await waitFor(/1 packets transmitted, 0 packets received, 100\.0% packet loss\nhaiku:~>\s*$/);
    keys('echo still here', 'Enter');
    await waitFor(/^still here$/m);
  });

  it('refuses -i with its output redirected, before running the command', async () => {
    keys('clear', 'Enter');
    keys('journey -i ping -c 1 10.8.0.1 > /tmp/x; echo rc $?', 'Enter');
    const s = await waitFor(/^rc \d+$/m);
    expect(s).toContain('journey: -i needs a terminal (standard output is not one)\nrc 1');
    expect(s).not.toContain('PING');
  });
});
