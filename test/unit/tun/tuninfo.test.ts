// SIOCGIFTUNINFO: a tun/tap interface's device state by name, as Linux shows it in
// /sys/class/net/NAME/{tun_flags,owner,group}; EINVAL on an interface that is no tun/tap, ENODEV
// on none. And SIOCAIFADDR with an address: one more address on an existing interface.

import { describe, expect, it } from 'vitest';
import { type IfAddrInfo, type Ifreq } from '../../../kernel/abi/if.js';
import { IFF_MULTI_QUEUE, IFF_NO_PI, IFF_TAP, IFF_TUN, SIOCAIFADDR, SIOCGIFADDRS, SIOCGIFTUNINFO, TUNSETGROUP, TUNSETOWNER, TUNSETPERSIST, type TunInfo } from '../../../kernel/abi/ioctl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import { print } from '../../../userland/lib/io.js';
import { outcome, tunAlloc } from '../../helpers/tun.js';
import { run, testWorld } from '../../helpers/world.js';

const probe = defineProgram({
  name: 'probe',
  summary: '',
  async main(_argv, sys) {
    const a = await tunAlloc(sys, 'tun/%d', IFF_TUN | IFF_NO_PI);
    await sys.ioctl(a.fd, TUNSETPERSIST, 1);
    await sys.ioctl(a.fd, TUNSETOWNER, 1000);
    await sys.ioctl(a.fd, TUNSETGROUP, 100);
    await tunAlloc(sys, 'tap/%d', IFF_TAP | IFF_MULTI_QUEUE);
    const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    const info = async (name: string) => {
      const r: Ifreq & { ifr_tun?: TunInfo } = { ifr_name: name };
      const res = await outcome(sys.ioctl(s, SIOCGIFTUNINFO, r));
      return res === '0' ? JSON.stringify(r.ifr_tun) : res;
    };
    await print(sys, `${await info('tun/0')}\n${await info('tap/0')}\n${await info('loop')}\n${await info('nosuch')}\n`);
    // Two addresses on one interface, the second through SIOCAIFADDR.
    const add = (addr: string, mask: string, peer?: string) =>
      outcome(sys.ioctl(s, SIOCAIFADDR, { ifr_name: 'tun/0', ifr_addr: sockaddrIn(addr), ifr_netmask: sockaddrIn(mask), ...(peer ? { ifr_dstaddr: sockaddrIn(peer) } : {}) }));
    await print(sys, `${await add('10.8.0.2', '255.255.255.255', '10.8.0.1')} ${await add('10.9.0.2', '255.255.0.0')} ${await add('10.9.0.2', '255.255.0.0')}\n`);
    const q: Ifreq & { addrs?: IfAddrInfo[] } = { ifr_name: 'tun/0' };
    await sys.ioctl(s, SIOCGIFADDRS, q);
    await print(sys, `${JSON.stringify(q.addrs)}\n`);
  },
});

describe('SIOCGIFTUNINFO and SIOCAIFADDR with an address', () => {
  it('tell a tun/tap device state, and add addresses beside the first', async () => {
    const r = await run(testWorld([probe]), 'haiku', ['probe']);
    expect(r.out).toBe(
      [
        JSON.stringify({ flags: IFF_TUN | IFF_NO_PI, persist: true, owner: 1000, group: 100 }),
        JSON.stringify({ flags: IFF_TAP | IFF_MULTI_QUEUE, persist: false, owner: -1, group: -1 }),
        'EINVAL',
        'ENODEV',
        '0 0 EEXIST',
        JSON.stringify([
          { address: '10.8.0.2', netmask: '255.255.255.255', peer: '10.8.0.1' },
          { address: '10.9.0.2', netmask: '255.255.0.0' },
        ]),
        '',
      ].join('\n'),
    );
  });
});
