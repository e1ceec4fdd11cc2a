import { describe, expect, it } from 'vitest';
import { defineProgram } from '../../../kernel/abi/program.js';
import { IFF_NO_PI, IFF_TUN } from '../../../kernel/abi/ioctl.js';
import { Ipv4Packet, IcmpPacket, IcmpRepr, formatIpv4 } from '../../../kernel/abi/wire/index.js';
import { print } from '../../../userland/lib/io.js';
import { echoRequest, ifup, tunAlloc } from '../../helpers/tun.js';
import { run, testWorld } from '../../helpers/world.js';

describe('tun smoke', () => {
  it('answers an echo request written into a tun with a reply the fd can read', async () => {
    const prog = defineProgram({
      name: 'echo',
      summary: '',
      async main(_a, sys) {
        const { fd, name } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
        await ifup(sys, name, '10.8.0.2', { peer: '10.8.0.1' });
        const n = await sys.write(fd, echoRequest('10.8.0.1', '10.8.0.2', 7, 1));
        const reply = await sys.read(fd, 2000);
        const ip = new Ipv4Packet(reply);
        const icmp = IcmpRepr.parse(new IcmpPacket(ip.payload)) as { kind: string; seq: number };
        await print(sys, `${name} wrote ${n} read ${reply.length} ${formatIpv4(ip.src)}>${formatIpv4(ip.dst)} ${icmp.kind} seq=${icmp.seq}\n`);
      },
    });
    const r = await run(testWorld([prog]), 'haiku', ['echo']);
    expect(r.out).toBe('tun/0 wrote 84 read 84 10.8.0.2>10.8.0.1 echo-reply seq=1\n');
  });
});
