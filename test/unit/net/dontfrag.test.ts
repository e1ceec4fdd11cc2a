// IP_DONTFRAG (FreeBSD's socket option, for ping -D): raw and UDP sockets send with the DF bit
// set, and a datagram past the route's MTU fails with EMSGSIZE instead of going out in fragments.

import { describe, expect, it } from 'vitest';
import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, IP_DONTFRAG, IPPROTO_ICMP, IPPROTO_IP, SOCK_DGRAM, SOCK_RAW, sockaddrIn } from '../../../kernel/abi/socket.js';
import { buildIcmpPacket, Ipv4Packet } from '../../../kernel/abi/wire/index.js';
import { print } from '../../../userland/lib/io.js';
import { outcome } from '../../helpers/tun.js';
import { routedWorld } from '../../helpers/net.js';
import { run } from '../../helpers/world.js';

const probe = defineProgram({
  name: 'probe',
  summary: '',
  async main(_argv, sys) {
    const udp = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    const to = sockaddrIn('192.168.1.1', 9);
    const big = new Uint8Array(2000);
    const lines = [`default ${await sys.getsockopt(udp, IPPROTO_IP, IP_DONTFRAG)}`, `udp 2000 ${await outcome(sys.sendto(udp, big, 0, to))}`];
    await sys.setsockopt(udp, IPPROTO_IP, IP_DONTFRAG, 1);
    lines.push(`set ${await sys.getsockopt(udp, IPPROTO_IP, IP_DONTFRAG)}`);
    lines.push(`udp 2000 DF ${await outcome(sys.sendto(udp, big, 0, to))}`, `udp 1000 DF ${await outcome(sys.sendto(udp, big.subarray(0, 1000), 0, to))}`);
    // On loopback, a raw ICMP socket sees the echo request itself: its DF bit is the option's.
    const raw = await sys.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    await sys.setsockopt(raw, IPPROTO_IP, IP_DONTFRAG, 1);
    await sys.sendto(raw, buildIcmpPacket({ kind: 'echo-request', ident: 7, seq: 1, data: new Uint8Array(8) }), 0, sockaddrIn('127.0.0.1'));
    const got = await sys.recvfrom(raw, 2000);
    const p = new Ipv4Packet(got.data);
    lines.push(`raw: type ${p.payload[0]} DF ${p.dontFragment}`);
    await print(sys, `${lines.join('\n')}\n`);
  },
});

describe('IP_DONTFRAG', () => {
  it('sets DF on raw and UDP datagrams; past the MTU they fail with EMSGSIZE', async () => {
    const { world } = routedWorld([probe]);
    const r = await run(world, 'a', ['probe']);
    expect(r.out).toBe(['default 0', 'udp 2000 2000', 'set 1', 'udp 2000 DF EMSGSIZE', 'udp 1000 DF 1000', 'raw: type 8 DF true', ''].join('\n'));
  });
});
