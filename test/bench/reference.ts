// The reference half of `npm run bench`: the same work done by the real thing on this machine, in
// the same run, so a figure is compared with what Linux and real OpenVPN do here and now (two
// shared cores make absolute numbers drift from one run to the next; the ratio drifts far less).
//   - tun echo: tun-echo.c, the loop of tun-echo.ts in C on a real Linux TUN, in a namespace of its own;
//   - tunnel: two real OpenVPN 2.6 in two namespaces joined by a veth pair, static key
//     AES-256-CBC + HMAC-SHA256, iperf3 TCP bulk through the tunnel.
// Each needs root and its tools; without them it returns why, and the bench prints that instead.
// With them, a reference that fails throws: that is a broken reference, not a missing one.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { CRYPTO, KEY_FILE, launch, makeNetns, runTool } from '../interop/helpers.js';

export type Measured = { value: number } | { skipped: string };

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;

/** Why the references cannot run here, or null. */
function missing(tools: string[]): string | null {
  const uid = process.getuid?.();
  if (uid !== 0) return `needs root for network namespaces and a real TUN (id -u is ${uid ?? 'unknown'})`;
  const absent = tools.filter((t) => !has(t));
  return absent.length ? `${absent.join(', ')} not installed` : null;
}

/** A namespace name of this run: two benches at once do not collide. */
const nsName = (what: string) => `tlbench-${what}-${process.pid}`;

function withNetns<T>(names: string[], body: () => T): T | { skipped: string } {
  const made: string[] = [];
  try {
    for (const n of names) {
      const why = makeNetns(n);
      if (why) return { skipped: why };
      made.push(n);
    }
    return body();
  } finally {
    for (const n of made) runTool(['ip', 'netns', 'del', n]);
  }
}

let compiled: string | null = null;

/** tun-echo.c, compiled once per run into a scratch directory. */
function tunEchoBinary(): string {
  if (compiled) return compiled;
  const src = path.join(PACKAGE_ROOT, 'test', 'bench', 'tun-echo.c');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-bench-')), 'tun-echo');
  const cc = spawnSync('gcc', ['-O2', '-o', out, src], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr.trim()}`);
  compiled = out;
  return compiled;
}

/** Round trips per second of tun-echo.c on a real Linux TUN. */
export function linuxTunEcho(payload: number, roundTrips: number): Measured {
  const why = missing(['ip', 'gcc']);
  if (why) return { skipped: why };
  const bin = tunEchoBinary();
  const ns = nsName('tun');
  return withNetns([ns], () => {
    const r = runTool(['ip', 'netns', 'exec', ns, bin, String(payload), String(roundTrips)], 60);
    const v = Number(r.out.trim());
    if (r.status !== 0 || !(v > 0)) throw new Error(`tun-echo failed: ${r.out.trim()}`);
    return { value: v };
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * MB/s (10^6 bytes) that iperf3 moves over TCP through two real OpenVPN 2.6 with a static key
 * (AES-256-CBC + HMAC-SHA256, the tunnel figure's cipher), each in its own namespace.
 */
export async function realOpenvpnThroughput(seconds: number): Promise<Measured> {
  const why = missing(['ip', 'openvpn', 'iperf3']);
  if (why) return { skipped: why };
  const [a, b] = [nsName('ovpn-a'), nsName('ovpn-b')];
  const made: string[] = [];
  const children: Array<{ kill(): Promise<void> }> = [];
  try {
    for (const n of [a, b]) {
      const e = makeNetns(n);
      if (e) return { skipped: e };
      made.push(n);
    }
    const veth = runTool(['ip', 'link', 'add', 'tlb0', 'netns', a, 'type', 'veth', 'peer', 'name', 'tlb1', 'netns', b]);
    if (veth.status !== 0) throw new Error(`veth pair: ${veth.out.trim()}`);
    for (const [n, dev, addr] of [[a, 'tlb0', '192.168.7.1/24'], [b, 'tlb1', '192.168.7.2/24']] as const) {
      runTool(['ip', '-n', n, 'addr', 'add', addr, 'dev', dev]);
      runTool(['ip', '-n', n, 'link', 'set', dev, 'up']);
    }
    const ovpn = (me: string, peer: string, remote: string, dir: string) => ['openvpn', '--dev', 'tun', '--ifconfig', me, peer, '--remote', remote, '--secret', KEY_FILE, dir, ...CRYPTO, '--verb', '3'];
    const va = launch('openvpn a', ovpn('10.8.0.1', '10.8.0.2', '192.168.7.2', '0'), { netns: a, seconds: seconds + 30 });
    const vb = launch('openvpn b', ovpn('10.8.0.2', '10.8.0.1', '192.168.7.1', '1'), { netns: b, seconds: seconds + 30 });
    children.push(va, vb);
    await va.waitFor('Initialization Sequence Completed');
    await vb.waitFor('Initialization Sequence Completed');
    const server = launch('iperf3 -s', ['iperf3', '-s', '-1', '--forceflush', '-B', '10.8.0.2'], { netns: b, seconds: seconds + 30 });
    children.push(server);
    await server.waitFor('Server listening');
    await sleep(200);
    const c = runTool(['ip', 'netns', 'exec', a, 'iperf3', '-c', '10.8.0.2', '-t', String(seconds), '-J'], seconds + 20);
    if (c.status !== 0) throw new Error(`iperf3 failed: ${c.out.slice(0, 300)}`);
    const sum = (JSON.parse(c.out) as { end: { sum_received: { bytes: number; seconds: number } } }).end.sum_received;
    return { value: sum.bytes / sum.seconds / 1e6 };
  } finally {
    await Promise.all(children.map((ch) => ch.kill()));
    for (const n of made) runTool(['ip', 'netns', 'del', n]);
  }
}
