// TCP through cards with segmentation offload: the bytes arrive intact in both directions whether
// the super-packets travel whole (TSO to GRO), are cut by the segment for a card without GRO, or
// cross a lossy, reordering link as wire frames that GRO merges again; and they do travel as
// super-packets when both cards can.

import { describe, expect, it } from 'vitest';
import { O_RDWR } from '../../../../kernel/abi/fcntl.js';
import type { NetdevFeature } from '../../../../kernel/abi/ethtool.js';
import type { Kernel } from '../../../../kernel/kernel.js';
import { buildWorld } from '../../../../kernel/world/build.js';
import { parseWorldFile } from '../../../../kernel/world/world-file.js';
import { client, echoServer, tcpSink, tcpSource } from '../../../helpers/tcp-programs.js';
import { programsOf } from '../../../helpers/world.js';

const TSO: NetdevFeature[] = ['tx-scatter-gather', 'tx-checksum-ip-generic', 'tx-tcp-segmentation', 'tx-tcp-ecn-segmentation', 'tx-generic-segmentation'];
const GRO: NetdevFeature[] = ['rx-gro'];

function world(link: Record<string, unknown>, a: NetdevFeature[], b: NetdevFeature[]) {
  const file = { segments: { wire: link }, hosts: { a: { nics: [{ segment: 'wire', address: '10.0.0.1/24' }] }, b: { nics: [{ segment: 'wire', address: '10.0.0.2/24' }] } } };
  const { world: w } = buildWorld(parseWorldFile(JSON.stringify(file)), { programs: programsOf([tcpSource, tcpSink, client, echoServer]), seed: 3, checkErrno: true }, '.');
  const ha = w.mustHost('a');
  const hb = w.mustHost('b');
  const on = (k: Kernel, f: NetdevFeature[]) => k.nics.all()[0]!.features.setByName(new Map(f.map((x) => [x, true] as const)));
  on(ha, a);
  on(hb, b);
  return { w, a: ha, b: hb };
}

async function terminal(k: Kernel, out: string[]): Promise<unknown> {
  const term = k.ttys.create(false);
  const dec = new TextDecoder();
  term.onOutput = (d) => out.push(dec.decode(d));
  return k.openKernel(`/dev/${term.path}`, O_RDWR);
}

/** a sends `bytes` to b's sink; what the sink said, and the frames b's card took in. */
async function bulk(link: Record<string, unknown>, fa: NetdevFeature[], fb: NetdevFeature[], bytes: number): Promise<{ said: string; rxFrames: number; inSegs: number }> {
  const { w, a, b } = world(link, fa, fb);
  const out: string[] = [];
  const tf = await terminal(b, out);
  const nul = await a.openKernel('/dev/null', O_RDWR);
  const sink = await b.spawn(null, '/bin/tcpsink', ['tcpsink', '9000'], { files: [tf, tf, tf] as never });
  const source = await a.spawn(null, '/bin/tcpsource', ['tcpsource', '10.0.0.2', '9000', String(bytes)], { files: [nul, nul, nul] });
  await w.run({ until: () => !sink.alive && !source.alive, timeLimitNs: 600e9 });
  return { said: out.join(''), rxFrames: b.nics.all()[0]!.iface!.counters.rxPackets, inSegs: b.sockets.protoStats().tcp!.InSegs };
}

describe('TCP over cards with segmentation offload', () => {
  it('sends 64 KB super-packets from a TSO card to a GRO card, the bytes intact', async () => {
    const r = await bulk({ delay: '0.1ms' }, TSO, GRO, 4_000_000);
    expect(r.said).toBe('received 4000000 bytes intact\n');
    // Counted as the segments they stand for, taken in as far fewer frames.
    expect(r.inSegs).toBeGreaterThan(2700);
    expect(r.rxFrames * 10).toBeLessThan(r.inSegs);
  });

  it('cuts them on the segment for a card without GRO', async () => {
    const r = await bulk({ delay: '0.1ms' }, TSO, [], 2_000_000);
    expect(r.said).toBe('received 2000000 bytes intact\n');
    expect(r.rxFrames).toBeGreaterThan(1380);
  });

  it('merges again with GRO what a lossy, reordering link carried as wire frames', async () => {
    const r = await bulk({ delay: '2ms', jitter: '1ms', loss: 0.01, duplicate: 0.01 }, [...TSO, ...GRO], [...TSO, ...GRO], 2_000_000);
    expect(r.said).toBe('received 2000000 bytes intact\n');
  });

  it('carries an echo both ways with every offload on at both ends', async () => {
    const all = [...TSO, ...GRO];
    const { w, a, b } = world({ delay: '0.1ms' }, all, all);
    const out: string[] = [];
    const ta = await terminal(a, out);
    const nul = await b.openKernel('/dev/null', O_RDWR);
    const server = await b.spawn(null, '/bin/echod', ['echod'], { files: [nul, nul, nul] });
    const c = await a.spawn(null, '/bin/client', ['client', '10.0.0.2', '3000000'], { files: [ta, ta, ta] as never });
    await w.run({ until: () => !c.alive && !server.alive, timeLimitNs: 600e9 });
    expect(out.join('')).toBe('echoed 3000000 intact\n');
  });
});
