// tunlab's WireGuard and a real wireguard-go 0.0.20220316 (with a real Linux tun) peered over the
// uplink, inside a network namespace this test creates (reference §8 and vectors/wireguard: the
// real side's tun lives in the namespace, so a Linux ping to tunlab's tunnel address can only go
// through both peers). The real side is configured with the real `wg`, tunlab's with its wg-quick;
// tunlab's wg0 listens on 51820, which --forward makes the real 127.0.0.1:FWD.
//   - each side initiates a handshake in turn, and pings cross both ways (a real Linux ping, and
//     tunlab's ping answered by the Linux kernel);
//   - the real peer changes its port (wg set listen-port), and tunlab follows it (roaming);
//   - (slow, real time) after REKEY_AFTER_TIME the initiator makes a new session while pings go on.
// It needs root, `ip netns`, wireguard-go and wg; without them it is skipped, saying why, unless
// TUNLAB_REQUIRE_INTEROP=1 (.ci/run), when it fails instead.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { TUNLAB_COMMAND } from '../helpers/command.js';
import { cleanup, launch, makeNetns, missingTools, runTool, Scratch, skipUnlessAble, waitFile } from './helpers.js';

const NS = `tunlab-wg-${process.pid}-${randomBytes(2).toString('hex')}`;
const IFACE_BASE = `wgr${process.pid % 100000}`;
/** A fresh interface name per test: the last one's real tun may still be going away. */
let IFACE = IFACE_BASE;
let tests = 0;
const KEYS = path.join(PACKAGE_ROOT, 'fixtures', 'worlds', 'keys');
const REAL_KEY = path.join(KEYS, 'wg-vpn.key');
const REAL_PUB = fs.readFileSync(path.join(KEYS, 'wg-vpn.pub'), 'utf8').trim();
const TUNLAB_KEY = fs.readFileSync(path.join(KEYS, 'wg-haiku.key'), 'utf8').trim();
const TUNLAB_PUB = fs.readFileSync(path.join(KEYS, 'wg-haiku.pub'), 'utf8').trim();
const REAL_IP = '10.7.0.1';
const TUNLAB_IP = '10.7.0.2';
// The namespace is fresh: fixed ports cannot clash.
const REAL_PORT = 51830;
const FWD_PORT = 51831;
const ROAMED_PORT = 51832;

let skipReason: string | null = null;
let created = false;

beforeAll(() => {
  skipReason =
    missingTools({ command: 'wireguard-go', pkg: 'wireguard-go' }, { command: 'wg', pkg: 'wireguard-tools' }, { command: 'ping', pkg: 'iputils-ping' }) ?? makeNetns(NS);
  created = skipReason === null;
});

beforeEach(() => {
  IFACE = `${IFACE_BASE}${tests++}`;
});

afterEach(cleanup);

afterAll(async () => {
  await cleanup();
  if (created) {
    const del = runTool(['ip', 'netns', 'del', NS]);
    if (del.status !== 0) throw new Error(`ip netns del ${NS}: ${del.out}`);
  }
});

const ns = (...argv: string[]) => {
  const r = runTool(['ip', 'netns', 'exec', NS, ...argv]);
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.out}`);
  return r.out;
};

/** A real wireguard-go in the namespace, its tun 10.7.0.1 peer 10.7.0.2, tunlab's haiku its peer. */
async function realPeer(opts: { endpoint: boolean; seconds?: number }) {
  const real = launch('real wireguard-go', ['env', 'LOG_LEVEL=debug', 'wireguard-go', '-f', IFACE], { netns: NS, seconds: opts.seconds });
  await real.waitFor('UAPI listener started');
  ns('wg', 'set', IFACE, 'listen-port', String(REAL_PORT), 'private-key', REAL_KEY, 'peer', TUNLAB_PUB, 'allowed-ips', `${TUNLAB_IP}/32`, ...(opts.endpoint ? ['endpoint', `127.0.0.1:${FWD_PORT}`] : []));
  ns('ip', 'addr', 'add', REAL_IP, 'peer', TUNLAB_IP, 'dev', IFACE);
  ns('ip', 'link', 'set', IFACE, 'up');
  return real;
}

/** tunlab in real time on haiku, wg0 from a file in the share, its steps gated by files there. */
function tunlab(share: Scratch, steps: string, seconds?: number) {
  fs.writeFileSync(
    share.path('wg0.conf'),
    `[Interface]\nAddress = ${TUNLAB_IP}/24\nListenPort = 51820\nPrivateKey = ${TUNLAB_KEY}\n\n[Peer]\nPublicKey = ${REAL_PUB}\nEndpoint = 10.0.2.2:${REAL_PORT}\nAllowedIPs = ${REAL_IP}/32\n`,
    { mode: 0o600 },
  );
  const script = `export WG_COLOR_MODE=never; LOG_LEVEL=debug wg-quick up /host/wg0.conf 2>&1; ${steps}; ${waitFile('stop')}; wg-quick down /host/wg0.conf`;
  return launch('tunlab', [process.execPath, TUNLAB_COMMAND, '--clock', 'real', '--no-color', '--host', 'haiku', '--forward', `udp:${FWD_PORT}:haiku:51820`, '--share', share.dir, '-c', script], { netns: NS, seconds });
}

const linuxPing = (count: number) => launch('linux ping', ['ping', '-n', '-c', String(count), '-i', '0.5', '-W', '5', TUNLAB_IP], { netns: NS });

describe('tunlab WireGuard <-> real wireguard-go in a network namespace', () => {
  it('tunlab initiates; tunlab pings the Linux side, and Linux pings tunlab', async (ctx) => {
    skipUnlessAble(ctx, skipReason, 'WireGuard interop');
    const share = new Scratch();
    const real = await realPeer({ endpoint: false });
    const tl = tunlab(share, `ping -c 3 -i 0.5 ${REAL_IP}; ${waitFile('show')}; wg show wg0 dump`);
    await tl.waitFor('packets received');
    expect(tl.output).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    // The real side answered an initiation: tunlab initiated.
    expect(real.count('Received handshake initiation')).toBe(1);
    expect(real.count('Sending handshake initiation')).toBe(0);
    const ping = linuxPing(3);
    expect(await ping.exit(), ping.output).toBe(0);
    expect(ping.output).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
    const dump = ns('wg', 'show', IFACE, 'dump').split('\n')[1]!.split('\t');
    expect(dump[0]).toBe(TUNLAB_PUB);
    expect(dump[2]).toBe(`127.0.0.1:${FWD_PORT}`);
    share.touch('show');
    await tl.waitFor(`${REAL_PUB}\t(none)\t10.0.2.2:${REAL_PORT}\t${REAL_IP}/32\t`);
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 60_000);

  it('the real side initiates (a Linux ping first), and tunlab follows the real peer to a new port', async (ctx) => {
    skipUnlessAble(ctx, skipReason, 'WireGuard interop');
    const share = new Scratch();
    const real = await realPeer({ endpoint: true });
    const tl = tunlab(share, `${waitFile('roamed')}; ping -c 2 -i 0.5 ${REAL_IP}; wg show wg0 endpoints`);
    await tl.waitFor('[#] ip link set mtu 1420 up dev wg0');
    const ping = linuxPing(2);
    expect(await ping.exit(), ping.output).toBe(0);
    expect(real.count('Sending handshake initiation'), real.output + tl.output).toBeGreaterThanOrEqual(1);
    expect(real.count('Received handshake response')).toBe(1);
    // The real peer moves to another port; its next packet (a keepalive) tells tunlab.
    ns('wg', 'set', IFACE, 'listen-port', String(ROAMED_PORT), 'peer', TUNLAB_PUB, 'persistent-keepalive', '1');
    await real.waitFor('Sending keepalive packet');
    share.touch('roamed');
    await tl.waitFor('packets received');
    expect(tl.output).toContain('2 packets transmitted, 2 packets received, 0.0% packet loss');
    await tl.waitFor(`${REAL_PUB}\t10.0.2.2:${ROAMED_PORT}`);
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 60_000);

  it('rekeys after REKEY_AFTER_TIME (120 s of real time) while traffic flows, without losing a ping', async (ctx) => {
    skipUnlessAble(ctx, skipReason, 'WireGuard interop');
    const share = new Scratch();
    const real = await realPeer({ endpoint: false, seconds: 190 });
    const tl = tunlab(share, `ping -c 135 -i 1 ${REAL_IP} | tail -3`, 190);
    await tl.waitFor('packets received', 1, 170_000);
    expect(tl.output).toContain('135 packets transmitted, 135 packets received, 0.0% packet loss');
    // tunlab initiated at the start and again once the session was 120 s old.
    expect(real.count('Received handshake initiation')).toBe(2);
    expect(real.count('Sending handshake response')).toBe(2);
    share.touch('stop');
    expect(await tl.exit()).toBe(0);
  }, 200_000);
});
