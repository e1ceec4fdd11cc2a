// A super-packet too big for a router's egress, DF clear: Linux cuts it into its segments first and
// fragments only those (ip_finish_output_gso's slow path), each with a complete TCP checksum.
// Fragmented whole, the packet would carry its partial checksum (TSO's, or GRO's on the router) to
// a receiver that drops every reassembled round as a checksum error, and the sender would resend.

import { describe, expect, it } from 'vitest';
import { O_RDWR } from '../../../../kernel/abi/fcntl.js';
import type { NetdevFeature } from '../../../../kernel/abi/ethtool.js';
import type { Kernel } from '../../../../kernel/kernel.js';
import { buildWorld } from '../../../../kernel/world/build.js';
import { parseWorldFile } from '../../../../kernel/world/world-file.js';
import { tcpSink, tcpSource } from '../../../helpers/tcp-programs.js';
import { programsOf } from '../../../helpers/world.js';

const ALL: NetdevFeature[] = ['tx-scatter-gather', 'tx-checksum-ip-generic', 'tx-tcp-segmentation', 'tx-generic-segmentation', 'rx-gro'];

const ROUTED = {
  segments: { w1: { delay: '0.1ms' }, w2: { delay: '0.1ms' } },
  hosts: {
    a: { nics: [{ segment: 'w1', address: '10.0.1.1/24' }], routes: [{ to: 'default', via: '10.0.1.254' }] },
    r: { forwarding: true, nics: [{ segment: 'w1', address: '10.0.1.254/24' }, { segment: 'w2', address: '10.0.2.254/24', mtu: 1400 }] },
    b: { nics: [{ segment: 'w2', address: '10.0.2.1/24' }], routes: [{ to: 'default', via: '10.0.2.254' }] },
  },
};

/** a sends 1 MB without DF to b across r, whose far side has MTU 1400 (b's MSS says 1460). */
async function across(offloads: Record<string, NetdevFeature[]>) {
  const { world: w } = buildWorld(parseWorldFile(JSON.stringify(ROUTED)), { programs: programsOf([tcpSource, tcpSink]), seed: 3, checkErrno: true }, '.');
  for (const [h, f] of Object.entries(offloads)) for (const n of w.mustHost(h).nics.all()) n.features.setByName(new Map(f.map((x) => [x, true] as const)));
  const a = w.mustHost('a');
  const b = w.mustHost('b');
  const out: string[] = [];
  const term = b.ttys.create(false);
  term.onOutput = (d) => out.push(new TextDecoder().decode(d));
  const tf = await b.openKernel(`/dev/${term.path}`, O_RDWR);
  const nul = await a.openKernel('/dev/null', O_RDWR);
  const sink = await b.spawn(null, '/bin/tcpsink', ['tcpsink', '9000'], { files: [tf, tf, tf] as never });
  const source = await a.spawn(null, '/bin/tcpsource', ['tcpsource', '10.0.2.1', '9000', '1000000', 'nodf'], { files: [nul, nul, nul] });
  await w.run({ until: () => !sink.alive && !source.alive, timeLimitNs: 120e9 });
  const tcp = (k: Kernel) => k.sockets.protoStats().tcp!;
  return { said: out.join(''), csumErrors: tcp(b).InCsumErrors, retransmitted: tcp(a).RetransSegs };
}

describe('a super-packet fragmented at a router', () => {
  it('is cut into segments first: nothing arrives with a bad checksum, nothing is resent', async () => {
    const cases: Record<string, NetdevFeature[]>[] = [{}, { a: ALL, r: ALL, b: ALL }, { r: ['rx-gro'] }];
    for (const offloads of cases) {
      const r = await across(offloads);
      expect(r, JSON.stringify(offloads)).toEqual({ said: 'received 1000000 bytes intact\n', csumErrors: 0, retransmitted: 0 });
    }
  }, 120_000);
});
