// A program that sends to, or connects to, 0.0.0.0 reaches its own host, as Linux's output routing
// makes it (ip_route_output_key_hash_rcu): the destination becomes the socket's bound address, or
// 127.0.0.1 when it has none, and that is the peer the socket reports and the source the other end
// sees. Before, such a datagram left by the default route.

import { describe, expect, it } from 'vitest';
import { AF_INET, IPPROTO_ICMP, SOCK_DGRAM, SOCK_STREAM, sockaddrIn, type SockaddrIn } from '../../../kernel/abi/socket.js';
import { buildIcmpPacket } from '../../../kernel/abi/wire/index.js';
import { probe, text } from '../../helpers/probe.js';

const at = (a: unknown) => {
  const s = a as SockaddrIn;
  return `${s.sin_addr}:${s.sin_port}`;
};

describe('0.0.0.0 as a destination', () => {
  it('a UDP datagram sent to 0.0.0.0 arrives from 127.0.0.1, or from the bound address', async () => {
    const { lines } = await probe(async (sys, note) => {
      const rx = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.bind(rx, sockaddrIn('0.0.0.0', 7000));
      const tx = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.sendto(tx, new TextEncoder().encode('one'), 0, sockaddrIn('0.0.0.0', 7000));
      let r = await sys.recvfrom(rx, 100);
      note(`${text(r.data)} from ${at(r.from).split(':')[0]}`);
      const bound = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.bind(bound, sockaddrIn('127.0.0.2', 0));
      await sys.sendto(bound, new TextEncoder().encode('two'), 0, sockaddrIn('0.0.0.0', 7000));
      r = await sys.recvfrom(rx, 100);
      note(`${text(r.data)} from ${at(r.from).split(':')[0]}`);
      const conn = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.connect(conn, sockaddrIn('0.0.0.0', 7000));
      note(`connected peer ${at(await sys.getpeername(conn))}`);
    });
    expect(lines).toEqual(['one from 127.0.0.1', 'two from 127.0.0.2', 'connected peer 127.0.0.1:7000']);
  });

  it('a TCP connect to 0.0.0.0 is a connection to 127.0.0.1', async () => {
    const { lines } = await probe(async (sys, note) => {
      const l = await sys.socket(AF_INET, SOCK_STREAM, 0);
      await sys.bind(l, sockaddrIn('0.0.0.0', 8000));
      await sys.listen(l, 1);
      const c = await sys.socket(AF_INET, SOCK_STREAM, 0);
      await sys.connect(c, sockaddrIn('0.0.0.0', 8000));
      note(`peer ${at(await sys.getpeername(c))}`);
      const a = await sys.accept(l);
      note(`accepted from ${at(a.addr).split(':')[0]}`);
    });
    expect(lines).toEqual(['peer 127.0.0.1:8000', 'accepted from 127.0.0.1']);
  });

  it('an ICMP echo to 0.0.0.0 is answered by 127.0.0.1', async () => {
    const { lines } = await probe(async (sys, note) => {
      const s = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      await sys.sendto(s, buildIcmpPacket({ kind: 'echo-request', ident: 0, seq: 1, data: new Uint8Array(4) }), 0, sockaddrIn('0.0.0.0'));
      const r = await sys.recvfrom(s, 100);
      note(`type ${r.data[0]} from ${at(r.from).split(':')[0]}`);
    });
    expect(lines).toEqual(['type 0 from 127.0.0.1']);
  });
});
