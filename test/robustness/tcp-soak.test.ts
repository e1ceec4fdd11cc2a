// Soak: one TCP stream between two hosts over a link that loses, duplicates and reorders frames
// (seeded, so every run is the same run). Every byte arrives, in order, exactly once; the
// connection recovers by itself (fast retransmit, SACK, RACK, RTO) and both ends close cleanly.
//
// SOAK_BYTES sets the length (default 8 MB; 100 MB for the long soak: SOAK_BYTES=100000000).

import { describe, expect, it } from 'vitest';
import { O_RDWR } from '../../kernel/abi/fcntl.js';
import { buildWorld } from '../../kernel/world/build.js';
import { parseWorldFile } from '../../kernel/world/world-file.js';
import { tcpSink, tcpSource } from '../helpers/tcp-programs.js';
import { programsOf } from '../helpers/world.js';

const BYTES = Number(process.env.SOAK_BYTES ?? 8_000_000);

// 2% loss and 1% duplication each way; 1 ms of jitter on a 2 ms delay reorders segments that
// leave less than a millisecond apart.
const WORLD = {
  segments: { wan: { delay: '2ms', jitter: '1ms', loss: 0.02, duplicate: 0.01 } },
  hosts: {
    a: { nics: [{ segment: 'wan', address: '10.0.0.1/24' }] },
    b: { nics: [{ segment: 'wan', address: '10.0.0.2/24' }] },
  },
};

describe('a TCP stream over a lossy, duplicating, reordering link', () => {
  it(
    `carries ${BYTES.toLocaleString('en')} bytes intact`,
    async () => {
      const { world } = buildWorld(parseWorldFile(JSON.stringify(WORLD)), { programs: programsOf([tcpSource, tcpSink]), seed: 7, checkErrno: true }, '.');
      const a = world.mustHost('a');
      const b = world.mustHost('b');
      const out: string[] = [];
      const dec = new TextDecoder();
      const term = b.ttys.create(false);
      term.onOutput = (d) => out.push(dec.decode(d));
      const tf = await b.openKernel(`/dev/${term.path}`, O_RDWR);
      const sink = await b.spawn(null, '/bin/tcpsink', ['tcpsink', '9000'], { files: [tf, tf, tf] });
      const nul = await a.openKernel('/dev/null', O_RDWR);
      const source = await a.spawn(null, '/bin/tcpsource', ['tcpsource', '10.0.0.2', '9000', String(BYTES)], { files: [nul, nul, nul] });
      await world.run({ until: () => !sink.alive && !source.alive, timeLimitNs: 3600e9 });
      expect(out.join('')).toBe(`received ${BYTES} bytes intact\n`);
      expect(source.status).toBe(0);
      expect(sink.status).toBe(0);
      // The link really was hostile: the sender had to repair losses.
      const stats = a.sockets.protoStats().tcp!;
      expect(stats.RetransSegs).toBeGreaterThan(0);
      expect(b.sockets.protoStats().tcp!.TCPOFOQueue + stats.TCPSackRecovery).toBeGreaterThan(0);
    },
    Math.max(120_000, BYTES / 20_000),
  );
});
