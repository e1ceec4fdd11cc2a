// Benchmark 1: tun echo round trips per second. A program writes an ICMP echo request into a tun
// as the far end would, the host's stack answers, and the program reads the reply: the whole
// driver and stack path, measured in wall time (virtual time does not move: nothing waits).

import { O_RDWR } from '../../kernel/abi/fcntl.js';
import { IFF_UP, type Ifreq } from '../../kernel/abi/if.js';
import { IFF_NO_PI, IFF_TUN, SIOCGIFFLAGS, SIOCSIFADDR, SIOCSIFDSTADDR, SIOCSIFFLAGS, TUNSETIFF } from '../../kernel/abi/ioctl.js';
import { buildIcmpPacket, buildIpv4Packet, IPPROTO_ICMP, parseIpv4 } from '../../kernel/abi/wire/index.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../kernel/abi/socket.js';
import { World } from '../../kernel/world/world.js';

export async function tunEcho(payload: number, roundTrips: number): Promise<number> {
  let elapsedNs = 0;
  const prog = defineProgram({
    name: 'echo',
    summary: '',
    async main(_argv, sys) {
      const fd = await sys.open('/dev/misc/tun', O_RDWR);
      const ifr: Ifreq = { ifr_name: '', ifr_flags: IFF_TUN | IFF_NO_PI };
      await sys.ioctl(fd, TUNSETIFF, ifr);
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.ioctl(s, SIOCSIFADDR, { ifr_name: ifr.ifr_name, ifr_addr: sockaddrIn('10.8.0.2') });
      await sys.ioctl(s, SIOCSIFDSTADDR, { ifr_name: ifr.ifr_name, ifr_dstaddr: sockaddrIn('10.8.0.1') });
      const f: Ifreq = { ifr_name: ifr.ifr_name };
      await sys.ioctl(s, SIOCGIFFLAGS, f);
      await sys.ioctl(s, SIOCSIFFLAGS, { ifr_name: ifr.ifr_name, ifr_flags: (f.ifr_flags ?? 0) | IFF_UP });
      const icmp = buildIcmpPacket({ kind: 'echo-request', ident: 1, seq: 1, data: new Uint8Array(payload) });
      const req = buildIpv4Packet(
        { src: parseIpv4('10.8.0.1')!, dst: parseIpv4('10.8.0.2')!, protocol: IPPROTO_ICMP, ttl: 64, ident: 1, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0 },
        icmp,
      );
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < roundTrips; i++) {
        await sys.write(fd, req);
        const r = await sys.read(fd, 2048);
        if (r.length !== req.length) throw new Error(`short reply ${r.length}`);
      }
      elapsedNs = Number(process.hrtime.bigint() - t0);
    },
  });
  const w = new World({ programs: { names: () => ['echo'], load: async () => prog } });
  const k = w.addHost('bench');
  const f = await k.openKernel('/dev/null', O_RDWR);
  const p = await k.spawn(null, '/bin/echo', ['echo'], { files: [f, f, f] });
  await w.run({ until: () => !p.alive });
  if (p.status !== 0) throw new Error(`tun echo benchmark failed with status ${p.status}`);
  return roundTrips / (elapsedNs / 1e9);
}
