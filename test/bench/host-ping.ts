// Benchmark: ICMP echo round trips per second between two hosts on one segment. A program on a
// sends an echo request through a raw ICMP socket and waits for b's stack to answer, again and
// again: two stacks, ARP-resolved Ethernet, the segment's delivery timer, in wall time (the
// segment's delay is virtual and costs nothing).

import { IcmpPacket, IcmpRepr, IPPROTO_ICMP } from '../../kernel/abi/wire/index.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { AF_INET, SOCK_RAW, sockaddrIn } from '../../kernel/abi/socket.js';
import { O_RDWR } from '../../kernel/abi/fcntl.js';
import { buildWorld } from '../../kernel/world/build.js';
import { parseWorldFile } from '../../kernel/world/world-file.js';

const PAIR = {
  segments: { wire: { delay: '0.1ms' } },
  hosts: { a: { nics: [{ segment: 'wire', address: '10.0.0.1/24' }] }, b: { nics: [{ segment: 'wire', address: '10.0.0.2/24' }] } },
};

export async function hostPing(roundTrips: number): Promise<number> {
  let elapsedNs = 0;
  const prog = defineProgram({
    name: 'echoes',
    summary: '',
    async main(_argv, sys) {
      const fd = await sys.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
      const to = sockaddrIn('10.0.0.2');
      const request = new Uint8Array(64);
      const send = async (seq: number) => {
        IcmpRepr.emit({ kind: 'echo-request', ident: 7, seq: seq & 0xffff, data: new Uint8Array(56) }, new IcmpPacket(request));
        await sys.sendto(fd, request, 0, to);
        // The reply (a raw ICMP socket sees the IP header too); anything else is not expected here.
        const r = await sys.recvfrom(fd, 2048);
        if (r.data.length !== 84) throw new Error(`unexpected ${r.data.length}-byte datagram`);
      };
      await send(0); // ARP first, outside the timing
      const t0 = process.hrtime.bigint();
      for (let i = 1; i <= roundTrips; i++) await send(i);
      elapsedNs = Number(process.hrtime.bigint() - t0);
    },
  });
  const { world } = buildWorld(parseWorldFile(JSON.stringify(PAIR)), { programs: { names: () => ['echoes'], load: async () => prog }, seed: 1 }, '.');
  const a = world.mustHost('a');
  const f = await a.openKernel('/dev/null', O_RDWR);
  const p = await a.spawn(null, '/bin/echoes', ['echoes'], { files: [f, f, f] });
  await world.run({ until: () => !p.alive });
  if (p.status !== 0) throw new Error(`host ping benchmark failed with status ${p.status}`);
  return roundTrips / (elapsedNs / 1e9);
}
